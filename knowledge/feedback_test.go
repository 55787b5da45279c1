package knowledge

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/roibot/roibot/analytics"
)

func TestFeedback_Validate(t *testing.T) {
	ok := Feedback{ID: 1, Text: "Runs small.", Rating: 3, Sentiment: 0.2, SentimentLabel: LabelPositive, Themes: []string{ThemeSizing}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(%+v) = %v; want nil", ok, err)
	}
	unrated := ok
	unrated.Rating = 0
	if err := unrated.Validate(); err != nil {
		t.Errorf("Validate(rating 0) = %v; want nil (0 means no rating)", err)
	}
	tests := []struct {
		name   string
		edit   func(*Feedback)
		field  string
		target error
	}{
		{"NegativeID", func(f *Feedback) { f.ID = -1 }, "id", analytics.ErrNegative},
		{"EmptyText", func(f *Feedback) { f.Text = " \n " }, "text", ErrEmptyText},
		{"LongText", func(f *Feedback) { f.Text = strings.Repeat("é", MaxTextRunes+1) }, "text", ErrTextTooLong},
		{"Rating6", func(f *Feedback) { f.Rating = 6 }, "rating", ErrRatingRange},
		{"RatingNegative", func(f *Feedback) { f.Rating = -2 }, "rating", ErrRatingRange},
		{"SentimentHigh", func(f *Feedback) { f.Sentiment = 1.2 }, "sentiment", ErrSentimentRange},
		{"SentimentNaN", func(f *Feedback) { f.Sentiment = math.NaN() }, "sentiment", ErrSentimentRange},
		{"Label", func(f *Feedback) { f.SentimentLabel = "mixed" }, "sentiment_label", ErrSentimentLabel},
		{"Theme", func(f *Feedback) { f.Themes = []string{"vibes"} }, "themes", ErrUnknownTheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.edit(&f)
			err := f.Validate()
			var ie *analytics.InputError
			if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, tt.target) {
				t.Errorf("Validate() = %v; want InputError on %s wrapping %v", err, tt.field, tt.target)
			}
		})
	}
}

func TestEnrich(t *testing.T) {
	in := Feedback{ID: 7, Rating: 1, Product: "Dress for jo@example.com",
		Text: "  The dress is terrible and runs small. Call 07700 900123  "}
	got := Enrich(in)
	if want := "The dress is terrible and runs small. Call [PHONE]"; got.Text != want {
		t.Errorf("Enrich text = %q; want %q", got.Text, want)
	}
	if got.Product != "Dress for [EMAIL]" {
		t.Errorf("Enrich product = %q; want %q", got.Product, "Dress for [EMAIL]")
	}
	if got.Sentiment != ScoreSentiment(got.Text) || got.SentimentLabel != LabelNegative {
		t.Errorf("Enrich sentiment = %v %q; want VADER of the redacted text, negative", got.Sentiment, got.SentimentLabel)
	}
	if !slices.Equal(got.Themes, []string{ThemeSizing}) {
		t.Errorf("Enrich themes = %v; want [sizing]", got.Themes)
	}
	if got.ID != 7 || got.Rating != 1 {
		t.Errorf("Enrich changed ID or rating: %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate(Enrich(...)) = %v; want nil", err)
	}
}
