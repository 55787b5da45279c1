package analytics

import (
	"fmt"
	"testing"
	"time"
)

// retrainOrders: 300 customers buying every gap days through 2011; one in
// three stops at a day between June and August.
func retrainOrders() []Order {
	var out []Order
	start := time.Date(2011, 1, 3, 10, 0, 0, 0, time.UTC)
	for k := range 300 {
		gap := 7 + (k*13)%60
		stop := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
		if k%3 == 0 {
			stop = time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k%90)
		}
		for at := start.AddDate(0, 0, k%20); at.Before(stop); at = at.AddDate(0, 0, gap) {
			out = append(out, Order{OrderID: fmt.Sprint(k, at.YearDay()), CustomerID: fmt.Sprintf("c%03d", k), At: at, Amount: Money(1000 + 10*k)})
		}
	}
	return out
}

func TestRetrainChurn(t *testing.T) {
	orders := retrainOrders()
	cfg := FitConfig{Seed: 1, Models: []string{ModelLogistic, ModelTree}, ImportanceRepeats: -1}
	first := time.Date(2011, 10, 1, 0, 0, 0, 0, time.UTC)
	v1, err := RetrainChurn(orders, nil, first, 90, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !v1.New.Active || v1.New.WindowFrom != first.AddDate(0, 0, -90) || len(v1.Drift) != 0 || v1.New.HoldoutAUC < 0.7 {
		t.Fatalf("first training = %+v", v1)
	}
	// Retraining on the same window reproduces the old model exactly: the
	// old model's holdout AUC equals the new one's, and nothing drifted.
	same, err := RetrainChurn(orders, &v1.New, first, 90, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if same.OldHoldoutAUC != same.New.HoldoutAUC || same.KeepOld || same.Drift[0].PSI != 0 {
		t.Errorf("same window: old AUC %v, new %v, keep old %v, drift %+v; want equal AUCs, no drift", same.OldHoldoutAUC, same.New.HoldoutAUC, same.KeepOld, same.Drift[0])
	}
	// Two months later: a new window, both models scored on its holdout,
	// the decision follows the AUCs, and recency has drifted.
	later, err := RetrainChurn(orders, &v1.New, first.AddDate(0, 2, 0), 90, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if later.KeepOld != (later.New.HoldoutAUC < later.OldHoldoutAUC) || later.New.Active == later.KeepOld || later.OldHoldoutAUC == 0 {
		t.Errorf("later: %+v", later)
	}
	if len(later.Drift) != len(ChurnFeatureNames) || later.Drift[0].PSI <= 0 {
		t.Errorf("drift = %+v", later.Drift)
	}
}
