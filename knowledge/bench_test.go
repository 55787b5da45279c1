package knowledge

import (
	"context"
	"testing"
)

const benchReview = "I had such high hopes for this dress and really wanted it to work for me. " +
	"I initially ordered the petite small (my usual size) but I found this to be outrageously small. " +
	"So small in fact that I could not zip it up! I reordered it in petite medium, which was just ok. " +
	"Overall, the top half was comfortable and fit nicely, but the bottom half had a very tight under layer " +
	"and several somewhat cheap (net) over layers. Imo, a major design flaw was the net over layer sewn directly " +
	"into the zipper - it c"

const benchDigits = "I'm 5'4\", 34b, usually a size 12 or L. Paid $89.99 on 12/05/2023 for order 536365; " +
	"it arrived on 2023-05-15. Call 020 7946 0958 or write to jo@example.com, 12 Station Road, SW1A 1AA."

func BenchmarkRedact(b *testing.B) {
	b.Run("Prose", func(b *testing.B) {
		for b.Loop() {
			Redact(benchReview)
		}
	})
	b.Run("DigitsAndPII", func(b *testing.B) {
		for b.Loop() {
			Redact(benchDigits)
		}
	})
}

func BenchmarkScoreSentiment(b *testing.B) {
	ScoreSentiment("warm up")
	for b.Loop() {
		ScoreSentiment(benchReview)
	}
}

func BenchmarkThemes(b *testing.B) {
	for b.Loop() {
		Themes(benchReview)
	}
}

func BenchmarkHashEmbedder_EmbedQuery(b *testing.B) {
	e, _ := NewHashEmbedder(0)
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.EmbedQuery(ctx, benchReview); err != nil {
			b.Fatal(err)
		}
	}
}
