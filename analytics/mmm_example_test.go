package analytics

import (
	"fmt"
	"math"
	"testing"
)

func ExampleGeometricAdstockWeights() {
	w, _ := GeometricAdstockWeights(0.5, 4)
	fmt.Printf("%.4f\n", w)
	fmt.Printf("%.4f\n", Adstock([]float64{8, 0, 0, 0, 0}, w))
	// Output:
	// [0.5333 0.2667 0.1333 0.0667]
	// [4.2667 2.1333 1.0667 0.5333 0.0000]
}

func ExampleAllocateBudget() {
	curve := func(a, b float64) ResponseFunc {
		return func(s float64) float64 { return a * (1 - math.Exp(-s/b)) }
	}
	got, _ := AllocateBudget(
		[]ResponseFunc{curve(100, 10), curve(200, 30)},
		40, []SpendBounds{{0, 40}, {0, 40}}, []float64{20, 20})
	// Closed form: s_c = b_c(ln(a_c/b_c) − ln λ), ln λ = (Σ b_c ln(a_c/b_c) − 40)/40 = 0.9985.
	fmt.Printf("spend %.2f, uplift %.2f (%.1f%%)\n", got.Spend, got.Uplift, 100*got.UpliftShare)
	// Output:
	// spend [13.04 26.96], uplift 7.65 (4.2%)
}

func TestFitMMM_ExampleData(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	weeks, c := readMMMCSV(t, "mmm_example.csv", "date_week")
	in := MMMInput{Weeks: weeks, Outcome: c["y"],
		Media:  []MMMSeries{{"x1", c["x1"]}, {"x2", c["x2"]}},
		Events: []MMMSeries{{"event_1", c["event_1"]}, {"event_2", c["event_2"]}}}
	// PyMC-Marketing's example notebook model: geometric adstock over
	// 8 weeks, logistic saturation.
	fit, err := FitMMM(in, MMMConfig{MaxLagWeeks: 8, Seed: 1, Bootstrap: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range fit.Channels {
		t.Logf("%s alpha %.3f lam %.3f beta %.1f ROAS %.1f [%.1f, %.1f] mROAS %.1f", ch.Name, ch.Params.Alpha, ch.Params.Lambda, ch.Params.Beta, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, ch.MarginalROAS.Value)
		if d := fit.Health.SeedROASChange[ch.Name]; d > 0.01 {
			t.Errorf("refit with seed %d moves ROAS %s by %.3f%%; want < 1%%", fit.Health.RefitSeed, ch.Name, 100*d)
		}
	}
	t.Logf("seed ROAS change %v", fit.Health.SeedROASChange)
	t.Logf("trend %d R² %.3f MAPE %.3f NRMSE %.3f verdict %s %v", fit.TrendDegree, fit.R2, fit.MAPE, fit.NRMSE, fit.Health.Verdict, fit.Health.Reasons)
	if fit.R2 < 0.8 {
		t.Errorf("R² = %.3f; want > 0.8", fit.R2)
	}
	if len(fit.Health.Folds) != 4 {
		t.Errorf("folds = %d; want 4", len(fit.Health.Folds))
	}
	// The allocator on the fitted curves never does worse than the current
	// mix (which is feasible) and keeps the budget and bounds.
	a, err := fit.Allocate(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("allocation %+v", a)
	if a.Uplift < -1e-9 {
		t.Errorf("uplift = %v; want ≥ 0", a.Uplift)
	}
	for i, s := range a.Spend {
		cur := fit.Channels[i].AvgWeeklySpend
		if s < 0.5*cur-1e-9 || s > 1.5*cur+1e-9 {
			t.Errorf("spend %s = %v outside [%v, %v]", fit.Channels[i].Name, s, 0.5*cur, 1.5*cur)
		}
	}
	if len(fit.LiftPriority) != 2 || fit.LiftPriority[0].Score < fit.LiftPriority[1].Score {
		t.Errorf("lift priority = %+v; want 2 channels, highest score first", fit.LiftPriority)
	}
}
