package knowledge

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxQuoteRunes is the longest representative quote Summarize returns, in
// runes; longer texts are cut at a word boundary and end in "…".
const MaxQuoteRunes = 280

// SentimentSplit counts feedback per sentiment label.
type SentimentSplit struct {
	Negative int `json:"negative"`
	Neutral  int `json:"neutral"`
	Positive int `json:"positive"`
}

// ThemeCount is one theme's share of a set of feedback.
type ThemeCount struct {
	Theme string `json:"theme"`
	// Count is how many items mention the theme.
	Count int `json:"count"`
	// Sentiment splits those items by sentiment label.
	Sentiment SentimentSplit `json:"sentiment"`
	// MeanSentiment is their mean compound sentiment, in −1..1.
	MeanSentiment float64 `json:"mean_sentiment"`
}

// Quote is one representative piece of feedback for a theme.
type Quote struct {
	ID             int64  `json:"id"`
	Theme          string `json:"theme"`
	Text           string `json:"text"`
	Rating         int    `json:"rating,omitempty"`
	SentimentLabel string `json:"sentiment_label"`
}

// Summary describes a set of feedback.
type Summary struct {
	// Count is the number of items.
	Count int `json:"count"`
	// Sentiment splits the items by sentiment label.
	Sentiment SentimentSplit `json:"sentiment"`
	// MeanSentiment is the mean compound sentiment, in −1..1; 0 for no items.
	MeanSentiment float64 `json:"mean_sentiment"`
	// LLMSentiment counts items whose sentiment a language model gave
	// (SentimentSource SentimentLLM); the others' is VADER's.
	LLMSentiment int `json:"llm_sentiment"`
	// Ratings counts items per star rating: Ratings[r-1] items were rated r.
	Ratings [5]int `json:"ratings"`
	// Unrated counts items without a rating.
	Unrated int `json:"unrated"`
	// MeanRating is the mean star rating of rated items; 0 when none is rated.
	MeanRating float64 `json:"mean_rating"`
	// Themes lists each theme mentioned, most frequent first, ties in the
	// order of AllThemes.
	Themes []ThemeCount `json:"themes"`
	// Quotes holds one representative quote per theme, in Themes order.
	Quotes []Quote `json:"quotes"`
}

// Summarize counts items by sentiment, rating and theme and picks one
// representative quote per theme. Items without a SentimentLabel are
// scored with ScoreSentiment and items without Themes are tagged with
// Themes, so raw feedback can be summarized too.
//
// The representative quote of a theme is its most typical item: the one
// whose HashEmbedder vector has the highest cosine similarity to the
// centroid of the theme's item vectors (a medoid-like choice), preferring
// items not already quoted for an earlier theme, ties broken by lower ID.
// Quote text is redacted (Redact) and cut to MaxQuoteRunes. The result is
// deterministic: it depends only on the items, not on their order beyond
// equal IDs.
func Summarize(items []Feedback) Summary {
	s := Summary{Count: len(items), Themes: []ThemeCount{}, Quotes: []Quote{}}
	if len(items) == 0 {
		return s
	}
	prepared := make([]Feedback, len(items))
	var sentSum float64
	rated, ratingSum := 0, 0
	byTheme := make(map[string][]int)
	for i, f := range items {
		if f.SentimentLabel == "" {
			f.Sentiment = ScoreSentiment(f.Text)
			f.SentimentLabel = LabelSentiment(f.Sentiment)
			f.SentimentSource = SentimentVADER
		}
		if f.SentimentSource == SentimentLLM {
			s.LLMSentiment++
		}
		if f.Themes == nil {
			f.Themes = Themes(f.Text)
		}
		prepared[i] = f
		addSentiment(&s.Sentiment, f.SentimentLabel)
		sentSum += f.Sentiment
		if f.Rating >= 1 && f.Rating <= 5 {
			s.Ratings[f.Rating-1]++
			rated++
			ratingSum += f.Rating
		} else {
			s.Unrated++
		}
		seen := make(map[string]bool)
		for _, th := range f.Themes {
			if !seen[th] {
				seen[th] = true
				byTheme[th] = append(byTheme[th], i)
			}
		}
	}
	s.MeanSentiment = sentSum / float64(len(items))
	if rated > 0 {
		s.MeanRating = float64(ratingSum) / float64(rated)
	}

	order := make(map[string]int)
	for i, th := range AllThemes {
		order[th] = i
	}
	for th, idx := range byTheme {
		tc := ThemeCount{Theme: th, Count: len(idx)}
		var sum float64
		for _, i := range idx {
			addSentiment(&tc.Sentiment, prepared[i].SentimentLabel)
			sum += prepared[i].Sentiment
		}
		tc.MeanSentiment = sum / float64(len(idx))
		s.Themes = append(s.Themes, tc)
	}
	slices.SortFunc(s.Themes, func(a, b ThemeCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		oa, okA := order[a.Theme]
		ob, okB := order[b.Theme]
		if !okA {
			oa = len(AllThemes)
		}
		if !okB {
			ob = len(AllThemes)
		}
		if c := cmp.Compare(oa, ob); c != 0 {
			return c
		}
		return strings.Compare(a.Theme, b.Theme)
	})

	vecs := embedAll(prepared)
	quoted := make(map[int64]bool)
	for _, tc := range s.Themes {
		i := typical(prepared, vecs, byTheme[tc.Theme], quoted)
		if i < 0 {
			continue
		}
		f := prepared[i]
		quoted[f.ID] = true
		text, _ := Redact(f.Text)
		s.Quotes = append(s.Quotes, Quote{
			ID: f.ID, Theme: tc.Theme, Text: truncateRunes(strings.TrimSpace(text), MaxQuoteRunes),
			Rating: f.Rating, SentimentLabel: f.SentimentLabel,
		})
	}
	return s
}

func addSentiment(s *SentimentSplit, label string) {
	switch label {
	case LabelNegative:
		s.Negative++
	case LabelPositive:
		s.Positive++
	default:
		s.Neutral++
	}
}

// embedAll embeds each item's text with the default HashEmbedder; items
// with no words get a nil vector.
func embedAll(items []Feedback) [][]float32 {
	e := &HashEmbedder{dim: DefaultDimension}
	out := make([][]float32, len(items))
	for i, f := range items {
		v, err := e.EmbedQuery(context.Background(), f.Text)
		if err == nil {
			out[i] = v
		}
	}
	return out
}

// typical returns the index, among idx, of the item closest to the
// centroid of their vectors, preferring items whose ID is not in quoted;
// −1 when no item has a vector.
func typical(items []Feedback, vecs [][]float32, idx []int, quoted map[int64]bool) int {
	var centroid []float64
	for _, i := range idx {
		if vecs[i] == nil {
			continue
		}
		if centroid == nil {
			centroid = make([]float64, len(vecs[i]))
		}
		for j, x := range vecs[i] {
			centroid[j] += float64(x)
		}
	}
	if centroid == nil {
		return -1
	}
	best, bestFresh := -1, -1
	var bestSim, bestFreshSim float64
	better := func(i int, sim float64, cur int, curSim float64) bool {
		if cur < 0 {
			return true
		}
		// Similarities are compared after rounding so that equal texts tie
		// exactly whatever the summation order.
		a, b := float32(sim), float32(curSim)
		if a != b {
			return a > b
		}
		return items[i].ID < items[cur].ID
	}
	for _, i := range idx {
		if vecs[i] == nil {
			continue
		}
		var sim float64
		for j, x := range vecs[i] {
			sim += float64(x) * centroid[j]
		}
		if better(i, sim, best, bestSim) {
			best, bestSim = i, sim
		}
		if !quoted[items[i].ID] && better(i, sim, bestFresh, bestFreshSim) {
			bestFresh, bestFreshSim = i, sim
		}
	}
	if bestFresh >= 0 {
		return bestFresh
	}
	return best
}

// truncateRunes cuts s to at most n runes, at the last space when there
// is one in the second half, and appends "…" when it cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if sp := strings.LastIndexByte(cut, ' '); sp > len(cut)/2 {
		cut = cut[:sp]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
