package planner

import (
	"os"
	"testing"
)

// TestTune_CrossValidation is how DefaultTrainConfig.Epochs and
// MinConfidence were chosen: 5-fold cross-validation on the build split
// only (the test split stays untouched), reporting the intents read
// correctly above the threshold and those read wrongly above it (a wrong
// answer given with confidence, worse than a clarifying question).
//
//	ROIBOT_PLANNER_CV=1 go test ./planner -run TestTune_CrossValidation -v
func TestTune_CrossValidation(t *testing.T) {
	if os.Getenv("ROIBOT_PLANNER_CV") == "" {
		t.Skip("set ROIBOT_PLANNER_CV=1 to run the cross-validation")
	}
	qs, _ := Corpus()
	var build []CorpusQuestion
	for _, q := range qs {
		if q.Split == "build" {
			build = append(build, q)
		}
	}
	for _, ep := range []int{5, 10, 40} {
		for _, th := range []float64{0.2, 0.25, 0.3, 0.35, 0.4} {
			wrong := 0
			ok, n := 0, 0
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
				cfg.Epochs = ep
				c := Train(ex, cfg)
				for _, q := range hold {
					s := c.Predict(classifierText(q.Q))
					n++
					if s[0].Label == q.Intent && s[0].P >= th {
						ok++
					} else if s[0].P >= th {
						wrong++
					}
				}
			}
			t.Logf("epochs %d threshold %.2f: CV intent accuracy %.3f, confidently wrong %.3f", ep, th, float64(ok)/float64(n), float64(wrong)/float64(n))
		}
	}
}
