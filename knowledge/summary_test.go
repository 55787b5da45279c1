package knowledge

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	items := []Feedback{
		{ID: 1, Rating: 2, Text: "Runs small, I had to size up.", Sentiment: -0.3, SentimentLabel: LabelNegative, Themes: []string{ThemeSizing}},
		{ID: 2, Rating: 5, Text: "Lovely soft fabric and it fits well.", Sentiment: 0.8, SentimentLabel: LabelPositive, Themes: []string{ThemeSizing, ThemeFabric, ThemeComfort}},
		{ID: 3, Rating: 0, Text: "Parcel arrived late.", Sentiment: 0, SentimentLabel: LabelNeutral, Themes: []string{ThemeDelivery}},
		{ID: 4, Rating: 2, Text: "Runs small, size up.", Sentiment: -0.2, SentimentLabel: LabelNegative, Themes: []string{ThemeSizing}},
		{ID: 5, Rating: 4, Text: "Nice.", Sentiment: 0.4, SentimentLabel: LabelPositive, Themes: []string{}},
	}
	s := Summarize(items)

	if s.Count != 5 {
		t.Errorf("Summarize.Count = %d; want 5", s.Count)
	}
	if want := (SentimentSplit{Negative: 2, Neutral: 1, Positive: 2}); s.Sentiment != want {
		t.Errorf("Summarize.Sentiment = %+v; want %+v", s.Sentiment, want)
	}
	// (−0.3 + 0.8 + 0 − 0.2 + 0.4)/5 = 0.14
	if math.Abs(s.MeanSentiment-0.14) > 1e-12 {
		t.Errorf("Summarize.MeanSentiment = %v; want 0.14", s.MeanSentiment)
	}
	if want := [5]int{0, 2, 0, 1, 1}; s.Ratings != want || s.Unrated != 1 {
		t.Errorf("Summarize.Ratings, Unrated = %v, %d; want %v, 1", s.Ratings, s.Unrated, want)
	}
	// (2 + 5 + 2 + 4)/4 = 3.25
	if math.Abs(s.MeanRating-3.25) > 1e-12 {
		t.Errorf("Summarize.MeanRating = %v; want 3.25", s.MeanRating)
	}
	var names []string
	for _, tc := range s.Themes {
		names = append(names, tc.Theme)
	}
	// sizing 3; then fabric, delivery, comfort with 1 each in AllThemes order.
	if want := []string{ThemeSizing, ThemeFabric, ThemeDelivery, ThemeComfort}; !slices.Equal(names, want) {
		t.Fatalf("Summarize.Themes = %v; want %v", names, want)
	}
	sizing := s.Themes[0]
	if sizing.Count != 3 || sizing.Sentiment != (SentimentSplit{Negative: 2, Positive: 1}) {
		t.Errorf("sizing = %+v; want count 3, 2 negative, 1 positive", sizing)
	}
	// (−0.3 + 0.8 − 0.2)/3 = 0.1
	if math.Abs(sizing.MeanSentiment-0.1) > 1e-12 {
		t.Errorf("sizing.MeanSentiment = %v; want 0.1", sizing.MeanSentiment)
	}
	if len(s.Quotes) != 4 {
		t.Fatalf("len(Summarize.Quotes) = %d; want 4 (one per theme)", len(s.Quotes))
	}
	// The two "runs small" items sit near the sizing centroid; the
	// fabric/comfort item (id 2) is the outlier and must not be picked.
	if q := s.Quotes[0]; q.Theme != ThemeSizing || (q.ID != 1 && q.ID != 4) {
		t.Errorf("sizing quote = %+v; want id 1 or 4", q)
	}
	// Fabric's only item is 2; comfort's only item is 2 as well, already
	// quoted, so it is quoted again rather than left out.
	if q := s.Quotes[1]; q.ID != 2 || q.Theme != ThemeFabric {
		t.Errorf("fabric quote = %+v; want id 2", q)
	}
	if q := s.Quotes[3]; q.ID != 2 || q.Theme != ThemeComfort {
		t.Errorf("comfort quote = %+v; want id 2", q)
	}

	t.Run("OrderIndependent", func(t *testing.T) {
		rev := slices.Clone(items)
		slices.Reverse(rev)
		r := Summarize(rev)
		for i := range s.Quotes {
			if r.Quotes[i].ID != s.Quotes[i].ID {
				t.Errorf("Summarize(reversed).Quotes[%d].ID = %d; want %d", i, r.Quotes[i].ID, s.Quotes[i].ID)
			}
		}
	})
}

func TestSummarize_TypicalQuote(t *testing.T) {
	items := []Feedback{
		{ID: 9, Text: "The delivery was late."},
		{ID: 3, Text: "The delivery was late."},
		{ID: 7, Text: "Courier lost my parcel, and customer service never called back about my order."},
		{ID: 5, Text: "The delivery was late."},
	}
	s := Summarize(items)
	if len(s.Quotes) == 0 || s.Quotes[0].Theme != ThemeDelivery || s.Quotes[0].ID != 3 {
		t.Fatalf("Summarize quotes = %+v; want the delivery quote to be id 3 (most typical, lowest id of equals)", s.Quotes)
	}
	// Unlabelled items are scored: "late" is not in the VADER lexicon,
	// and "lost" is negative (−1.3).
	if s.Sentiment.Neutral != 3 || s.Sentiment.Negative != 1 {
		t.Errorf("Summarize.Sentiment = %+v; want 3 neutral, 1 negative", s.Sentiment)
	}
}

func TestSummarize_RedactsAndTruncatesQuotes(t *testing.T) {
	long := "The sizing is off, write to me at ann@example.org " + strings.Repeat("and it runs small ", 30)
	s := Summarize([]Feedback{{ID: 1, Text: long}})
	if len(s.Quotes) != 1 {
		t.Fatalf("len(Quotes) = %d; want 1", len(s.Quotes))
	}
	q := s.Quotes[0].Text
	if strings.Contains(q, "ann@example.org") || !strings.Contains(q, "[EMAIL]") {
		t.Errorf("quote = %q; want the e-mail redacted", q)
	}
	if n := len([]rune(q)); n > MaxQuoteRunes || !strings.HasSuffix(q, "…") {
		t.Errorf("quote has %d runes, ends %q; want ≤ %d ending in …", n, q[len(q)-5:], MaxQuoteRunes)
	}
}

func TestSummarize_Empty(t *testing.T) {
	s := Summarize(nil)
	if s.Count != 0 || s.MeanRating != 0 || s.Themes == nil || len(s.Themes) != 0 || s.Quotes == nil {
		t.Errorf("Summarize(nil) = %+v; want zero counts with empty, non-nil Themes and Quotes", s)
	}
}
