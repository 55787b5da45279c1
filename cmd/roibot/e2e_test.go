package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/postgres/pgtest"
	"github.com/roibot/roibot/tools"
)

// run executes the roibot command line with env and returns its stdout.
func runRoibot(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	root := newRootCmd(env)
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("roibot %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

type askJSON struct {
	Answer    string `json:"answer"`
	ToolCalls []struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
		Result    json.RawMessage `json:"result"`
		Error     string          `json:"error"`
	} `json:"tool_calls"`
}

func ask(t *testing.T, env map[string]string, q string) askJSON {
	t.Helper()
	var a askJSON
	if err := json.Unmarshal([]byte(runRoibot(t, env, "ask", "--json", q)), &a); err != nil {
		t.Fatalf("ask %q: %v", q, err)
	}
	if len(a.ToolCalls) != 1 || a.ToolCalls[0].Error != "" {
		t.Fatalf("ask %q: tool calls %+v; want exactly one successful call", q, a.ToolCalls)
	}
	return a
}

// TestDemo_NewUserQuestions runs what a new user does after make demo —
// set up the demo data, then ask three questions — and checks each answer's
// numbers against an independent SQL query over the same tables.
func TestDemo_NewUserQuestions(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the full Online Retail data")
	}
	url := pgtest.URL(t)
	schema := pgtest.NewSchema(t)
	env := map[string]string{"DATABASE_URL": url, "ROIBOT_DB_SCHEMA": schema}
	out := runRoibot(t, env, "demo", "--no-chat", "--data", "../../data")
	if !strings.Contains(out, "541909 rows read, 541907 stored, 2 rejected") {
		t.Fatalf("demo output lacks the import summary:\n%s", out)
	}
	t.Run("SecondRunReusesData", func(t *testing.T) {
		out := runRoibot(t, env, "demo", "--no-chat", "--data", "../../data")
		if !strings.Contains(out, "orders already imported") || !strings.Contains(out, "already present") ||
			!strings.Contains(out, "demo step 1/") || !strings.Contains(out, "demo ready in ") {
			t.Errorf("second demo run = %q; want it to reuse the data, announcing its steps", out)
		}
	})

	ctx := context.Background()
	// The embedded server shares one session between connections; this
	// one uses the same schema as the program under test.
	conn := pgtest.Conn(t, schema)
	t.Run("InterruptedImportIsCompleted", func(t *testing.T) {
		// An interrupted first run leaves part of the lines; the next run
		// adds what is missing instead of taking the partial data as done.
		if _, err := conn.Exec(ctx, "delete from order_lines where invoice_no >= '581000'"); err != nil {
			t.Fatal(err)
		}
		runRoibot(t, env, "demo", "--no-chat", "--data", "../../data")
		var n int
		if err := conn.QueryRow(ctx, "select count(*) from order_lines").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != onlineRetailStored {
			t.Errorf("order lines after a rerun = %d; want %d", n, onlineRetailStored)
		}
	})

	t.Run("HowManyCustomers", func(t *testing.T) {
		a := ask(t, env, "How many customers do we have?")
		if a.ToolCalls[0].Name != "revenue_summary" {
			t.Fatalf("tool = %s; want revenue_summary", a.ToolCalls[0].Name)
		}
		var res struct{ Customers int }
		if err := json.Unmarshal(a.ToolCalls[0].Result, &res); err != nil {
			t.Fatal(err)
		}
		var want int
		if err := conn.QueryRow(ctx, `select count(distinct o.customer_id) from orders o join order_lines l using (invoice_no)
			where o.customer_id is not null and not l.is_return`).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if res.Customers != want || want != 4339 {
			t.Errorf("customers = %d; want %d from SQL (4339 in the dataset's provenance)", res.Customers, want)
		}
		if !strings.Contains(a.Answer, "4339") {
			t.Errorf("answer does not state 4339:\n%s", a.Answer)
		}
	})

	t.Run("WhoIsAboutToChurn", func(t *testing.T) {
		a := ask(t, env, "Which customers are about to churn?")
		if a.ToolCalls[0].Name != "churn_risk" {
			t.Fatalf("tool = %s; want churn_risk", a.ToolCalls[0].Name)
		}
		var res tools.ChurnResult
		if err := json.Unmarshal(a.ToolCalls[0].Result, &res); err != nil {
			t.Fatal(err)
		}
		// Trained on the state at 2011-09-11 (as-of 2011-12-10 − 90 days).
		if res.TrainingCutoff != "2011-09-11" || res.Model.TestAUC < 0.65 || len(res.Customers) != 10 || len(res.Model.Reasons) == 0 {
			t.Errorf("churn_risk = cutoff %s, model %+v, %d customers", res.TrainingCutoff, res.Model, len(res.Customers))
		}
		if !strings.Contains(a.Answer, "test AUC") {
			t.Errorf("answer does not carry the test AUC:\n%s", a.Answer)
		}
	})

	t.Run("WhoWillRespond", func(t *testing.T) {
		a := ask(t, env, "Who is likely to respond to the next campaign?")
		if a.ToolCalls[0].Name != "response_propensity" {
			t.Fatalf("tool = %s; want response_propensity", a.ToolCalls[0].Name)
		}
		var res tools.ResponseResult
		if err := json.Unmarshal(a.ToolCalls[0].Result, &res); err != nil {
			t.Fatal(err)
		}
		// iFood: 2,240 rows, 334 responded (PROVENANCE); the demo imports it.
		if res.Dataset != "ifood" || res.Rows != 2240 || res.Model.TestAUC < 0.8 || !strings.Contains(a.Answer, "test AUC") {
			t.Errorf("response_propensity = %s, %d rows, model %+v\n%s", res.Dataset, res.Rows, res.Model, a.Answer)
		}
	})

	t.Run("WhoAreOurChampions", func(t *testing.T) {
		a := ask(t, env, "Who are our champions?")
		if a.ToolCalls[0].Name != "rfm_segments" {
			t.Fatalf("tool = %s; want rfm_segments", a.ToolCalls[0].Name)
		}
		var res struct {
			AsOf   string `json:"as_of"`
			Listed []struct {
				CustomerID  string  `json:"customer_id"`
				RecencyDays int     `json:"recency_days"`
				Frequency   int     `json:"frequency"`
				Monetary    float64 `json:"monetary"`
				Segment     string  `json:"segment"`
			} `json:"listed_customers"`
		}
		if err := json.Unmarshal(a.ToolCalls[0].Result, &res); err != nil {
			t.Fatal(err)
		}
		if res.AsOf != "2011-12-10" || len(res.Listed) == 0 {
			t.Fatalf("as_of %s, %d customers listed; want 2011-12-10 and some champions", res.AsOf, len(res.Listed))
		}
		for _, c := range res.Listed {
			var rec, freq int
			var mon int64
			err := conn.QueryRow(ctx, `select
					floor(extract(epoch from (timestamptz '2011-12-10 00:00:00+00' - max(o.invoiced_at) filter (where not l.is_return))) / 86400)::int,
					count(distinct o.invoice_no) filter (where not l.is_return),
					sum(l.amount)
				from orders o join order_lines l using (invoice_no) where o.customer_id = $1`, c.CustomerID).Scan(&rec, &freq, &mon)
			if err != nil {
				t.Fatal(err)
			}
			if c.Segment != "champions" || c.RecencyDays != rec || c.Frequency != freq || math.Abs(c.Monetary-float64(mon)/100) > 0.005 {
				t.Errorf("champion %s = (%s, %d days, %d invoices, £%.2f); want champions and SQL (%d, %d, £%.2f)",
					c.CustomerID, c.Segment, c.RecencyDays, c.Frequency, c.Monetary, rec, freq, float64(mon)/100)
			}
		}
	})

	t.Run("ROIByChannelQ4", func(t *testing.T) {
		a := ask(t, env, "What was the ROI by channel in Q4 2011?")
		if a.ToolCalls[0].Name != "compute_roi" {
			t.Fatalf("tool = %s; want compute_roi", a.ToolCalls[0].Name)
		}
		var res struct {
			Period struct{ From, To string }
			Rows   []struct {
				Group   string  `json:"group"`
				Spend   float64 `json:"spend"`
				Revenue float64 `json:"revenue"`
				ROI     any     `json:"roi"`
			}
		}
		if err := json.Unmarshal(a.ToolCalls[0].Result, &res); err != nil {
			t.Fatal(err)
		}
		if res.Period.From != "2011-10-01" || res.Period.To != "2012-01-01" {
			t.Fatalf("period = %+v; want 2011-10-01..2012-01-01", res.Period)
		}
		// Independent last-touch attribution by the journey rule (a
		// touchpoint credits the customer's next order, earlier orders
		// included, within 30 × 24 hours), written with window functions
		// rather than the store's lateral join.
		rows, err := conn.Query(ctx, `with allbuys as (
				select o.invoice_no, o.customer_id, o.invoiced_at, sum(l.amount) rev,
				       lag(o.invoiced_at) over (partition by o.customer_id order by o.invoiced_at, o.invoice_no) prev_at
				from orders o join order_lines l using (invoice_no)
				where o.customer_id is not null and not l.is_return and o.invoiced_at < '2012-01-01'
				group by 1, 2, 3 having sum(l.amount) > 0),
			buys as (select * from allbuys where invoiced_at >= '2011-10-01'),
			ranked as (
				select b.invoice_no, b.rev, t.channel,
				       row_number() over (partition by b.invoice_no order by t.touched_at desc, t.touchpoint_id desc) rn
				from buys b join touchpoints t on t.customer_id = b.customer_id
				 and t.touched_at <= b.invoiced_at and t.touched_at >= b.invoiced_at - interval '720 hours'
				 and (b.prev_at is null or t.touched_at > b.prev_at)),
			rev as (select channel, sum(rev) rev from ranked where rn = 1 group by 1),
			spend as (select channel, sum(cost) cost from ad_spend where day >= '2011-10-01' and day < '2012-01-01' group by 1)
			select c.channel, coalesce(r.rev, 0), coalesce(s.cost, 0)
			from channels c left join rev r using (channel) left join spend s using (channel)`)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][2]int64{}
		var ch string
		var rev, cost int64
		if _, err := pgx.ForEachRow(rows, []any{&ch, &rev, &cost}, func() error { want[ch] = [2]int64{rev, cost}; return nil }); err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != len(want) {
			t.Fatalf("%d channels; want %d", len(res.Rows), len(want))
		}
		for _, r := range res.Rows {
			w := want[r.Group]
			if math.Abs(r.Revenue-float64(w[0])/100) > 0.005 || math.Abs(r.Spend-float64(w[1])/100) > 0.005 {
				t.Errorf("%s: revenue £%.2f spend £%.2f; want SQL £%.2f, £%.2f", r.Group, r.Revenue, r.Spend, float64(w[0])/100, float64(w[1])/100)
			}
			if w[1] > 0 {
				wantROI := float64(w[0]-w[1]) / float64(w[1])
				if got, ok := r.ROI.(float64); !ok || math.Abs(got-wantROI) > 5e-5 {
					t.Errorf("%s: ROI %v; want %.4f", r.Group, r.ROI, wantROI)
				}
			}
		}
		if !strings.Contains(a.Answer, "SYNTHETIC") {
			t.Errorf("answer does not label the marketing data synthetic:\n%s", a.Answer)
		}
	})

	// CAC per channel for 2011 (last touch) against plain SQL: spend of
	// 2011 over the distinct customers whose first purchase ever falls in
	// 2011 and whose latest touch in the 30 days before it is the channel.
	// Counting first-purchase orders instead would count customers with
	// two invoices at their first instant twice (paid_social: 546 orders,
	// 544 customers).
	t.Run("CAC2011MatchesSQL", func(t *testing.T) {
		var res struct {
			Rows []struct {
				Group        string  `json:"group"`
				Spend        float64 `json:"spend"`
				NewCustomers float64 `json:"new_customers"`
				CAC          any     `json:"cac"`
			}
		}
		if err := json.Unmarshal([]byte(runRoibot(t, env, "roi", "--from", "2011-01-01", "--to", "2011-12-31", "--json")), &res); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, `with firsts as (
				select distinct on (o.customer_id) o.customer_id, o.invoice_no, o.invoiced_at
				from orders o join order_lines l using (invoice_no)
				where o.customer_id is not null and not l.is_return
				group by o.customer_id, o.invoice_no, o.invoiced_at having sum(l.amount) > 0
				order by o.customer_id, o.invoiced_at, o.invoice_no),
			credited as (
				select f.customer_id,
				       (select t.channel from touchpoints t where t.customer_id = f.customer_id
				          and t.touched_at <= f.invoiced_at and t.touched_at >= f.invoiced_at - interval '720 hours'
				        order by t.touched_at desc, t.touchpoint_id desc limit 1) as channel
				from firsts f where f.invoiced_at >= '2011-01-01' and f.invoiced_at < '2012-01-01'),
			newc as (select channel, count(distinct customer_id) n from credited where channel is not null group by 1),
			spend as (select channel, sum(cost) cost from ad_spend where day >= '2011-01-01' and day < '2012-01-01' group by 1)
			select s.channel, s.cost, coalesce(n.n, 0) from spend s left join newc n using (channel)`)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][2]int64{}
		var ch string
		var cost, n int64
		if _, err := pgx.ForEachRow(rows, []any{&ch, &cost, &n}, func() error { want[ch] = [2]int64{cost, n}; return nil }); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, r := range res.Rows {
			w, ok := want[r.Group]
			if !ok {
				continue
			}
			checked++
			if r.NewCustomers != float64(w[1]) {
				t.Errorf("%s: new customers %v; want %d distinct first-purchase customers (SQL)", r.Group, r.NewCustomers, w[1])
			}
			if w[1] > 0 {
				wantCAC := math.Round(float64(w[0])/float64(w[1])) / 100
				if got, ok := r.CAC.(float64); !ok || math.Abs(got-wantCAC) > 0.006 {
					t.Errorf("%s: CAC %v; want £%.2f = £%.2f / %d", r.Group, r.CAC, wantCAC, float64(w[0])/100, w[1])
				}
			}
			t.Logf("%s: spend £%.2f, new customers %v, CAC %v", r.Group, r.Spend, r.NewCustomers, r.CAC)
		}
		if checked == 0 || checked != len(want) {
			t.Errorf("checked %d channels with spend; want %d", checked, len(want))
		}
	})

	// A one-day ROI in Asia/Tokyo takes that local day's spend (east of
	// UTC, the UTC date of local midnight is the day before).
	t.Run("OneDayTokyoSpend", func(t *testing.T) {
		tokyo := map[string]string{"ROIBOT_TIMEZONE": "Asia/Tokyo"}
		for k, v := range env {
			tokyo[k] = v
		}
		var res struct {
			TimeZone string `json:"time_zone"`
			Rows     []struct {
				Group string  `json:"group"`
				Spend float64 `json:"spend"`
			}
		}
		if err := json.Unmarshal([]byte(runRoibot(t, tokyo, "roi", "--from", "2011-06-01", "--to", "2011-06-01", "--json")), &res); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, `select channel, sum(cost) from ad_spend where day = '2011-06-01' group by 1`)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{}
		var ch string
		var cost int64
		if _, err := pgx.ForEachRow(rows, []any{&ch, &cost}, func() error { want[ch] = cost; return nil }); err != nil {
			t.Fatal(err)
		}
		if res.TimeZone != "Asia/Tokyo" || len(want) == 0 {
			t.Fatalf("time_zone %q, %d channels with spend on 2011-06-01; want Asia/Tokyo and some", res.TimeZone, len(want))
		}
		for _, r := range res.Rows {
			if math.Abs(r.Spend-float64(want[r.Group])/100) > 0.005 {
				t.Errorf("%s: spend £%.2f; want £%.2f, the spend of 2011-06-01", r.Group, r.Spend, float64(want[r.Group])/100)
			}
		}
	})
}
