package knowledge

import (
	"strings"
	"sync"

	"github.com/jonreiter/govader"
)

// SentimentThreshold is VADER's standard cut-off on the compound score:
// compound ≥ 0.05 is positive, compound ≤ −0.05 is negative, and anything
// between is neutral (Hutto & Gilbert 2014; vaderSentiment README).
const SentimentThreshold = 0.05

// vader is built once: loading the lexicon takes a few milliseconds.
// PolarityScores only reads the analyzer, so sharing it is safe.
var vader = sync.OnceValue(govader.NewSentimentIntensityAnalyzer)

// ScoreSentiment returns the VADER compound sentiment of text, in −1..1:
// the sum s of the rule-adjusted lexicon valences of the words, normalized
// as s / √(s² + 15). It runs offline on the English VADER lexicon through
// github.com/jonreiter/govader, a port of the reference Python
// vaderSentiment. Whitespace is collapsed to single spaces first, as the
// Python implementation's str.split() does, because the port splits on
// single spaces only. Empty text scores 0.
//
// Source: C.J. Hutto and E. Gilbert, "VADER: A Parsimonious Rule-based
// Model for Sentiment Analysis of Social Media Text", ICWSM 2014.
func ScoreSentiment(text string) float64 {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return 0
	}
	return vader().PolarityScores(text).Compound
}

// LabelSentiment maps a compound score to LabelPositive (≥ 0.05),
// LabelNegative (≤ −0.05) or LabelNeutral (between), the thresholds the
// VADER authors recommend.
func LabelSentiment(compound float64) string {
	switch {
	case compound >= SentimentThreshold:
		return LabelPositive
	case compound <= -SentimentThreshold:
		return LabelNegative
	default:
		return LabelNeutral
	}
}
