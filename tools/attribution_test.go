package tools

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// fakeROIStore is a hand-written ROIReader.
type fakeROIStore struct {
	DataRangeFn         func(ctx context.Context, currency string) (time.Time, time.Time, error)
	LastTouchFn         func(ctx context.Context, p analytics.Period, groupBy string, lookbackDays int) ([]analytics.ROIInput, error)
	AttributionInputsFn func(ctx context.Context, p analytics.Period, lookbackDays int) ([]analytics.Touchpoint, []analytics.Conversion, error)
	SpendByFn           func(ctx context.Context, p analytics.Period, groupBy string) (map[string]analytics.Money, error)
	SyntheticFn         func(ctx context.Context) (bool, error)
}

func (f fakeROIStore) DataRange(ctx context.Context, c string) (time.Time, time.Time, error) {
	return f.DataRangeFn(ctx, c)
}
func (f fakeROIStore) LastTouchROIInputs(ctx context.Context, p analytics.Period, g string, l int) ([]analytics.ROIInput, error) {
	return f.LastTouchFn(ctx, p, g, l)
}
func (f fakeROIStore) AttributionInputs(ctx context.Context, p analytics.Period, l int) ([]analytics.Touchpoint, []analytics.Conversion, error) {
	return f.AttributionInputsFn(ctx, p, l)
}
func (f fakeROIStore) SpendBy(ctx context.Context, p analytics.Period, g string) (map[string]analytics.Money, error) {
	return f.SpendByFn(ctx, p, g)
}
func (f fakeROIStore) HasSyntheticMarketing(ctx context.Context) (bool, error) {
	return f.SyntheticFn(ctx)
}

// TestAttribution_Call uses three journeys: c1 A > B converts (£100), c2 A
// converts (£50), c3 B does not. The chain: START→A 2, START→B 1, A→B 1,
// A→conv 1, B→conv 1, B→null 1, so P(conv) = 2/3·3/4 + 1/3·1/2 = 2/3.
// Without A, P = 1/6 (RE 0.75); without B, P = 1/3 (RE 0.5). Markov
// credit: A 2·0.75/1.25 = 1.2 conversions, £90; B 0.8, £60. Last touch: B
// 1, £100; A 1, £50.
func TestAttribution_Call(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2011, 7, d, 12, 0, 0, 0, time.UTC) }
	store := fakeROIStore{
		DataRangeFn: func(context.Context, string) (time.Time, time.Time, error) { return day(1), day(30), nil },
		AttributionInputsFn: func(context.Context, analytics.Period, int) ([]analytics.Touchpoint, []analytics.Conversion, error) {
			return []analytics.Touchpoint{
					{CustomerID: "c1", Channel: "A", At: day(2)}, {CustomerID: "c1", Channel: "B", At: day(3)},
					{CustomerID: "c2", Channel: "A", At: day(4)}, {CustomerID: "c3", Channel: "B", At: day(5)},
				}, []analytics.Conversion{
					{OrderID: "o1", CustomerID: "c1", At: day(6), Revenue: 10000},
					{OrderID: "o2", CustomerID: "c2", At: day(7), Revenue: 5000},
				}, nil
		},
		SyntheticFn: func(context.Context) (bool, error) { return false, nil },
	}
	tool := Attribution{Store: store}
	call := func(t *testing.T, in string) (AttributionResult, string) {
		t.Helper()
		out, err := tool.Call(context.Background(), in)
		if err != nil {
			t.Fatalf("Call(%s): %v", in, err)
		}
		var res AttributionResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("Call(%s) = %s: %v", in, out, err)
		}
		return res, out
	}
	t.Run("ModelAgainstLastTouch", func(t *testing.T) {
		res, out := call(t, `{"model":"markov","period":"2011-07"}`)
		if !slices.Equal(res.Models, []string{"last_touch", "markov"}) {
			t.Fatalf("models = %v; want [last_touch markov]", res.Models)
		}
		want := map[string][4]float64{"A": {1, 50, 1.2, 90}, "B": {1, 100, 0.8, 60}}
		for _, r := range res.Rows {
			w := want[r.Channel]
			got := [4]float64{r.Credits[0].Conversions, float64(r.Credits[0].Revenue), r.Credits[1].Conversions, float64(r.Credits[1].Revenue)}
			for i := range w {
				if math.Abs(got[i]-w[i]) > 1e-4 {
					t.Errorf("%s credits (last conv, last £, markov conv, markov £) = %v; want %v", r.Channel, got, w)
					break
				}
			}
		}
		wantRE := map[string]float64{"A": 0.75, "B": 0.5}
		for _, re := range res.RemovalEffects {
			if math.Abs(re.RemovalEffect-wantRE[re.Channel]) > 1e-4 {
				t.Errorf("removal effect %s = %g; want %g", re.Channel, re.RemovalEffect, wantRE[re.Channel])
			}
		}
		if p := res.MarkovConversionProbability; p == nil || math.Abs(*p-2.0/3) > 1e-6 {
			t.Errorf("markov conversion probability = %v; want 2/3", p)
		}
		for _, c := range res.Conservation {
			if !c.Conserved || c.Conversions != 2 || c.Revenue != 150 {
				t.Errorf("conservation %+v; want 2 conversions, £150, conserved", c)
			}
		}
		if res.Currency != "GBP" || res.LookbackDays != 30 || !strings.Contains(res.Definition, "removal effect") {
			t.Errorf("currency, lookback, definition = %s, %d, %q; want GBP, 30, Markov defined", res.Currency, res.LookbackDays, res.Definition)
		}
		if strings.Contains(out, "NaN") {
			t.Errorf("result has NaN: %s", out)
		}
	})
	t.Run("OneChannel", func(t *testing.T) {
		res, _ := call(t, `{"channel":"B","models":["first_touch","linear"]}`)
		// first touch: o1 → A, o2 → A; linear: o1 split A/B, o2 → A.
		if len(res.Rows) != 1 || res.Rows[0].Channel != "B" || res.Rows[0].Credits[0].Revenue != 0 || res.Rows[0].Credits[1].Revenue != 50 {
			t.Errorf("rows = %+v; want B with first_touch £0 and linear £50", res.Rows)
		}
		if res.Total.Revenue != 150 || res.Unattributed.Conversions != 0 {
			t.Errorf("total, unattributed = %+v, %+v; want £150, 0", res.Total, res.Unattributed)
		}
	})
	t.Run("UnknownChannel", func(t *testing.T) {
		out, err := tool.Call(context.Background(), `{"channel":"tv"}`)
		if err != nil || !strings.Contains(out, `"error"`) || !strings.Contains(out, "A, B") {
			t.Errorf("Call(channel tv) = %s, %v; want an error naming the known channels A, B", out, err)
		}
	})
}
