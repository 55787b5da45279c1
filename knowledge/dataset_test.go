package knowledge

import (
	"compress/gzip"
	"encoding/csv"
	"os"
	"strconv"
	"testing"
)

// review is one row of data/womens-clothing-reviews.
type review struct {
	Title, Text string
	Rating      int
}

// loadReviews reads the Women's E-Commerce Clothing Reviews file (see its
// PROVENANCE.md): 23,486 rows; columns "", Clothing ID, Age, Title,
// Review Text, Rating, ...
func loadReviews(t *testing.T) []review {
	t.Helper()
	f, err := os.Open("../data/womens-clothing-reviews/womens_clothing_ecommerce_reviews.csv.gz")
	if err != nil {
		t.Fatalf("open reviews: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("gunzip reviews: %v", err)
	}
	rows, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatalf("read reviews: %v", err)
	}
	if len(rows) != 23487 || rows[0][3] != "Title" || rows[0][4] != "Review Text" || rows[0][5] != "Rating" {
		t.Fatalf("reviews file has %d rows, header %q; want 23,487 rows (header + 23,486) with Title, Review Text, Rating in columns 3–5", len(rows), rows[0])
	}
	out := make([]review, 0, len(rows)-1)
	for i, r := range rows[1:] {
		rating, err := strconv.Atoi(r[5])
		if err != nil {
			t.Fatalf("row %d rating %q: %v", i, r[5], err)
		}
		out = append(out, review{Title: r[3], Text: r[4], Rating: rating})
	}
	return out
}

// The reviews are anonymised and hold sizes ("size 12", "34b", "5'4"),
// measurements, prices and dates but no contact or card data, so any
// redaction in them is a false positive.
func TestRedact_WomensClothingReviews(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 8 MB of reviews")
	}
	texts := 0
	for i, r := range loadReviews(t) {
		for _, s := range []string{r.Title, r.Text} {
			if s == "" {
				continue
			}
			if s == r.Text {
				texts++
			}
			if _, spans := Redact(s); len(spans) > 0 {
				t.Errorf("Redact(review %d) redacted %s %q; want no redaction in anonymised reviews",
					i, spans[0].Kind, s[spans[0].Start:spans[0].End])
			}
		}
	}
	// PROVENANCE.md: 845 of 23,486 review texts are empty.
	if texts != 23486-845 {
		t.Errorf("non-empty review texts = %d; want %d", texts, 23486-845)
	}
}

// VADER's compound score should rise with the customer's star rating.
// Every 5th review keeps the test near a second.
func TestScoreSentiment_TracksRatings(t *testing.T) {
	if testing.Short() {
		t.Skip("scores thousands of reviews")
	}
	var sum [6]float64
	var n [6]int
	for i, r := range loadReviews(t) {
		if i%5 != 0 || r.Text == "" {
			continue
		}
		sum[r.Rating] += ScoreSentiment(r.Text)
		n[r.Rating]++
	}
	prev := -1.0
	for rating := 1; rating <= 5; rating++ {
		mean := sum[rating] / float64(n[rating])
		if mean <= prev {
			t.Errorf("mean compound of %d-star reviews = %.3f ≤ that of %d-star = %.3f; want rising with rating", rating, mean, rating-1, prev)
		}
		prev = mean
	}
}
