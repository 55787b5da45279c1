package analytics_test

import (
	"fmt"

	"github.com/roibot/roibot/analytics"
)

func ExampleAUC() {
	// Three positives, two negatives; one positive–negative tie at 0.9.
	y := []bool{true, false, true, false, true}
	p := []float64{0.9, 0.9, 0.5, 0.3, 0.2}
	auc, _ := analytics.AUC(y, p)
	fmt.Printf("AUC = %.4f (2.5 of 6 pairs)\n", auc)
	// Output: AUC = 0.4167 (2.5 of 6 pairs)
}

func ExampleEvaluate() {
	y := []bool{true, false, true, false, true, false, false, false, false, false}
	p := []float64{0.9, 0.8, 0.7, 0.6, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1}
	m, _ := analytics.Evaluate(y, p, 0.5)
	fmt.Printf("precision %.2f, recall %.2f, F1 %.3f, Brier %.3f, lift@10%% %.2f\n", m.Precision, m.Recall, m.F1, m.Brier, m.Gains[0].Lift)
	// Output: precision 0.50, recall 0.67, F1 0.571, Brier 0.179, lift@10% 3.33
}

func ExampleFitLogistic() {
	// x = 0: 1 of 3 positive; x = 1: 3 of 4 positive. With a negligible
	// penalty the fit reproduces the group log-odds: log ½ and log 3.
	X := [][]float64{{0}, {0}, {0}, {1}, {1}, {1}, {1}}
	y := []bool{true, false, false, true, true, true, false}
	m, _ := analytics.FitLogistic(X, y, nil, analytics.LogisticConfig{C: 1e12})
	b0, b := m.Original()
	fmt.Printf("intercept %.4f, slope %.4f\n", b0, b[0])
	// Output: intercept -0.6931, slope 1.7918
}
