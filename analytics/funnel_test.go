package analytics

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London for the daylight-saving test
)

func stageCounts(n ...int) []StageCount {
	names := DefaultFunnelStages()
	out := make([]StageCount, len(n))
	for i, c := range n {
		out[i] = StageCount{Stage: names[i], Count: c}
	}
	return out
}

func TestFunnel(t *testing.T) {
	rep, err := Funnel(stageCounts(1000, 600, 150, 90, 45))
	if err != nil {
		t.Fatalf("Funnel: %v", err)
	}
	// c = 0.6, 0.25, 0.6, 0.5; C = 0.6·0.25·0.6·0.5 = 0.045 = 45/1000.
	wantStep := []float64{math.NaN(), 0.6, 0.25, 0.6, 0.5}
	wantDrop := []int{0, 400, 450, 60, 45}
	for i, s := range rep.Steps {
		c, ok := s.StepConversion.Get()
		if i == 0 && ok {
			t.Errorf("step 0 conversion = %v; want n/a", s.StepConversion)
		}
		if i > 0 && (!ok || math.Abs(c-wantStep[i]) > 1e-12) {
			t.Errorf("step %s conversion = %v; want %g", s.Stage, s.StepConversion, wantStep[i])
		}
		if s.DropOff != wantDrop[i] {
			t.Errorf("step %s drop-off = %d; want %d", s.Stage, s.DropOff, wantDrop[i])
		}
	}
	if c, _ := rep.Overall.Get(); math.Abs(c-0.045) > 1e-12 {
		t.Errorf("Funnel overall = %v; want 0.045", rep.Overall)
	}
	if d := rep.LowestConversion; d == nil || d.From != StageProductView || d.To != StageAddToCart {
		t.Errorf("lowest conversion = %+v; want product_view -> add_to_cart (0.25)", d)
	}
	if d := rep.LargestDropOff; d == nil || d.To != StageAddToCart || d.Lost != 450 {
		t.Errorf("largest drop-off = %+v; want -> add_to_cart losing 450", d)
	}

	t.Run("Bottlenecks differ", func(t *testing.T) {
		rep, _ := Funnel(stageCounts(1000, 500, 400, 100))
		if rep.LargestDropOff.To != StageProductView || rep.LowestConversion.To != StageCheckout {
			t.Errorf("bottlenecks = %s (largest loss), %s (lowest c); want product_view, checkout",
				rep.LargestDropOff.To, rep.LowestConversion.To)
		}
	})
	t.Run("NoEntrants", func(t *testing.T) {
		rep, err := Funnel(stageCounts(0, 0, 0))
		if err != nil {
			t.Fatalf("Funnel: %v", err)
		}
		if rep.Overall.Value != nil || rep.LowestConversion != nil || rep.Steps[2].StepConversion.NA != "no entrants" {
			t.Errorf("Funnel(0,0,0) = %+v; want overall and steps n/a", rep)
		}
		b, err := json.Marshal(rep)
		if err != nil || !json.Valid(b) || !strings.Contains(string(b), `"overall_conversion":{"value":null,"na":"no entrants"}`) {
			t.Errorf("json = %s, %v; want valid JSON with null overall", b, err)
		}
	})
	t.Run("MidFunnelZero", func(t *testing.T) {
		rep, _ := Funnel(stageCounts(10, 0, 0))
		if c, _ := rep.Overall.Get(); c != 0 || rep.Steps[2].StepConversion.Value != nil {
			t.Errorf("Funnel(10,0,0) overall = %v, step 3 = %v; want 0, n/a", rep.Overall, rep.Steps[2].StepConversion)
		}
	})
	t.Run("OneStage", func(t *testing.T) {
		rep, _ := Funnel(stageCounts(7))
		if c, _ := rep.Overall.Get(); c != 1 || rep.LargestDropOff != nil || rep.LowestConversion != nil {
			t.Errorf("Funnel(7) = %+v; want overall 1, no bottleneck", rep)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		if _, err := Funnel(nil); !errors.Is(err, ErrNoData) {
			t.Errorf("Funnel(nil) error = %v; want ErrNoData", err)
		}
		var ie *InputError
		if _, err := Funnel(stageCounts(5, -1)); !errors.As(err, &ie) || ie.Row != 1 {
			t.Errorf("Funnel(negative) error = %v; want InputError row 1", err)
		}
		if _, err := Funnel([]StageCount{{"a", 1}, {"a", 1}}); !errors.As(err, &ie) || ie.Field != "stage" {
			t.Errorf("Funnel(repeated stage) error = %v; want InputError stage", err)
		}
	})
}

func TestCompareFunnels(t *testing.T) {
	res, err := CompareFunnels(stageCounts(1000, 600, 150, 90, 45), stageCounts(1000, 500, 100, 56, 30))
	if err != nil {
		t.Fatalf("CompareFunnels: %v", err)
	}
	// Hand-computed pooled z-tests, e.g. visit->product_view: p̂ = 1100/2000
	// = 0.55, se = √(0.55·0.45·(2/1000)) = 0.0222486, z = 0.1/se = 4.49467.
	want := []struct {
		change, z, p float64
		sig          bool
	}{
		{0.1, 4.4946657497549465, 6.967931072849875e-06, true},
		{0.05, 1.9703687322875554, 0.048796126392049645, true},
		{0.04, 0.628611797863407, 0.5296032346149243, false},
		{-0.0357142857142857, -0.41983037678523166, 0.6746093721674669, false},
	}
	for i, w := range want {
		s := res.Steps[i]
		ch, _ := s.Change.Get()
		z, _ := s.Z.Get()
		p, _ := s.PValue.Get()
		if math.Abs(ch-w.change) > 1e-12 || math.Abs(z-w.z) > 1e-9 || math.Abs(p-w.p) > 1e-9*math.Max(w.p, 1e-6) || s.Significant != w.sig {
			t.Errorf("%s->%s: change %g, z %g, p %g, significant %v; want %g, %g, %g, %v",
				s.From, s.To, ch, z, p, s.Significant, w.change, w.z, w.p, w.sig)
		}
		wantVerdict := "not significant"
		if w.sig {
			wantVerdict = "significant"
		}
		if s.Verdict != wantVerdict {
			t.Errorf("%s->%s verdict = %q; want %q", s.From, s.To, s.Verdict, wantVerdict)
		}
	}
	t.Run("NotApplicable", func(t *testing.T) {
		res, err := CompareFunnels(stageCounts(0, 0, 5), stageCounts(10, 10, 20))
		if err != nil {
			t.Fatalf("CompareFunnels: %v", err)
		}
		// Step 1: no current entrants; step 2: previous 20 > 10 and current 0 entrants.
		for _, s := range res.Steps {
			if s.Z.Value != nil || s.PValue.Value != nil || s.Verdict != "n/a" || s.Significant {
				t.Errorf("%s->%s = z %v, p %v, %s; want n/a", s.From, s.To, s.Z, s.PValue, s.Verdict)
			}
		}
		res, _ = CompareFunnels(stageCounts(10, 10), stageCounts(20, 20))
		if s := res.Steps[0]; s.PValue.NA != "no variation" {
			t.Errorf("CompareFunnels(all convert) p = %v; want n/a (no variation)", s.PValue)
		}
		res, _ = CompareFunnels(stageCounts(10, 12), stageCounts(20, 5))
		if s := res.Steps[0]; s.PValue.NA != "stage count exceeds previous stage" {
			t.Errorf("CompareFunnels(12 of 10) p = %v; want n/a (stage count exceeds previous stage)", s.PValue)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Errorf("json.Marshal = %v; want valid JSON", err)
		}
	})
	t.Run("StageMismatch", func(t *testing.T) {
		var ie *InputError
		if _, err := CompareFunnels(stageCounts(10, 5), stageCounts(10, 5, 2)); !errors.As(err, &ie) {
			t.Errorf("CompareFunnels(2 vs 3 stages) error = %v; want InputError", err)
		}
		prev := []StageCount{{StageVisit, 10}, {StageAddToCart, 5}}
		if _, err := CompareFunnels(stageCounts(10, 5), prev); !errors.As(err, &ie) || ie.Row != 1 {
			t.Errorf("CompareFunnels(renamed stage) error = %v; want InputError row 1", err)
		}
	})
}

func TestDailyCounts(t *testing.T) {
	loc := time.FixedZone("UTC+1", 3600)
	utc := func(d, h, m int) time.Time { return time.Date(2011, 12, d, h, m, 0, 0, time.UTC) }
	events := []time.Time{
		utc(1, 23, 30), // 2011-12-02 00:30 local: counts on Dec 2
		utc(1, 22, 59), // Dec 1 23:59 local
		utc(2, 12, 0),
		utc(3, 22, 0), // Dec 3 23:00 local
		utc(4, 0, 0),  // Dec 4 01:00 local
		utc(4, 22, 0), // Dec 4 23:00 local
		utc(4, 23, 0), // Dec 5 00:00 local: outside the period
		utc(1, 0, 0),  // Dec 1 01:00 local
		time.Date(2011, 11, 30, 22, 59, 0, 0, time.UTC), // Nov 30 23:59 local: before the period
	}
	p := Period{From: time.Date(2011, 12, 1, 0, 0, 0, 0, loc), To: time.Date(2011, 12, 5, 0, 0, 0, 0, loc)}
	got, err := DailyCounts(events, p, loc)
	if err != nil {
		t.Fatalf("DailyCounts: %v", err)
	}
	want := []DayCount{{"2011-12-01", 2}, {"2011-12-02", 2}, {"2011-12-03", 1}, {"2011-12-04", 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DailyCounts = %v; want %v", got, want)
	}
	inRange, sum := 0, 0
	for _, e := range events {
		if p.Contains(e) {
			inRange++
		}
	}
	for _, d := range got {
		sum += d.Count
	}
	if sum != inRange || sum != 7 {
		t.Errorf("Σ daily counts = %d; want %d (events in range) = 7", sum, inRange)
	}

	t.Run("DaylightSaving", func(t *testing.T) {
		london, err := time.LoadLocation("Europe/London")
		if err != nil {
			t.Fatalf("LoadLocation: %v", err)
		}
		// Clocks go forward on 2011-03-27: a 23-hour day.
		p := Period{From: time.Date(2011, 3, 26, 0, 0, 0, 0, london), To: time.Date(2011, 3, 29, 0, 0, 0, 0, london)}
		ev := []time.Time{
			time.Date(2011, 3, 26, 23, 30, 0, 0, time.UTC), // 23:30 GMT Mar 26
			time.Date(2011, 3, 27, 23, 30, 0, 0, time.UTC), // 00:30 BST Mar 28
			time.Date(2011, 3, 28, 22, 59, 0, 0, time.UTC), // 23:59 BST Mar 28
		}
		got, err := DailyCounts(ev, p, london)
		want := []DayCount{{"2011-03-26", 1}, {"2011-03-27", 0}, {"2011-03-28", 2}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("DailyCounts(London DST) = %v, %v; want %v", got, err, want)
		}
	})
	t.Run("PartialDays", func(t *testing.T) {
		p := Period{From: time.Date(2011, 12, 1, 12, 0, 0, 0, loc), To: time.Date(2011, 12, 2, 1, 0, 0, 0, loc)}
		got, _ := DailyCounts(events, p, loc)
		want := []DayCount{{"2011-12-01", 1}, {"2011-12-02", 1}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DailyCounts(partial days) = %v; want %v", got, want)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		var ie *InputError
		if _, err := DailyCounts(events, p, nil); !errors.As(err, &ie) {
			t.Errorf("DailyCounts(nil loc) error = %v; want InputError", err)
		}
		if _, err := DailyCounts(events, Period{From: p.To, To: p.From}, loc); !errors.Is(err, ErrInvalidPeriod) {
			t.Errorf("DailyCounts(reversed) error = %v; want ErrInvalidPeriod", err)
		}
	})
}

func TestFunnelFromEvents(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2011, 12, 1, h, m, 0, 0, time.UTC) }
	ev := func(s, stage string, h, m int) FunnelEvent {
		return FunnelEvent{SessionID: s, Stage: stage, At: at(h, m)}
	}
	events := []FunnelEvent{
		// s1 goes all the way within an hour.
		ev("s1", StagePurchase, 10, 25), ev("s1", StageVisit, 10, 0), ev("s1", StageProductView, 10, 5),
		ev("s1", StageAddToCart, 10, 10), ev("s1", StageCheckout, 10, 20),
		// s2 adds to cart 90 minutes after its visit.
		ev("s2", StageVisit, 10, 0), ev("s2", StageProductView, 10, 5), ev("s2", StageAddToCart, 11, 30),
		// s3 viewed a product before its visit, then skipped product_view.
		ev("s3", StageProductView, 9, 0), ev("s3", StageVisit, 10, 0), ev("s3", StageAddToCart, 10, 10),
		// s4 has no visit: not in the funnel.
		ev("s4", StageProductView, 10, 0),
		// s5 visits twice, buys without a cart.
		ev("s5", StageVisit, 10, 0), ev("s5", StageVisit, 10, 30), ev("s5", StageProductView, 10, 40), ev("s5", StagePurchase, 10, 50),
		// s6 buys 61 minutes after its visit; "scroll" is not a stage.
		ev("s6", StageVisit, 12, 0), ev("s6", StageProductView, 12, 1), ev("s6", "scroll", 12, 1),
		ev("s6", StageAddToCart, 12, 2), ev("s6", StageCheckout, 12, 3), ev("s6", StagePurchase, 13, 1),
		// s7 adds to cart before viewing a product.
		ev("s7", StageVisit, 10, 0), ev("s7", StageAddToCart, 10, 1), ev("s7", StageProductView, 10, 2),
	}
	for _, tc := range []struct {
		window time.Duration
		want   []int
	}{
		{time.Hour, []int{6, 5, 2, 2, 1}},
		{0, []int{6, 5, 3, 2, 2}}, // no limit: s2's cart and s6's purchase count
	} {
		got, err := FunnelFromEvents(events, DefaultFunnelStages(), tc.window)
		if err != nil {
			t.Fatalf("FunnelFromEvents: %v", err)
		}
		counts := make([]int, len(got))
		for i, s := range got {
			counts[i] = s.Count
		}
		if !reflect.DeepEqual(counts, tc.want) || got[4].Stage != StagePurchase {
			t.Errorf("FunnelFromEvents(window %v) = %v; want %v", tc.window, got, tc.want)
		}
	}
	t.Run("Errors", func(t *testing.T) {
		if _, err := FunnelFromEvents(events, nil, 0); !errors.Is(err, ErrNoData) {
			t.Errorf("FunnelFromEvents(no stages) error = %v; want ErrNoData", err)
		}
		var ie *InputError
		if _, err := FunnelFromEvents(events, DefaultFunnelStages(), -time.Second); !errors.As(err, &ie) || ie.Field != "window" {
			t.Errorf("FunnelFromEvents(negative window) error = %v; want InputError window", err)
		}
		if _, err := FunnelFromEvents([]FunnelEvent{{Stage: StageVisit}}, DefaultFunnelStages(), 0); !errors.As(err, &ie) || ie.Field != "session_id" {
			t.Errorf("FunnelFromEvents(empty session) error = %v; want InputError session_id", err)
		}
	})
}
