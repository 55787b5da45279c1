package analytics

import (
	"testing"
	"time"
)

// TestChurnOnlineRetail fits the churn models on Online Retail: features
// from the orders before 2011-09-10, churn = no purchase in the 90 days
// from it (to the data's last day, 2011-12-09). Figures in docs/predict.md.
func TestChurnOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("reads Online Retail")
	}
	orders := onlineRetailOrders(t)
	cut := time.Date(2011, 9, 10, 0, 0, 0, 0, time.UTC)
	tbl, err := ChurnTable(orders, ChurnConfig{Cutoff: cut, HorizonDays: 90, Labelled: true})
	if err != nil {
		t.Fatal(err)
	}
	churned := 0
	for _, y := range tbl.Target {
		if y {
			churned++
		}
	}
	t.Logf("%d customers, %d churned (%.1f%%)", tbl.Rows(), churned, 100*float64(churned)/float64(tbl.Rows()))
	res, err := FitModels(tbl, FitConfig{Seed: 42, ImportanceRepeats: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Models {
		t.Logf("%-8s val AUC %.4f test AUC %.4f Brier %.4f F1 %.3f@%.3f lift@10%% %.2f captured@10%% %.3f top %s %s %s", m.Name, m.Validation.AUC, m.Test.AUC, m.Test.Brier, m.Test.F1, m.Test.Threshold, m.Test.Gains[0].Lift, m.Test.Gains[0].Captured, m.Importance[0].Column, m.Importance[1].Column, m.Importance[2].Column)
		// Measured 0.69–0.72 on this split (docs/predict.md); a guard, not a target.
		if m.Test.AUC < 0.67 {
			t.Errorf("%s test AUC = %.4f; want ≥ 0.67", m.Name, m.Test.AUC)
		}
	}
	t.Log(res.Verdict)
}
