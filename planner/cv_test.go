package planner

import (
	"os"
	"testing"
)

// crossValidate scores a classifier trained with epochs in 5-fold
// cross-validation on the build split only (the test split stays
// untouched): the share of questions whose intent is read correctly with
// probability at least th, and the share read wrongly with it (a wrong
// answer given with confidence, worse than a clarifying question).
func crossValidate(t *testing.T, epochs int, th float64) (right, wrong float64) {
	t.Helper()
	qs, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	var build []CorpusQuestion
	for _, q := range qs {
		if q.Split == "build" {
			build = append(build, q)
		}
	}
	ok, bad, n := 0, 0, 0
	for f := 0; f < 5; f++ {
		var ex []Example
		var hold []CorpusQuestion
		for i, q := range build {
			if i%5 == f {
				hold = append(hold, q)
			} else {
				ex = append(ex, Example{Text: classifierText(q.Q), Label: q.Intent})
			}
		}
		cfg := DefaultTrainConfig
		cfg.Epochs = epochs
		c := Train(ex, cfg)
		for _, q := range hold {
			s := c.Predict(classifierText(q.Q))
			n++
			if s[0].Label == q.Intent && s[0].P >= th {
				ok++
			} else if s[0].P >= th {
				bad++
			}
		}
	}
	return float64(ok) / float64(n), float64(bad) / float64(n)
}

// TestCrossValidation_Defaults checks the figures the README and
// MinConfidence quote for the planner's own settings (DefaultTrainConfig,
// MinConfidence): at least 75% of build-split questions get the right
// intent above the threshold and at most 10% a wrong one.
//
//	go test ./planner -run TestCrossValidation_Defaults -v
func TestCrossValidation_Defaults(t *testing.T) {
	right, wrong := crossValidate(t, DefaultTrainConfig.Epochs, MinConfidence)
	t.Logf("epochs %d threshold %.2f: CV intent accuracy %.3f, confidently wrong %.3f", DefaultTrainConfig.Epochs, MinConfidence, right, wrong)
	if right < 0.75 || wrong > 0.10 {
		t.Errorf("5-fold CV at the defaults = %.3f right, %.3f confidently wrong; want at least 0.75 and at most 0.10", right, wrong)
	}
}

// TestTune_CrossValidation is how DefaultTrainConfig.Epochs and
// MinConfidence were chosen: crossValidate over a grid of both.
//
//	ROIBOT_PLANNER_CV=1 go test ./planner -run TestTune_CrossValidation -v
func TestTune_CrossValidation(t *testing.T) {
	if os.Getenv("ROIBOT_PLANNER_CV") == "" {
		t.Skip("set ROIBOT_PLANNER_CV=1 to run the cross-validation")
	}
	for _, ep := range []int{5, 10, 40} {
		for _, th := range []float64{0.2, 0.25, 0.3, 0.35, 0.4} {
			right, wrong := crossValidate(t, ep, th)
			t.Logf("epochs %d threshold %.2f: CV intent accuracy %.3f, confidently wrong %.3f", ep, th, right, wrong)
		}
	}
}
