package postgres_test

import (
	"context"
	"testing"

	"github.com/roibot/roibot/knowledge"
)

func TestFeedbackStore_CustomerTexts(t *testing.T) {
	ctx := context.Background()
	_, fs := feedbackStore(t)
	a := fb("Lovely soft fabric, true to size.", 5, "Tops", "1")
	a.CustomerID = "12347"
	b := fb("The color faded after one wash.", 2, "Tops", "2")
	b.CustomerID = "12347"
	c := fb("Zipper broke on the first day.", 1, "Dresses", "3") // no customer
	if _, err := fs.StoreFeedback(ctx, []knowledge.Feedback{a, b, c}); err != nil {
		t.Fatal(err)
	}
	got, err := fs.CustomerTexts(ctx, []string{"12347", "99999"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].CustomerID != "12347" || got[0].Sentiment != a.Sentiment || got[1].Sentiment != b.Sentiment {
		t.Fatalf("CustomerTexts = %+v; want a's and b's scores", got)
	}
	if len(got[0].Embedding) != 384 || len(got[0].Themes) != len(a.Themes) {
		t.Errorf("row 0: %d-dim embedding, themes %v; want 384 and %v", len(got[0].Embedding), got[0].Themes, a.Themes)
	}
}
