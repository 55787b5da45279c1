package analytics

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// lifetimesMBGNBD is lifetimes 0.11.3's ModifiedBetaGeoFitter fitted on
// data/cdnow/cdnow_customers_summary.csv (the same 2,357-customer weekly
// summary as cdnowSummary), default tolerance, no penalizer; the command is
// in docs/clv.md.
var lifetimesMBGNBD = MBGNBDParams{R: 0.5248377255676623, Alpha: 6.182988479133949, A: 0.8913562809311403, B: 1.6140000256721425}

func TestFitMBGNBD_CDNOW(t *testing.T) {
	fit, err := FitMBGNBD(cdnowSummary(t))
	if err != nil {
		t.Fatal(err)
	}
	p, w := fit.Params, lifetimesMBGNBD
	names := []string{"r", "alpha", "a", "b"}
	got := []float64{p.R, p.Alpha, p.A, p.B}
	want := []float64{w.R, w.Alpha, w.A, w.B}
	for i := range got {
		if e := relErr(got[i], want[i]); e > 1e-3 {
			t.Errorf("FitMBGNBD(cdnow).%s = %.7g; want %.7g (lifetimes ModifiedBetaGeoFitter, rel err %.2g > 1e-3)", names[i], got[i], want[i], e)
		}
	}
	// lifetimes' summary standard errors, within 1%.
	se := []float64{fit.StdErr.R, fit.StdErr.Alpha, fit.StdErr.A, fit.StdErr.B}
	wantSE := []float64{0.083264, 0.695597, 0.154785, 0.537472}
	for i := range se {
		if e := relErr(se[i], wantSE[i]); e > 0.01 {
			t.Errorf("FitMBGNBD(cdnow).StdErr.%s = %.6g; want %.6g (lifetimes, rel err %.2g > 1%%)", names[i], se[i], wantSE[i], e)
		}
	}
	if fit.Degenerate() || fit.Customers != 2357 {
		t.Errorf("FitMBGNBD(cdnow) degenerate = %v (%v %q), customers %d; want false, 2357", fit.Degenerate(), fit.AtBoundary, fit.StdErrUnavailable, fit.Customers)
	}
	// MBG/NBD fits CDNOW slightly better than BG/NBD (−9582.43).
	if math.Abs(fit.LogLikelihood-(-9582.136)) > 0.01 {
		t.Errorf("FitMBGNBD(cdnow).LogLikelihood = %.4f; want -9582.136", fit.LogLikelihood)
	}
}

// TestMBGNBD_LifetimesPredictions checks predictions at lifetimes'
// estimates against lifetimes' own conditional_probability_alive,
// conditional_expected_number_of_purchases_up_to_time and
// expected_number_of_purchases_up_to_time (1e-6 relative).
func TestMBGNBD_LifetimesPredictions(t *testing.T) {
	p := lifetimesMBGNBD
	for _, c := range []struct {
		x             int
		tx, T         float64
		alive, cond39 float64
	}{
		{0, 0, 38.86, 0.38971644, 0.15395364436667586},
		{2, 30.43, 38.86, 0.70612626, 1.2626707787139375},
		{7, 35.0, 38.86, 0.83121098, 4.227625573078078},
		{0, 0, 10, 0.52217279, 0.4825157951802731},
	} {
		a, err := p.PAlive(c.x, c.tx, c.T)
		if err != nil || relErr(a, c.alive) > 1e-6 {
			t.Errorf("PAlive(%d, %v, %v) = %.8f, %v; want %.8f", c.x, c.tx, c.T, a, err, c.alive)
		}
		e, err := p.ConditionalExpectedTransactions(c.x, c.tx, c.T, 39)
		if err != nil || relErr(e, c.cond39) > 1e-6 {
			t.Errorf("ConditionalExpectedTransactions(%d, %v, %v, 39) = %.10f, %v; want %.10f", c.x, c.tx, c.T, e, err, c.cond39)
		}
	}
	for _, c := range []struct{ t, want float64 }{{39, 1.1822837952882788}, {78, 1.8036361932918632}} {
		got, err := p.ExpectedTransactions(c.t)
		if err != nil || relErr(got, c.want) > 1e-6 {
			t.Errorf("ExpectedTransactions(%v) = %.10f, %v; want %.10f", c.t, got, err, c.want)
		}
	}
}

// TestMBGNBD_LapsedOneTimeBuyer: a customer who bought once a year (52
// weeks) ago has P(alive) = 1 under BG/NBD by assumption but well below
// that under MBG/NBD, lower than for one who bought once a week ago.
// Hand-computed at lifetimes' CDNOW estimates:
// 1/(1 + a/b·((α+52)/α)^r) = 1/(1 + 0.552265·9.41019^0.524838)
// = 1/(1 + 0.552265·3.24334) = 0.3583; one week after the purchase
// 1/(1 + 0.552265·(7.18304/6.18304)^0.524838) = 1/(1 + 0.552265·1.08186)
// = 0.6260 (docs/clv.md quotes both).
func TestMBGNBD_LapsedOneTimeBuyer(t *testing.T) {
	p := lifetimesMBGNBD
	lapsed, err := p.PAlive(0, 0, 52)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lapsed-0.3583) > 5e-4 {
		t.Errorf("MBG/NBD PAlive(0, 0, 52) = %.4f; want 0.3583", lapsed)
	}
	recent, _ := p.PAlive(0, 0, 1)
	if !(recent > lapsed) || math.Abs(recent-0.6260) > 5e-4 {
		t.Errorf("MBG/NBD PAlive(0,0,1) = %.4f; want 0.6260, above PAlive(0,0,52) = %.4f", recent, lapsed)
	}
	if bg, _ := btydBGNBD.PAlive(0, 0, 52); bg != 1 {
		t.Errorf("BG/NBD PAlive(0, 0, 52) = %v; want 1 (by assumption)", bg)
	}
	if why := PAliveUnavailable(ModelBGNBD, 0, btydBGNBD.A, btydBGNBD.B, ""); !strings.Contains(why, "assumption") {
		t.Errorf("PAliveUnavailable(BG/NBD, x=0) = %q; want the BG/NBD assumption named", why)
	}
	if why := PAliveUnavailable(ModelMBGNBD, 0, p.A, p.B, ""); why != "" {
		t.Errorf("PAliveUnavailable(MBG/NBD, x=0) = %q; want \"\"", why)
	}
	if why := PAliveUnavailable(ModelBGNBD, 3, 0.003, 6, ""); !strings.Contains(why, "almost no churn") {
		t.Errorf("PAliveUnavailable(BG/NBD, a/(a+b)=0.0005) = %q; want almost no churn", why)
	}
}

// TestMBGNBD_Consistency: E[X(t)] equals the conditional expectation of a
// customer with no history at age 0, and the per-row log-likelihood sums
// to the fitted total.
func TestMBGNBD_Consistency(t *testing.T) {
	p := lifetimesMBGNBD
	ex, _ := p.ExpectedTransactions(20)
	cond, _ := p.ConditionalExpectedTransactions(0, 0, 0, 20)
	if relErr(ex, cond) > 1e-12 {
		t.Errorf("ExpectedTransactions(20) = %v; ConditionalExpectedTransactions(0,0,0,20) = %v", ex, cond)
	}
	s := cdnowSummary(t)
	fit, err := FitMBGNBD(s)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, c := range s {
		ll, err := fit.Params.LogLikelihood(c.Frequency, c.Recency, c.T)
		if err != nil {
			t.Fatal(err)
		}
		sum += ll
	}
	if math.Abs(sum-fit.LogLikelihood) > 1e-6 {
		t.Errorf("Σ LogLikelihood = %.8f; fit.LogLikelihood = %.8f", sum, fit.LogLikelihood)
	}
	d, _ := newBTYDData(s)
	var g [4]float64
	mbgnbdTotalLL(p, d, g[:])
	nat := []float64{p.R, p.Alpha, p.A, p.B}
	for i := range nat {
		q := p
		h := 1e-6 * nat[i]
		set := func(v float64) MBGNBDParams {
			q := q
			switch i {
			case 0:
				q.R = v
			case 1:
				q.Alpha = v
			case 2:
				q.A = v
			case 3:
				q.B = v
			}
			return q
		}
		num := (mbgnbdTotalLL(set(nat[i]+h), d, nil) - mbgnbdTotalLL(set(nat[i]-h), d, nil)) / (2 * h)
		if math.Abs(num-g[i]) > 1e-4*math.Max(1, math.Abs(num)) {
			t.Errorf("gradient[%d] = %.8g; numerical %.8g", i, g[i], num)
		}
	}
}

func TestFitMBGNBD_Errors(t *testing.T) {
	if _, err := FitMBGNBD(nil); !errors.Is(err, ErrNoData) {
		t.Errorf("FitMBGNBD(nil) err = %v; want ErrNoData", err)
	}
	if _, err := FitMBGNBD([]CustomerSummary{{CustomerID: "a", T: 3}, {CustomerID: "b", T: 5}}); !errors.Is(err, ErrNoData) {
		t.Errorf("FitMBGNBD(no repeats) err = %v; want ErrNoData", err)
	}
	var ie *InputError
	if _, err := FitMBGNBD([]CustomerSummary{{CustomerID: "a", Frequency: 1, Recency: 4, T: 3}}); !errors.As(err, &ie) || ie.Row != 0 {
		t.Errorf("FitMBGNBD(recency > T) err = %v; want *InputError row 0", err)
	}
	if _, err := (MBGNBDParams{R: 1, Alpha: 1, A: 0, B: 1}).PAlive(1, 1, 2); !errors.As(err, &ie) || ie.Field != "a" {
		t.Errorf("PAlive(a = 0) err = %v; want *InputError field a", err)
	}
}

// TestChooseTransactionModel_CDNOW chooses by the 39-week holdout MAE.
func TestChooseTransactionModel_CDNOW(t *testing.T) {
	split, err := SplitHoldout(readCDNOWElogFile(t), cdnowCalibrationEnd, cdnowHoldoutEnd, UnitWeeks)
	if err != nil {
		t.Fatal(err)
	}
	sums := make([]CustomerSummary, len(split.Customers))
	for i, c := range split.Customers {
		sums[i] = c.CustomerSummary
	}
	cands, _, _, _ := FitTransactionModels(sums, true)
	ch, err := ChooseTransactionModel(split, cands)
	if err != nil {
		t.Fatal(err)
	}
	// Per-customer MAE over the 39 holdout weeks; BG/NBD's 0.7855 is the
	// figure docs/clv.md prints for `roibot clv fit`.
	want := map[string]float64{ModelBGNBD: 0.7855, ModelMBGNBD: 0.7648, ModelParetoNBD: 0.7545}
	for _, s := range ch.Scores {
		if math.Abs(s.MAE-want[s.Name]) > 1e-4 || s.ActualTotal != 1882 || s.Degenerate != "" {
			t.Errorf("holdout %s: MAE %.4f, actual %d, degenerate %q; want %.4f, 1882, \"\"", s.Name, s.MAE, s.ActualTotal, s.Degenerate, want[s.Name])
		}
	}
	if ch.Chosen != ModelParetoNBD || !strings.Contains(ch.Reason, "lowest holdout error") || !strings.Contains(ch.Reason, "MBG/NBD 0.7648") {
		t.Errorf("ChooseTransactionModel(cdnow) = %q (%s); want Pareto/NBD with the others' errors", ch.Chosen, ch.Reason)
	}
}

// TestChooseTransactionModel_Degenerate: a degenerate fit with a lower
// error is passed over and the reason says so; with only degenerate fits
// the best of them is chosen with a warning; with none, ErrFitFailed.
func TestChooseTransactionModel_Degenerate(t *testing.T) {
	split := HoldoutSplit{Length: 10, Unit: UnitWeeks, Customers: []HoldoutCustomer{
		{CustomerSummary: CustomerSummary{CustomerID: "1", Frequency: 2, Recency: 8, T: 10}, HoldoutTransactions: 2},
		{CustomerSummary: CustomerSummary{CustomerID: "2", Frequency: 0, Recency: 0, T: 10}, HoldoutTransactions: 0},
	}}
	good := BGNBDParams{R: 0.25, Alpha: 4, A: 0.8, B: 2.5}
	better := MBGNBDParams{R: 0.5, Alpha: 2, A: 0.5, B: 2}
	cands := []TransactionModelCandidate{
		{Name: ModelBGNBD, Model: good},
		{Name: ModelMBGNBD, Model: better, Degenerate: "parameters at the boundary of the parameter space: a = 1e-05 (→ 0)"},
		{Name: ModelParetoNBD, FitError: "no churn"},
	}
	rep1, _ := ValidateHoldout(split, good, 7)
	rep2, _ := ValidateHoldout(split, better, 7)
	if !(rep2.MAE < rep1.MAE) {
		t.Fatalf("fixture: MBG/NBD MAE %v not below BG/NBD %v", rep2.MAE, rep1.MAE)
	}
	ch, err := ChooseTransactionModel(split, cands)
	if err != nil || ch.Chosen != ModelBGNBD || !strings.Contains(ch.Reason, "MBG/NBD (MAE") || !strings.Contains(ch.Reason, "Pareto/NBD could not be fitted") {
		t.Errorf("ChooseTransactionModel = %q (%s), %v; want BG/NBD, naming the degenerate MBG/NBD and failed Pareto/NBD", ch.Chosen, ch.Reason, err)
	}
	ch, err = ChooseTransactionModel(split, cands[1:])
	if err != nil || ch.Chosen != ModelMBGNBD || !strings.Contains(ch.Reason, "every fit is degenerate") {
		t.Errorf("ChooseTransactionModel(degenerate only) = %q (%s), %v; want MBG/NBD with a warning", ch.Chosen, ch.Reason, err)
	}
	if _, err := ChooseTransactionModel(split, cands[2:]); !errors.Is(err, ErrFitFailed) {
		t.Errorf("ChooseTransactionModel(no model) err = %v; want ErrFitFailed", err)
	}
}

// A one-time buyer whose purchase was a year ago: BG/NBD says 100% alive
// by assumption, MBG/NBD (lifetimes' CDNOW estimates, weeks) lets them
// have dropped out.
func ExampleMBGNBDParams_PAlive() {
	p := MBGNBDParams{R: 0.5248, Alpha: 6.1830, A: 0.8914, B: 1.6140}
	year, _ := p.PAlive(0, 0, 52)
	week, _ := p.PAlive(0, 0, 1)
	fmt.Printf("bought once 52 weeks ago: %.3f; 1 week ago: %.3f\n", year, week)
	// Output: bought once 52 weeks ago: 0.358; 1 week ago: 0.626
}
