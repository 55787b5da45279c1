package analytics_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// dataCSVReference is the table "Reference numbers for Data.csv" of
// data/channel-attribution/PROVENANCE.md (computed there, not published by
// ChannelAttribution): first touch, last touch and linear conversions,
// Markov removal effect and Markov attributed conversions.
var dataCSVReference = []struct {
	channel               string
	first, last, linear   float64
	removalEffect, markov float64
}{
	{"alpha", 6308, 8447, 7574.7186, 0.558399, 5344.948},
	{"beta", 2831, 989, 2083.5001, 0.264039, 2527.352},
	{"delta", 1, 5, 1.7250, 0.000482, 4.614},
	{"epsilon", 99, 531, 272.1704, 0.062639, 599.571},
	{"eta", 3164, 4167, 3539.9512, 0.349026, 3340.847},
	{"gamma", 165, 92, 121.0416, 0.017880, 171.145},
	{"iota", 4606, 3355, 3857.0962, 0.405835, 3884.615},
	{"kappa", 74, 230, 137.9641, 0.028663, 274.363},
	{"lambda", 902, 1207, 1035.2576, 0.134022, 1282.847},
	{"mi", 2, 2, 2.2222, 0.000180, 1.722},
	{"theta", 1606, 653, 1022.8014, 0.206010, 1971.913},
	{"zeta", 27, 107, 136.5515, 0.039811, 381.063},
}

func credit(t *testing.T, a analytics.Attribution, channel string) analytics.ChannelCredit {
	t.Helper()
	c, ok := a.Channel(channel)
	if !ok {
		t.Fatalf("%s: channel %q missing from %+v", a.Model, channel, a.Channels)
	}
	return c
}

func TestHeuristicAttribution_DataCSV(t *testing.T) {
	paths := readPaths(t, "Data.csv")
	first, err := analytics.FirstTouchAttribution(paths)
	if err != nil {
		t.Fatal(err)
	}
	last, err := analytics.LastTouchAttribution(paths)
	if err != nil {
		t.Fatal(err)
	}
	linear, err := analytics.LinearAttribution(paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Channels) != len(dataCSVReference) {
		t.Fatalf("len(Channels) = %d; want %d", len(first.Channels), len(dataCSVReference))
	}
	for _, ref := range dataCSVReference {
		// First and last touch are whole conversions: exact up to float sums.
		if got := credit(t, first, ref.channel).Conversions; math.Abs(got-ref.first) > 1e-9 {
			t.Errorf("FirstTouchAttribution(Data.csv)[%s] = %v; want %v", ref.channel, got, ref.first)
		}
		if got := credit(t, last, ref.channel).Conversions; math.Abs(got-ref.last) > 1e-9 {
			t.Errorf("LastTouchAttribution(Data.csv)[%s] = %v; want %v", ref.channel, got, ref.last)
		}
		// Linear is published with 4 decimals.
		if got := credit(t, linear, ref.channel).Conversions; math.Abs(got-ref.linear) > 5e-5 {
			t.Errorf("LinearAttribution(Data.csv)[%s] = %.6f; want %.4f (±5e-5)", ref.channel, got, ref.linear)
		}
	}
}

// TestAttribution_ConservesTotals checks that every model hands out exactly
// the conversions and value of Data.csv (19,785 and 74,802.972).
func TestAttribution_ConservesTotals(t *testing.T) {
	paths := readPaths(t, "Data.csv")
	var wantConv, wantValue float64
	for _, p := range paths {
		wantConv += p.Conversions
		wantValue += p.Value
	}
	for _, m := range analytics.AttributionModels() {
		t.Run(string(m), func(t *testing.T) {
			a, err := analytics.Attribute(paths, m, analytics.AttributionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Model != m {
				t.Errorf("Model = %q; want %q", a.Model, m)
			}
			var conv, value float64
			for _, c := range a.Channels {
				conv += c.Conversions
				value += c.Value
			}
			if rel := math.Abs(conv-wantConv) / wantConv; rel > 1e-9 {
				t.Errorf("Σ attributed conversions = %.12g; want %v (relative error %.3g > 1e-9)", conv, wantConv, rel)
			}
			if rel := math.Abs(value-wantValue) / wantValue; rel > 1e-9 {
				t.Errorf("Σ attributed value = %.12g; want %.12g (relative error %.3g > 1e-9)", value, wantValue, rel)
			}
			if a.Conversions != wantConv || a.UnattributedConversions != 0 {
				t.Errorf("Conversions, UnattributedConversions = %v, %v; want %v, 0", a.Conversions, a.UnattributedConversions, wantConv)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// checkCredits compares conversions (and value = conversions × valuePer)
// per channel with hand-computed shares.
func checkCredits(t *testing.T, a analytics.Attribution, want map[string]float64, valuePer float64) {
	t.Helper()
	if len(a.Channels) != len(want) {
		t.Errorf("%s: channels = %+v; want %d channels", a.Model, a.Channels, len(want))
	}
	for ch, w := range want {
		c := credit(t, a, ch)
		if !near(c.Conversions, w) {
			t.Errorf("%s[%s] conversions = %.15g; want %.15g", a.Model, ch, c.Conversions, w)
		}
		if !near(c.Value, w*valuePer) {
			t.Errorf("%s[%s] value = %.15g; want %.15g", a.Model, ch, c.Value, w*valuePer)
		}
	}
}

func TestPositionBasedAttribution(t *testing.T) {
	p := func(conv, value float64, ch ...string) analytics.Path {
		return analytics.Path{Channels: ch, Conversions: conv, Value: value}
	}
	cases := []struct {
		name        string
		paths       []analytics.Path
		first, last float64
		want        map[string]float64
		valuePer    float64
	}{
		// 40/20/40 on four touches: 0.4, 0.2/2, 0.2/2, 0.4.
		{"FourTouches", []analytics.Path{p(1, 10, "A", "B", "C", "D")}, 0.4, 0.4, map[string]float64{"A": 0.4, "B": 0.1, "C": 0.1, "D": 0.4}, 10},
		{"ThreeTouches", []analytics.Path{p(2, 20, "A", "B", "C")}, 0.4, 0.4, map[string]float64{"A": 0.8, "B": 0.4, "C": 0.8}, 10},
		{"TwoTouches", []analytics.Path{p(1, 3, "A", "B")}, 0.4, 0.4, map[string]float64{"A": 0.5, "B": 0.5}, 3},
		// Two touches split first:last = 0.3:0.5.
		{"TwoTouchesUneven", []analytics.Path{p(1, 8, "A", "B")}, 0.3, 0.5, map[string]float64{"A": 0.375, "B": 0.625}, 8},
		{"OneTouch", []analytics.Path{p(3, 6, "A")}, 0.4, 0.4, map[string]float64{"A": 3}, 2},
		// A > B > A: A gets 0.4 + 0.4, B the middle 0.2.
		{"RepeatedChannel", []analytics.Path{p(1, 5, "A", "B", "A")}, 0.4, 0.4, map[string]float64{"A": 0.8, "B": 0.2}, 5},
		// A > A > B: A gets 0.4 + 0.2, B 0.4.
		{"RepeatedFirst", []analytics.Path{p(1, 5, "A", "A", "B")}, 0.4, 0.4, map[string]float64{"A": 0.6, "B": 0.4}, 5},
		{"AllToEnds", []analytics.Path{p(1, 1, "A", "B", "C")}, 0.3, 0.7, map[string]float64{"A": 0.3, "B": 0, "C": 0.7}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := analytics.PositionBasedAttribution(tc.paths, tc.first, tc.last)
			if err != nil {
				t.Fatal(err)
			}
			checkCredits(t, a, tc.want, tc.valuePer)
		})
	}
	t.Run("BadShares", func(t *testing.T) {
		paths := []analytics.Path{p(1, 1, "A")}
		for _, s := range [][2]float64{{-0.1, 0.4}, {0.4, 1.1}, {0.6, 0.6}, {math.NaN(), 0}} {
			if _, err := analytics.PositionBasedAttribution(paths, s[0], s[1]); !errors.Is(err, analytics.ErrInvalidRate) {
				t.Errorf("PositionBasedAttribution(shares %v) error = %v; want ErrInvalidRate", s, err)
			}
		}
	})
}

func TestTimeDecayAttribution(t *testing.T) {
	t.Run("Paths", func(t *testing.T) {
		// Positions one day apart, half-life 1 day: ages 2, 1, 0 give
		// weights 1/4, 1/2, 1, i.e. 1/7, 2/7, 4/7.
		paths := []analytics.Path{{Channels: []string{"A", "B", "C"}, Conversions: 7, Value: 14}}
		a, err := analytics.TimeDecayAttribution(paths, 1)
		if err != nil {
			t.Fatal(err)
		}
		checkCredits(t, a, map[string]float64{"A": 1, "B": 2, "C": 4}, 2)
		// Half-life 2 days on A > A > B: weights 2^-1, 2^-0.5, 1.
		paths = []analytics.Path{{Channels: []string{"A", "A", "B"}, Conversions: 1, Value: 1}}
		a, err = analytics.TimeDecayAttribution(paths, 2)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.5 + math.Sqrt(0.5) + 1
		checkCredits(t, a, map[string]float64{"A": (0.5 + math.Sqrt(0.5)) / s, "B": 1 / s}, 1)
	})
	t.Run("Journeys", func(t *testing.T) {
		// Touches 14, 7 and 0 days before the conversion, half-life 7 days:
		// weights 1/4, 1/2, 1 of a 7.00 order, i.e. 1.00, 2.00, 4.00.
		conv := day(30)
		js := []analytics.Journey{
			{CustomerID: "c1", End: conv, Converted: true, Conversion: analytics.Conversion{CustomerID: "c1", At: conv, Revenue: 700},
				Touchpoints: []analytics.Touchpoint{
					{CustomerID: "c1", Channel: "A", At: conv.Add(-14 * 24 * time.Hour)},
					{CustomerID: "c1", Channel: "B", At: conv.Add(-7 * 24 * time.Hour)},
					{CustomerID: "c1", Channel: "C", At: conv},
				}},
			// Non-converting: no credit, but its channel is listed.
			{CustomerID: "c2", End: conv, Touchpoints: []analytics.Touchpoint{{CustomerID: "c2", Channel: "D", At: conv}}},
			// Converting with no touchpoint: unattributed.
			{CustomerID: "c3", End: conv, Converted: true, Conversion: analytics.Conversion{CustomerID: "c3", At: conv, Revenue: 300}},
		}
		a, err := analytics.TimeDecayJourneyAttribution(js, 7)
		if err != nil {
			t.Fatal(err)
		}
		checkCredits(t, a, map[string]float64{"A": 1.0 / 7, "B": 2.0 / 7, "C": 4.0 / 7, "D": 0}, 7)
		if a.Conversions != 2 || a.UnattributedConversions != 1 || !near(a.Value, 10) || !near(a.UnattributedValue, 3) {
			t.Errorf("totals = %v conv (%v unattributed), %v value (%v unattributed); want 2 (1), 10 (3)",
				a.Conversions, a.UnattributedConversions, a.Value, a.UnattributedValue)
		}
		bad := []analytics.Journey{{End: conv, Converted: true, Touchpoints: []analytics.Touchpoint{{Channel: "A", At: conv.Add(time.Hour)}}}}
		var ie *analytics.InputError
		if _, err := analytics.TimeDecayJourneyAttribution(bad, 7); !errors.As(err, &ie) || ie.Row != 0 || ie.Field != "Touchpoints" {
			t.Errorf("TimeDecayJourneyAttribution(touch after end) error = %v; want InputError row 0 field Touchpoints", err)
		}
	})
	t.Run("BadHalfLife", func(t *testing.T) {
		paths := []analytics.Path{{Channels: []string{"A"}, Conversions: 1}}
		for _, h := range []float64{0, -1, math.Inf(1), math.NaN()} {
			var ie *analytics.InputError
			if _, err := analytics.TimeDecayAttribution(paths, h); !errors.As(err, &ie) || ie.Field != "halfLifeDays" {
				t.Errorf("TimeDecayAttribution(halfLife %v) error = %v; want InputError field halfLifeDays", h, err)
			}
		}
	})
}

func TestHeuristicAttribution_SmallPaths(t *testing.T) {
	paths := []analytics.Path{
		{Channels: []string{"A", "A", "B"}, Conversions: 3, Value: 30, Nulls: 1},
		{Channels: []string{"paid search"}, Conversions: 1, Value: 5},
		{Channels: []string{"B", "C"}, Nulls: 4},
		{Channels: nil, Conversions: 2, Value: 8}, // no touchpoint
	}
	cases := []struct {
		name  string
		f     func([]analytics.Path) (analytics.Attribution, error)
		conv  map[string]float64
		value map[string]float64
	}{
		{"FirstTouch", analytics.FirstTouchAttribution, map[string]float64{"A": 3, "B": 0, "C": 0, "paid search": 1}, map[string]float64{"A": 30, "B": 0, "C": 0, "paid search": 5}},
		{"LastTouch", analytics.LastTouchAttribution, map[string]float64{"A": 0, "B": 3, "C": 0, "paid search": 1}, map[string]float64{"A": 0, "B": 30, "C": 0, "paid search": 5}},
		{"Linear", analytics.LinearAttribution, map[string]float64{"A": 2, "B": 1, "C": 0, "paid search": 1}, map[string]float64{"A": 20, "B": 10, "C": 0, "paid search": 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := tc.f(paths)
			if err != nil {
				t.Fatal(err)
			}
			for ch, w := range tc.conv {
				c := credit(t, a, ch)
				if !near(c.Conversions, w) || !near(c.Value, tc.value[ch]) {
					t.Errorf("%s[%s] = %v conv, %v value; want %v, %v", tc.name, ch, c.Conversions, c.Value, w, tc.value[ch])
				}
			}
			if a.Conversions != 6 || a.Value != 43 || a.UnattributedConversions != 2 || a.UnattributedValue != 8 {
				t.Errorf("%s totals = %+v; want 6 conversions (2 unattributed), 43 value (8 unattributed)", tc.name, a)
			}
		})
	}
}

func TestAttribution_Errors(t *testing.T) {
	for _, m := range analytics.AttributionModels() {
		for name, paths := range map[string][]analytics.Path{
			"Empty":         nil,
			"NoConversions": {{Channels: []string{"A"}, Nulls: 3}},
		} {
			if _, err := analytics.Attribute(paths, m, analytics.AttributionOptions{}); !errors.Is(err, analytics.ErrNoData) {
				t.Errorf("Attribute(%s, %s) error = %v; want ErrNoData", name, m, err)
			}
		}
		bad := []analytics.Path{{Channels: []string{"A"}, Conversions: 1}, {Channels: []string{"A"}, Conversions: 1, Nulls: -2}}
		var ie *analytics.InputError
		if _, err := analytics.Attribute(bad, m, analytics.AttributionOptions{}); !errors.As(err, &ie) || ie.Row != 1 || ie.Field != "Nulls" || !errors.Is(err, analytics.ErrNegative) {
			t.Errorf("Attribute(negative nulls, %s) error = %v; want InputError row 1 field Nulls ErrNegative", m, err)
		}
		empty := []analytics.Path{{Channels: []string{"A", ""}, Conversions: 1}}
		if _, err := analytics.Attribute(empty, m, analytics.AttributionOptions{}); !errors.As(err, &ie) || ie.Row != 0 || ie.Field != "Channels" {
			t.Errorf("Attribute(empty channel name, %s) error = %v; want InputError row 0 field Channels", m, err)
		}
	}
	var ie *analytics.InputError
	if _, err := analytics.Attribute([]analytics.Path{{Channels: []string{"A"}, Conversions: 1}}, "shapley", analytics.AttributionOptions{}); !errors.As(err, &ie) || ie.Field != "model" {
		t.Errorf("Attribute(model shapley) error = %v; want InputError field model", err)
	}
}

func TestCompareAttribution(t *testing.T) {
	paths := readPaths(t, "Data.csv")
	t.Run("AllModelsAllChannels", func(t *testing.T) {
		cmp, err := analytics.CompareAttribution(paths, nil, analytics.AttributionOptions{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Models) != 6 || len(cmp.Rows) != 12 || cmp.Markov == nil || cmp.Conversions != 19785 {
			t.Fatalf("CompareAttribution = %d models, %d rows, markov %v, %v conversions; want 6, 12, set, 19785",
				len(cmp.Models), len(cmp.Rows), cmp.Markov != nil, cmp.Conversions)
		}
		for i, m := range cmp.Models {
			a, err := analytics.Attribute(paths, m, analytics.AttributionOptions{HalfLifeDays: 7, FirstShare: 0.4, LastShare: 0.4})
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, row := range cmp.Rows {
				sum += row.Conversions[i]
				if want := credit(t, a, row.Channel); row.Conversions[i] != want.Conversions || row.Value[i] != want.Value {
					t.Errorf("row %s under %s = %v, %v; want %v, %v", row.Channel, m, row.Conversions[i], row.Value[i], want.Conversions, want.Value)
				}
			}
			if math.Abs(sum-19785)/19785 > 1e-9 {
				t.Errorf("Σ rows under %s = %v; want 19785", m, sum)
			}
		}
	})
	t.Run("OneChannel", func(t *testing.T) {
		cmp, err := analytics.CompareAttribution(paths, []analytics.Model{analytics.LastTouch, analytics.FirstTouch, analytics.Markov}, analytics.AttributionOptions{}, "alpha")
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Rows) != 1 || cmp.Rows[0].Channel != "alpha" {
			t.Fatalf("rows = %+v; want one row for alpha", cmp.Rows)
		}
		row := cmp.Rows[0]
		if row.Conversions[0] != 8447 || row.Conversions[1] != 6308 || math.Abs(row.Conversions[2]-5344.948) > 5e-4 {
			t.Errorf("alpha = %v; want [8447 6308 5344.948]", row.Conversions)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		var ie *analytics.InputError
		if _, err := analytics.CompareAttribution(paths, nil, analytics.AttributionOptions{}, "omega"); !errors.As(err, &ie) || ie.Field != "channel" || !errors.Is(err, analytics.ErrNoData) {
			t.Errorf("CompareAttribution(channel omega) error = %v; want InputError field channel, ErrNoData", err)
		}
		for _, models := range [][]analytics.Model{{"linear", "u_shaped"}, {"linear", "linear"}} {
			if _, err := analytics.CompareAttribution(paths, models, analytics.AttributionOptions{}, ""); !errors.As(err, &ie) || ie.Field != "models" || ie.Row != 1 {
				t.Errorf("CompareAttribution(models %v) error = %v; want InputError row 1 field models", models, err)
			}
		}
	})
	t.Run("Journeys", func(t *testing.T) {
		conv := day(10)
		js := []analytics.Journey{
			{CustomerID: "c1", End: conv, Converted: true, Conversion: analytics.Conversion{At: conv, Revenue: 300},
				Touchpoints: []analytics.Touchpoint{{Channel: "email", At: day(3)}, {Channel: "search", At: conv}}},
			{CustomerID: "c2", End: conv, Touchpoints: []analytics.Touchpoint{{Channel: "email", At: day(9)}}},
		}
		cmp, err := analytics.CompareJourneyAttribution(js, []analytics.Model{analytics.TimeDecay, analytics.Markov}, analytics.AttributionOptions{HalfLifeDays: 7}, "email")
		if err != nil {
			t.Fatal(err)
		}
		// Real times: email is 7 days old, search 0, so email gets 0.5/1.5.
		// Markov: email -> 1/2 conversion; removing email gives 0, removing
		// search gives 0, so both have effect 1 and get 1/2.
		if row := cmp.Rows[0]; !near(row.Conversions[0], 1.0/3) || !near(row.Value[0], 1) || !near(row.Conversions[1], 0.5) {
			t.Errorf("CompareJourneyAttribution email = %v conv, %v value; want [1/3 0.5], value[0] 1", row.Conversions, row.Value)
		}
	})
}

func ExampleFirstTouchAttribution() {
	paths := []analytics.Path{
		{Channels: []string{"email", "display", "search"}, Conversions: 2, Value: 60},
		{Channels: []string{"display"}, Conversions: 1, Value: 10, Nulls: 3},
	}
	a, _ := analytics.FirstTouchAttribution(paths)
	for _, c := range a.Channels {
		fmt.Printf("%s: %.2f conversions, %.2f value\n", c.Channel, c.Conversions, c.Value)
	}
	// Output:
	// display: 1.00 conversions, 10.00 value
	// email: 2.00 conversions, 60.00 value
	// search: 0.00 conversions, 0.00 value
}

func ExampleLastTouchAttribution() {
	paths := []analytics.Path{
		{Channels: []string{"email", "display", "search"}, Conversions: 2, Value: 60},
		{Channels: []string{"display"}, Conversions: 1, Value: 10, Nulls: 3},
	}
	a, _ := analytics.LastTouchAttribution(paths)
	for _, c := range a.Channels {
		fmt.Printf("%s: %.2f conversions, %.2f value\n", c.Channel, c.Conversions, c.Value)
	}
	// Output:
	// display: 1.00 conversions, 10.00 value
	// email: 0.00 conversions, 0.00 value
	// search: 2.00 conversions, 60.00 value
}

func ExampleLinearAttribution() {
	paths := []analytics.Path{{Channels: []string{"email", "display", "email", "search"}, Conversions: 2, Value: 60}}
	a, _ := analytics.LinearAttribution(paths)
	for _, c := range a.Channels {
		fmt.Printf("%s: %.2f conversions, %.2f value\n", c.Channel, c.Conversions, c.Value)
	}
	// Output:
	// display: 0.50 conversions, 15.00 value
	// email: 1.00 conversions, 30.00 value
	// search: 0.50 conversions, 15.00 value
}

func ExamplePositionBasedAttribution() {
	paths := []analytics.Path{
		{Channels: []string{"email", "display", "social", "search"}, Conversions: 1, Value: 100},
		{Channels: []string{"email", "search"}, Conversions: 1, Value: 50},
	}
	a, _ := analytics.PositionBasedAttribution(paths, 0.4, 0.4)
	for _, c := range a.Channels {
		fmt.Printf("%s: %.2f conversions, %.2f value\n", c.Channel, c.Conversions, c.Value)
	}
	// Output:
	// display: 0.10 conversions, 10.00 value
	// email: 0.90 conversions, 65.00 value
	// search: 0.90 conversions, 65.00 value
	// social: 0.10 conversions, 10.00 value
}

func ExampleTimeDecayAttribution() {
	// Touches taken one day apart; with a 1-day half-life the weights are
	// 1/4, 1/2, 1.
	paths := []analytics.Path{{Channels: []string{"email", "display", "search"}, Conversions: 7, Value: 70}}
	a, _ := analytics.TimeDecayAttribution(paths, 1)
	for _, c := range a.Channels {
		fmt.Printf("%s: %.2f conversions, %.2f value\n", c.Channel, c.Conversions, c.Value)
	}
	// Output:
	// display: 2.00 conversions, 20.00 value
	// email: 1.00 conversions, 10.00 value
	// search: 4.00 conversions, 40.00 value
}

func ExampleTimeDecayJourneyAttribution() {
	at := func(d int) time.Time { return time.Date(2011, 5, d, 9, 0, 0, 0, time.UTC) }
	js := []analytics.Journey{{
		CustomerID: "c1", End: at(15), Converted: true,
		Conversion: analytics.Conversion{OrderID: "o1", CustomerID: "c1", At: at(15), Revenue: 9000},
		Touchpoints: []analytics.Touchpoint{
			{CustomerID: "c1", Channel: "email", At: at(1)},   // 14 days old
			{CustomerID: "c1", Channel: "display", At: at(8)}, // 7 days old
			{CustomerID: "c1", Channel: "search", At: at(15)}, // same day
		},
	}}
	a, _ := analytics.TimeDecayJourneyAttribution(js, 7)
	for _, c := range a.Channels {
		fmt.Printf("%s: %.4f conversions, %.2f value\n", c.Channel, c.Conversions, c.Value)
	}
	// Output:
	// display: 0.2857 conversions, 25.71 value
	// email: 0.1429 conversions, 12.86 value
	// search: 0.5714 conversions, 51.43 value
}

func ExampleAttribute() {
	paths := []analytics.Path{{Channels: []string{"email", "display", "search"}, Conversions: 10, Value: 100}}
	for _, m := range []analytics.Model{analytics.Linear, analytics.PositionBased} {
		a, _ := analytics.Attribute(paths, m, analytics.AttributionOptions{}) // defaults: 40/20/40
		c, _ := a.Channel("display")
		fmt.Printf("%s display: %.2f\n", m, c.Conversions)
	}
	// Output:
	// linear display: 3.33
	// position_based display: 2.00
}

func ExampleCompareAttribution() {
	paths := []analytics.Path{
		{Channels: []string{"email", "search"}, Conversions: 3, Value: 90, Nulls: 1},
		{Channels: []string{"display"}, Conversions: 0, Nulls: 4},
		{Channels: []string{"display", "search"}, Conversions: 1, Value: 20, Nulls: 3},
	}
	cmp, _ := analytics.CompareAttribution(paths, []analytics.Model{analytics.FirstTouch, analytics.LastTouch, analytics.Markov}, analytics.AttributionOptions{}, "")
	fmt.Println(cmp.Models)
	for _, r := range cmp.Rows {
		fmt.Printf("%-7s %.2f %.2f %.2f\n", r.Channel, r.Conversions[0], r.Conversions[1], r.Conversions[2])
	}
	// Output:
	// [first_touch last_touch markov]
	// display 1.00 0.00 1.00
	// email   3.00 0.00 1.00
	// search  0.00 4.00 2.00
}

func ExampleCompareJourneyAttribution() {
	at := func(d int) time.Time { return time.Date(2011, 6, d, 10, 0, 0, 0, time.UTC) }
	tps := []analytics.Touchpoint{
		{CustomerID: "c1", Channel: "email", At: at(1)},
		{CustomerID: "c1", Channel: "search", At: at(8)},
		{CustomerID: "c2", Channel: "email", At: at(3)},
	}
	convs := []analytics.Conversion{{OrderID: "o1", CustomerID: "c1", At: at(8), Revenue: 3000}}
	js, _ := analytics.BuildJourneys(tps, convs, 30, at(20))
	cmp, _ := analytics.CompareJourneyAttribution(js, []analytics.Model{analytics.LastTouch, analytics.TimeDecay, analytics.Markov},
		analytics.AttributionOptions{HalfLifeDays: 7}, "email")
	r := cmp.Rows[0]
	fmt.Printf("%s of %v conversions: last %.2f, time decay %.2f (value %.2f), markov %.2f\n",
		r.Channel, cmp.Conversions, r.Conversions[0], r.Conversions[1], r.Value[1], r.Conversions[2])
	// Output:
	// email of 1 conversions: last 0.00, time decay 0.33 (value 10.00), markov 0.50
}
