package analytics

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// RFMLevels is the number of score levels per RFM dimension: scores run
// from 1 to RFMLevels (quintiles).
const RFMLevels = 5

// RFMInput is one customer's raw recency, frequency and monetary values.
type RFMInput struct {
	CustomerID string `json:"customer_id"`
	// RecencyDays is the number of whole days (24 h) from the customer's
	// last purchase to the as-of time.
	RecencyDays int `json:"recency_days"`
	// Frequency is the number of distinct purchase occasions (invoices).
	Frequency int `json:"frequency"`
	// Monetary is the customer's net spend (purchases minus returns), in
	// minor currency units. It may be zero or negative.
	Monetary Money `json:"monetary"`
}

// RFMInputs derives each customer's RFM inputs from orders as of asOf:
//
//	RecencyDays = ⌊(asOf − last purchase) / 24 h⌋
//	Frequency   = number of distinct OrderIDs among purchases (IsReturn false)
//	Monetary    = Σ Amount over purchases and returns (net of returns)
//
// Orders dated after asOf are ignored. Returns (IsReturn set, Amount ≤ 0)
// count towards Monetary only; they never add to Frequency or move the last
// purchase. A purchase with an empty OrderID counts as its own occasion.
// Customers whose net Monetary is zero or negative are kept; a customer
// with returns but no purchase up to asOf has no recency and is left out.
// The result is sorted by CustomerID.
//
// It returns an *InputError for an empty CustomerID, a purchase with a
// negative Amount (ErrNegative) or a return with a positive Amount, and
// ErrNoData when no customer has a purchase up to asOf.
//
// Source: the seed document, section 4.3 (RFM model).
func RFMInputs(orders []Order, asOf time.Time) ([]RFMInput, error) {
	type acc struct {
		last     time.Time
		buys     bool
		occasion map[string]struct{}
		unnamed  int
		net      Money
	}
	by := make(map[string]*acc)
	for i, o := range orders {
		if o.CustomerID == "" {
			return nil, &InputError{Row: i, Field: "customer_id", Err: errors.New("empty customer id")}
		}
		if o.IsReturn && o.Amount > 0 {
			return nil, &InputError{Row: i, Field: "amount", Err: errors.New("return with positive amount")}
		}
		if !o.IsReturn && o.Amount < 0 {
			return nil, &InputError{Row: i, Field: "amount", Err: ErrNegative}
		}
		if o.At.After(asOf) {
			continue
		}
		a := by[o.CustomerID]
		if a == nil {
			a = &acc{occasion: make(map[string]struct{})}
			by[o.CustomerID] = a
		}
		a.net += o.Amount
		if o.IsReturn {
			continue
		}
		if !a.buys || o.At.After(a.last) {
			a.last = o.At
		}
		a.buys = true
		if o.OrderID == "" {
			a.unnamed++
		} else {
			a.occasion[o.OrderID] = struct{}{}
		}
	}
	out := make([]RFMInput, 0, len(by))
	for id, a := range by {
		if !a.buys {
			continue
		}
		out = append(out, RFMInput{
			CustomerID:  id,
			RecencyDays: int(asOf.Sub(a.last) / (24 * time.Hour)),
			Frequency:   len(a.occasion) + a.unnamed,
			Monetary:    a.net,
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("rfm inputs as of %s: %w", asOf.Format(time.RFC3339), ErrNoData)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CustomerID < out[j].CustomerID })
	return out, nil
}

// RFMSegment names a customer segment of the RFM segment map.
type RFMSegment string

// The standard RFM segment names.
const (
	SegmentChampions          RFMSegment = "champions"
	SegmentLoyal              RFMSegment = "loyal"
	SegmentPotentialLoyalists RFMSegment = "potential_loyalists"
	SegmentNew                RFMSegment = "new"
	SegmentPromising          RFMSegment = "promising"
	SegmentNeedAttention      RFMSegment = "need_attention"
	SegmentAboutToSleep       RFMSegment = "about_to_sleep"
	SegmentAtRisk             RFMSegment = "at_risk"
	SegmentCantLoseThem       RFMSegment = "cant_lose_them"
	SegmentHibernating        RFMSegment = "hibernating"
	SegmentLost               RFMSegment = "lost"
)

// RFMSegmentRule assigns Segment to customers whose R score lies in
// [RMin, RMax] and whose FM score lies in [FMMin, FMMax] (inclusive). The FM
// score combines frequency and monetary scores: FM = ⌊(F + M + 1) / 2⌋, the
// mean of F and M rounded half up.
type RFMSegmentRule struct {
	Segment RFMSegment `json:"segment"`
	RMin    int        `json:"r_min"`
	RMax    int        `json:"r_max"`
	FMMin   int        `json:"fm_min"`
	FMMax   int        `json:"fm_max"`
}

// DefaultRFMSegments returns a fresh copy of the default segment map, which
// callers may edit and pass in RFMConfig.Segments. It tiles the 5×5 grid of
// R score (rows) × FM score (columns) exactly once:
//
//	      FM=1            FM=2            FM=3            FM=4            FM=5
//	R=5   new             potential_loy.  potential_loy.  champions       champions
//	R=4   promising       potential_loy.  potential_loy.  loyal           loyal
//	R=3   about_to_sleep  about_to_sleep  need_attention  loyal           loyal
//	R=2   hibernating     hibernating     at_risk         at_risk         cant_lose_them
//	R=1   lost            lost            at_risk         at_risk         cant_lose_them
//
// It is the widely used R × F segment grid of RFM tutorials (the
// non-overlapping form of Putler's RFM segment table, whose names it uses),
// read with the combined FM score in place of F, and with the low-recency,
// low-value corner split into hibernating (R 2) and lost (R 1).
//
// Source: the seed document, section 4.3 (RFM model); segment names and
// layout after Putler, "RFM Analysis For Successful Customer Segmentation".
func DefaultRFMSegments() []RFMSegmentRule {
	return []RFMSegmentRule{
		{SegmentChampions, 5, 5, 4, 5},
		{SegmentLoyal, 3, 4, 4, 5},
		{SegmentPotentialLoyalists, 4, 5, 2, 3},
		{SegmentNew, 5, 5, 1, 1},
		{SegmentPromising, 4, 4, 1, 1},
		{SegmentNeedAttention, 3, 3, 3, 3},
		{SegmentAboutToSleep, 3, 3, 1, 2},
		{SegmentAtRisk, 1, 2, 3, 4},
		{SegmentCantLoseThem, 1, 2, 5, 5},
		{SegmentHibernating, 2, 2, 1, 2},
		{SegmentLost, 1, 1, 1, 2},
	}
}

// RFMSegmentOf returns the segment of the rule that contains (r, fm), and
// false when no rule does. The first matching rule wins.
func RFMSegmentOf(rules []RFMSegmentRule, r, fm int) (RFMSegment, bool) {
	for _, rule := range rules {
		if r >= rule.RMin && r <= rule.RMax && fm >= rule.FMMin && fm <= rule.FMMax {
			return rule.Segment, true
		}
	}
	return "", false
}

// ValidateRFMSegments checks that rules cover every (R, FM) score pair in
// 1..RFMLevels exactly once. It returns an *InputError naming the first
// rule at fault (an empty name or a range outside 1..RFMLevels) or, for a
// gap or overlap, the score pair (Row -1).
func ValidateRFMSegments(rules []RFMSegmentRule) error {
	if len(rules) == 0 {
		return &InputError{Row: -1, Field: "segments", Err: ErrNoData}
	}
	for i, rule := range rules {
		if rule.Segment == "" {
			return &InputError{Row: i, Field: "segment", Err: errors.New("empty segment name")}
		}
		if rule.RMin < 1 || rule.RMax > RFMLevels || rule.RMin > rule.RMax ||
			rule.FMMin < 1 || rule.FMMax > RFMLevels || rule.FMMin > rule.FMMax {
			return &InputError{Row: i, Field: "range", Err: fmt.Errorf("score range outside 1..%d", RFMLevels)}
		}
	}
	for r := 1; r <= RFMLevels; r++ {
		for fm := 1; fm <= RFMLevels; fm++ {
			n := 0
			for _, rule := range rules {
				if r >= rule.RMin && r <= rule.RMax && fm >= rule.FMMin && fm <= rule.FMMax {
					n++
				}
			}
			if n != 1 {
				return &InputError{Row: -1, Field: "segments",
					Err: fmt.Errorf("R %d, FM %d is covered by %d rules; want 1", r, fm, n)}
			}
		}
	}
	return nil
}

// RFMConfig configures ScoreRFM. The zero value uses DefaultRFMSegments.
type RFMConfig struct {
	// Segments maps (R, FM) scores to segment names; nil means
	// DefaultRFMSegments. It must pass ValidateRFMSegments.
	Segments []RFMSegmentRule
}

// RFMScore is one customer's scores and segment.
type RFMScore struct {
	RFMInput
	R int `json:"r"`
	F int `json:"f"`
	M int `json:"m"`
	// FM = ⌊(F + M + 1) / 2⌋, the score the segment map uses.
	FM int `json:"fm"`
	// Score = R×100 + F×10 + M, e.g. 545.
	Score   int        `json:"score"`
	Segment RFMSegment `json:"segment"`
}

// RFMBin describes the raw values that received one score in one
// dimension: Min and Max are the smallest and largest values observed with
// that score (days for recency, occasions for frequency, minor currency
// units for monetary). They are the bin edges of this data set.
type RFMBin struct {
	Score     int     `json:"score"`
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	Customers int     `json:"customers"`
}

// RFMThresholds lists, per dimension, the bins in use, ordered by score.
// Scores no customer received are absent.
type RFMThresholds struct {
	Recency   []RFMBin `json:"recency"`
	Frequency []RFMBin `json:"frequency"`
	Monetary  []RFMBin `json:"monetary"`
}

// RFMSegmentSummary is one segment's size and revenue.
type RFMSegmentSummary struct {
	Segment   RFMSegment `json:"segment"`
	Customers int        `json:"customers"`
	// CustomerShare is Customers / all customers (a fraction).
	CustomerShare float64 `json:"customer_share"`
	// Revenue is the segment's net Monetary sum, minor currency units.
	Revenue Money `json:"revenue"`
	// RevenueShare is Revenue / total net revenue; not available when the
	// total is zero or negative. Shares of a segment with net returns are
	// negative.
	RevenueShare NullFloat `json:"revenue_share"`
}

// RFMResult is the outcome of ScoreRFM.
type RFMResult struct {
	// Customers are in input order.
	Customers  []RFMScore    `json:"customers"`
	Thresholds RFMThresholds `json:"thresholds"`
	// Segments has one entry per rule of the segment map, in rule order,
	// including empty segments.
	Segments []RFMSegmentSummary `json:"segments"`
	// Warnings explain degenerate scoring, e.g. ties that leave fewer than
	// five scores in use.
	Warnings []string `json:"warnings,omitempty"`
}

// ScoreRFM scores each customer 1..5 on recency (R), frequency (F) and
// monetary value (M) by rank-based quintiles, combines them as
//
//	score = R×100 + F×10 + M
//
// and assigns a segment from the (R, FM) segment map.
//
// Binning: for a dimension, let b be the number of customers strictly worse
// than this one (R: strictly more RecencyDays, so more recent scores
// higher; F: strictly fewer occasions; M: strictly less net spend) and n the
// number of customers. Then
//
//	score = 1 + ⌊5·b / n⌋
//
// i.e. the quintile of the customer's lowest rank position (pandas
// rank(method="min")). Without ties this gives exact quintiles (n = 10 →
// 1,1,2,2,3,3,4,4,5,5). Equal values always share a score, and a tie group
// straddling a quintile edge takes the lower bin, so the lowest value always
// scores 1. When ties collapse bins (e.g. most customers bought once) some
// scores go unused: the dimension falls back to fewer bins, and Warnings
// says so. A single customer, or a dimension where all values are equal,
// scores 1 throughout (with a warning: there is no spread to rank).
// The bins actually used are returned in Thresholds.
//
// It returns ErrNoData for empty in, and an *InputError for a negative
// RecencyDays or Frequency (ErrNegative) or an invalid cfg.Segments.
//
// Source: the seed document, section 4.3 (RFM model: score = R·10² + F·10 + M).
func ScoreRFM(in []RFMInput, cfg RFMConfig) (RFMResult, error) {
	if len(in) == 0 {
		return RFMResult{}, fmt.Errorf("score rfm: %w", ErrNoData)
	}
	rules := cfg.Segments
	if rules == nil {
		rules = DefaultRFMSegments()
	} else if err := ValidateRFMSegments(rules); err != nil {
		return RFMResult{}, fmt.Errorf("score rfm: %w", err)
	}
	n := len(in)
	rec := make([]float64, n)
	freq := make([]float64, n)
	mon := make([]float64, n)
	for i, c := range in {
		if c.RecencyDays < 0 {
			return RFMResult{}, &InputError{Row: i, Field: "recency_days", Err: ErrNegative}
		}
		if c.Frequency < 0 {
			return RFMResult{}, &InputError{Row: i, Field: "frequency", Err: ErrNegative}
		}
		// Recency ranks by recentness: fewer days is better.
		rec[i] = -float64(c.RecencyDays)
		freq[i] = float64(c.Frequency)
		mon[i] = float64(c.Monetary)
	}
	rs := quintileScores(rec)
	fs := quintileScores(freq)
	ms := quintileScores(mon)

	var res RFMResult
	res.Customers = make([]RFMScore, n)
	segIdx := make(map[RFMSegment]int, len(rules))
	res.Segments = make([]RFMSegmentSummary, 0, len(rules))
	for _, rule := range rules {
		if _, ok := segIdx[rule.Segment]; ok {
			continue
		}
		segIdx[rule.Segment] = len(res.Segments)
		res.Segments = append(res.Segments, RFMSegmentSummary{Segment: rule.Segment})
	}
	var total Money
	for i, c := range in {
		fm := (fs[i] + ms[i] + 1) / 2
		seg, _ := RFMSegmentOf(rules, rs[i], fm) // rules tile the grid
		res.Customers[i] = RFMScore{
			RFMInput: c, R: rs[i], F: fs[i], M: ms[i], FM: fm,
			Score: rs[i]*100 + fs[i]*10 + ms[i], Segment: seg,
		}
		s := &res.Segments[segIdx[seg]]
		s.Customers++
		s.Revenue += c.Monetary
		total += c.Monetary
	}
	for i := range res.Segments {
		s := &res.Segments[i]
		s.CustomerShare = float64(s.Customers) / float64(n)
		if total > 0 {
			s.RevenueShare = Float(float64(s.Revenue) / float64(total))
		} else {
			s.RevenueShare = NA("total net revenue is not positive")
		}
	}

	for _, d := range []struct {
		name   string
		vals   []float64
		scores []int
		sign   float64
		dst    *[]RFMBin
	}{
		{"recency", rec, rs, -1, &res.Thresholds.Recency},
		{"frequency", freq, fs, 1, &res.Thresholds.Frequency},
		{"monetary", mon, ms, 1, &res.Thresholds.Monetary},
	} {
		*d.dst = rfmBins(d.vals, d.scores, d.sign)
		if w := rfmWarning(d.name, *d.dst, n); w != "" {
			res.Warnings = append(res.Warnings, w)
		}
	}
	return res, nil
}

// quintileScores returns 1 + ⌊5·b/n⌋ for each value, b being the number of
// values strictly smaller.
func quintileScores(v []float64) []int {
	n := len(v)
	sorted := slices.Clone(v)
	slices.Sort(sorted)
	out := make([]int, n)
	for i, x := range v {
		b, _ := slices.BinarySearch(sorted, x) // first index with sorted[b] >= x
		out[i] = 1 + RFMLevels*b/n
	}
	return out
}

// rfmBins summarises the values per score; sign converts stored values back
// to their raw unit (recency is stored negated).
func rfmBins(v []float64, scores []int, sign float64) []RFMBin {
	var bins [RFMLevels + 1]*RFMBin
	for i, x := range v {
		raw := sign * x
		b := bins[scores[i]]
		if b == nil {
			bins[scores[i]] = &RFMBin{Score: scores[i], Min: raw, Max: raw, Customers: 1}
			continue
		}
		b.Min = min(b.Min, raw)
		b.Max = max(b.Max, raw)
		b.Customers++
	}
	var out []RFMBin
	for _, b := range bins {
		if b != nil {
			out = append(out, *b)
		}
	}
	return out
}

func rfmWarning(name string, bins []RFMBin, n int) string {
	if len(bins) == RFMLevels {
		return ""
	}
	used := make([]string, len(bins))
	for i, b := range bins {
		used[i] = fmt.Sprint(b.Score)
	}
	switch {
	case len(bins) == 1:
		return fmt.Sprintf("%s: all %d customers have the same value, so it cannot rank them; everyone scores 1", name, n)
	case n < RFMLevels:
		return fmt.Sprintf("%s: %d customers cannot fill %d scores; scores in use: %s",
			name, n, RFMLevels, strings.Join(used, ", "))
	}
	return fmt.Sprintf("%s: ties leave %d of %d scores in use (%s); equal values share a score",
		name, len(bins), RFMLevels, strings.Join(used, ", "))
}
