package analytics

import (
	"errors"
	"math"
	"testing"
)

// expCurve is a(1 − e^(−s/b)): concave, marginal return (a/b)e^(−s/b).
func expCurve(a, b float64) ResponseFunc {
	return func(s float64) float64 { return a * (1 - math.Exp(-s/b)) }
}

func TestAllocateBudget_KnownOptimum(t *testing.T) {
	a := []float64{100, 200, 50}
	b := []float64{10, 30, 5}
	curves := []ResponseFunc{expCurve(a[0], b[0]), expCurve(a[1], b[1]), expCurve(a[2], b[2])}
	budget := 60.0
	// Equal marginal returns: (a_c/b_c)e^(−s_c/b_c) = λ, so
	// s_c = b_c ln(a_c/(b_c λ)) and Σ s_c = B gives
	// ln λ = (Σ b_c ln(a_c/b_c) − B) / Σ b_c.
	var num, den float64
	for c := range a {
		num += b[c] * math.Log(a[c]/b[c])
		den += b[c]
	}
	lnLambda := (num - budget) / den
	want := make([]float64, 3)
	for c := range a {
		want[c] = b[c] * (math.Log(a[c]/b[c]) - lnLambda)
	}
	// By hand: ln λ = (23.026 + 56.912 + 11.513 − 60)/45 = 0.69891, so
	// s = (16.04, 35.94, 8.02).
	if math.Abs(want[0]-16.04) > 0.01 || math.Abs(want[1]-35.94) > 0.01 || math.Abs(want[2]-8.02) > 0.01 {
		t.Fatalf("closed form = %v; want ≈ (16.04, 35.94, 8.02)", want)
	}
	bounds := []SpendBounds{{0, 60}, {0, 60}, {0, 60}}
	cur := []float64{20, 20, 20}
	got, err := AllocateBudget(curves, budget, bounds, cur)
	if err != nil {
		t.Fatal(err)
	}
	for c := range want {
		if math.Abs(got.Spend[c]-want[c]) > 1e-4 {
			t.Errorf("spend[%d] = %.5f; want %.5f", c, got.Spend[c], want[c])
		}
	}
	if s := allocSum(got.Spend); math.Abs(s-budget) > 1e-9 {
		t.Errorf("Σ spend = %v; want %v", s, budget)
	}
	if !(got.Uplift > 0) || math.Abs(got.Total-got.CurrentTotal-got.Uplift) > 1e-9 {
		t.Errorf("uplift = %v (total %v, current %v); want > 0", got.Uplift, got.Total, got.CurrentTotal)
	}

	t.Run("BindingBound", func(t *testing.T) {
		// Cap channel 1 at 25: it takes 25, the other two share 35 with
		// ln λ' = (b0 ln(a0/b0) + b2 ln(a2/b2) − 35)/(b0 + b2).
		bounds := []SpendBounds{{0, 60}, {0, 25}, {0, 60}}
		got, err := AllocateBudget(curves, budget, bounds, cur)
		if err != nil {
			t.Fatal(err)
		}
		l := (b[0]*math.Log(a[0]/b[0]) + b[2]*math.Log(a[2]/b[2]) - 35) / (b[0] + b[2])
		want := []float64{b[0] * (math.Log(a[0]/b[0]) - l), 25, b[2] * (math.Log(a[2]/b[2]) - l)}
		for c := range want {
			if math.Abs(got.Spend[c]-want[c]) > 1e-4 {
				t.Errorf("spend[%d] = %.5f; want %.5f", c, got.Spend[c], want[c])
			}
		}
	})
	t.Run("Infeasible", func(t *testing.T) {
		_, err := AllocateBudget(curves, 200, bounds, nil)
		if !errors.Is(err, ErrInfeasibleBudget) {
			t.Fatalf("error = %v; want ErrInfeasibleBudget", err)
		}
		_, err = AllocateBudget(curves, 10, []SpendBounds{{5, 6}, {5, 6}, {5, 6}}, nil)
		if !errors.Is(err, ErrInfeasibleBudget) {
			t.Fatalf("error = %v; want ErrInfeasibleBudget", err)
		}
		var ie *InputError
		_, err = AllocateBudget(curves, 10, []SpendBounds{{0, 6}, {7, 6}, {0, 6}}, nil)
		if !errors.As(err, &ie) || ie.Row != 1 {
			t.Fatalf("error = %v; want InputError on row 1", err)
		}
	})
}

func TestAllocateBudget_SShaped(t *testing.T) {
	// Two identical Hill curves s³/(s³+10³). With 8 to spend, splitting
	// 4/4 gives 2·64/1064 = 0.1203 but all on one channel gives
	// 512/1512 = 0.3386: an equal-marginal rule started from an even split
	// stays at 4/4; the optimum is a corner.
	hill := func(s float64) float64 { return HillSaturationValue(s, 10, 3) }
	got, err := AllocateBudget([]ResponseFunc{hill, hill}, 8, []SpendBounds{{0, 8}, {0, 8}}, []float64{4, 4})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(math.Max(got.Spend[0], got.Spend[1])-8) > 1e-9 {
		t.Errorf("spend = %v; want all 8 on one channel", got.Spend)
	}
	if math.Abs(got.Total-512.0/1512) > 1e-9 || math.Abs(got.CurrentTotal-128.0/1064) > 1e-9 {
		t.Errorf("total %v, current %v; want %v, %v", got.Total, got.CurrentTotal, 512.0/1512, 128.0/1064)
	}
	// With 20 to spend the split 10/10 (1.0) beats 20/0 (0.889).
	got, err = AllocateBudget([]ResponseFunc{hill, hill}, 20, []SpendBounds{{0, 20}, {0, 20}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Spend[0]-10) > 1e-3 || math.Abs(got.Total-1) > 1e-6 {
		t.Errorf("spend %v total %v; want 10/10 and 1.0", got.Spend, got.Total)
	}
}
