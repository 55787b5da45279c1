package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/demodata"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
	"github.com/roibot/roibot/tools"
)

// TestAttributionCmd_VignetteFile runs the CLI on the ChannelAttribution
// vignette's toy paths; the published first-order Markov figures are
// removal effects A = 1, B = 0.5 and attributed conversions A = 2, B = 1.
func TestAttributionCmd_VignetteFile(t *testing.T) {
	var out bytes.Buffer
	root := newRootCmd(map[string]string{})
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"attribution", "--model", "markov", "--file", "../../data/channel-attribution/vignette_toy_paths.csv", "--json"})
	if err := root.Execute(); err != nil {
		t.Fatalf("roibot attribution: %v", err)
	}
	var rep AttributionReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("roibot attribution --json = %s: %v", out.String(), err)
	}
	wantRE := map[string]float64{"A": 1, "B": 0.5}
	wantConv := map[string]float64{"A": 2, "B": 1}
	if len(rep.RemovalEffects) != 2 || len(rep.Channels) != 2 {
		t.Fatalf("roibot attribution = %s; want channels A and B", out.String())
	}
	for i, re := range rep.RemovalEffects {
		if math.Abs(re.RemovalEffect-wantRE[re.Channel]) > 1e-9 {
			t.Errorf("removal effect %s = %g; want %g", re.Channel, re.RemovalEffect, wantRE[re.Channel])
		}
		c := rep.Channels[i]
		if math.Abs(c.Conversions-wantConv[c.Channel]) > 1e-9 {
			t.Errorf("conversions %s = %g; want %g", c.Channel, c.Conversions, wantConv[c.Channel])
		}
	}
}

// TestAttributionCmd_DataCSVConserves checks on Data.csv (10,000 paths)
// that each model's attributed conversions sum to the file's 19,785.
func TestAttributionCmd_DataCSVConserves(t *testing.T) {
	for _, m := range []string{"first", "last", "linear", "time-decay", "position", "markov"} {
		var out bytes.Buffer
		root := newRootCmd(map[string]string{})
		root.SetOut(&out)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"attribution", "--model", m, "--file", "../../data/channel-attribution/Data.csv", "--json"})
		if err := root.Execute(); err != nil {
			t.Fatalf("roibot attribution --model %s: %v", m, err)
		}
		var rep AttributionReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		sum := rep.UnattributedConversions
		for _, c := range rep.Channels {
			sum += c.Conversions
		}
		if math.Abs(sum-19785) > 1e-3 || rep.Conversions != 19785 {
			t.Errorf("model %s: Σ conversions = %.4f, total %g; want 19785", m, sum, rep.Conversions)
		}
	}
}

// roiFixture is a hand-made marketing quarter (2011-Q3, Europe/London).
// Last touch, 30-day window, per order:
//
//	o1 c1 2011-07-10 £300  email 07-05, display 07-08          → display
//	o2 c2 2011-08-01 £400  display 07-20, email 07-30           → email
//	o3 c3 2011-08-15 £250  paid_search 08-10                    → paid_search
//	o4 c4 2011-09-01 £150  no touchpoint                        → unattributed
//	o5 c5 2011-09-10 £200  paid_search 09-01, display 09-05, email 09-08 → email
//	o6 c1 2011-09-20 £100  paid_search 09-15                    → paid_search
//	o0 c2 2011-06-15 £999  email 06-10 (before the quarter)
//	c6: display 09-25, no order (a null path)
//
// Spend in Q3: Summer Email (email) £100, Banner Blitz (display) £500,
// Search Brand (paid_search) £200. So last-touch revenue is email £600,
// display £300, paid_search £350; ROAS 6.00, 0.60, 1.75.
func roiFixture(t *testing.T, s *postgres.Store) {
	t.Helper()
	ctx := context.Background()
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var lines []ingest.OrderLine
	order := func(no, cust, when string, pounds int64) {
		lines = append(lines, ingest.OrderLine{InvoiceNo: no, LineNo: 1, StockCode: "X1", Description: "thing", Quantity: 1,
			UnitPrice4: pounds * 10000, Amount: analytics.Money(pounds * 100), At: at(when), CustomerID: cust,
			Country: "United Kingdom", Currency: "GBP"})
	}
	order("o0", "c2", "2011-06-15 12:00", 999)
	order("o1", "c1", "2011-07-10 12:00", 300)
	order("o2", "c2", "2011-08-01 12:00", 400)
	order("o3", "c3", "2011-08-15 12:00", 250)
	order("o4", "c4", "2011-09-01 12:00", 150)
	order("o5", "c5", "2011-09-10 12:00", 200)
	order("o6", "c1", "2011-09-20 12:00", 100)
	order("o7", "c6", "2011-05-01 12:00", 10) // c6 must exist as a customer
	if _, err := s.StoreOrderLines(ctx, "test", lines); err != nil {
		t.Fatal(err)
	}
	camp := map[string]string{"email": "Summer Email", "display": "Banner Blitz", "paid_search": "Search Brand"}
	l := &demodata.Layer{Seed: 1}
	for _, ch := range []string{"display", "email", "paid_search"} {
		l.Channels = append(l.Channels, demodata.Channel{Name: ch, Kind: "paid"})
		l.Campaigns = append(l.Campaigns, demodata.Campaign{Name: camp[ch], Channel: ch, Start: at("2011-06-01 00:00"), End: at("2011-09-30 00:00")})
	}
	l.Spend = []demodata.SpendRow{
		{Day: at("2011-07-01 00:00"), Channel: "email", Campaign: "Summer Email", Cost: 10000},
		{Day: at("2011-07-01 00:00"), Channel: "display", Campaign: "Banner Blitz", Cost: 30000},
		{Day: at("2011-08-01 00:00"), Channel: "display", Campaign: "Banner Blitz", Cost: 20000},
		{Day: at("2011-07-01 00:00"), Channel: "paid_search", Campaign: "Search Brand", Cost: 20000},
		{Day: at("2011-06-01 00:00"), Channel: "email", Campaign: "Summer Email", Cost: 99900}, // before Q3
	}
	n := 0
	touch := func(cust, ch, when string) {
		n++
		l.Touchpoints = append(l.Touchpoints, demodata.TouchRow{ID: fmt.Sprintf("t%02d", n), CustomerID: cust, Channel: ch, Campaign: camp[ch], At: at(when)})
	}
	touch("c2", "email", "2011-06-10 09:00")
	touch("c1", "email", "2011-07-05 09:00")
	touch("c1", "display", "2011-07-08 09:00")
	touch("c2", "display", "2011-07-20 09:00")
	touch("c2", "email", "2011-07-30 09:00")
	touch("c3", "paid_search", "2011-08-10 09:00")
	touch("c5", "paid_search", "2011-09-01 09:00")
	touch("c5", "display", "2011-09-05 09:00")
	touch("c5", "email", "2011-09-08 09:00")
	touch("c1", "paid_search", "2011-09-15 09:00")
	touch("c6", "display", "2011-09-25 09:00")
	// Funnel, paid_search: 10 visits, 7 product views, 2 carts, 2
	// checkouts, 1 purchase; one display session that must not count.
	e := 0
	event := func(session, ch, stage string, when time.Time) {
		e++
		l.Funnel = append(l.Funnel, demodata.FunnelRow{ID: fmt.Sprintf("e%03d", e), SessionID: session, Stage: stage, At: when, Channel: ch, Campaign: camp[ch]})
	}
	for i := range 10 {
		sid := fmt.Sprintf("ps%02d", i)
		t0 := at("2011-08-20 10:00").Add(time.Duration(i) * time.Hour)
		stages := []int{4, 3, 1, 1, 1, 1, 1, 0, 0, 0}[i] // stages reached beyond visit
		for k, st := range analytics.DefaultFunnelStages()[:stages+1] {
			event(sid, "paid_search", st, t0.Add(time.Duration(k)*time.Minute))
		}
	}
	for k, st := range analytics.DefaultFunnelStages() {
		event("d01", "display", st, at("2011-08-21 10:00").Add(time.Duration(k)*time.Minute))
	}
	if err := s.StoreSyntheticLayer(ctx, syntheticLayer(l)); err != nil {
		t.Fatal(err)
	}
}

// roiFixtureApp is the wired program over a store holding roiFixture, with
// the offline planner and the Europe/London business time zone.
func roiFixtureApp(t *testing.T) (*App, *postgres.Store) {
	t.Helper()
	s := pgtest.Store(t)
	roiFixture(t, s)
	app := &App{Env: map[string]string{"ROIBOT_LLM_PROVIDER": "offline", "ROIBOT_TIMEZONE": "Europe/London"},
		Stdout: io.Discard, Stderr: io.Discard}
	if err := app.loadConfig(); err != nil {
		t.Fatal(err)
	}
	app.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app.store = s
	return app, s
}

func roiAsk(t *testing.T, app *App, q string) agent.Answer {
	t.Helper()
	svc, err := app.Agent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: q, Role: agent.RoleMarketer})
	if err != nil {
		t.Fatalf("Ask(%q): %v", q, err)
	}
	if len(ans.ToolCalls) != 1 {
		t.Fatalf("Ask(%q) made %d tool calls; want 1: %+v", q, len(ans.ToolCalls), ans.ToolCalls)
	}
	return ans
}

func TestROITools_Fixture(t *testing.T) {
	app, s := roiFixtureApp(t)
	ctx := context.Background()
	l := app.Config.Location()

	t.Run("AttributionConservesAndMatchesComputeROI", func(t *testing.T) {
		out, err := tools.Attribution{Store: s, Location: l}.Call(ctx, `{"period":"2011-Q3"}`)
		if err != nil {
			t.Fatal(err)
		}
		var res tools.AttributionResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("compare_attribution = %s: %v", out, err)
		}
		if res.Total.Conversions != 6 || res.Total.Revenue != 1400 || res.Unattributed.Conversions != 1 || res.Unattributed.Revenue != 150 {
			t.Errorf("compare_attribution total, unattributed = %+v, %+v; want 6 orders £1400, 1 order £150", res.Total, res.Unattributed)
		}
		for i, m := range res.Models {
			var conv, rev float64
			for _, r := range res.Rows {
				conv += r.Credits[i].Conversions
				rev += float64(r.Credits[i].Revenue)
			}
			conv += res.Unattributed.Conversions
			rev += float64(res.Unattributed.Revenue)
			if math.Abs(conv-6) > 1e-3 || math.Abs(rev-1400) > 0.02 || !res.Conservation[i].Conserved {
				t.Errorf("model %s: Σ channels + unattributed = %.4f orders, £%.2f; want 6, £1400", m, conv, rev)
			}
		}
		want := map[string]map[string]float64{ // hand-computed revenue per model
			"last_touch":  {"display": 300, "email": 600, "paid_search": 350},
			"first_touch": {"display": 400, "email": 300, "paid_search": 550},
			"linear":      {"display": 416.67, "email": 416.67, "paid_search": 416.67},
		}
		for i, m := range res.Models {
			for _, r := range res.Rows {
				if w, ok := want[m][r.Channel]; ok && math.Abs(float64(r.Credits[i].Revenue)-w) > 0.005 {
					t.Errorf("%s revenue of %s = %.2f; want %.2f", m, r.Channel, float64(r.Credits[i].Revenue), w)
				}
			}
		}
		if len(res.RemovalEffects) != 3 {
			t.Errorf("removal effects = %+v; want 3 channels", res.RemovalEffects)
		}
		// compute_roi's last-touch revenue (SQL) equals the last_touch column.
		out, err = tools.ROI{Store: s, Location: l}.Call(ctx, `{"period":"2011-Q3","group_by":"channel"}`)
		if err != nil {
			t.Fatal(err)
		}
		var roi tools.ROIResult
		if err := json.Unmarshal([]byte(out), &roi); err != nil {
			t.Fatalf("compute_roi = %s: %v", out, err)
		}
		lt := slices.Index(res.Models, "last_touch")
		for _, r := range res.Rows {
			i := slices.IndexFunc(roi.Rows, func(x tools.ROIRowJSON) bool { return x.Group == r.Channel })
			if i < 0 || roi.Rows[i].Revenue != r.Credits[lt].Revenue {
				t.Errorf("compute_roi revenue of %s = %+v; want compare_attribution last_touch %.2f", r.Channel, roi.Rows, float64(r.Credits[lt].Revenue))
			}
		}
		if roi.Total.Revenue != 1250 || roi.Total.Spend != 800 {
			t.Errorf("compute_roi total revenue, spend = %.2f, %.2f; want 1250, 800", float64(roi.Total.Revenue), float64(roi.Total.Spend))
		}
	})

	t.Run("BestCampaignROAS", func(t *testing.T) {
		ans := roiAsk(t, app, "Which campaign had the best ROAS in Q3 2011?")
		c := ans.ToolCalls[0]
		var args map[string]any
		_ = json.Unmarshal(c.Arguments, &args)
		if c.Name != "compute_roi" || args["group_by"] != "campaign" || args["period"] != "2011-Q3" {
			t.Errorf("tool call = %s %s; want compute_roi group_by campaign period 2011-Q3", c.Name, c.Arguments)
		}
		var res tools.ROIResult
		if err := json.Unmarshal(c.Result, &res); err != nil {
			t.Fatal(err)
		}
		if res.Best == nil || res.Best.Group != "Summer Email" || res.Best.ROAS != 6 {
			t.Errorf("compute_roi best = %+v; want Summer Email, ROAS 6", res.Best)
		}
		if !strings.Contains(ans.Text, "Best ROAS by campaign in 2011-Q3 (last_touch): Summer Email, ROAS 6.00") {
			t.Errorf("answer = %q; want it to name Summer Email with ROAS 6.00", ans.Text)
		}
	})

	t.Run("CompareLastTouchMarkovDisplay", func(t *testing.T) {
		ans := roiAsk(t, app, "Compare last-touch and Markov attribution for display")
		c := ans.ToolCalls[0]
		var args struct {
			Channel string   `json:"channel"`
			Models  []string `json:"models"`
		}
		_ = json.Unmarshal(c.Arguments, &args)
		if c.Name != "compare_attribution" || args.Channel != "display" || !slices.Equal(args.Models, []string{"last_touch", "markov"}) {
			t.Errorf("tool call = %s %s; want compare_attribution display [last_touch markov]", c.Name, c.Arguments)
		}
		var res tools.AttributionResult
		if err := json.Unmarshal(c.Result, &res); err != nil {
			t.Fatalf("result %s: %v", c.Result, err)
		}
		if len(res.Rows) != 1 || res.Rows[0].Channel != "display" || len(res.RemovalEffects) != 1 {
			t.Fatalf("compare_attribution = %s; want the display row and its removal effect", c.Result)
		}
		if !strings.Contains(ans.Text, "last_touch credits display with") || !strings.Contains(ans.Text, "removal effect") ||
			!strings.Contains(ans.Text, "SYNTHETIC") {
			t.Errorf("answer = %q; want display's credit per model, removal effect and the synthetic caveat", ans.Text)
		}
	})

	t.Run("FunnelPaidSearch", func(t *testing.T) {
		ans := roiAsk(t, app, "Where do we lose people in the funnel for paid search?")
		c := ans.ToolCalls[0]
		var res tools.FunnelResult
		if err := json.Unmarshal(c.Result, &res); err != nil {
			t.Fatalf("result %s: %v", c.Result, err)
		}
		if c.Name != "funnel_analysis" || res.Channel != "paid_search" {
			t.Errorf("tool call = %s %s; want funnel_analysis for paid_search", c.Name, c.Arguments)
		}
		var got []int
		for _, s := range res.Stages {
			got = append(got, s.Sessions)
		}
		if want := []int{10, 7, 2, 2, 1}; !slices.Equal(got, want) {
			t.Errorf("funnel sessions = %v; want %v", got, want)
		}
		if !strings.Contains(ans.Text, "biggest drop-off is product_view → add_to_cart: 5 sessions lost") {
			t.Errorf("answer = %q; want the biggest drop-off product_view → add_to_cart", ans.Text)
		}
	})

	t.Run("ROICmd", func(t *testing.T) {
		var out bytes.Buffer
		app.Stdout = &out
		defer func() { app.Stdout = io.Discard }()
		if err := app.roi(ctx, "campaign", "2011-07-01", "2011-09-30", "last", 30, false); err != nil {
			t.Fatalf("roibot roi: %v", err)
		}
		for _, want := range []string{"Best ROAS by campaign in 2011-07-01..2011-09-30 (last_touch): Summer Email, ROAS 6.00",
			"Banner Blitz", "-40.0% (loss)", "currency GBP"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("roibot roi --by campaign = %q; want it to contain %q", out.String(), want)
			}
		}
	})

	t.Run("AttributionCmdDatabase", func(t *testing.T) {
		var out bytes.Buffer
		app.Stdout = &out
		defer func() { app.Stdout = io.Discard }()
		if err := app.attribution(ctx, attributionOpts{model: "last", from: "2011-07-01", to: "2011-09-30", lookback: 30, json: true}); err != nil {
			t.Fatalf("roibot attribution: %v", err)
		}
		var rep AttributionReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, c := range rep.Channels {
			got[c.Channel] = c.Value
		}
		if want := map[string]float64{"display": 300, "email": 600, "paid_search": 350}; fmt.Sprint(got) != fmt.Sprint(want) ||
			rep.Conversions != 6 || rep.UnattributedValue != 150 {
			t.Errorf("roibot attribution --model last = %v, %g orders, £%g unattributed; want %v, 6, £150", got, rep.Conversions, rep.UnattributedValue, want)
		}
	})
}

// TestLookbackZero_ClearError checks that --lookback 0 and rules --limit 0
// are refused before the database is opened instead of silently becoming
// the default (the typed cores read 0 as unset), and that out-of-range
// values reach the cores' own bounds error.
func TestLookbackZero_ClearError(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"roi", "--lookback", "0"}, "roi: --lookback 0: want 1 to 365 days (default 30)"},
		{[]string{"attribution", "--model", "linear", "--lookback", "0"}, "attribution: --lookback 0: want 1 to 365 days (default 30)"},
		{[]string{"rules", "--min-support", "0.1", "--limit", "0"}, "rules: --limit 0: want 1 to 500"},
		{[]string{"rules", "--min-support", "0.1", "--limit", "501", "--file", "testdata/retail_small.csv"}, "rules: field limit: 501 is outside 1 to 500 (use 1 to 500)"},
	} {
		root := newRootCmd(map[string]string{})
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs(tt.args)
		if err := root.Execute(); err == nil || err.Error() != tt.want {
			t.Errorf("roibot %s error = %v; want %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
}
