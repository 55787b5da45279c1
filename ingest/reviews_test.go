package ingest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// feedbackSink collects what ImportReviews stores; a repeated SourceRef
// is not stored again, like the real store.
type feedbackSink struct {
	items []knowledge.Feedback
	refs  map[string]bool
}

func (s *feedbackSink) StoreFeedback(_ context.Context, items []knowledge.Feedback) (int, error) {
	if s.refs == nil {
		s.refs = map[string]bool{}
	}
	n := 0
	for _, f := range items {
		if !s.refs[f.SourceRef] {
			s.refs[f.SourceRef] = true
			s.items = append(s.items, f)
			n++
		}
	}
	return n, nil
}

func TestImportReviews_Rows(t *testing.T) {
	csv := `,Clothing ID,Age,Title,Review Text,Rating,Recommended IND,Positive Feedback Count,Division Name,Department Name,Class Name
0,767,33,,"Absolutely wonderful - silky and sexy and comfortable",4,1,0,Initmates,Intimate,Intimates
1,1080,34,Runs small!,"Love this dress! but it runs
small, order a size up.",5,1,4,General,Dresses,Dresses
2,1077,60,Some title,,3,0,0,General,Dresses,Dresses
3,1049,50,,"Call me on 020 7946 0958 about it, the fabric is thin",9,0,0,General Petite,Bottoms,Pants
4,847,47,Flattering,"Love it, the color is great.",5,1,6,General,Tops,Blouses
`
	var sink feedbackSink
	rep, err := ImportReviews(context.Background(), strings.NewReader(csv), &sink, Options{File: "t.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 5 || rep.Stored != 3 || rep.Rejected != 2 {
		t.Fatalf("report = %d read, %d stored, %d rejected; want 5, 3, 2", rep.Read, rep.Stored, rep.Rejected)
	}
	// Line numbers are physical lines: row 1 spans lines 3-4.
	if r := rep.Rejects[0]; r.Line != 5 || r.Field != "Review Text" {
		t.Errorf("first reject = %v; want line 5, Review Text", r)
	}
	if r := rep.Rejects[1]; r.Line != 6 || r.Field != "Rating" {
		t.Errorf("second reject = %v; want line 6, Rating", r)
	}
	f := sink.items[1]
	if f.Text != "Runs small! Love this dress! but it runs\nsmall, order a size up." || f.Rating != 5 ||
		f.Category != "Dresses" || f.Product != "Dresses" || f.Source != SourceReviews || f.SourceRef != "1" ||
		f.SentimentLabel != knowledge.LabelPositive || len(f.Themes) == 0 || f.Themes[0] != knowledge.ThemeSizing {
		t.Errorf("row 1 = %+v; want title and text joined, rating 5, Dresses, ref 1, positive, sizing first", f)
	}
	if got, want := sink.items[0].CreatedAt, time.Date(2010, 12, 1, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("row 0 CreatedAt = %s; want %s", got, want)
	}
	// Row 4: day (4 × 7919) mod 374 = 31676 mod 374 = 260 → 2010-12-01 + 260 days = 2011-08-18.
	if got, want := sink.items[2].CreatedAt, time.Date(2011, 8, 18, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("row 4 CreatedAt = %s; want %s", got, want)
	}
}

// The whole file: PROVENANCE.md says 845 of 23,486 review texts are
// empty; the first is row 92 on physical line 114 (texts hold line breaks),
// the last row 23480 on line 28222.
func TestImportReviews_File(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 8 MB of reviews")
	}
	f, err := os.Open("../data/womens-clothing-reviews/womens_clothing_ecommerce_reviews.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var sink feedbackSink
	rep, err := ImportReviews(context.Background(), rc, &sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 23486 || rep.Stored != 22641 || rep.Rejected != 845 {
		t.Errorf("report = %d read, %d stored, %d rejected; want 23,486, 22,641, 845", rep.Read, rep.Stored, rep.Rejected)
	}
	if first, last := rep.Rejects[0], rep.Rejects[len(rep.Rejects)-1]; first.Line != 114 || last.Line != 28222 {
		t.Errorf("rejects run from line %d to %d; want 114 to 28222", first.Line, last.Line)
	}
	depts := map[string]int{}
	for _, it := range sink.items {
		depts[it.Category]++
	}
	// Reviews with text per Department Name, counted independently with
	// Python's csv module (PROVENANCE.md gives the totals with empty texts:
	// Tops 10,468, Dresses 6,319, ...).
	want := map[string]int{"Tops": 10048, "Dresses": 6145, "Bottoms": 3662, "Intimate": 1653, "Jackets": 1002, "Trend": 118, "": 13}
	for d, n := range want {
		if depts[d] != n {
			t.Errorf("reviews with text in department %q = %d; want %d", d, depts[d], n)
		}
	}
}

// vectorRefusingSink refuses, like the store given a bad vector from the
// embedding endpoint, any batch holding a text containing bad, naming the
// first such item's index.
type vectorRefusingSink struct {
	feedbackSink
	calls int
}

func (s *vectorRefusingSink) StoreFeedback(ctx context.Context, items []knowledge.Feedback) (int, error) {
	s.calls++
	for i, f := range items {
		if strings.Contains(f.Text, "bad") {
			return 0, &analytics.InputError{Row: i, Field: "embedding", Err: errors.New("vector has NaN at 3")}
		}
	}
	return s.feedbackSink.StoreFeedback(ctx, items)
}

// TestImportReviews_BadVectorRejectsItsRow: a row whose vector the store
// refuses is rejected alone, with its line and reason; the rest of its
// batch is stored.
func TestImportReviews_BadVectorRejectsItsRow(t *testing.T) {
	csv := `,Clothing ID,Age,Title,Review Text,Rating,Recommended IND,Positive Feedback Count,Division Name,Department Name,Class Name
0,767,33,,"Soft and comfortable",4,1,0,Initmates,Intimate,Intimates
1,1080,34,,"A bad vector comes back for this one",5,1,4,General,Dresses,Dresses
2,1077,60,,"Lovely colour",3,0,0,General,Dresses,Dresses
3,1049,50,,"Another bad one",2,0,0,General Petite,Bottoms,Pants
4,847,47,,"Fits well",5,1,6,General,Tops,Blouses
`
	sink := &vectorRefusingSink{}
	rep, err := ImportReviews(context.Background(), strings.NewReader(csv), sink, Options{File: "t.csv", BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 5 || rep.Stored != 3 || rep.Rejected != 2 || len(sink.items) != 3 {
		t.Fatalf("report = %d read, %d stored, %d rejected, %d in the sink; want 5, 3, 2, 3", rep.Read, rep.Stored, rep.Rejected, len(sink.items))
	}
	for i, want := range []int{3, 5} {
		if r := rep.Rejects[i]; r.Line != want || r.Field != "embedding" || r.Reason != "vector has NaN at 3" {
			t.Errorf("reject %d = %+v; want line %d, field embedding, the store's reason", i, r, want)
		}
	}
	if sink.calls != 3 {
		t.Errorf("sink calls = %d; want 3 (one per refused row, then the rest)", sink.calls)
	}
}
