package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestSegmentationFeatures(t *testing.T) {
	cs := []CustomerFeatures{
		// Revenue £99 over 3 invoices, £9 returned.
		{CustomerID: "a", RecencyDays: 10, Frequency: 3, Revenue: 9900, Returns: -900, TenureDays: 200},
		{CustomerID: "b", RecencyDays: 300, Frequency: 1, Revenue: 2000, TenureDays: 300, Sentiment: Float(-0.5), Feedback: 2},
		{CustomerID: "c", RecencyDays: 5, Frequency: 0, Revenue: 0, Returns: -500, TenureDays: 40, Sentiment: Float(0.7), Feedback: 1},
	}
	fm, notes, err := SegmentationFeatures(cs)
	if err != nil {
		t.Fatalf("SegmentationFeatures error: %v", err)
	}
	wantCols := []string{"recency_days", "frequency", "monetary", "tenure_days", "avg_basket", "return_rate", "sentiment"}
	if !slices.Equal(fm.Columns, wantCols) {
		t.Fatalf("columns = %v; want %v", fm.Columns, wantCols)
	}
	want := [][]float64{
		// log1p(3), log1p(90), avg basket £33, return rate 9/99, sentiment = mean(−0.5, 0.7) = 0.1
		{10, math.Log(4), math.Log(91), 200, math.Log(34), 9.0 / 99, 0.1},
		{300, math.Log(2), math.Log(21), 300, math.Log(21), 0, -0.5},
		// net −£5 is clamped to 0; no revenue: avg basket 0, return rate 0.
		{5, 0, 0, 40, 0, 0, 0.7},
	}
	for i, r := range want {
		for j, v := range r {
			if math.Abs(fm.Rows[i][j]-v) > 1e-12 {
				t.Errorf("row %d %s = %v; want %v", i, fm.Columns[j], fm.Rows[i][j], v)
			}
		}
	}
	if len(notes) != 2 || notes[1] != "sentiment: mean feedback sentiment of the 2 of 3 customers with feedback; the others get their mean (z = 0)" {
		t.Errorf("notes = %q; want the transform and the sentiment imputation", notes)
	}

	t.Run("NoFeedback", func(t *testing.T) {
		fm, notes, err := SegmentationFeatures(cs[:1])
		if err != nil {
			t.Fatal(err)
		}
		if len(fm.Columns) != 6 || slices.Contains(fm.Columns, "sentiment") {
			t.Errorf("columns = %v; want 6 without sentiment", fm.Columns)
		}
		if notes[1] != "sentiment left out: no customer in the selection has feedback" {
			t.Errorf("notes[1] = %q; want the sentiment column said to be left out", notes[1])
		}
	})
	t.Run("Errors", func(t *testing.T) {
		var ie *InputError
		if _, _, err := SegmentationFeatures(nil); !errors.Is(err, ErrNoData) {
			t.Errorf("SegmentationFeatures(nil) error = %v; want ErrNoData", err)
		}
		if _, _, err := SegmentationFeatures([]CustomerFeatures{{CustomerID: "x"}, {}}); !errors.As(err, &ie) || ie.Row != 1 {
			t.Errorf("SegmentationFeatures(empty id at row 1) error = %v; want an InputError on row 1", err)
		}
	})
}

func TestValueTiers(t *testing.T) {
	tests := []struct {
		in   []float64
		want []string
	}{
		{[]float64{5, 1, 7, 3, 2, 6, 4}, []string{"top", "low", "top", "mid", "low", "top", "mid"}},
		{[]float64{1, 2, 3}, []string{"low", "mid", "top"}},
		// Ties keep input order: the first 2 takes the better tier.
		{[]float64{2, 2, 2}, []string{"top", "mid", "low"}},
		{[]float64{math.NaN(), 1}, []string{"mid", "top"}},
		{nil, []string{}},
	}
	for _, tt := range tests {
		if got := ValueTiers(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("ValueTiers(%v) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func ExampleValueTiers() {
	clv := []float64{120, 15, 480, 60, 33, 250}
	fmt.Println(ValueTiers(clv))
	// Output:
	// [mid low top mid low top]
}

func ExampleSegmentationFeatures() {
	fm, notes, _ := SegmentationFeatures([]CustomerFeatures{
		{CustomerID: "12347", RecencyDays: 2, Frequency: 7, Revenue: 431000, TenureDays: 367},
		{CustomerID: "12348", RecencyDays: 75, Frequency: 4, Revenue: 179724, TenureDays: 358},
	})
	fmt.Println(fm.Columns)
	fmt.Printf("%.3f\n", fm.Rows[0])
	fmt.Println(notes[1])
	// Output:
	// [recency_days frequency monetary tenure_days avg_basket return_rate]
	// [2.000 2.079 8.369 367.000 6.424 0.000]
	// sentiment left out: no customer in the selection has feedback
}

// BenchmarkChooseKCustomers4339 is segment_customers without k on a
// customer base the size of cleaned Online Retail (4,339 customers, seeded
// heavy-tailed features): SegmentationFeatures, then ChooseK over k = 2..8
// with 10 k-means++ restarts each and exact silhouettes.
func BenchmarkChooseKCustomers4339(b *testing.B) {
	rng := rand.New(rand.NewPCG(4339, 1))
	cs := make([]CustomerFeatures, 4339)
	for i := range cs {
		f := 1 + int(rng.ExpFloat64()*4)
		cs[i] = CustomerFeatures{CustomerID: fmt.Sprint(i), RecencyDays: rng.IntN(374), Frequency: f,
			Revenue: Money(float64(f) * rng.ExpFloat64() * 40000), Returns: -Money(rng.ExpFloat64() * 2000), TenureDays: 200 + rng.IntN(174)}
	}
	var k int
	for b.Loop() {
		fm, _, err := SegmentationFeatures(cs)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := ChooseK(fm, 2, 8, MethodKMeans, KMeansOptions{Seed: 7})
		if err != nil {
			b.Fatal(err)
		}
		k = ch.Best.K
	}
	b.ReportMetric(float64(k), "k")
}

// TestCustomerFeatureTerms_ReturnRate: a cluster whose profile is a high
// return rate and low spend is named for its return rate, never
// "returning" (which reads as repeat buyers).
func TestCustomerFeatureTerms_ReturnRate(t *testing.T) {
	p := SegmentProfile{
		Columns:  []string{FeatureRecency, FeatureFrequency, FeatureMonetary, FeatureReturnRate},
		Clusters: []ClusterProfile{{Relative: []float64{0.1, -0.2, -0.8, 2.4}}, {Relative: []float64{0, 1.2, 0.9, -0.6}}},
	}
	got := NameClusters(p, CustomerFeatureTerms)
	if got[0] != "high-return-rate low-spend" || got[1] != "frequent high-value" {
		t.Errorf("NameClusters(return-rate clusters) = %q; want [high-return-rate low-spend, frequent high-value]", got)
	}
	for _, n := range got {
		if strings.Contains(n, "returning") {
			t.Errorf("cluster name %q says returning for a return rate", n)
		}
	}
}
