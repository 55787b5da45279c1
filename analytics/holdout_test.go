package analytics

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

func cdnowHoldout(t testing.TB) HoldoutSplit {
	t.Helper()
	split, err := SplitHoldout(readCDNOWElogFile(t), cdnowCalibrationEnd, cdnowHoldoutEnd, UnitWeeks)
	if err != nil {
		t.Fatal(err)
	}
	return split
}

// BTYD walkthrough, BG/NBD conditional expectations for weeks 40-78 by
// calibration frequency 0..7+ (data/cdnow/PROVENANCE.md).
var (
	btydHoldoutCustomers = []int{1411, 439, 214, 100, 62, 38, 29, 64}
	btydHoldoutActual    = []float64{0.2367116, 0.6970387, 1.392523, 1.560000, 2.532258, 2.947368, 3.862069, 6.359375}
	btydHoldoutBGNBD     = []float64{0.2250893, 0.5231364, 1.044126, 1.520256, 2.163824, 2.653789, 3.503957, 6.157036}
	btydHoldoutPareto    = []float64{0.138, 0.600, 1.196, 1.714, 2.399, 2.907, 3.819, 6.403}
)

func TestValidateHoldout_CDNOW(t *testing.T) {
	split := cdnowHoldout(t)
	if len(split.Customers) != 2357 || split.Length != 39 || split.NewInHoldout != 0 {
		t.Fatalf("SplitHoldout(cdnow) = %d customers, length %v, %d new; want 2357, 39, 0", len(split.Customers), split.Length, split.NewInHoldout)
	}
	check := func(t *testing.T, rep HoldoutReport, want []float64, tol float64, abs bool) {
		t.Helper()
		if len(rep.Groups) != 8 {
			t.Fatalf("len(Groups) = %d; want 8", len(rep.Groups))
		}
		for i, g := range rep.Groups {
			if g.Frequency != i || g.AndMore != (i == 7) || g.Customers != btydHoldoutCustomers[i] {
				t.Errorf("group %d = %d, and more %v, %d customers; want %d, %v, %d", i, g.Frequency, g.AndMore, g.Customers, i, i == 7, btydHoldoutCustomers[i])
			}
			if e := relErr(g.ActualMean, btydHoldoutActual[i]); e > 1e-6 {
				t.Errorf("group %d ActualMean = %.7f; want %.7f", i, g.ActualMean, btydHoldoutActual[i])
			}
			e := relErr(g.ExpectedMean, want[i])
			if abs {
				e = math.Abs(g.ExpectedMean - want[i])
			}
			if e > tol {
				t.Errorf("group %d ExpectedMean = %.7f; want %.7f (err %.2g > %.0e)", i, g.ExpectedMean, want[i], e, tol)
			}
		}
		// PROVENANCE.md: 1,882 holdout transactions.
		if rep.ActualTotal != 1882 || len(rep.Customers) != 2357 {
			t.Errorf("ActualTotal, customers = %d, %d; want 1882, 2357", rep.ActualTotal, len(rep.Customers))
		}
	}
	t.Run("BGNBDAtBTYDEstimates", func(t *testing.T) {
		rep, err := ValidateHoldout(split, btydBGNBD, 7)
		if err != nil {
			t.Fatal(err)
		}
		// 1e-5: the walkthrough prints its estimates to 7 digits.
		check(t, rep, btydHoldoutBGNBD, 1e-5, false)
	})
	t.Run("BGNBDFitted", func(t *testing.T) {
		rep, err := ValidateHoldout(split, fitCDNOWBGNBD(t).Params, 7)
		if err != nil {
			t.Fatal(err)
		}
		check(t, rep, btydHoldoutBGNBD, 1e-3, false)
		t.Logf("BG/NBD: expected total %.1f, MAE %.4f", rep.ExpectedTotal, rep.MAE)
	})
	t.Run("ParetoNBDFitted", func(t *testing.T) {
		rep, err := ValidateHoldout(split, fitCDNOWParetoNBD(t).Params, 7)
		if err != nil {
			t.Fatal(err)
		}
		// Printed to 3 decimals from slightly different estimates.
		check(t, rep, btydHoldoutPareto, 1e-3, true)
		t.Logf("Pareto/NBD: expected total %.1f, MAE %.4f", rep.ExpectedTotal, rep.MAE)
	})
}

// fakeModel is a RepeatPurchaseModel with func fields.
type fakeModel struct {
	expected func(x int, tx, T, t float64) (float64, error)
	pAlive   func(x int, tx, T float64) (float64, error)
}

func (m fakeModel) ConditionalExpectedTransactions(x int, tx, T, t float64) (float64, error) {
	return m.expected(x, tx, T, t)
}

func (m fakeModel) PAlive(x int, tx, T float64) (float64, error) { return m.pAlive(x, tx, T) }

func TestValidateHoldout_HandComputed(t *testing.T) {
	d := func(m time.Month, dd int) time.Time { return time.Date(2024, m, dd, 10, 0, 0, 0, time.UTC) }
	orders := []Order{
		{CustomerID: "a", At: d(1, 1), Amount: 100},
		{CustomerID: "a", At: d(1, 5), Amount: 100},
		{CustomerID: "a", At: d(2, 3), Amount: 100}, // holdout
		{CustomerID: "a", At: d(2, 3), Amount: 50},  // same day: still 1
		{CustomerID: "a", At: d(2, 9), Amount: 100}, // holdout
		{CustomerID: "b", At: d(1, 10), Amount: 100},
		{CustomerID: "b", At: d(2, 12), Amount: -100, IsReturn: true}, // not a purchase
		{CustomerID: "c", At: d(2, 1), Amount: 100},                   // new in holdout
		{CustomerID: "a", At: d(3, 2), Amount: 100},                   // after the holdout
	}
	split, err := SplitHoldout(orders, d(1, 31), d(2, 29), UnitDays)
	if err != nil {
		t.Fatal(err)
	}
	if split.Length != 29 || split.NewInHoldout != 1 || len(split.Customers) != 2 ||
		split.Customers[0].HoldoutTransactions != 2 || split.Customers[1].HoldoutTransactions != 0 {
		t.Fatalf("SplitHoldout = %+v; want length 29, 1 new, a: 2 and b: 0 holdout transactions", split)
	}
	// Predict x + 0.5: a (x=1) 1.5, b (x=0) 0.5.
	m := fakeModel{expected: func(x int, _, _, t float64) (float64, error) {
		if t != 29 {
			return 0, fmt.Errorf("horizon %v; want 29", t)
		}
		return float64(x) + 0.5, nil
	}}
	rep, err := ValidateHoldout(split, m, 1)
	if err != nil {
		t.Fatal(err)
	}
	// |2 − 1.5| and |0 − 0.5|: MAE 0.5; totals 2 and 2.
	if rep.MAE != 0.5 || rep.ActualTotal != 2 || rep.ExpectedTotal != 2 || len(rep.Groups) != 2 ||
		rep.Groups[1] != (HoldoutGroup{Frequency: 1, AndMore: true, Customers: 1, ActualMean: 2, ExpectedMean: 1.5}) {
		t.Errorf("ValidateHoldout = %+v; want MAE 0.5, totals 2/2, group 1+ actual 2 expected 1.5", rep)
	}
	if _, err := ValidateHoldout(split, m, 0); err == nil {
		t.Errorf("ValidateHoldout(censor 0) err = nil; want an error")
	}
	if _, err := SplitHoldout(orders, d(2, 1), d(1, 1), UnitDays); !errors.Is(err, ErrInvalidPeriod) {
		t.Errorf("SplitHoldout(end before calibration end) err = %v; want ErrInvalidPeriod", err)
	}
}

func ExampleValidateHoldout() {
	at := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }
	orders := []Order{
		{CustomerID: "a", At: at(1, 1), Amount: 1000},
		{CustomerID: "a", At: at(1, 20), Amount: 1000},
		{CustomerID: "a", At: at(2, 10), Amount: 1000},
		{CustomerID: "b", At: at(1, 3), Amount: 1000},
	}
	split, _ := SplitHoldout(orders, at(1, 31), at(3, 1), UnitWeeks)
	model := BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	rep, _ := ValidateHoldout(split, model, 1)
	for _, g := range rep.Groups {
		fmt.Printf("x=%d: %d customers, actual %.2f, expected %.2f\n", g.Frequency, g.Customers, g.ActualMean, g.ExpectedMean)
	}
	// Output:
	// x=0: 1 customers, actual 0.00, expected 0.12
	// x=1: 1 customers, actual 1.00, expected 0.39
}
