package analytics

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRFMInputs(t *testing.T) {
	asOf := time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)
	at := func(d, h, m int) time.Time { return time.Date(2011, 12, d, h, m, 0, 0, time.UTC) }
	orders := []Order{
		{OrderID: "o1", CustomerID: "A", At: at(1, 12, 0), Amount: 10000},
		{OrderID: "o2", CustomerID: "A", At: at(9, 6, 0), Amount: 5000},
		{OrderID: "o2", CustomerID: "A", At: at(9, 6, 0), Amount: 2000}, // same invoice
		{OrderID: "c1", CustomerID: "A", At: at(9, 20, 0), Amount: -3000, IsReturn: true},
		{OrderID: "o3", CustomerID: "B", At: time.Date(2011, 11, 30, 0, 0, 0, 0, time.UTC), Amount: 4000},
		{OrderID: "c2", CustomerID: "B", At: at(5, 0, 0), Amount: -6000, IsReturn: true},
		{OrderID: "c3", CustomerID: "C", At: at(5, 0, 0), Amount: -100, IsReturn: true},
		{OrderID: "o4", CustomerID: "D", At: at(11, 0, 0), Amount: 900}, // after asOf
		{OrderID: "o5", CustomerID: "D", At: at(8, 23, 59), Amount: 100},
	}
	got, err := RFMInputs(orders, asOf)
	if err != nil {
		t.Fatalf("RFMInputs: %v", err)
	}
	want := []RFMInput{
		{CustomerID: "A", RecencyDays: 0, Frequency: 2, Monetary: 14000},
		{CustomerID: "B", RecencyDays: 10, Frequency: 1, Monetary: -2000},
		{CustomerID: "D", RecencyDays: 1, Frequency: 1, Monetary: 100},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RFMInputs = %+v; want %+v", got, want)
	}

	t.Run("Errors", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			orders []Order
			row    int
			field  string
		}{
			{"EmptyCustomer", []Order{{OrderID: "x", At: asOf, Amount: 1}}, 0, "customer_id"},
			{"NegativePurchase", []Order{{OrderID: "x", CustomerID: "A", At: asOf, Amount: 1}, {OrderID: "y", CustomerID: "A", At: asOf, Amount: -1}}, 1, "amount"},
			{"PositiveReturn", []Order{{OrderID: "x", CustomerID: "A", At: asOf, Amount: 1, IsReturn: true}}, 0, "amount"},
		} {
			_, err := RFMInputs(tc.orders, asOf)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Row != tc.row || ie.Field != tc.field {
				t.Errorf("%s: RFMInputs error = %v; want InputError row %d field %s", tc.name, err, tc.row, tc.field)
			}
		}
		if _, err := RFMInputs(orders[6:7], asOf); !errors.Is(err, ErrNoData) {
			t.Errorf("RFMInputs(returns only) error = %v; want ErrNoData", err)
		}
	})
}

// rfmFixture has ties straddling every quintile edge (n = 10, edges between
// sorted positions 1|2, 3|4, 5|6, 7|8).
func rfmFixture() []RFMInput {
	return []RFMInput{
		{"c0", 0, 5, 60},
		{"c1", 90, 1, 10},
		{"c2", 5, 1, 20},
		{"c3", 5, 2, 50},
		{"c4", 10, 1, 30},
		{"c5", 10, 3, 40},
		{"c6", 20, 1, 20},
		{"c7", 20, 2, 30},
		{"c8", 40, 1, 40},
		{"c9", 40, 1, 50},
	}
}

func TestScoreRFM_TiesAtEveryEdge(t *testing.T) {
	res, err := ScoreRFM(rfmFixture(), RFMConfig{})
	if err != nil {
		t.Fatalf("ScoreRFM: %v", err)
	}
	// Hand-computed: score = 1 + ⌊5b/10⌋, b = number strictly worse.
	// Monetary 10,20,20,30,30,40,40,50,50,60 -> 1,1,1,2,2,3,3,4,4,5.
	// Recency days 0,5,5,10,10,20,20,40,40,90 -> 5,4,4,3,3,2,2,1,1,1.
	// Frequency 1×6,2,2,3,5 -> 1×6,4,4,5,5.
	want := []struct {
		r, f, m, fm, score int
		seg                RFMSegment
	}{
		{5, 5, 5, 5, 555, SegmentChampions},
		{1, 1, 1, 1, 111, SegmentLost},
		{4, 1, 1, 1, 411, SegmentPromising},
		{4, 4, 4, 4, 444, SegmentLoyal},
		{3, 1, 2, 2, 312, SegmentAboutToSleep},
		{3, 5, 3, 4, 353, SegmentLoyal},
		{2, 1, 1, 1, 211, SegmentHibernating},
		{2, 4, 2, 3, 242, SegmentAtRisk},
		{1, 1, 3, 2, 113, SegmentLost},
		{1, 1, 4, 3, 114, SegmentAtRisk},
	}
	for i, w := range want {
		c := res.Customers[i]
		if c.R != w.r || c.F != w.f || c.M != w.m || c.FM != w.fm || c.Score != w.score || c.Segment != w.seg {
			t.Errorf("ScoreRFM(%s) = R%d F%d M%d FM%d %d %s; want R%d F%d M%d FM%d %d %s",
				c.CustomerID, c.R, c.F, c.M, c.FM, c.Score, c.Segment, w.r, w.f, w.m, w.fm, w.score, w.seg)
		}
	}
	wantTh := RFMThresholds{
		Recency:   []RFMBin{{1, 40, 90, 3}, {2, 20, 20, 2}, {3, 10, 10, 2}, {4, 5, 5, 2}, {5, 0, 0, 1}},
		Frequency: []RFMBin{{1, 1, 1, 6}, {4, 2, 2, 2}, {5, 3, 5, 2}},
		Monetary:  []RFMBin{{1, 10, 20, 3}, {2, 30, 30, 2}, {3, 40, 40, 2}, {4, 50, 50, 2}, {5, 60, 60, 1}},
	}
	if !reflect.DeepEqual(res.Thresholds, wantTh) {
		t.Errorf("ScoreRFM thresholds = %+v; want %+v", res.Thresholds, wantTh)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "frequency: ties leave 3 of 5 scores in use (1, 4, 5)") {
		t.Errorf("ScoreRFM warnings = %q; want one frequency warning naming scores 1, 4, 5", res.Warnings)
	}
	// Segment summary: total net 350.
	wantSeg := map[RFMSegment]struct {
		n   int
		rev Money
	}{
		SegmentChampions: {1, 60}, SegmentLoyal: {2, 90}, SegmentPromising: {1, 20},
		SegmentAboutToSleep: {1, 30}, SegmentHibernating: {1, 20}, SegmentAtRisk: {2, 80}, SegmentLost: {2, 50},
	}
	if len(res.Segments) != 11 {
		t.Fatalf("ScoreRFM segments = %d entries; want 11", len(res.Segments))
	}
	for _, s := range res.Segments {
		w := wantSeg[s.Segment]
		share, _ := s.RevenueShare.Get()
		if s.Customers != w.n || s.Revenue != w.rev || math.Abs(share-float64(w.rev)/350) > 1e-12 ||
			math.Abs(s.CustomerShare-float64(w.n)/10) > 1e-12 {
			t.Errorf("segment %s = %d customers, revenue %d, share %v; want %d, %d, %g",
				s.Segment, s.Customers, s.Revenue, s.RevenueShare, w.n, w.rev, float64(w.rev)/350)
		}
	}
}

func TestScoreRFM_Quintiles(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{10, []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}},
		{7, []int{1, 1, 2, 3, 3, 4, 5}},
		{5, []int{1, 2, 3, 4, 5}},
		{2, []int{1, 3}},
	} {
		v := make([]float64, tc.n)
		for i := range v {
			v[i] = float64(i * 3)
		}
		if got := quintileScores(v); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("quintileScores(n=%d distinct) = %v; want %v", tc.n, got, tc.want)
		}
	}
}

func TestScoreRFM_Degenerate(t *testing.T) {
	t.Run("SingleCustomer", func(t *testing.T) {
		res, err := ScoreRFM([]RFMInput{{"x", 3, 2, 5000}}, RFMConfig{})
		if err != nil {
			t.Fatalf("ScoreRFM: %v", err)
		}
		c := res.Customers[0]
		if c.Score != 111 || c.Segment != SegmentLost || len(res.Warnings) != 3 {
			t.Errorf("ScoreRFM(one) = %d %s, %d warnings; want 111 lost, 3 warnings", c.Score, c.Segment, len(res.Warnings))
		}
	})
	t.Run("AllEqual", func(t *testing.T) {
		in := []RFMInput{{"a", 7, 2, 100}, {"b", 7, 2, 100}, {"c", 7, 2, 100}, {"d", 7, 2, 100}}
		res, err := ScoreRFM(in, RFMConfig{})
		if err != nil {
			t.Fatalf("ScoreRFM: %v", err)
		}
		for _, c := range res.Customers {
			if c.Score != 111 {
				t.Errorf("ScoreRFM(all equal)[%s] = %d; want 111", c.CustomerID, c.Score)
			}
		}
		if len(res.Thresholds.Monetary) != 1 || res.Thresholds.Monetary[0] != (RFMBin{1, 100, 100, 4}) {
			t.Errorf("ScoreRFM(all equal) monetary bins = %+v; want one bin {1 100 100 4}", res.Thresholds.Monetary)
		}
		if len(res.Warnings) != 3 {
			t.Errorf("ScoreRFM(all equal) warnings = %q; want 3", res.Warnings)
		}
	})
	t.Run("NonPositiveTotal", func(t *testing.T) {
		res, err := ScoreRFM([]RFMInput{{"a", 1, 1, 100}, {"b", 2, 1, -300}}, RFMConfig{})
		if err != nil {
			t.Fatalf("ScoreRFM: %v", err)
		}
		if res.Customers[1].M != 1 || res.Customers[0].M != 3 {
			t.Errorf("ScoreRFM M = %d, %d; want 3, 1", res.Customers[0].M, res.Customers[1].M)
		}
		for _, s := range res.Segments {
			if s.RevenueShare.Value != nil {
				t.Errorf("segment %s revenue share = %v; want n/a for total -200", s.Segment, s.RevenueShare)
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Errorf("json.Marshal(result) = %v; want valid JSON", err)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		if _, err := ScoreRFM(nil, RFMConfig{}); !errors.Is(err, ErrNoData) {
			t.Errorf("ScoreRFM(nil) error = %v; want ErrNoData", err)
		}
		var ie *InputError
		if _, err := ScoreRFM([]RFMInput{{"a", 1, 1, 1}, {"b", -1, 1, 1}}, RFMConfig{}); !errors.As(err, &ie) || ie.Row != 1 || ie.Field != "recency_days" {
			t.Errorf("ScoreRFM(negative recency) error = %v; want InputError row 1 recency_days", err)
		}
		bad := DefaultRFMSegments()[1:]
		if _, err := ScoreRFM(rfmFixture(), RFMConfig{Segments: bad}); !errors.As(err, &ie) {
			t.Errorf("ScoreRFM(gap in segments) error = %v; want InputError", err)
		}
	})
}

// TestScoreRFM_EqualValuesShareScores checks on random data with many ties
// that equal values always get equal scores and larger values never lower
// scores.
func TestScoreRFM_EqualValuesShareScores(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.Intn(40)
		in := make([]RFMInput, n)
		for i := range in {
			in[i] = RFMInput{CustomerID: string(rune('a' + i)), RecencyDays: rng.Intn(6), Frequency: 1 + rng.Intn(3), Monetary: Money(rng.Intn(8) * 100)}
		}
		res, err := ScoreRFM(in, RFMConfig{})
		if err != nil {
			t.Fatalf("ScoreRFM: %v", err)
		}
		for i, a := range res.Customers {
			for _, b := range res.Customers[i+1:] {
				check := func(name string, va, vb float64, sa, sb int) {
					if (va == vb && sa != sb) || (va < vb && sa > sb) || (va > vb && sa < sb) {
						t.Errorf("trial %d: %s(%g) = %d, %s(%g) = %d; want equal values equal, order kept", trial, name, va, sa, name, vb, sb)
					}
				}
				check("R", -float64(a.RecencyDays), -float64(b.RecencyDays), a.R, b.R)
				check("F", float64(a.Frequency), float64(b.Frequency), a.F, b.F)
				check("M", float64(a.Monetary), float64(b.Monetary), a.M, b.M)
			}
		}
	}
}

// TestDefaultRFMSegments checks exhaustively that every (R, F, M) in 1..5
// maps to exactly one segment and that all eleven names are used.
func TestDefaultRFMSegments(t *testing.T) {
	rules := DefaultRFMSegments()
	if err := ValidateRFMSegments(rules); err != nil {
		t.Fatalf("ValidateRFMSegments(default) = %v; want nil", err)
	}
	used := map[RFMSegment]int{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				fm := (f + m + 1) / 2
				n := 0
				for _, rule := range rules {
					if r >= rule.RMin && r <= rule.RMax && fm >= rule.FMMin && fm <= rule.FMMax {
						n++
						used[rule.Segment]++
					}
				}
				if n != 1 {
					t.Errorf("R%d F%d M%d matches %d rules; want 1", r, f, m, n)
				}
			}
		}
	}
	for _, s := range []RFMSegment{SegmentChampions, SegmentLoyal, SegmentPotentialLoyalists, SegmentNew,
		SegmentPromising, SegmentNeedAttention, SegmentAboutToSleep, SegmentAtRisk, SegmentCantLoseThem,
		SegmentHibernating, SegmentLost} {
		if used[s] == 0 {
			t.Errorf("segment %s is never assigned; want every standard segment reachable", s)
		}
	}
	for _, tc := range []struct {
		r, fm int
		want  RFMSegment
	}{
		{5, 5, SegmentChampions}, {4, 5, SegmentLoyal}, {5, 1, SegmentNew}, {4, 1, SegmentPromising},
		{5, 3, SegmentPotentialLoyalists}, {3, 3, SegmentNeedAttention}, {3, 2, SegmentAboutToSleep},
		{2, 4, SegmentAtRisk}, {1, 5, SegmentCantLoseThem}, {2, 2, SegmentHibernating}, {1, 1, SegmentLost},
	} {
		if got, _ := RFMSegmentOf(rules, tc.r, tc.fm); got != tc.want {
			t.Errorf("RFMSegmentOf(R%d, FM%d) = %s; want %s", tc.r, tc.fm, got, tc.want)
		}
	}
	t.Run("Overlap", func(t *testing.T) {
		bad := append(DefaultRFMSegments(), RFMSegmentRule{"extra", 1, 1, 1, 1})
		if err := ValidateRFMSegments(bad); err == nil {
			t.Errorf("ValidateRFMSegments(overlap) = nil; want error")
		}
	})
}
