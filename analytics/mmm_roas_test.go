package analytics

import (
	"errors"
	"math"
	"testing"
)

// True ROAS of mmm_roas_data.csv from its ground-truth columns (PROVENANCE):
// Σ(y − y01)/Σx1 and Σ(y − y02)/Σx2.
const (
	trueROASx1 = 93.388
	trueROASx2 = 171.409
)

func roasInput(t testing.TB, withZ bool) (MMMInput, map[string][]float64) {
	t.Helper()
	weeks, c := readMMMCSV(t, "mmm_roas_data.csv", "date")
	in := MMMInput{Weeks: weeks, Outcome: c["y"],
		Media: []MMMSeries{{"x1", c["x1"]}, {"x2", c["x2"]}}}
	if withZ {
		in.Controls = []MMMSeries{{"z", c["z"]}}
	}
	return in, c
}

// roasConfig is the model used on mmm_roas_data.csv: a 4-week adstock
// window (the generating one: TestMMMTransforms_ROASData recovers it from
// the file's adstock columns), everything else at its default.
var roasConfig = MMMConfig{MaxLagWeeks: 4, Seed: 1, Bootstrap: 200}

func TestMMMTransforms_ROASData(t *testing.T) {
	_, c := roasInput(t, false)
	// The file's x1_adstock/x2_adstock are normalised geometric adstocks
	// with α = 0.3 / 0.5 over 4 weeks; x*_adstock_saturated are logistic
	// saturations with λ = 1.0 / 2.5 on unscaled spend.
	for _, tc := range []struct {
		ch         string
		alpha, lam float64
	}{{"x1", 0.3, 1.0}, {"x2", 0.5, 2.5}} {
		w, err := GeometricAdstockWeights(tc.alpha, 4)
		if err != nil {
			t.Fatal(err)
		}
		ad := Adstock(c[tc.ch], w)
		for i, v := range ad {
			if math.Abs(v-c[tc.ch+"_adstock"][i]) > 1e-9 {
				t.Fatalf("%s adstock week %d = %v; want %v", tc.ch, i, v, c[tc.ch+"_adstock"][i])
			}
			if s := LogisticSaturationValue(v, tc.lam); math.Abs(s-c[tc.ch+"_adstock_saturated"][i]) > 1e-9 {
				t.Fatalf("%s saturated week %d = %v; want %v", tc.ch, i, s, c[tc.ch+"_adstock_saturated"][i])
			}
		}
	}
	// Ground truth ROAS as the PROVENANCE computes it.
	var inc1, inc2 float64
	for i := range c["y"] {
		inc1 += c["y"][i] - c["y01"][i]
		inc2 += c["y"][i] - c["y02"][i]
	}
	if r := inc1 / sum(c["x1"]); math.Abs(r-trueROASx1) > 0.01 {
		t.Errorf("true ROAS x1 = %v; want %v", r, trueROASx1)
	}
	if r := inc2 / sum(c["x2"]); math.Abs(r-trueROASx2) > 0.01 {
		t.Errorf("true ROAS x2 = %v; want %v", r, trueROASx2)
	}
}

func TestFitMMM_ROASData(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	in, c := roasInput(t, true)
	fit, err := FitMMM(in, roasConfig)
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]float64{"x1": trueROASx1, "x2": trueROASx2}
	for _, ch := range fit.Channels {
		tr := truth[ch.Name]
		t.Logf("%s ROAS %.2f [%.2f, %.2f] truth %.2f; mROAS %.2f; params %+v", ch.Name, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, tr, ch.MarginalROAS.Value, ch.Params)
		if math.Abs(ch.ROAS.Value-tr)/tr > 0.10 {
			t.Errorf("ROAS %s = %.2f; want within 10%% of %.2f", ch.Name, ch.ROAS.Value, tr)
		}
		if tr < ch.ROAS.Low || tr > ch.ROAS.High {
			t.Errorf("ROAS %s interval [%.2f, %.2f] misses the truth %.2f", ch.Name, ch.ROAS.Low, ch.ROAS.High, tr)
		}
		if d := fit.Health.SeedROASChange[ch.Name]; d > 0.01 {
			t.Errorf("refit with another seed moves ROAS %s by %.2f%%; want < 1%%", ch.Name, 100*d)
		}
	}
	t.Logf("R² %.3f MAPE %.3f NRMSE %.3f verdict %s %v folds %+v", fit.R2, fit.MAPE, fit.NRMSE, fit.Health.Verdict, fit.Health.Reasons, fit.Health.Folds)
	if fit.R2 < 0.9 {
		t.Errorf("R² = %.3f; want > 0.9", fit.R2)
	}
	// Decomposition adds up: baseline + channels = fitted, every week.
	for w := range fit.Fitted {
		s := fit.Baseline.Weekly[w]
		for _, ch := range fit.Channels {
			s += ch.Weekly[w]
		}
		if math.Abs(s-fit.Fitted[w]) > 1e-6 {
			t.Fatalf("week %d: baseline + channels = %v; fitted %v", w, s, fit.Fitted[w])
		}
	}
	_ = c

	t.Run("ConfounderOmitted", func(t *testing.T) {
		in, c := roasInput(t, false)
		cfg := roasConfig
		cfg.Bootstrap = 100
		fit, err := FitMMM(in, cfg)
		if err != nil {
			t.Fatal(err)
		}
		x1 := fit.Channels[0].ROAS
		t.Logf("without z: x1 ROAS %.2f [%.2f, %.2f], x2 %.2f", x1.Value, x1.Low, x1.High, fit.Channels[1].ROAS.Value)
		if x1.Value < 1.2*trueROASx1 {
			t.Errorf("without z, ROAS x1 = %.2f; want the confounding bias (> 1.2 × %.2f)", x1.Value, trueROASx1)
		}

		// A lift test on x1 built FROM THE GROUND TRUTH: over weeks 60..85
		// (26 weeks) the true incremental outcome is Σ(y − y01); the
		// "measurement" is that truth plus a stated +3% error, reported
		// with a standard error of 5% of the truth.
		from, to := 60, 85
		inc := 0.0
		for i := from; i <= to; i++ {
			inc += c["y"][i] - c["y01"][i]
		}
		in.LiftTests = []LiftTest{{Channel: "x1", Start: in.Weeks[from], End: in.Weeks[to], Incremental: 1.02 * inc, SE: 0.02 * inc}}
		cal, err := FitMMM(in, cfg)
		if err != nil {
			t.Fatal(err)
		}
		x1 = cal.Channels[0].ROAS
		t.Logf("with lift test (true %.1f, measured %.1f): x1 ROAS %.2f [%.2f, %.2f], x2 %.2f", inc, 1.02*inc, x1.Value, x1.Low, x1.High, cal.Channels[1].ROAS.Value)
		if math.Abs(x1.Value-trueROASx1)/trueROASx1 > 0.15 {
			t.Errorf("calibrated ROAS x1 = %.2f; want within 15%% of %.2f", x1.Value, trueROASx1)
		}
		if cal.Channels[0].LiftTests != 1 {
			t.Errorf("x1 lift tests = %d; want 1", cal.Channels[0].LiftTests)
		}
	})
}

func TestFitMMM_TooFewWeeks(t *testing.T) {
	in, _ := roasInput(t, true)
	min := MMMMinWeeks(2, 1, 0, MMMConfig{MaxLagWeeks: 4})
	// 1 intercept + 2 trend + 4 Fourier + 1 control + 2×(1 β + α + λ) = 14 → 28, raised to 52 for seasonality.
	if min != 52 {
		t.Errorf("MMMMinWeeks = %d; want 52", min)
	}
	if got := MMMMinWeeks(2, 1, 0, MMMConfig{FourierOrder: -1, Saturation: HillSaturation}); got != 2*(1+2+1+2*4) {
		t.Errorf("MMMMinWeeks without seasonality, Hill = %d; want %d", got, 2*(1+2+1+2*4))
	}
	in.Weeks, in.Outcome = in.Weeks[:51], in.Outcome[:51]
	for i := range in.Media {
		in.Media[i].Values = in.Media[i].Values[:51]
	}
	in.Controls[0].Values = in.Controls[0].Values[:51]
	_, err := FitMMM(in, MMMConfig{MaxLagWeeks: 4})
	var ie *InputError
	if !errors.Is(err, ErrTooFewWeeks) || !errors.As(err, &ie) || ie.Field != "weeks" {
		t.Fatalf("FitMMM(51 weeks) error = %v; want ErrTooFewWeeks on field weeks", err)
	}
}

func TestFitMMM_InputErrors(t *testing.T) {
	base, _ := roasInput(t, true)
	cases := []struct {
		name  string
		edit  func(in *MMMInput)
		field string
		row   int
	}{
		{"NegativeSpend", func(in *MMMInput) {
			in.Media[0].Values = append([]float64(nil), in.Media[0].Values...)
			in.Media[0].Values[5] = -1
		}, "channel x1", 5},
		{"ShortSeries", func(in *MMMInput) { in.Controls[0].Values = in.Controls[0].Values[:10] }, "control z", -1},
		{"GapInWeeks", func(in *MMMInput) {
			in.Weeks = append(in.Weeks[:0:0], in.Weeks...)
			in.Weeks[7] = in.Weeks[7].AddDate(0, 0, 1)
		}, "week", 7},
		{"DuplicateName", func(in *MMMInput) { in.Controls = []MMMSeries{{"x1", in.Controls[0].Values}} }, "control x1", -1},
		{"UnknownLiftChannel", func(in *MMMInput) {
			in.LiftTests = []LiftTest{{Channel: "tv", Start: in.Weeks[0], End: in.Weeks[3], Incremental: 1, SE: 1}}
		}, "lift_test.channel", 0},
		{"ZeroSE", func(in *MMMInput) {
			in.LiftTests = []LiftTest{{Channel: "x1", Start: in.Weeks[0], End: in.Weeks[3], Incremental: 1}}
		}, "lift_test.se", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			in.Media = append([]MMMSeries(nil), base.Media...)
			in.Controls = append([]MMMSeries(nil), base.Controls...)
			tc.edit(&in)
			_, err := FitMMM(in, MMMConfig{MaxLagWeeks: 4})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field || ie.Row != tc.row {
				t.Fatalf("FitMMM error = %v; want InputError on field %q row %d", err, tc.field, tc.row)
			}
		})
	}
}

// BenchmarkFitMMM_ROASData times one complete fit (model selection, 200
// bootstrap refits, the seed refit and CV) on mmm_roas_data.csv with z.
func BenchmarkFitMMM_ROASData(b *testing.B) {
	in, _ := roasInput(b, true)
	for i := 0; i < b.N; i++ {
		if _, err := FitMMM(in, roasConfig); err != nil {
			b.Fatal(err)
		}
	}
}
