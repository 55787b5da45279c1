package knowledge

import (
	"fmt"
	"math"
	"testing"
)

func TestScoreSentiment(t *testing.T) {
	const tol = 5e-5 // references are published to 4 decimals
	tests := []struct {
		name, text string
		want       float64
		label      string
	}{
		// Published in the vaderSentiment README (cjhutto/vaderSentiment).
		{"ReadmeSmart", "VADER is smart, handsome, and funny.", 0.8316, LabelPositive},
		{"ReadmeBookGood", "The book was good.", 0.4404, LabelPositive},
		{"ReadmeNotHorrible", "At least it isn't a horrible book.", 0.431, LabelPositive},
		{"ReadmeSux", "Today SUX!", -0.5461, LabelNegative},
		{"ReadmeNotBad", "Not bad at all", 0.431, LabelPositive},
		// Hand-computed from the reference definition, lexicon valences
		// great 3.1, terrible −2.1, love 3.2, good 1.9, itchy −1.1;
		// compound = s/√(s²+15).
		// 3.1/√(3.1²+15) = 0.62489
		{"FabricGreat", "The fabric is great.", 0.6249, LabelPositive},
		// −2.1/√(2.1²+15) = −0.47666
		{"DressTerrible", "The dress is terrible.", -0.4767, LabelNegative},
		// negation "not": 3.1 × −0.74 = −2.294; −2.294/√(2.294²+15) = −0.50962
		{"NotGreat", "The material is not great.", -0.5096, LabelNegative},
		// "fit" is itself in the VADER lexicon at +1.5 (the adjective), so an
		// aspect mention shifts the score: 1.5 − 2.294 = −0.794;
		// −0.794/√(0.794²+15) = −0.20083
		{"FitIsPositiveWord", "The fit is not great.", -0.2008, LabelNegative},
		// "cut" is in the lexicon at −1.1: −1.1 − 2.294 = −3.394;
		// −3.394/√(3.394²+15) = −0.65907
		{"CutIsNegativeWord", "The cut is not great.", -0.6591, LabelNegative},
		// one "!" adds 0.292: 3.492/√(3.492²+15) = 0.66963
		{"LoveExclaim", "I love this dress!", 0.6696, LabelPositive},
		// "but" halves the words before it and multiplies those after by 1.5:
		// 1.9×0.5 − 1.1×1.5 = −0.7; −0.7/√(0.49+15) = −0.17786
		{"ButClause", "The colour is good but the fabric is itchy.", -0.1779, LabelNegative},
		// No lexicon words.
		{"Neutral", "The parcel arrived on Tuesday.", 0, LabelNeutral},
		// Line breaks and double spaces must not change the score
		// (the Python reference splits on any whitespace).
		{"Whitespace", "The material is\nnot   great.", -0.5096, LabelNegative},
		{"Empty", "   ", 0, LabelNeutral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScoreSentiment(tt.text)
			if math.Abs(got-tt.want) > tol {
				t.Errorf("ScoreSentiment(%q) = %.5f; want %.4f", tt.text, got, tt.want)
			}
			if l := LabelSentiment(got); l != tt.label {
				t.Errorf("LabelSentiment(ScoreSentiment(%q)) = %q; want %q", tt.text, l, tt.label)
			}
		})
	}
}

func TestLabelSentiment(t *testing.T) {
	tests := []struct {
		compound float64
		want     string
	}{
		{0.05, LabelPositive}, {0.0499, LabelNeutral}, {0, LabelNeutral},
		{-0.0499, LabelNeutral}, {-0.05, LabelNegative}, {-1, LabelNegative}, {1, LabelPositive},
	}
	for _, tt := range tests {
		if got := LabelSentiment(tt.compound); got != tt.want {
			t.Errorf("LabelSentiment(%v) = %q; want %q", tt.compound, got, tt.want)
		}
	}
}

// The shared analyzer is read-only after construction; run with -race.
func TestScoreSentiment_Concurrent(t *testing.T) {
	want := ScoreSentiment("The fabric is great.")
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			for range 50 {
				if got := ScoreSentiment("The fabric is great."); got != want {
					t.Errorf("ScoreSentiment in parallel = %v; want %v", got, want)
					return
				}
			}
		})
	}
}
