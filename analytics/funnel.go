package analytics

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Standard e-commerce funnel stage names, in order.
const (
	StageVisit       = "visit"
	StageProductView = "product_view"
	StageAddToCart   = "add_to_cart"
	StageCheckout    = "checkout"
	StagePurchase    = "purchase"
)

// DefaultFunnelStages returns a fresh copy of the standard stage order:
// visit → product_view → add_to_cart → checkout → purchase.
func DefaultFunnelStages() []string {
	return []string{StageVisit, StageProductView, StageAddToCart, StageCheckout, StagePurchase}
}

// FunnelSignificanceLevel is the two-sided significance level of the
// period-over-period test in CompareFunnels.
const FunnelSignificanceLevel = 0.05

// StageCount is the number of entrants (sessions or users) at one stage.
type StageCount struct {
	Stage string `json:"stage"`
	Count int    `json:"count"`
}

// FunnelStep is one stage of a funnel report.
type FunnelStep struct {
	Stage string `json:"stage"`
	Count int    `json:"count"`
	// StepConversion c_i = n_i / n_{i−1}; not available for the first stage
	// or when n_{i−1} = 0.
	StepConversion NullFloat `json:"step_conversion"`
	// CumulativeConversion = n_i / n_0; not available when n_0 = 0.
	CumulativeConversion NullFloat `json:"cumulative_conversion"`
	// DropOff = n_{i−1} − n_i, the entrants lost on the way into this
	// stage (0 for the first stage; negative if the stage gained).
	DropOff int `json:"drop_off"`
}

// FunnelDrop names one transition from stage From to stage To.
type FunnelDrop struct {
	From       string    `json:"from"`
	To         string    `json:"to"`
	Conversion NullFloat `json:"conversion"`
	Lost       int       `json:"lost"`
}

// FunnelReport is the outcome of Funnel.
type FunnelReport struct {
	Steps []FunnelStep `json:"steps"`
	// Overall C = Π c_i = n_last / n_first; not available when n_first = 0.
	Overall NullFloat `json:"overall_conversion"`
	// LowestConversion is the transition with the smallest step conversion
	// c_i (the relative bottleneck); null when no c_i is available.
	LowestConversion *FunnelDrop `json:"lowest_conversion"`
	// LargestDropOff is the transition losing the most entrants in absolute
	// numbers n_{i−1} − n_i; null for a one-stage funnel.
	LargestDropOff *FunnelDrop `json:"largest_drop_off"`
}

// Funnel computes step and overall conversion for ordered stage counts:
//
//	c_i = n_i / n_{i−1}     (i = 2..n)
//	C   = Π c_i = n_n / n_1
//
// and the two bottlenecks: the transition with the lowest c_i, and the one
// with the largest absolute loss n_{i−1} − n_i (ties go to the earlier
// transition). The two often differ: the top of a funnel loses the most
// people, a late step may convert worst. Counts need not decrease (a stage
// reached by skipping earlier ones can exceed its predecessor); then
// c_i > 1. A ratio whose denominator is zero is not available ("no
// entrants"), and C is then given by n_n / n_1 where n_1 > 0.
//
// It returns ErrNoData for no stages and an *InputError for a negative
// count (ErrNegative) or an empty or repeated stage name.
//
// Source: the seed document, section 4.4 (marketing funnel conversion model).
func Funnel(stages []StageCount) (FunnelReport, error) {
	if len(stages) == 0 {
		return FunnelReport{}, fmt.Errorf("funnel: %w", ErrNoData)
	}
	if err := checkStages(stages); err != nil {
		return FunnelReport{}, err
	}
	rep := FunnelReport{Steps: make([]FunnelStep, len(stages))}
	n0 := stages[0].Count
	for i, s := range stages {
		st := FunnelStep{Stage: s.Stage, Count: s.Count, StepConversion: NA("first stage")}
		if n0 > 0 {
			st.CumulativeConversion = Float(float64(s.Count) / float64(n0))
		} else {
			st.CumulativeConversion = NA("no entrants")
		}
		if i > 0 {
			prev := stages[i-1].Count
			st.DropOff = prev - s.Count
			if prev > 0 {
				st.StepConversion = Float(float64(s.Count) / float64(prev))
			} else {
				st.StepConversion = NA("no entrants")
			}
			d := &FunnelDrop{From: stages[i-1].Stage, To: s.Stage, Conversion: st.StepConversion, Lost: st.DropOff}
			if rep.LargestDropOff == nil || d.Lost > rep.LargestDropOff.Lost {
				rep.LargestDropOff = d
			}
			if c, ok := d.Conversion.Get(); ok {
				if rep.LowestConversion == nil || c < *rep.LowestConversion.Conversion.Value {
					rep.LowestConversion = d
				}
			}
		}
		rep.Steps[i] = st
	}
	rep.Overall = rep.Steps[len(stages)-1].CumulativeConversion
	return rep, nil
}

func checkStages(stages []StageCount) error {
	seen := make(map[string]bool, len(stages))
	for i, s := range stages {
		switch {
		case s.Stage == "":
			return &InputError{Row: i, Field: "stage", Err: errors.New("empty stage name")}
		case seen[s.Stage]:
			return &InputError{Row: i, Field: "stage", Err: fmt.Errorf("repeated stage %q", s.Stage)}
		case s.Count < 0:
			return &InputError{Row: i, Field: "count", Err: ErrNegative}
		}
		seen[s.Stage] = true
	}
	return nil
}

// FunnelStepComparison compares one transition's step conversion between
// two periods with a two-proportion z-test.
type FunnelStepComparison struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Current and Previous are the step conversions n_i / n_{i−1}.
	Current  NullFloat `json:"current"`
	Previous NullFloat `json:"previous"`
	// Change = Current − Previous, in fraction points.
	Change NullFloat `json:"change"`
	Z      NullFloat `json:"z"`
	// PValue is two-sided.
	PValue NullFloat `json:"p_value"`
	// Significant is true when PValue < FunnelSignificanceLevel.
	Significant bool `json:"significant"`
	// Verdict is "significant", "not significant" or "n/a".
	Verdict string `json:"verdict"`
}

// FunnelComparison is the outcome of CompareFunnels.
type FunnelComparison struct {
	Current  FunnelReport           `json:"current"`
	Previous FunnelReport           `json:"previous"`
	Steps    []FunnelStepComparison `json:"steps"`
}

// CompareFunnels reports both funnels and, for each transition i−1 → i,
// a pooled two-proportion z-test of the step conversions
// p₁ = x₁/n₁ (current) and p₂ = x₂/n₂ (previous), with x = n_i and
// n = n_{i−1}:
//
//	p̂ = (x₁ + x₂) / (n₁ + n₂)
//	z = (p₁ − p₂) / √( p̂(1 − p̂)(1/n₁ + 1/n₂) )
//	p-value = 2·(1 − Φ(|z|))           (Φ: standard normal CDF, gonum distuv)
//
// A step is flagged "not significant" when p ≥ 0.05. The test is not
// available ("n/a") when either period has no entrants at i−1, when a
// stage count exceeds its predecessor (not a proportion), or when p̂ is 0
// or 1 (no variation).
//
// It returns the errors of Funnel, and an *InputError when the two funnels
// do not list the same stages in the same order.
//
// Source: the seed document, section 4.4 (funnel); the pooled two-proportion
// z-test as in Agresti, Categorical Data Analysis, section 2.1.
func CompareFunnels(current, previous []StageCount) (FunnelComparison, error) {
	cur, err := Funnel(current)
	if err != nil {
		return FunnelComparison{}, fmt.Errorf("compare funnels: current: %w", err)
	}
	prev, err := Funnel(previous)
	if err != nil {
		return FunnelComparison{}, fmt.Errorf("compare funnels: previous: %w", err)
	}
	if len(current) != len(previous) {
		return FunnelComparison{}, &InputError{Row: -1, Field: "stages",
			Err: fmt.Errorf("current has %d stages, previous %d", len(current), len(previous))}
	}
	for i := range current {
		if current[i].Stage != previous[i].Stage {
			return FunnelComparison{}, &InputError{Row: i, Field: "stage",
				Err: fmt.Errorf("current %q, previous %q", current[i].Stage, previous[i].Stage)}
		}
	}
	res := FunnelComparison{Current: cur, Previous: prev}
	for i := 1; i < len(current); i++ {
		c := FunnelStepComparison{
			From: current[i-1].Stage, To: current[i].Stage,
			Current: cur.Steps[i].StepConversion, Previous: prev.Steps[i].StepConversion,
		}
		z, p, reason := twoProportionZ(current[i].Count, current[i-1].Count, previous[i].Count, previous[i-1].Count)
		if reason != "" {
			c.Z, c.PValue, c.Verdict = NA(reason), NA(reason), "n/a"
		} else {
			c.Z, c.PValue = Float(z), Float(p)
			c.Significant = p < FunnelSignificanceLevel
			c.Verdict = "not significant"
			if c.Significant {
				c.Verdict = "significant"
			}
		}
		if a, ok := c.Current.Get(); ok {
			if b, ok := c.Previous.Get(); ok {
				c.Change = Float(a - b)
			}
		}
		if c.Change.Value == nil {
			c.Change = NA("no entrants")
		}
		res.Steps = append(res.Steps, c)
	}
	return res, nil
}

// twoProportionZ returns the pooled z statistic and two-sided p-value for
// x1/n1 versus x2/n2, or a reason why the test does not apply.
func twoProportionZ(x1, n1, x2, n2 int) (z, p float64, reason string) {
	if n1 == 0 || n2 == 0 {
		return 0, 0, "no entrants"
	}
	if x1 > n1 || x2 > n2 {
		return 0, 0, "stage count exceeds previous stage"
	}
	p1 := float64(x1) / float64(n1)
	p2 := float64(x2) / float64(n2)
	pool := float64(x1+x2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 0, 0, "no variation"
	}
	z = (p1 - p2) / se
	p = 2 * distuv.UnitNormal.Survival(math.Abs(z))
	return z, p, ""
}

// DayCount is the number of events on one local calendar day.
type DayCount struct {
	// Date is the local calendar day, "YYYY-MM-DD".
	Date  string `json:"date"`
	Count int    `json:"count"`
}

// maxDays bounds DailyCounts' output (about 100 years).
const maxDays = 36600

// DailyCounts buckets event timestamps into calendar days in loc over the
// period p = [From, To). It returns one DayCount per local day from the day
// of p.From to the day of the last instant before p.To, including days
// with no events; events outside p are not counted, so the counts sum to
// the number of events in p. An event at 00:30 local time is counted on
// that local day, whatever its UTC date. Days follow loc's calendar, so a
// daylight-saving change gives a 23- or 25-hour day, not a shifted bucket.
//
// It returns an *InputError for a nil loc, the error of p.Validate
// (ErrInvalidPeriod), and an *InputError when p spans more than 36,600 days.
//
// Source: the seed document, section 4.4 (funnel counts per period).
func DailyCounts(events []time.Time, p Period, loc *time.Location) ([]DayCount, error) {
	if loc == nil {
		return nil, &InputError{Row: -1, Field: "loc", Err: errors.New("nil location")}
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("daily counts: %w", err)
	}
	if p.Days() > maxDays {
		return nil, &InputError{Row: -1, Field: "period", Err: fmt.Errorf("longer than %d days", maxDays)}
	}
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	first, last := day(p.From), day(p.To.Add(-time.Nanosecond))
	var out []DayCount
	index := make(map[string]int)
	for d := first; !d.After(last); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		key := d.Format(time.DateOnly)
		index[key] = len(out)
		out = append(out, DayCount{Date: key})
	}
	for _, e := range events {
		if !p.Contains(e) {
			continue
		}
		out[index[e.In(loc).Format(time.DateOnly)]].Count++
	}
	return out, nil
}

// FunnelEvent is one tracked event: a session reaching a stage at a time.
type FunnelEvent struct {
	SessionID string    `json:"session_id"`
	Stage     string    `json:"stage"`
	At        time.Time `json:"at"`
}

// FunnelFromEvents counts, per stage, the sessions that reached it in
// order within a conversion window, for use with Funnel.
//
// A session enters the funnel at t₀, its earliest event of stages[0]. It
// counts at stage i ≥ 1 when it has events of stages 1..i at times
// t₁ ≤ t₂ ≤ … ≤ t_i (each stage reached no earlier than the previous one)
// with t_i − t₀ ≤ window; each t_j is taken as the earliest qualifying
// event, which finds a sequence whenever one exists. So a session counts at
// stage i only if it reached all previous stages, in order, within window
// of its first-stage event; counts therefore never increase along the
// funnel. A window of 0 means no limit. Sessions without a first-stage
// event, and events of stages not listed, are ignored.
//
// It returns ErrNoData for no stages and an *InputError for a negative
// window, an empty or repeated stage name, or an event with an empty
// SessionID.
//
// Source: the seed document, section 4.4 (funnel stages); the ordered,
// windowed definition follows the closed-funnel convention of web
// analytics tools.
func FunnelFromEvents(events []FunnelEvent, stages []string, window time.Duration) ([]StageCount, error) {
	if len(stages) == 0 {
		return nil, fmt.Errorf("funnel from events: %w", ErrNoData)
	}
	if window < 0 {
		return nil, &InputError{Row: -1, Field: "window", Err: ErrNegative}
	}
	pos := make(map[string]int, len(stages))
	for i, s := range stages {
		if s == "" {
			return nil, &InputError{Row: i, Field: "stage", Err: errors.New("empty stage name")}
		}
		if _, ok := pos[s]; ok {
			return nil, &InputError{Row: i, Field: "stage", Err: fmt.Errorf("repeated stage %q", s)}
		}
		pos[s] = i
	}
	type hit struct {
		session string
		stage   int
		at      time.Time
	}
	hits := make([]hit, 0, len(events))
	for i, e := range events {
		if e.SessionID == "" {
			return nil, &InputError{Row: i, Field: "session_id", Err: errors.New("empty session id")}
		}
		if k, ok := pos[e.Stage]; ok {
			hits = append(hits, hit{e.SessionID, k, e.At})
		}
	}
	// Per session in time order; at equal times the earlier stage first, so
	// stages recorded at the same instant still chain.
	slices.SortFunc(hits, func(a, b hit) int {
		if c := strings.Compare(a.session, b.session); c != 0 {
			return c
		}
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.stage, b.stage)
	})
	out := make([]StageCount, len(stages))
	for i, s := range stages {
		out[i].Stage = s
	}
	for lo := 0; lo < len(hits); {
		hi := lo + 1
		for hi < len(hits) && hits[hi].session == hits[lo].session {
			hi++
		}
		// Scan from the first first-stage event t₀: the next event of the
		// wanted stage is the earliest one no earlier than the previous
		// stage's.
		next := 0
		var t0 time.Time
		for _, h := range hits[lo:hi] {
			if next > 0 && window > 0 && h.at.Sub(t0) > window {
				break
			}
			if h.stage != next {
				continue
			}
			if next == 0 {
				t0 = h.at
			}
			out[next].Count++
			if next++; next == len(stages) {
				break
			}
		}
		lo = hi
	}
	return out, nil
}
