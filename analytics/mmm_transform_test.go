package analytics

import (
	"math"
	"testing"
)

func TestMMMTransforms_Hand(t *testing.T) {
	// Weibull with shape 1 is exponential: weights ∝ e^(−(l+1)/λ); λ = 2,
	// L = 3 gives e^−0.5, e^−1, e^−1.5 over their sum 1.19754.
	w, err := WeibullAdstockWeights(1, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{0.50648, 0.30720, 0.18632} {
		if math.Abs(w[i]-want) > 5e-5 {
			t.Errorf("Weibull weight %d = %.5f; want %.5f", i, w[i], want)
		}
	}
	// Shape 3, scale 3 peaks after the spend: the lag-1 and lag-2 weights
	// exceed lag 0 (pdf at 1, 2, 3: 0.1067, 0.3262, 0.3679 times k/λ…).
	w, _ = WeibullAdstockWeights(3, 3, 4)
	if !(w[2] > w[0] && w[1] > w[0]) {
		t.Errorf("Weibull(3,3) weights = %v; want a delayed peak", w)
	}
	for _, tc := range []struct{ x, k, s, want float64 }{
		{1, 1, 2, 0.5}, {2, 1, 2, 0.8}, {0, 1, 2, 0}, {0.5, 1, 1, 1.0 / 3},
	} {
		if got := HillSaturationValue(tc.x, tc.k, tc.s); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Hill(%v; K=%v, S=%v) = %v; want %v", tc.x, tc.k, tc.s, got, tc.want)
		}
	}
	// Logistic: (1 − e^−2)/(1 + e^−2) = 0.761594 at λx = 2.
	if got := LogisticSaturationValue(0.5, 4); math.Abs(got-0.7615941559557649) > 1e-12 {
		t.Errorf("logistic(0.5; λ=4) = %v; want 0.761594", got)
	}
	if _, err := GeometricAdstockWeights(1, 4); err == nil {
		t.Error("GeometricAdstockWeights(α=1) succeeded; want an error")
	}
	if _, err := WeibullAdstockWeights(0, 2, 4); err == nil {
		t.Error("WeibullAdstockWeights(shape 0) succeeded; want an error")
	}
}

func TestFitMMM_WeibullHill(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	weeks, c := readMMMCSV(t, "mmm_example.csv", "date_week")
	in := MMMInput{Weeks: weeks, Outcome: c["y"],
		Media:  []MMMSeries{{"x1", c["x1"]}, {"x2", c["x2"]}},
		Events: []MMMSeries{{"event_1", c["event_1"]}, {"event_2", c["event_2"]}}}
	fit, err := FitMMM(in, MMMConfig{Adstock: WeibullAdstock, Saturation: AutoSaturation, MaxLagWeeks: 8, TrendDegree: 1, Ridge: []float64{0}, Bootstrap: -1, NoHealth: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(fit.Candidates) != 2 || fit.Adstock != "weibull" {
		t.Fatalf("candidates %+v, adstock %s; want logistic and hill, weibull", fit.Candidates, fit.Adstock)
	}
	for _, ch := range fit.Channels {
		t.Logf("%s %+v ROAS %.1f", ch.Name, ch.Params, ch.ROAS.Value)
	}
	if fit.R2 < 0.8 {
		t.Errorf("R² = %.3f; want > 0.8", fit.R2)
	}
}

func TestGeometricAdstockRecursion(t *testing.T) {
	x := []float64{3, 0, 1, 7, 2, 0, 0, 5, 1, 4, 0, 9}
	for _, alpha := range []float64{0, 0.3, 0.85} {
		for _, L := range []int{1, 3, 8, 20} {
			w, _ := GeometricAdstockWeights(alpha, L)
			want := Adstock(x, w)
			got := make([]float64, len(x))
			geometricAdstockInto(got, x, alpha, L, 1)
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("α=%v L=%d week %d: recursion %v; convolution %v", alpha, L, i, got[i], want[i])
				}
			}
		}
	}
}
