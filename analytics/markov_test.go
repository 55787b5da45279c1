package analytics_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/roibot/roibot/analytics"
)

func removalEffect(t *testing.T, r analytics.MarkovResult, channel string) float64 {
	t.Helper()
	for _, re := range r.RemovalEffects {
		if re.Channel == channel {
			return re.Effect
		}
	}
	t.Fatalf("no removal effect for %q in %+v", channel, r.RemovalEffects)
	return 0
}

// TestMarkovAttribution_Vignette reproduces the worked example of the
// ChannelAttribution vignette (Altomare and Loris 2015) as transcribed in
// data/channel-attribution/PROVENANCE.md.
func TestMarkovAttribution_Vignette(t *testing.T) {
	paths := readPaths(t, "vignette_toy_paths.csv")
	r, err := analytics.MarkovAttribution(paths)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	if math.Abs(r.ConversionProbability-1) > tol {
		t.Errorf("ConversionProbability = %v; want 1", r.ConversionProbability)
	}
	for ch, want := range map[string]float64{"A": 1, "B": 0.5} {
		if got := removalEffect(t, r, ch); math.Abs(got-want) > tol {
			t.Errorf("removal effect %s = %v; want %v", ch, got, want)
		}
	}
	// Attributed conversions: A = 3 × 1/1.5 = 2, B = 3 × 0.5/1.5 = 1.
	for ch, want := range map[string]float64{"A": 2, "B": 1} {
		if got := credit(t, r.Attribution, ch).Conversions; math.Abs(got-want) > tol {
			t.Errorf("Markov conversions %s = %v; want %v", ch, got, want)
		}
	}
	// Edge counts and probabilities printed in the vignette.
	type edge struct{ from, to string }
	S, C, N := analytics.StartState, analytics.ConversionState, analytics.NullState
	want := map[edge][2]float64{
		{S, "A"}:   {3, 1},
		{"A", "A"}: {2, 2.0 / 8}, {"A", "B"}: {3, 3.0 / 8}, {"A", C}: {3, 3.0 / 8},
		{"B", "A"}: {3, 3.0 / 5}, {"B", "B"}: {2, 2.0 / 5},
	}
	got := map[edge][2]float64{}
	var total float64
	for _, tr := range r.Transitions {
		got[edge{tr.From, tr.To}] = [2]float64{tr.Count, tr.Probability}
		total += tr.Count
		if tr.To == N {
			t.Errorf("transition %s -> %s present; the vignette paths have no nulls", tr.From, tr.To)
		}
	}
	if total != 16 {
		t.Errorf("Σ transition counts = %v; want 16", total)
	}
	for e, w := range want {
		if g := got[e]; g[0] != w[0] || math.Abs(g[1]-w[1]) > tol {
			t.Errorf("transition %s -> %s = count %v p %v; want count %v p %v", e.from, e.to, g[0], g[1], w[0], w[1])
		}
	}
	if len(got) != len(want) {
		t.Errorf("transitions = %+v; want exactly %d", r.Transitions, len(want))
	}
	// "if we use a first-touch or last-touch approach, all the conversions
	// are assigned to channel A".
	for _, f := range []func([]analytics.Path) (analytics.Attribution, error){analytics.FirstTouchAttribution, analytics.LastTouchAttribution} {
		a, err := f(paths)
		if err != nil {
			t.Fatal(err)
		}
		if got := credit(t, a, "A").Conversions; got != 3 {
			t.Errorf("%s conversions A = %v; want 3", a.Model, got)
		}
	}
}

// TestMarkovAttribution_DataCSV reproduces the exact first-order Markov
// figures computed in data/channel-attribution/PROVENANCE.md at their
// printed precision: P(conversion) 7 decimals, removal effects 6,
// attributed conversions 3.
func TestMarkovAttribution_DataCSV(t *testing.T) {
	paths := readPaths(t, "Data.csv")
	r, err := analytics.MarkovAttribution(paths)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.ConversionProbability-0.2238451) > 5e-8 {
		t.Errorf("ConversionProbability = %.9f; want 0.2238451", r.ConversionProbability)
	}
	// The chain reproduces the observed rate 19785 / (19785 + 68602).
	if rate := 19785.0 / (19785 + 68602); math.Abs(r.ConversionProbability-rate) > 1e-12 {
		t.Errorf("ConversionProbability = %.15f; want observed rate %.15f", r.ConversionProbability, rate)
	}
	if len(r.RemovalEffects) != len(dataCSVReference) {
		t.Fatalf("len(RemovalEffects) = %d; want %d", len(r.RemovalEffects), len(dataCSVReference))
	}
	for _, ref := range dataCSVReference {
		if got := removalEffect(t, r, ref.channel); math.Abs(got-ref.removalEffect) > 5e-7 {
			t.Errorf("removal effect %s = %.8f; want %.6f (±5e-7)", ref.channel, got, ref.removalEffect)
		}
		if got := credit(t, r.Attribution, ref.channel).Conversions; math.Abs(got-ref.markov) > 5e-4 {
			t.Errorf("Markov conversions %s = %.5f; want %.3f (±5e-4)", ref.channel, got, ref.markov)
		}
	}
	// Transition probabilities leave each state summing to 1.
	out := map[string]float64{}
	for _, tr := range r.Transitions {
		out[tr.From] += tr.Probability
	}
	for from, s := range out {
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("Σ P(%s -> ·) = %v; want 1", from, s)
		}
	}
	if len(out) != 13 {
		t.Errorf("transient states with transitions = %d; want 13 (start + 12 channels)", len(out))
	}
}

func TestMarkovAttribution_HandComputed(t *testing.T) {
	t.Run("RepeatedChannel", func(t *testing.T) {
		// A > A > B (1 conversion) and B (1 null):
		// START→A 1/2, START→B 1/2; A→A 1/2, A→B 1/2; B→conv 1/2, B→null 1/2.
		// h_B = 1/2, h_A = h_B = 1/2, P = 1/2. Without A: P = 1/4, RE 1/2.
		// Without B: P = 0, RE 1. Conversions: A 1/3, B 2/3.
		paths := []analytics.Path{
			{Channels: []string{"A", "A", "B"}, Conversions: 1, Value: 9},
			{Channels: []string{"B"}, Nulls: 1},
		}
		r, err := analytics.MarkovAttribution(paths)
		if err != nil {
			t.Fatal(err)
		}
		if !near(r.ConversionProbability, 0.5) {
			t.Errorf("ConversionProbability = %v; want 0.5", r.ConversionProbability)
		}
		for ch, w := range map[string][3]float64{"A": {0.5, 1.0 / 3, 3}, "B": {1, 2.0 / 3, 6}} {
			c := credit(t, r.Attribution, ch)
			if re := removalEffect(t, r, ch); !near(re, w[0]) || !near(c.Conversions, w[1]) || !near(c.Value, w[2]) {
				t.Errorf("%s: RE %v, conversions %v, value %v; want %v, %v, %v", ch, re, c.Conversions, c.Value, w[0], w[1], w[2])
			}
		}
	})
	t.Run("SingleTouchPathsWithSpaces", func(t *testing.T) {
		// paid search (1 conv, 1 null) and e mail (0 conv, 2 null): P = 1/4;
		// without paid search 0 (RE 1); without e mail 1/4 (RE 0).
		paths := []analytics.Path{
			{Channels: []string{"paid search"}, Conversions: 1, Value: 4, Nulls: 1},
			{Channels: []string{"e mail"}, Nulls: 2},
			{Channels: nil, Conversions: 5, Value: 50}, // no touchpoint: unattributed
		}
		r, err := analytics.MarkovAttribution(paths)
		if err != nil {
			t.Fatal(err)
		}
		if !near(r.ConversionProbability, 0.25) {
			t.Errorf("ConversionProbability = %v; want 0.25", r.ConversionProbability)
		}
		if re := removalEffect(t, r, "e mail"); re != 0 {
			t.Errorf("RE e mail = %v; want 0", re)
		}
		if c := credit(t, r.Attribution, "paid search"); !near(c.Conversions, 1) || !near(c.Value, 4) {
			t.Errorf("paid search = %+v; want 1 conversion, 4 value", c)
		}
		if r.Conversions != 6 || r.UnattributedConversions != 5 || r.UnattributedValue != 50 {
			t.Errorf("totals = %v (%v unattributed, value %v); want 6 (5, 50)", r.Conversions, r.UnattributedConversions, r.UnattributedValue)
		}
	})
	t.Run("NoData", func(t *testing.T) {
		for name, paths := range map[string][]analytics.Path{
			"Empty":         nil,
			"OnlyNulls":     {{Channels: []string{"A"}, Nulls: 2}},
			"OnlyUntouched": {{Conversions: 2}, {Channels: []string{"A"}, Nulls: 1}},
		} {
			if _, err := analytics.MarkovAttribution(paths); !errors.Is(err, analytics.ErrNoData) {
				t.Errorf("MarkovAttribution(%s) error = %v; want ErrNoData", name, err)
			}
		}
	})
}

func ExampleMarkovAttribution() {
	// The ChannelAttribution vignette's three converting paths.
	paths := []analytics.Path{
		{Channels: []string{"A", "B", "A", "B", "B", "A"}, Conversions: 1},
		{Channels: []string{"A", "B", "B", "A", "A"}, Conversions: 1},
		{Channels: []string{"A", "A"}, Conversions: 1},
	}
	r, err := analytics.MarkovAttribution(paths)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("P(conversion) = %.2f\n", r.ConversionProbability)
	for i, re := range r.RemovalEffects {
		fmt.Printf("%s: removal effect %.2f, %.2f conversions\n", re.Channel, re.Effect, r.Channels[i].Conversions)
	}
	for _, tr := range r.Transitions[:3] {
		fmt.Printf("%s -> %s: %v (p = %.3f)\n", tr.From, tr.To, tr.Count, tr.Probability)
	}
	// Output:
	// P(conversion) = 1.00
	// A: removal effect 1.00, 2.00 conversions
	// B: removal effect 0.50, 1.00 conversions
	// (start) -> A: 3 (p = 1.000)
	// A -> A: 2 (p = 0.250)
	// A -> B: 3 (p = 0.375)
}

// syntheticPaths returns n paths of exactly k touches over the given number
// of channels, each one journey that converts with probability 0.2.
func syntheticPaths(n, k, channels int, seed uint64) []analytics.Path {
	rng := rand.New(rand.NewPCG(seed, 0))
	names := make([]string, channels)
	for i := range names {
		names[i] = "channel_" + strconv.Itoa(i)
	}
	paths := make([]analytics.Path, n)
	for i := range paths {
		ch := make([]string, k)
		for j := range ch {
			ch[j] = names[rng.IntN(channels)]
		}
		p := analytics.Path{Channels: ch, Nulls: 1}
		if rng.Float64() < 0.2 {
			p = analytics.Path{Channels: ch, Conversions: 1, Value: float64(rng.IntN(10000)) / 100}
		}
		paths[i] = p
	}
	return paths
}

// syntheticTouchpoints returns n customers with k touchpoints each, spread
// over 28 days, of whom about 20 % convert one day after their last touch.
func syntheticTouchpoints(n, k, channels int, seed uint64) ([]analytics.Touchpoint, []analytics.Conversion) {
	rng := rand.New(rand.NewPCG(seed, 0))
	names := make([]string, channels)
	for i := range names {
		names[i] = "channel_" + strconv.Itoa(i)
	}
	tps := make([]analytics.Touchpoint, 0, n*k)
	var convs []analytics.Conversion
	for c := range n {
		id := "c" + strconv.Itoa(c)
		for j := range k {
			tps = append(tps, analytics.Touchpoint{CustomerID: id, Channel: names[rng.IntN(channels)], At: day(float64(j) * 28 / float64(k))})
		}
		if rng.Float64() < 0.2 {
			convs = append(convs, analytics.Conversion{OrderID: "o" + id, CustomerID: id, At: day(29), Revenue: analytics.Money(rng.IntN(10000))})
		}
	}
	return tps, convs
}

// BenchmarkMarkovAttribution runs the exact first-order Markov model on
// 1,000,000 touchpoints in 100,000 paths over 10 channels: "Paths" on
// aggregated paths, "FromTouchpoints" including BuildJourneys and
// AggregateJourneys.
func BenchmarkMarkovAttribution(b *testing.B) {
	b.Run("Paths", func(b *testing.B) {
		paths := syntheticPaths(100_000, 10, 10, 1)
		for b.Loop() {
			if _, err := analytics.MarkovAttribution(paths); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FromTouchpoints", func(b *testing.B) {
		tps, convs := syntheticTouchpoints(100_000, 10, 10, 1)
		for b.Loop() {
			js, err := analytics.BuildJourneys(tps, convs, 30, day(60))
			if err != nil {
				b.Fatal(err)
			}
			if len(js) != 100_000 {
				b.Fatalf("len(journeys) = %d; want 100000", len(js))
			}
			if _, err := analytics.MarkovAttribution(analytics.AggregateJourneys(js)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestMarkovAttributionOrder(t *testing.T) {
	t.Run("HandComputed", func(t *testing.T) {
		// A > B converts, C > B does not. Order 1 cannot tell the two B
		// visits apart: RE A = RE C = 1/2, RE B = 1. Order 2 has states
		// (A), (C), (A,B), (C,B) with (A,B) → conversion and (C,B) → null:
		// removing A or B gives P = 0 (RE 1), removing C leaves P = 1/2 (RE 0).
		paths := []analytics.Path{
			{Channels: []string{"A", "B"}, Conversions: 1, Value: 10},
			{Channels: []string{"C", "B"}, Nulls: 1},
		}
		for _, tc := range []struct {
			order int
			re    map[string]float64
			conv  map[string]float64
		}{
			{1, map[string]float64{"A": 0.5, "B": 1, "C": 0.5}, map[string]float64{"A": 0.25, "B": 0.5, "C": 0.25}},
			{2, map[string]float64{"A": 1, "B": 1, "C": 0}, map[string]float64{"A": 0.5, "B": 0.5, "C": 0}},
		} {
			r, err := analytics.MarkovAttributionOrder(paths, tc.order)
			if err != nil {
				t.Fatal(err)
			}
			if !near(r.ConversionProbability, 0.5) {
				t.Errorf("order %d: ConversionProbability = %v; want 0.5", tc.order, r.ConversionProbability)
			}
			for ch, want := range tc.re {
				c := credit(t, r.Attribution, ch)
				if got := removalEffect(t, r, ch); !near(got, want) || !near(c.Conversions, tc.conv[ch]) || !near(c.Value, 10*tc.conv[ch]) {
					t.Errorf("order %d, %s: RE %v, conversions %v, value %v; want %v, %v, %v", tc.order, ch, got, c.Conversions, c.Value, want, tc.conv[ch], 10*tc.conv[ch])
				}
			}
		}
		a, err := analytics.Attribute(paths, analytics.Markov, analytics.AttributionOptions{MarkovOrder: 2})
		if err != nil {
			t.Fatal(err)
		}
		if got := credit(t, a, "C").Conversions; got != 0 {
			t.Errorf("Attribute(markov, order 2) C = %v; want 0", got)
		}
		r, _ := analytics.MarkovAttributionOrder(paths, 2)
		var states []string
		for _, tr := range r.Transitions {
			if tr.From == analytics.StartState || tr.To == analytics.ConversionState || tr.To == analytics.NullState {
				continue
			}
			states = append(states, tr.From+" -> "+tr.To)
		}
		if want := []string{"A -> A,B", "C -> C,B"}; !slices.Equal(states, want) {
			t.Errorf("order 2 channel transitions = %v; want %v", states, want)
		}
	})
	t.Run("DataCSV", func(t *testing.T) {
		// Any order reproduces the observed conversion rate and conserves
		// conversions; order 2 has 124 channel-tuple states on Data.csv.
		paths := readPaths(t, "Data.csv")
		r, err := analytics.MarkovAttributionOrder(paths, 2)
		if err != nil {
			t.Fatal(err)
		}
		if rate := 19785.0 / (19785 + 68602); math.Abs(r.ConversionProbability-rate) > 1e-12 {
			t.Errorf("order 2 ConversionProbability = %.15f; want observed rate %.15f", r.ConversionProbability, rate)
		}
		states := map[string]bool{}
		var sum float64
		for _, tr := range r.Transitions {
			states[tr.From] = true
		}
		for _, c := range r.Channels {
			sum += c.Conversions
		}
		if len(states) != 125 {
			t.Errorf("order 2 transient states = %d; want 125 (start + 124)", len(states))
		}
		if math.Abs(sum-19785)/19785 > 1e-9 {
			t.Errorf("order 2 Σ conversions = %v; want 19785", sum)
		}
	})
	t.Run("BadOrder", func(t *testing.T) {
		paths := []analytics.Path{{Channels: []string{"A"}, Conversions: 1}}
		for _, k := range []int{0, analytics.MaxMarkovOrder + 1} {
			var ie *analytics.InputError
			if _, err := analytics.MarkovAttributionOrder(paths, k); !errors.As(err, &ie) || ie.Field != "order" {
				t.Errorf("MarkovAttributionOrder(order %d) error = %v; want InputError field order", k, err)
			}
		}
	})
}

func ExampleMarkovAttributionOrder() {
	// B converts after A but not after C: only a second-order chain sees it.
	paths := []analytics.Path{
		{Channels: []string{"A", "B"}, Conversions: 1, Value: 10},
		{Channels: []string{"C", "B"}, Nulls: 1},
	}
	for _, order := range []int{1, 2} {
		r, _ := analytics.MarkovAttributionOrder(paths, order)
		fmt.Printf("order %d:", order)
		for _, c := range r.Channels {
			fmt.Printf(" %s %.2f", c.Channel, c.Conversions)
		}
		fmt.Println()
	}
	// Output:
	// order 1: A 0.25 B 0.50 C 0.25
	// order 2: A 0.50 B 0.50 C 0.00
}
