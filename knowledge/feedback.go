package knowledge

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roibot/roibot/analytics"
)

// Sentiment labels, from the VADER compound score with the standard
// ±0.05 thresholds (see LabelSentiment).
const (
	LabelNegative = "negative"
	LabelNeutral  = "neutral"
	LabelPositive = "positive"
)

// MaxTextRunes is the longest feedback text accepted, in runes.
const MaxTextRunes = 5000

// Sentinel errors wrapped in *analytics.InputError by Feedback.Validate and
// returned by other functions of the package.
var (
	// ErrEmptyText means a text holds no words.
	ErrEmptyText = errors.New("empty text")
	// ErrTextTooLong means a text is longer than MaxTextRunes.
	ErrTextTooLong = errors.New("text too long")
	// ErrRatingRange means a rating outside 1..5 (0 means no rating).
	ErrRatingRange = errors.New("rating outside 1..5")
	// ErrSentimentRange means a compound sentiment outside −1..1 or not a number.
	ErrSentimentRange = errors.New("sentiment outside -1..1")
	// ErrSentimentLabel means a label other than negative, neutral or positive.
	ErrSentimentLabel = errors.New("unknown sentiment label")
	// ErrUnknownTheme means a theme name not in the theme lexicon (see Themes).
	ErrUnknownTheme = errors.New("unknown theme")
)

// Feedback is one piece of customer feedback: a review, a survey answer or
// a message collected by the dialogue.
type Feedback struct {
	// ID is the store's identifier; 0 before the feedback is stored.
	ID int64 `json:"id"`
	// Text is the customer's words, redacted of PII before storage.
	Text string `json:"text"`
	// Rating is the customer's star rating 1 (worst) .. 5 (best); 0 means none given.
	Rating int `json:"rating"`
	// CustomerID identifies the customer when known; empty for anonymous feedback.
	CustomerID string `json:"customer_id,omitempty"`
	// OrderID is the order the feedback is about, when the customer gave one.
	OrderID string `json:"order_id,omitempty"`
	// Product names or identifies the product the feedback is about.
	Product string `json:"product,omitempty"`
	// Category is the product category (e.g. "Dresses").
	Category string `json:"category,omitempty"`
	// Source says where the feedback came from (e.g. "review", "chat", "survey").
	Source string `json:"source,omitempty"`
	// SourceRef identifies the feedback within its Source (a review's row
	// id, a dialogue submission's idempotency key); a store keeps one row
	// per (Source, SourceRef), so importing or confirming twice adds nothing.
	SourceRef string `json:"source_ref,omitempty"`
	// Consent is true when the customer agreed to be contacted about it.
	Consent bool `json:"consent"`
	// CreatedAt is when the feedback was given.
	CreatedAt time.Time `json:"created_at"`
	// Sentiment is the sentiment of Text, in −1..1: the VADER compound
	// score, or a language model's score (see SentimentSource).
	Sentiment float64 `json:"sentiment"`
	// SentimentLabel is negative, neutral or positive (see LabelSentiment);
	// empty before analysis.
	SentimentLabel string `json:"sentiment_label,omitempty"`
	// SentimentSource is the method that produced Sentiment and
	// SentimentLabel: SentimentVADER or SentimentLLM; empty before analysis.
	SentimentSource string `json:"sentiment_source,omitempty"`
	// Themes are the retail aspects Text mentions, in the order of AllThemes.
	Themes []string `json:"themes,omitempty"`
}

// Validate checks the fields a store relies on and returns an
// *analytics.InputError (Row −1) naming the first bad field: "text"
// (ErrEmptyText, ErrTextTooLong), "rating" (ErrRatingRange), "sentiment"
// (ErrSentimentRange), "sentiment_label" (ErrSentimentLabel),
// "sentiment_source" (ErrSentimentSource), "themes"
// (ErrUnknownTheme) or "id" (analytics.ErrNegative).
func (f Feedback) Validate() error {
	bad := func(field string, err error) error {
		return &analytics.InputError{Row: -1, Field: field, Err: err}
	}
	switch {
	case f.ID < 0:
		return bad("id", analytics.ErrNegative)
	case strings.TrimSpace(f.Text) == "":
		return bad("text", ErrEmptyText)
	case utf8.RuneCountInString(f.Text) > MaxTextRunes:
		return bad("text", fmt.Errorf("%w: %d runes, at most %d", ErrTextTooLong, utf8.RuneCountInString(f.Text), MaxTextRunes))
	case f.Rating < 0 || f.Rating > 5:
		return bad("rating", fmt.Errorf("%w: %d", ErrRatingRange, f.Rating))
	case math.IsNaN(f.Sentiment) || f.Sentiment < -1 || f.Sentiment > 1:
		return bad("sentiment", fmt.Errorf("%w: %v", ErrSentimentRange, f.Sentiment))
	}
	switch f.SentimentLabel {
	case "", LabelNegative, LabelNeutral, LabelPositive:
	default:
		return bad("sentiment_label", fmt.Errorf("%w: %q", ErrSentimentLabel, f.SentimentLabel))
	}
	switch f.SentimentSource {
	case "", SentimentVADER, SentimentLLM:
	default:
		return bad("sentiment_source", fmt.Errorf("%w: %q", ErrSentimentSource, f.SentimentSource))
	}
	for _, th := range f.Themes {
		if !IsTheme(th) {
			return bad("themes", fmt.Errorf("%w: %q", ErrUnknownTheme, th))
		}
	}
	return nil
}

// Enrich returns f prepared for storage: Text and Product redacted of PII
// (see Redact) and trimmed, Sentiment and SentimentLabel scored on the
// redacted text with VADER (SentimentSource SentimentVADER), and Themes
// tagged. Other fields are kept. Enrich does not validate; call Validate
// on the result. EnrichSentiment re-scores the sentiment with another
// SentimentScorer, such as LLMSentiment.
func Enrich(f Feedback) Feedback {
	text, _ := Redact(f.Text)
	f.Text = strings.TrimSpace(text)
	product, _ := Redact(f.Product)
	f.Product = strings.TrimSpace(product)
	f.Sentiment = ScoreSentiment(f.Text)
	f.SentimentLabel = LabelSentiment(f.Sentiment)
	f.SentimentSource = SentimentVADER
	f.Themes = Themes(f.Text)
	return f
}
