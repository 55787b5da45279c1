package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// btydBGNBD are the BG/NBD estimates printed in the BTYD walkthrough
// (data/cdnow/PROVENANCE.md), used for its prediction checks.
var btydBGNBD = BGNBDParams{R: 0.2425982, Alpha: 4.4136842, A: 0.7929899, B: 2.4261667}

func fitCDNOWBGNBD(t testing.TB) BGNBDFit {
	t.Helper()
	fit, err := FitBGNBD(cdnowSummary(t))
	if err != nil {
		t.Fatal(err)
	}
	return fit
}

func TestFitBGNBD_CDNOW(t *testing.T) {
	fit := fitCDNOWBGNBD(t)
	p := fit.Params
	got := []float64{p.R, p.Alpha, p.A, p.B, fit.LogLikelihood}
	names := []string{"r", "alpha", "a", "b", "LL"}
	// CLVTools' own fit (test_correctness_bgnbd.R), tolerance 1e-3 relative.
	clvtools := []float64{0.2425945, 4.4136019, 0.7929199, 2.4258881, -9582.429}
	// Fader, Hardie & Lee (2005) at their published precision.
	published := []float64{0.243, 4.414, 0.793, 2.426, -9582.4}
	digits := []int{3, 3, 3, 3, 1}
	for i := range got {
		if e := relErr(got[i], clvtools[i]); e > 1e-3 {
			t.Errorf("FitBGNBD(cdnow).%s = %.7g; want %.7g (CLVTools, rel err %.2g > 1e-3)", names[i], got[i], clvtools[i], e)
		}
		if r := roundTo(got[i], digits[i]); r != published[i] {
			t.Errorf("FitBGNBD(cdnow).%s = %.7g rounds to %v; want %v (FHL 2005)", names[i], got[i], r, published[i])
		}
	}
	if fit.Customers != 2357 {
		t.Errorf("FitBGNBD(cdnow).Customers = %d; want 2357", fit.Customers)
	}
	// lifetimes docs/Quickstart.md standard errors, within 1%.
	se := []float64{fit.StdErr.R, fit.StdErr.Alpha, fit.StdErr.A, fit.StdErr.B}
	wantSE := []float64{0.012557, 0.378221, 0.185719, 0.705345}
	for i := range se {
		if e := relErr(se[i], wantSE[i]); e > 0.01 {
			t.Errorf("FitBGNBD(cdnow).StdErr.%s = %.6g; want %.6g (lifetimes, rel err %.2g > 1%%)", names[i], se[i], wantSE[i], e)
		}
	}
}

// TestFitBGNBD_Days refits CDNOW in days: r, a, b are unit-free, α scales
// by 7 and the log-likelihood drops by Σx·log 7 (the density of x purchase
// times per day instead of per week).
func TestFitBGNBD_Days(t *testing.T) {
	weeks := fitCDNOWBGNBD(t)
	s, err := SummarizeCustomers(readCDNOWElogFile(t), cdnowCalibrationEnd, UnitDays)
	if err != nil {
		t.Fatal(err)
	}
	days, err := FitBGNBD(s)
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{days.Params.R, days.Params.Alpha, days.Params.A, days.Params.B, days.LogLikelihood}
	w := weeks.Params
	want := []float64{w.R, 7 * w.Alpha, w.A, w.B, weeks.LogLikelihood - 2457*math.Log(7)}
	for i := range got {
		if e := relErr(got[i], want[i]); e > 1e-4 {
			t.Errorf("FitBGNBD(cdnow, days)[%d] = %.7g; want %.7g (rel err %.2g)", i, got[i], want[i], e)
		}
	}
}

func TestBGNBD_PublishedPredictions(t *testing.T) {
	fit := fitCDNOWBGNBD(t).Params
	t.Run("ExpectedTransactionsHardieSheet", func(t *testing.T) {
		// lifetimes test_expectation_returns_same_value_Hardie_excel_sheet, decimal=3.
		for _, c := range []struct{ t, want float64 }{
			{0.1429, 0.0078}, {1, 0.0532}, {3, 0.1506}, {31.8571, 1.0405}, {32, 1.0437}, {78, 1.8576},
		} {
			got, err := fit.ExpectedTransactions(c.t)
			if err != nil || math.Abs(got-c.want) > 1.5e-3 {
				t.Errorf("ExpectedTransactions(%v) = %.5f, %v; want %.4f ± 1.5e-3", c.t, got, err, c.want)
			}
		}
	})
	t.Run("ConditionalCustomer1", func(t *testing.T) {
		// lifetimes: x=2, t_x=30.43, T=38.86, t=39 gives 1.226 (abs err < 0.001).
		got, err := fit.ConditionalExpectedTransactions(2, 30.43, 38.86, 39)
		if err != nil || math.Abs(got-1.226) > 1e-3 {
			t.Errorf("ConditionalExpectedTransactions(2, 30.43, 38.86, 39) = %.5f, %v; want 1.226", got, err)
		}
	})
	// BTYD walkthrough values at the BTYD estimates, 1e-5 relative: the
	// walkthrough prints the estimates and customer 1516's t_x to 7
	// significant digits.
	check := func(t *testing.T, name string, got float64, err error, want float64) {
		t.Helper()
		if err != nil || relErr(got, want) > 1e-5 {
			t.Errorf("%s = %.10g, %v; want %.10g", name, got, err, want)
		}
	}
	t.Run("BTYDWalkthrough", func(t *testing.T) {
		got, err := btydBGNBD.ExpectedTransactions(52)
		check(t, "ExpectedTransactions(52)", got, err, 1.444004)
		got, err = btydBGNBD.ConditionalExpectedTransactions(26, 30.85714, 31, 52)
		check(t, "ConditionalExpectedTransactions(customer 1516, 52)", got, err, 25.75659)
		got, err = btydBGNBD.PAlive(26, 30.85714, 31)
		check(t, "PAlive(customer 1516)", got, err, 0.9688523)
		for i, want := range []float64{0.3474606, 0.04283391, 0.004158973, 0.0003583685} {
			x := 10 + 5*i
			got, err := btydBGNBD.ConditionalExpectedTransactions(x, 20, 39, 52)
			check(t, fmt.Sprintf("ConditionalExpectedTransactions(%d, 20, 39, 52)", x), got, err, want)
		}
	})
}

// bgnbdConditionalByQuadrature computes E[Y(t)|x,t_x,T] from its integral
// representation, independently of the hypergeometric closed form:
//
//	P(alive) · ∫_0^1 (1 − ((α+T)/(α+T+pt))^(r+x)) / p · Beta(p; a, b+x) dp
//
// splitting at p = 1/2 and, where a < 1 or b+x < 1, substituting
// p = u^(1/a) or 1−p = v^(1/(b+x)) to remove the endpoint singularity of
// the Beta density.
func bgnbdConditionalByQuadrature(p BGNBDParams, x int, tx, T, t float64) float64 {
	bx := p.B + float64(x)
	rx := p.R + float64(x)
	g := func(q float64) float64 {
		return -math.Expm1(-rx*math.Log1p(q*t/(p.Alpha+T))) / q
	}
	const n = 1000
	var lo, hi float64
	if p.A < 1 {
		lo = quad.Fixed(func(u float64) float64 {
			q := math.Pow(u, 1/p.A)
			return g(q) * math.Pow(1-q, bx-1)
		}, 0, math.Pow(0.5, p.A), n, nil, 0) / p.A
	} else {
		lo = quad.Fixed(func(q float64) float64 {
			return g(q) * math.Pow(q, p.A-1) * math.Pow(1-q, bx-1)
		}, 0, 0.5, n, nil, 0)
	}
	if bx < 1 {
		hi = quad.Fixed(func(v float64) float64 {
			q := 1 - math.Pow(v, 1/bx)
			return g(q) * math.Pow(q, p.A-1)
		}, 0, math.Pow(0.5, bx), n, nil, 0) / bx
	} else {
		hi = quad.Fixed(func(q float64) float64 {
			return g(q) * math.Pow(q, p.A-1) * math.Pow(1-q, bx-1)
		}, 0.5, 1, n, nil, 0)
	}
	return (lo + hi) / math.Exp(mathext.Lbeta(p.A, bx)) * p.pAlive(x, tx, T)
}

func TestBGNBD_EdgeCases(t *testing.T) {
	t.Run("OneTimeBuyersSmallAPlusB", func(t *testing.T) {
		// a+b < 1 makes the 2F1 parameter a+b+x−1 negative for x = 0.
		for _, p := range []BGNBDParams{{0.5, 5, 0.3, 0.4}, {0.24, 4.4, 0.5, 0.5 - 1e-12}, {2, 10, 0.05, 0.1}} {
			for _, h := range []float64{1, 39, 520} {
				got, err := p.ConditionalExpectedTransactions(0, 0, 30, h)
				want := bgnbdConditionalByQuadrature(p, 0, 0, 30, h)
				if err != nil || math.IsNaN(got) || math.IsInf(got, 0) || relErr(got, want) > 1e-6 {
					t.Errorf("%+v.ConditionalExpectedTransactions(0, 0, 30, %v) = %v, %v; want %v (quadrature)", p, h, got, err, want)
				}
				got, err = p.ExpectedTransactions(h)
				want = bgnbdConditionalByQuadrature(p, 0, 0, 0, h)
				if err != nil || relErr(got, want) > 1e-6 {
					t.Errorf("%+v.ExpectedTransactions(%v) = %v, %v; want %v (quadrature)", p, h, got, err, want)
				}
			}
		}
	})
	t.Run("RepeatBuyersMatchQuadrature", func(t *testing.T) {
		for _, p := range []BGNBDParams{btydBGNBD, {0.5, 5, 0.3, 0.4}, {1.5, 20, 3, 0.7}} {
			for _, c := range []struct {
				x     int
				tx, T float64
			}{{1, 2, 30}, {5, 25, 30}, {30, 29, 30}} {
				got, err := p.ConditionalExpectedTransactions(c.x, c.tx, c.T, 52)
				want := bgnbdConditionalByQuadrature(p, c.x, c.tx, c.T, 52)
				if err != nil || relErr(got, want) > 1e-6 {
					t.Errorf("%+v.ConditionalExpectedTransactions(%d, %v, %v, 52) = %v, %v; want %v (quadrature)", p, c.x, c.tx, c.T, got, err, want)
				}
			}
		}
	})
	t.Run("AEqualsOne", func(t *testing.T) {
		// a = 1 is a removable singularity of (a+b+x−1)/(a−1).
		p := BGNBDParams{R: 0.3, Alpha: 5, A: 1, B: 2}
		got, err := p.ConditionalExpectedTransactions(3, 20, 30, 52)
		want := bgnbdConditionalByQuadrature(p, 3, 20, 30, 52)
		if err != nil || relErr(got, want) > 1e-6 {
			t.Errorf("a=1: ConditionalExpectedTransactions = %v, %v; want %v", got, err, want)
		}
	})
	t.Run("HugeHorizonErrorsOrFinite", func(t *testing.T) {
		// a > 1+r makes the series converge like z^n with z → 1.
		p := BGNBDParams{R: 0.3, Alpha: 5, A: 3, B: 2}
		for _, h := range []float64{1e4, 1e8, 1e14} {
			got, err := p.ConditionalExpectedTransactions(0, 0, 30, h)
			if err == nil && (math.IsNaN(got) || math.IsInf(got, 0) || got < 0) {
				t.Errorf("ConditionalExpectedTransactions(0, 0, 30, %g) = %v, nil; want finite or an error", h, got)
			}
		}
	})
	t.Run("PAliveZeroRepeat", func(t *testing.T) {
		for _, T := range []float64{0, 1, 39, 1e4} {
			if got, err := btydBGNBD.PAlive(0, 0, T); got != 1 || err != nil {
				t.Errorf("PAlive(0, 0, %v) = %v, %v; want 1", T, got, err)
			}
		}
	})
	t.Run("Frequency300", func(t *testing.T) {
		for _, tx := range []float64{38.5, 1} {
			ll, err1 := btydBGNBD.LogLikelihood(300, tx, 39)
			pa, err2 := btydBGNBD.PAlive(300, tx, 39)
			e, err3 := btydBGNBD.ConditionalExpectedTransactions(300, tx, 39, 52)
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatal(err)
			}
			for _, v := range []float64{ll, pa, e} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("x=300, t_x=%v: LL, PAlive, E = %v, %v, %v; want finite", tx, ll, pa, e)
				}
			}
			// E ≤ (r+x)/(α+T)·t, the expectation of a customer who never drops out.
			if bound := (btydBGNBD.R + 300) / (btydBGNBD.Alpha + 39) * 52; e < 0 || e > bound {
				t.Errorf("x=300, t_x=%v: E = %v; want in [0, %v]", tx, e, bound)
			}
		}
		s := cdnowSummary(t)
		s[0].Frequency, s[0].Recency = 300, s[0].T-0.1
		fit, err := FitBGNBD(s)
		if err != nil || math.IsInf(fit.LogLikelihood, 0) || math.IsNaN(fit.LogLikelihood) {
			t.Errorf("FitBGNBD(cdnow with one x=300) = %v, %v; want a finite fit", fit.LogLikelihood, err)
		}
	})
}

func TestFitBGNBD_Errors(t *testing.T) {
	if _, err := FitBGNBD(nil); !errors.Is(err, ErrNoData) {
		t.Errorf("FitBGNBD(nil) err = %v; want ErrNoData", err)
	}
	if _, err := FitBGNBD([]CustomerSummary{{T: 3}, {T: 5}}); !errors.Is(err, ErrNoData) {
		t.Errorf("FitBGNBD(one-time buyers only) err = %v; want ErrNoData", err)
	}
	var ie *InputError
	_, err := FitBGNBD([]CustomerSummary{{T: 3}, {Frequency: 1, Recency: 5, T: 4}})
	if !errors.As(err, &ie) || ie.Row != 1 || ie.Field != "T" {
		t.Errorf("FitBGNBD(t_x > T) err = %v; want InputError row 1 field T", err)
	}
	// Every repeat buyer bought at the very end: no evidence of dropout,
	// the MLE runs off to a boundary.
	var s []CustomerSummary
	for i := 0; i < 50; i++ {
		s = append(s, CustomerSummary{Frequency: 1 + i%5, Recency: 30, T: 30})
	}
	if fit, err := FitBGNBD(s); !errors.Is(err, ErrFitFailed) {
		t.Errorf("FitBGNBD(no dropout evidence) = %+v, %v; want ErrFitFailed", fit.Params, err)
	}
}

// simulateBGNBD draws n customers from the BG/NBD process with parameters
// p (weeks): acquisition spread over the first 13 of 39 weeks, purchase
// times rounded down to whole days, as in a daily transaction log.
func simulateBGNBD(seed uint64, p BGNBDParams, n int) []CustomerSummary {
	src := rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	rng := rand.New(src)
	lambda := distuv.Gamma{Alpha: p.R, Beta: p.Alpha, Src: src}
	drop := distuv.Beta{Alpha: p.A, Beta: p.B, Src: src}
	out := make([]CustomerSummary, n)
	for i := range out {
		T := float64(273-rng.IntN(91)) / 7
		l, q := lambda.Rand(), drop.Rand()
		var x int
		var tx, at float64
		for {
			at += rng.ExpFloat64() / l
			if at > T {
				break
			}
			x++
			tx = math.Floor(at*7) / 7
			if rng.Float64() < q {
				break
			}
		}
		out[i] = CustomerSummary{CustomerID: fmt.Sprint(i), Frequency: x, Recency: tx, T: T}
	}
	return out
}

func TestFitBGNBD_RecoversSimulated(t *testing.T) {
	truth := BGNBDParams{R: 0.25, Alpha: 4, A: 0.8, B: 2.5}
	fit, err := FitBGNBD(simulateBGNBD(1, truth, 100_000))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FitBGNBD(100k simulated) = %+v (se %+v), %d unique rows", fit.Params, fit.StdErr, fit.UniqueRows)
	got := []float64{fit.Params.R, fit.Params.Alpha, fit.Params.A, fit.Params.B}
	want := []float64{truth.R, truth.Alpha, truth.A, truth.B}
	se := []float64{fit.StdErr.R, fit.StdErr.Alpha, fit.StdErr.A, fit.StdErr.B}
	for i := range got {
		// Within 4 standard errors and 15% (day rounding adds a small bias).
		if d := math.Abs(got[i] - want[i]); d > 4*se[i] || d > 0.15*want[i] {
			t.Errorf("FitBGNBD(simulated)[%d] = %.4f (se %.4f); want %.4f", i, got[i], se[i], want[i])
		}
	}
}

func BenchmarkBGNBDFitCDNOW(b *testing.B) {
	s := cdnowSummary(b)
	for b.Loop() {
		if _, err := FitBGNBD(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBGNBDFit100k(b *testing.B) {
	s := simulateBGNBD(1, BGNBDParams{R: 0.25, Alpha: 4, A: 0.8, B: 2.5}, 100_000)
	for b.Loop() {
		if _, err := FitBGNBD(s); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleBGNBDParams_ConditionalExpectedTransactions() {
	// Fader, Hardie & Lee (2005) CDNOW estimates (weeks); CDNOW customer 1:
	// two repeat purchases, the last 30.43 weeks after the first, 38.86
	// weeks of history.
	p := BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	pa, _ := p.PAlive(2, 30.43, 38.86)
	e, _ := p.ConditionalExpectedTransactions(2, 30.43, 38.86, 39)
	fmt.Printf("P(alive) %.3f, expected transactions in the next 39 weeks %.3f\n", pa, e)
	// Output: P(alive) 0.727, expected transactions in the next 39 weeks 1.226
}

// TestBTYDTotalLL_MatchesRows checks the tabulated, weighted likelihood
// sums used for fitting against the per-customer LogLikelihood methods.
func TestBTYDTotalLL_MatchesRows(t *testing.T) {
	s := cdnowSummary(t)
	s = append(s, CustomerSummary{Frequency: 300, Recency: 38, T: 39}, CustomerSummary{Frequency: 300, Recency: 1, T: 39})
	d, err := newBTYDData(s)
	if err != nil {
		t.Fatal(err)
	}
	bg := []BGNBDParams{btydBGNBD, {0.5, 5, 0.3, 0.4}}
	pn := []ParetoNBDParams{{0.553, 10.578, 0.606, 11.669}, {0.553, 10.578, 0.606, 4}}
	for i := range bg {
		var wantBG, wantPN float64
		for _, c := range s {
			v, err := bg[i].LogLikelihood(c.Frequency, c.Recency, c.T)
			if err != nil {
				t.Fatal(err)
			}
			wantBG += v
			v, err = pn[i].LogLikelihood(c.Frequency, c.Recency, c.T)
			if err != nil {
				t.Fatal(err)
			}
			wantPN += v
		}
		if got := bgnbdTotalLL(bg[i], d, nil); relErr(got, wantBG) > 1e-12 {
			t.Errorf("bgnbdTotalLL(%+v) = %.10f; want %.10f (sum over customers)", bg[i], got, wantBG)
		}
		if got := paretoTotalLL(pn[i], d, nil); relErr(got, wantPN) > 1e-12 {
			t.Errorf("paretoTotalLL(%+v) = %.10f; want %.10f (sum over customers)", pn[i], got, wantPN)
		}
	}
}

// TestBTYDGradients checks the analytic gradients of the BG/NBD and
// Pareto/NBD log-likelihoods against central differences.
func TestBTYDGradients(t *testing.T) {
	s := cdnowSummary(t)
	s = append(s, CustomerSummary{Frequency: 300, Recency: 38, T: 39})
	d, err := newBTYDData(s)
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, name string, nat []float64, ll func(q []float64, grad []float64) float64) {
		t.Helper()
		g := make([]float64, 4)
		ll(nat, g)
		for i := range nat {
			h := 1e-6 * nat[i]
			up, dn := append([]float64(nil), nat...), append([]float64(nil), nat...)
			up[i] += h
			dn[i] -= h
			if want := (ll(up, nil) - ll(dn, nil)) / (2 * h); math.Abs(g[i]-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("%s%v: dLL/dθ%d = %.8g; want %.8g (central difference)", name, nat, i, g[i], want)
			}
		}
	}
	for _, nat := range [][]float64{{0.3, 5, 0.6, 2}, {2, 1, 0.3, 0.4}} {
		check(t, "BG/NBD", nat, func(q, grad []float64) float64 { return bgnbdTotalLL(BGNBDParams{q[0], q[1], q[2], q[3]}, d, grad) })
	}
	// α > β, α < β and α = β branches of the Pareto/NBD likelihood.
	for _, nat := range [][]float64{{0.55, 10.6, 0.6, 11.7}, {0.55, 20, 0.6, 5}, {1.5, 3, 2, 3}} {
		check(t, "Pareto/NBD", nat, func(q, grad []float64) float64 {
			return paretoTotalLL(ParetoNBDParams{q[0], q[1], q[2], q[3]}, d, grad)
		})
	}
}

func ExampleFitBGNBD() {
	fit, err := FitBGNBD(cdnowCalibration())
	if err != nil {
		fmt.Println(err)
		return
	}
	p := fit.Params
	fmt.Printf("r=%.3f alpha=%.3f a=%.3f b=%.3f LL=%.1f\n", p.R, p.Alpha, p.A, p.B, fit.LogLikelihood)
	// Output: r=0.243 alpha=4.414 a=0.793 b=2.426 LL=-9582.4
}
