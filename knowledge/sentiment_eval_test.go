package knowledge

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// classScore is precision, recall and F1 of one class.
type classScore struct {
	TP, FP, FN            int
	Precision, Recall, F1 float64
}

// scoreClasses returns, per class of gold, precision TP/(TP+FP), recall
// TP/(TP+FN) and F1 = 2PR/(P+R) of predicted against gold; a prediction
// of a class absent from gold (e.g. neutral) is a miss for the gold class.
func scoreClasses(gold, predicted []string) map[string]classScore {
	out := map[string]classScore{}
	classes := map[string]bool{}
	for _, g := range gold {
		classes[g] = true
	}
	for c := range classes {
		var s classScore
		for i := range gold {
			switch {
			case gold[i] == c && predicted[i] == c:
				s.TP++
			case gold[i] != c && predicted[i] == c:
				s.FP++
			case gold[i] == c && predicted[i] != c:
				s.FN++
			}
		}
		if s.TP+s.FP > 0 {
			s.Precision = float64(s.TP) / float64(s.TP+s.FP)
		}
		if s.TP+s.FN > 0 {
			s.Recall = float64(s.TP) / float64(s.TP+s.FN)
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		out[c] = s
	}
	return out
}

func TestScoreClasses(t *testing.T) {
	// gold:      neg neg neg pos pos
	// predicted: neg neu pos pos pos
	// negative: TP 1, FP 0, FN 2 → P 1, R 1/3, F1 0.5
	// positive: TP 2, FP 1, FN 0 → P 2/3, R 1, F1 0.8
	got := scoreClasses(
		[]string{LabelNegative, LabelNegative, LabelNegative, LabelPositive, LabelPositive},
		[]string{LabelNegative, LabelNeutral, LabelPositive, LabelPositive, LabelPositive})
	check := func(c string, p, r, f float64) {
		s := got[c]
		if math.Abs(s.Precision-p) > 1e-12 || math.Abs(s.Recall-r) > 1e-12 || math.Abs(s.F1-f) > 1e-12 {
			t.Errorf("scoreClasses %s = P %v R %v F1 %v; want %v %v %v", c, s.Precision, s.Recall, s.F1, p, r, f)
		}
	}
	check(LabelNegative, 1, 1.0/3, 0.5)
	check(LabelPositive, 2.0/3, 1, 0.8)
}

// VADER labels of the review texts (title and text, as imported) against
// the customers' ratings: 1–2 stars negative, 4–5 positive, 3 left out.
// The numbers go into docs/feedback.md; the floors below guard against a
// regression of the lexicon or of how texts are joined (they sit a few
// points under the measured values).
//
//	go test ./knowledge -run TestScoreSentiment_AgainstRatings -v
func TestScoreSentiment_AgainstRatings(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 22,641 reviews")
	}
	var gold, pred []string
	neutral := map[string]int{}
	for _, r := range loadReviews(t) {
		if strings.TrimSpace(r.Text) == "" || r.Rating == 3 {
			continue
		}
		g := LabelPositive
		if r.Rating <= 2 {
			g = LabelNegative
		}
		text := strings.TrimSpace(r.Text)
		if title := strings.TrimSpace(r.Title); title != "" {
			text = title + ". " + text
		}
		p := LabelSentiment(ScoreSentiment(text))
		gold, pred = append(gold, g), append(pred, p)
		if p == LabelNeutral {
			neutral[g]++
		}
	}
	scores := scoreClasses(gold, pred)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d reviews rated 1-2 or 4-5\n| class | support | precision | recall | F1 | predicted neutral |\n|---|---|---|---|---|---|\n", len(gold))
	for _, c := range []string{LabelNegative, LabelPositive} {
		s := scores[c]
		fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f | %.3f | %d |\n", c, s.TP+s.FN, s.Precision, s.Recall, s.F1, neutral[c])
	}
	t.Log(b.String())
	// Supports from PROVENANCE.md's rating counts less the reviews without text.
	if n := scores[LabelNegative].TP + scores[LabelNegative].FN; n < 2300 || n > 2407 {
		t.Errorf("negative support = %d; want 2,407 (842 + 1,565) less empty texts", n)
	}
	floors := map[string][2]float64{LabelNegative: {0.70, 0.25}, LabelPositive: {0.90, 0.97}} // precision, recall
	for c, fl := range floors {
		if s := scores[c]; s.Precision < fl[0] || s.Recall < fl[1] {
			t.Errorf("%s precision %.3f, recall %.3f; want at least %.2f, %.2f", c, s.Precision, s.Recall, fl[0], fl[1])
		}
	}
}
