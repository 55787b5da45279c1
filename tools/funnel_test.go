package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// fakeFunnelStore is a hand-written FunnelReader.
type fakeFunnelStore struct {
	DataRangeFn    func(ctx context.Context, currency string) (time.Time, time.Time, error)
	FunnelCountsFn func(ctx context.Context, q analytics.FunnelQuery) (analytics.FunnelCounts, error)
	SyntheticFn    func(ctx context.Context) (bool, error)
}

func (f fakeFunnelStore) DataRange(ctx context.Context, currency string) (time.Time, time.Time, error) {
	return f.DataRangeFn(ctx, currency)
}
func (f fakeFunnelStore) FunnelCounts(ctx context.Context, q analytics.FunnelQuery) (analytics.FunnelCounts, error) {
	return f.FunnelCountsFn(ctx, q)
}
func (f fakeFunnelStore) HasSyntheticMarketing(ctx context.Context) (bool, error) {
	return f.SyntheticFn(ctx)
}

// funnelStore answers FunnelCounts with counts per period start date.
func funnelStore(t *testing.T, byFrom map[string][]int, seen *[]analytics.FunnelQuery) fakeFunnelStore {
	return fakeFunnelStore{
		DataRangeFn: func(context.Context, string) (time.Time, time.Time, error) {
			return time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2011, 12, 9, 12, 0, 0, 0, time.UTC), nil
		},
		FunnelCountsFn: func(_ context.Context, q analytics.FunnelQuery) (analytics.FunnelCounts, error) {
			*seen = append(*seen, q)
			key := q.Period.From.In(q.Location).Format(time.DateOnly)
			c, ok := byFrom[key]
			if !ok {
				t.Fatalf("FunnelCounts(from %s): no fixture", key)
			}
			out := analytics.FunnelCounts{Stages: analytics.DefaultFunnelStages(), Total: c}
			if c[0] > 0 {
				out.Daily = []analytics.FunnelGroupCounts{{Group: key, Counts: c}}
				out.ByChannel = []analytics.FunnelGroupCounts{{Group: "paid_search", Counts: c}}
			}
			return out, nil
		},
		SyntheticFn: func(context.Context) (bool, error) { return true, nil },
	}
}

func callFunnel(t *testing.T, tool Funnel, input string) (FunnelResult, map[string]any, string) {
	t.Helper()
	out, err := tool.Call(context.Background(), input)
	if err != nil {
		t.Fatalf("Call(%s) error: %v", input, err)
	}
	if !json.Valid([]byte(out)) {
		t.Fatalf("Call(%s) = invalid JSON %s", input, out)
	}
	var res FunnelResult
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(out), &raw)
	return res, raw, out
}

func TestFunnel_Call(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	var seen []analytics.FunnelQuery
	store := funnelStore(t, map[string][]int{
		"2011-07-01": {1000, 400, 100, 60, 50}, // Q3
		"2011-04-01": {1000, 420, 110, 62, 50}, // Q2
		"2011-10-01": {0, 0, 0, 0, 0},          // Q4: no entrants
		"2011-06-29": {1000, 400, 150, 90, 80}, // the 2 days before 2011-07-01
	}, &seen)
	tool := Funnel{Store: store, Location: london}

	t.Run("StepsAndBiggestDropOff", func(t *testing.T) {
		res, _, _ := callFunnel(t, tool, `{"period":"2011-Q3","channel":"paid_search"}`)
		q := seen[len(seen)-1]
		if q.Channel != "paid_search" || q.Window != 24*time.Hour || q.Location != london {
			t.Errorf("FunnelCounts query = %+v; want channel paid_search, window 24h, Europe/London", q)
		}
		// c = 0.4, 0.25, 0.6, 0.8333; C = 50/1000 = 0.05.
		wantStep := []any{"n/a: first stage", 0.4, 0.25, 0.6, 0.8333}
		for i, s := range res.Stages {
			if s.StepConversion != wantStep[i] {
				t.Errorf("stage %s step_conversion = %v; want %v", s.Stage, s.StepConversion, wantStep[i])
			}
		}
		if res.OverallConversion != 0.05 {
			t.Errorf("overall_conversion = %v; want 0.05", res.OverallConversion)
		}
		if d := res.BiggestDropOff; d == nil || d.From != "visit" || d.To != "product_view" || d.Lost != 600 {
			t.Errorf("biggest_drop_off = %+v; want visit → product_view, 600 lost", d)
		}
		if d := res.LowestConversion; d == nil || d.To != "add_to_cart" {
			t.Errorf("lowest_conversion = %+v; want product_view → add_to_cart", d)
		}
		if !strings.Contains(res.Summary, "biggest drop-off is visit → product_view: 600 sessions lost") {
			t.Errorf("summary = %q; want the biggest drop-off named", res.Summary)
		}
		if n := len(res.Daily); n != 92 {
			t.Errorf("len(daily) = %d; want 92 days of 2011-Q3", n)
		}
		sum := 0
		for _, d := range res.Daily {
			sum += d.Sessions[0]
		}
		if sum != 1000 {
			t.Errorf("Σ daily visits = %d; want 1000", sum)
		}
		if c := res.Display.Charts; len(c) != 1 || len(c[0].Values) != 5 || c[0].Values[4] != 50 {
			t.Errorf("display chart = %+v; want 5 stage counts ending in 50", c)
		}
	})
	t.Run("CampaignNamedNotAll", func(t *testing.T) {
		res, _, _ := callFunnel(t, tool, `{"period":"2011-Q3","campaign":"spring_sale"}`)
		if q := seen[len(seen)-1]; q.Campaign != "spring_sale" {
			t.Errorf("FunnelCounts query campaign = %q; want spring_sale", q.Campaign)
		}
		if !strings.Contains(res.Summary, "for campaign spring_sale in") || strings.Contains(res.Summary, "for all") {
			t.Errorf("summary = %q; want it to say campaign spring_sale, not all", res.Summary)
		}
		if c := res.Display.Charts; len(c) != 1 || !strings.Contains(c[0].Title, "campaign spring_sale") {
			t.Errorf("display chart = %+v; want the campaign in the title", c)
		}
		res, _, _ = callFunnel(t, tool, `{"period":"2011-Q3","channel":"email","campaign":"spring_sale"}`)
		if !strings.Contains(res.Summary, "for email, campaign spring_sale in") {
			t.Errorf("summary = %q; want channel and campaign", res.Summary)
		}
		res, _, _ = callFunnel(t, tool, `{"period":"2011-Q3"}`)
		if !strings.Contains(res.Summary, "for all channels in") {
			t.Errorf("summary = %q; want all channels", res.Summary)
		}
	})
	t.Run("NoEntrants", func(t *testing.T) {
		res, raw, out := callFunnel(t, tool, `{"period":"2011-Q4"}`)
		if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
			t.Errorf("Call(no entrants) = %s; want no NaN or Inf", out)
		}
		if res.OverallConversion != "n/a: no entrants" {
			t.Errorf("overall_conversion = %v; want \"n/a: no entrants\"", res.OverallConversion)
		}
		for _, s := range res.Stages[1:] {
			if s.StepConversion != "n/a: no entrants" {
				t.Errorf("stage %s step_conversion = %v; want n/a: no entrants", s.Stage, s.StepConversion)
			}
		}
		if raw["lowest_conversion"] != nil {
			t.Errorf("lowest_conversion = %v; want null", raw["lowest_conversion"])
		}
		if !strings.Contains(res.Summary, "n/a") {
			t.Errorf("summary = %q; want it to say n/a", res.Summary)
		}
	})
	t.Run("CompareNotSignificant", func(t *testing.T) {
		res, _, _ := callFunnel(t, tool, `{"period":"2011-Q3","compare_period":"2011-Q2"}`)
		c := res.Comparison
		if c == nil || len(c.Steps) != 4 {
			t.Fatalf("comparison = %+v; want 4 steps", c)
		}
		// visit → product_view: 400/1000 vs 420/1000: pooled p̂ = 0.41,
		// z = −0.02/√(0.41·0.59·0.002) = −0.9093, p = 0.3632.
		s := c.Steps[0]
		if s.Z != -0.909 || s.PValue != 0.3632 || s.Verdict != "not significant" {
			t.Errorf("step visit→product_view z, p, verdict = %v, %v, %s; want -0.909, 0.3632, not significant", s.Z, s.PValue, s.Verdict)
		}
		if !strings.Contains(res.Summary, "no step changed significantly") {
			t.Errorf("summary = %q; want \"no step changed significantly\"", res.Summary)
		}
	})
	t.Run("ComparePrevious", func(t *testing.T) {
		res, _, _ := callFunnel(t, tool, `{"from":"2011-07-01","to":"2011-07-02","compare_period":"previous"}`)
		c := res.Comparison
		if c == nil || c.Period.From != "2011-06-29" || c.Period.To != "2011-07-01" {
			t.Fatalf("comparison period = %+v; want 2011-06-29 to 2011-07-01", c)
		}
		// add_to_cart → checkout 60/100 vs 90/150: same rate, no change.
		if s := c.Steps[2]; s.Change != 0.0 || s.Verdict != "not significant" {
			t.Errorf("step add_to_cart→checkout change, verdict = %v, %s; want 0, not significant", s.Change, s.Verdict)
		}
		// product_view → add_to_cart 100/400 vs 150/400: p < 0.001.
		if s := c.Steps[1]; s.Verdict != "significant" {
			t.Errorf("step product_view→add_to_cart verdict = %s; want significant", s.Verdict)
		}
	})
	t.Run("BadArgs", func(t *testing.T) {
		out, err := tool.Call(context.Background(), `{"window_days":-1}`)
		if err != nil || !strings.Contains(out, `"error"`) {
			t.Errorf("Call(window_days -1) = %s, %v; want an error observation", out, err)
		}
	})
}
