package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// feedbackStore returns a FeedbackStore with the 384-d HashEmbedder on a
// fresh schema.
func feedbackStore(t *testing.T) (*postgres.Store, *postgres.FeedbackStore) {
	t.Helper()
	s := pgtest.Store(t)
	e, err := knowledge.NewHashEmbedder(0)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := s.Feedback(context.Background(), postgres.FeedbackConfig{Embedder: e, Dimension: e.Dimension(), Model: "hash-384"})
	if err != nil {
		t.Fatalf("Feedback: %v", err)
	}
	if !fs.HasVectorSearch() {
		t.Fatal("HasVectorSearch() = false on a database with pgvector; want true")
	}
	return s, fs
}

func fb(text string, rating int, category, ref string) knowledge.Feedback {
	f := knowledge.Enrich(knowledge.Feedback{Text: text, Rating: rating, Category: category, Product: category,
		Source: "test", SourceRef: ref, CreatedAt: time.Date(2011, 5, 1, 12, 0, 0, 0, time.UTC)})
	return f
}

func countRows(t *testing.T, s *postgres.Store) int64 {
	t.Helper()
	c, err := s.TableCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c["feedback"]
}

func TestFeedbackStore_RecordFeedback(t *testing.T) {
	ctx := context.Background()
	s, fs := feedbackStore(t)
	f := fb("The dress runs small, order a size up.", 3, "Dresses", "")
	// RecordFeedback sets SourceRef to the key.
	f.Source, f.OrderID = knowledge.SourceChat, "536365"
	id1, err := fs.RecordFeedback(ctx, f, "fb_key1")
	if err != nil {
		t.Fatalf("RecordFeedback: %v", err)
	}
	id2, err := fs.RecordFeedback(ctx, f, "fb_key1")
	if err != nil {
		t.Fatalf("RecordFeedback again: %v", err)
	}
	if id1 == 0 || id2 != id1 {
		t.Errorf("RecordFeedback twice with one key = %d, %d; want the same non-zero id", id1, id2)
	}
	if n := countRows(t, s); n != 1 {
		t.Errorf("feedback rows after a repeated record = %d; want 1", n)
	}
	id3, err := fs.RecordFeedback(ctx, f, "fb_key2")
	if err != nil || id3 == id1 {
		t.Errorf("RecordFeedback with a new key = %d, %v; want a new id", id3, err)
	}
	got, err := fs.FeedbackByIDs(ctx, []int64{id1})
	if err != nil || len(got) != 1 {
		t.Fatalf("FeedbackByIDs(%d) = %v, %v", id1, got, err)
	}
	g := got[0]
	if g.OrderID != "536365" || g.Rating != 3 || g.SourceRef != "fb_key1" || g.Category != "Dresses" ||
		!strings.Contains(strings.Join(g.Themes, ","), "sizing") {
		t.Errorf("stored feedback = %+v; want order 536365, rating 3, source_ref fb_key1, category Dresses, theme sizing", g)
	}
}

// zeroEmbedder returns a zero vector for texts containing "zero".
type zeroEmbedder struct{ e *knowledge.HashEmbedder }

func (z zeroEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	vs, err := z.e.EmbedDocuments(ctx, texts)
	for i, t := range texts {
		if strings.Contains(t, "zero") {
			vs[i] = make([]float32, len(vs[i]))
		}
	}
	return vs, err
}

func TestFeedbackStore_StoreFeedback(t *testing.T) {
	ctx := context.Background()
	s, fs := feedbackStore(t)
	items := []knowledge.Feedback{
		fb("Lovely soft fabric, true to size.", 5, "Tops", "1"),
		fb("The color faded after one wash.", 2, "Tops", "2"),
		fb("Zipper broke on the first day.", 1, "Dresses", "3"),
	}
	n, err := fs.StoreFeedback(ctx, items)
	if err != nil || n != 3 {
		t.Fatalf("StoreFeedback = %d, %v; want 3 stored", n, err)
	}
	n, err = fs.StoreFeedback(ctx, items)
	if err != nil || n != 0 {
		t.Errorf("StoreFeedback again = %d, %v; want 0 stored (same source refs)", n, err)
	}
	if c := countRows(t, s); c != 3 {
		t.Errorf("feedback rows = %d; want 3", c)
	}

	t.Run("ZeroVectorRejected", func(t *testing.T) {
		e, _ := knowledge.NewHashEmbedder(0)
		zs, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: zeroEmbedder{e}, Dimension: 384, Model: "hash-384"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = zs.StoreFeedback(ctx, []knowledge.Feedback{fb("fine shirt", 4, "Tops", "10"), fb("zero stars for this", 1, "Tops", "11")})
		var ie *analytics.InputError
		if !errors.Is(err, knowledge.ErrInvalidVector) || !errors.As(err, &ie) || ie.Row != 1 {
			t.Errorf("StoreFeedback with a zero vector at item 1 = %v; want an InputError row 1 wrapping ErrInvalidVector", err)
		}
		if c := countRows(t, s); c != 3 {
			t.Errorf("feedback rows after a rejected batch = %d; want 3 (nothing inserted)", c)
		}
	})

	t.Run("KeyRepeatedInBatch", func(t *testing.T) {
		n, err := fs.StoreFeedback(ctx, []knowledge.Feedback{fb("Runs large.", 3, "Tops", "20"), fb("Runs large, again.", 3, "Tops", "20")})
		if err != nil || n != 1 {
			t.Errorf("StoreFeedback(one key twice) = %d, %v; want 1 stored", n, err)
		}
	})

	t.Run("NoSourceRefRejected", func(t *testing.T) {
		_, err := fs.StoreFeedback(ctx, []knowledge.Feedback{fb("Fine.", 3, "Tops", "")})
		var ie *analytics.InputError
		if !errors.As(err, &ie) || ie.Field != "source_ref" {
			t.Errorf("StoreFeedback(no source_ref) = %v; want an InputError naming source_ref", err)
		}
	})

	t.Run("EmptyTextRejected", func(t *testing.T) {
		_, err := fs.StoreFeedback(ctx, []knowledge.Feedback{{Text: "  ", Source: "test", SourceRef: "x"}})
		if !errors.Is(err, knowledge.ErrEmptyText) {
			t.Errorf("StoreFeedback(empty text) = %v; want ErrEmptyText", err)
		}
	})
}

func TestFeedbackStore_DimensionMismatch(t *testing.T) {
	s := pgtest.Store(t)
	e, _ := knowledge.NewHashEmbedder(512)
	_, err := s.Feedback(context.Background(), postgres.FeedbackConfig{Embedder: e, Dimension: 512})
	if !errors.Is(err, knowledge.ErrDimensionMismatch) || !strings.Contains(err.Error(), "512") || !strings.Contains(err.Error(), "384") {
		t.Errorf("Feedback(512-d embedder) = %v; want ErrDimensionMismatch naming 512 and 384", err)
	}
}

// corpus builds n feedback texts over a few topics; every 50th is in the
// rare category "Trend" with rating 1.
func corpus(n int) []knowledge.Feedback {
	topics := []string{
		"the dress runs small and the sizing is off, order one size up",
		"beautiful soft fabric and lovely material, feels great",
		"the color is more orange than the photo, disappointing shade",
		"arrived late, delivery took two weeks and shipping was slow",
		"too expensive for the quality, not worth the price",
		"great fit through the waist and hips, very flattering",
	}
	out := make([]knowledge.Feedback, n)
	for i := range out {
		cat, rating := []string{"Tops", "Dresses", "Bottoms"}[i%3], 1+i%5
		if i%50 == 0 {
			cat, rating = "Trend", 1
		}
		text := fmt.Sprintf("Review %d: %s. Also item %d in %s.", i, topics[i%len(topics)], i*37%101, strings.ToLower(cat))
		out[i] = fb(text, rating, cat, fmt.Sprint(i))
	}
	return out
}

func TestFeedbackStore_Search(t *testing.T) {
	ctx := context.Background()
	_, fs := feedbackStore(t)
	items := corpus(600)
	if _, err := fs.StoreFeedback(ctx, items); err != nil {
		t.Fatal(err)
	}
	e, _ := knowledge.NewHashEmbedder(0)
	q, _ := e.EmbedQuery(ctx, "sizing runs small")

	t.Run("FilteredReturnsExactCount", func(t *testing.T) {
		filters := []knowledge.Filter{
			{Category: "Trend"},                               // 12 rows
			{Category: "trend", RatingMax: 1},                 // case-insensitive, 12 rows
			{Category: "Dresses", RatingMin: 5, RatingMax: 5}, // rare combination
			{Sentiment: knowledge.LabelNegative, Category: "Tops"},
		}
		for _, f := range filters {
			want, err := fs.CountFeedback(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []int{5, 10, 50, 200} {
				exact, err := fs.ExactVectorSearch(ctx, q, f, k)
				if err != nil {
					t.Fatal(err)
				}
				got, err := fs.VectorSearch(ctx, q, f, k)
				if err != nil {
					t.Fatal(err)
				}
				if len(exact) != min(k, want) || len(got) != len(exact) {
					t.Errorf("VectorSearch(%+v, k=%d) = %d rows, exact scan %d; want both %d (min(k, %d matching))",
						f, k, len(got), len(exact), min(k, want), want)
				}
				for _, h := range got {
					if f.Category != "" && !strings.EqualFold(h.Feedback.Category, f.Category) ||
						f.RatingMin > 0 && h.Feedback.Rating < f.RatingMin || f.RatingMax > 0 && h.Feedback.Rating > f.RatingMax ||
						f.Sentiment != "" && h.Feedback.SentimentLabel != f.Sentiment {
						t.Errorf("VectorSearch(%+v) returned %+v outside the filter", f, h.Feedback)
						break
					}
				}
			}
		}
		if n, _ := fs.CountFeedback(ctx, knowledge.Filter{Category: "Trend"}); n != 12 {
			t.Errorf("CountFeedback(Trend) = %d; want 12 (every 50th of 600)", n)
		}
	})

	t.Run("VectorNearestIsSizing", func(t *testing.T) {
		hits, err := fs.VectorSearch(ctx, q, knowledge.Filter{}, 10)
		if err != nil || len(hits) != 10 {
			t.Fatalf("VectorSearch = %d hits, %v; want 10", len(hits), err)
		}
		for _, h := range hits {
			if !strings.Contains(h.Feedback.Text, "sizing") {
				t.Errorf("VectorSearch(sizing runs small) hit %q; want sizing texts first", h.Feedback.Text)
			}
		}
		if hits[0].Score < hits[9].Score {
			t.Errorf("scores %v .. %v not descending", hits[0].Score, hits[9].Score)
		}
	})

	t.Run("TextSearch", func(t *testing.T) {
		hits, err := fs.TextSearch(ctx, "delivery shipping", knowledge.Filter{Category: "Tops"}, 20)
		if err != nil || len(hits) != 20 {
			t.Fatalf("TextSearch = %d hits, %v; want 20", len(hits), err)
		}
		for _, h := range hits {
			if !strings.Contains(h.Feedback.Text, "delivery") || h.Feedback.Category != "Tops" {
				t.Errorf("TextSearch(delivery, Tops) hit %q (%s)", h.Feedback.Text, h.Feedback.Category)
			}
		}
		// OR semantics: a question with one matching word still matches.
		hits, err = fs.TextSearch(ctx, "what about the zebra delivery", knowledge.Filter{}, 5)
		if err != nil || len(hits) != 5 {
			t.Errorf("TextSearch(zebra delivery) = %d hits, %v; want 5 (terms OR-ed)", len(hits), err)
		}
	})

	t.Run("Hybrid", func(t *testing.T) {
		res, err := knowledge.NewSearcher(fs, e).Search(ctx, "color shade", knowledge.Filter{RatingMax: 2}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if res.Mode != knowledge.ModeHybrid || len(res.Matches) != 10 {
			t.Fatalf("Search = mode %s, %d matches; want hybrid, 10", res.Mode, len(res.Matches))
		}
		for _, m := range res.Matches {
			if !strings.Contains(m.Feedback.Text, "color") || m.Feedback.Rating > 2 {
				t.Errorf("Search(color shade, rating ≤ 2) match %q rating %d", m.Feedback.Text, m.Feedback.Rating)
			}
		}
	})

	t.Run("BadFilter", func(t *testing.T) {
		_, err := fs.TextSearch(ctx, "fit", knowledge.Filter{RatingMin: 6}, 5)
		if !errors.Is(err, knowledge.ErrInvalidFilter) {
			t.Errorf("TextSearch(rating_min 6) = %v; want ErrInvalidFilter", err)
		}
		_, err = fs.VectorSearch(ctx, q, knowledge.Filter{Segment: "champions"}, 5)
		if !errors.Is(err, knowledge.ErrInvalidFilter) {
			t.Errorf("VectorSearch(segment) = %v; want ErrInvalidFilter (segments not linked)", err)
		}
	})

	t.Run("List", func(t *testing.T) {
		got, err := fs.ListFeedback(ctx, knowledge.Filter{Category: "Trend"}, 100)
		if err != nil || len(got) != 12 {
			t.Errorf("ListFeedback(Trend) = %d, %v; want 12", len(got), err)
		}
	})
}

// Without pgvector's table (plain PostgreSQL) the store keeps working on
// full text and search says so. On the embedded server the table is
// dropped from a fresh schema to stand for a server without the extension; the test also
// runs as is on a PostgreSQL without pgvector, where migration 003 skips
// the table (checked on the native PostgreSQL 15 of the dev machine):
//
//	ROIBOT_TEST_DATABASE_URL=postgres://roibot_feedback:feedback@127.0.0.1:5432/roibot_feedback?sslmode=disable \
//	go test ./postgres -run TestFeedbackStore_NoVector -v
func TestFeedbackStore_NoVector(t *testing.T) {
	ctx := context.Background()
	s := pgtest.Store(t)
	had, err := s.HasVector(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("feedback_embeddings created by the migrations: %v (%.40s)", had, s.Version())
	if err := s.ExecForTest(ctx, "drop table if exists feedback_embeddings"); err != nil {
		t.Fatal(err)
	}
	e, _ := knowledge.NewHashEmbedder(0)
	fs, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: 384})
	if err != nil {
		t.Fatalf("Feedback without pgvector = %v; want a text-only store", err)
	}
	if fs.HasVectorSearch() {
		t.Error("HasVectorSearch() = true without feedback_embeddings")
	}
	if _, err := fs.StoreFeedback(ctx, corpus(30)); err != nil {
		t.Fatalf("StoreFeedback without pgvector: %v", err)
	}
	q, _ := e.EmbedQuery(ctx, "sizing")
	if _, err := fs.VectorSearch(ctx, q, knowledge.Filter{}, 5); !errors.Is(err, knowledge.ErrNoVectorSearch) {
		t.Errorf("VectorSearch without pgvector = %v; want ErrNoVectorSearch", err)
	}
	res, err := knowledge.NewSearcher(fs, e).Search(ctx, "sizing small", knowledge.Filter{}, 5)
	if err != nil || res.Mode != knowledge.ModeTextOnly || len(res.Matches) != 5 || res.Note == "" {
		t.Errorf("Search without pgvector = mode %q, %d matches, note %q, %v; want text_only, 5, a note", res.Mode, len(res.Matches), res.Note, err)
	}
}

func TestFeedbackStore_Dialogue(t *testing.T) {
	ctx := context.Background()
	_, fs := feedbackStore(t)
	if _, ok, err := fs.LoadDialogue(ctx, "c1"); ok || err != nil {
		t.Fatalf("LoadDialogue(new) = %v, %v; want not found", ok, err)
	}
	st := knowledge.NewState("c1", "12347")
	st.Step, st.Slots.Rating, st.Nonce = knowledge.StepDetails, 4, 2
	if err := fs.SaveDialogue(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.Slots.Details = "changed"
	if err := fs.SaveDialogue(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, ok, err := fs.LoadDialogue(ctx, "c1")
	if err != nil || !ok || got.Step != knowledge.StepDetails || got.Slots.Rating != 4 || got.Nonce != 2 ||
		got.Slots.Details != "changed" || got.CustomerID != "12347" {
		t.Errorf("LoadDialogue = %+v, %v, %v; want the saved state", got, ok, err)
	}
}

func TestFeedbackStore_Reembed(t *testing.T) {
	ctx := context.Background()
	s, fs := feedbackStore(t)
	if _, err := fs.StoreFeedback(ctx, corpus(25)); err != nil {
		t.Fatal(err)
	}
	if n, err := fs.Reembed(ctx, 10); err != nil || n != 0 {
		t.Errorf("Reembed with every row embedded = %d, %v; want 0", n, err)
	}
	e, _ := knowledge.NewHashEmbedder(0)
	other, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: 384, Model: "other-model"})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := e.EmbedQuery(ctx, "sizing")
	if hits, _ := other.VectorSearch(ctx, q, knowledge.Filter{}, 5); len(hits) != 0 {
		t.Errorf("VectorSearch of a model with no vectors = %d hits; want 0", len(hits))
	}
	if n, err := other.Reembed(ctx, 10); err != nil || n != 25 {
		t.Errorf("Reembed for a new model = %d, %v; want 25 (three batches)", n, err)
	}
	if hits, _ := other.VectorSearch(ctx, q, knowledge.Filter{}, 5); len(hits) != 5 {
		t.Errorf("VectorSearch after Reembed = %d hits; want 5", len(hits))
	}
}

func TestVersionAtLeast(t *testing.T) {
	for _, tt := range []struct {
		v    string
		want bool
	}{{"0.8.7", true}, {"0.8.0", true}, {"0.7.4", false}, {"1.0", true}, {"0.10.1", true}, {"", false}} {
		if got := postgres.VersionAtLeastForTest(tt.v, 0, 8); got != tt.want {
			t.Errorf("versionAtLeast(%q, 0.8) = %v; want %v", tt.v, got, tt.want)
		}
	}
}

// TestFeedbackStore_CustomerFilter: a resolved customer segment keeps the
// feedback of those customers only, in every search path.
func TestFeedbackStore_CustomerFilter(t *testing.T) {
	ctx := context.Background()
	_, fs := feedbackStore(t)
	items := corpus(60)
	for i := range items {
		items[i].CustomerID = fmt.Sprintf("C%d", i%6) // C0..C5, 10 items each
	}
	if _, err := fs.StoreFeedback(ctx, items); err != nil {
		t.Fatal(err)
	}
	f := knowledge.Filter{Segment: "champions", CustomerIDs: []string{"C1", "C4"}}
	list, err := fs.ListFeedback(ctx, f, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 20 {
		t.Fatalf("ListFeedback(C1, C4) = %d rows; want 20", len(list))
	}
	for _, x := range list {
		if x.CustomerID != "C1" && x.CustomerID != "C4" {
			t.Errorf("feedback %d of customer %s; want only C1 or C4", x.ID, x.CustomerID)
		}
	}
	e, _ := knowledge.NewHashEmbedder(0)
	q, _ := e.EmbedQuery(ctx, "sizing runs small")
	hits, err := fs.VectorSearch(ctx, q, f, 50)
	if err != nil || len(hits) != 20 {
		t.Errorf("VectorSearch(C1, C4) = %d hits, %v; want all 20 (as an exact scan)", len(hits), err)
	}
	text, err := fs.TextSearch(ctx, "sizing small", f, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range text {
		if h.Feedback.CustomerID != "C1" && h.Feedback.CustomerID != "C4" {
			t.Errorf("TextSearch hit of customer %s; want only C1 or C4", h.Feedback.CustomerID)
		}
	}
	if n, err := fs.CountFeedback(ctx, knowledge.Filter{CustomerIDs: []string{}}); err != nil || n != 0 {
		t.Errorf("CountFeedback(no customers) = %d, %v; want 0", n, err)
	}
	if _, err := fs.ListFeedback(ctx, knowledge.Filter{Segment: "lost"}, 10); err == nil {
		t.Error("an unresolved segment filter was accepted; want an error")
	}
}

func TestFeedbackStore_SentimentSource(t *testing.T) {
	ctx := context.Background()
	_, fs := feedbackStore(t)
	vader := fb("Lovely soft fabric.", 5, "Tops", "v1")
	llm := fb("It fell apart after one wash.", 1, "Tops", "l1")
	llm.Sentiment, llm.SentimentLabel, llm.SentimentSource = -0.9, knowledge.LabelNegative, knowledge.SentimentLLM
	none := fb("Arrived on Tuesday.", 3, "Tops", "n1")
	none.SentimentSource = ""
	if n, err := fs.StoreFeedback(ctx, []knowledge.Feedback{vader, llm, none}); err != nil || n != 3 {
		t.Fatalf("StoreFeedback = %d, %v; want 3", n, err)
	}
	got, err := fs.ListFeedback(ctx, knowledge.Filter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"v1": knowledge.SentimentVADER, "l1": knowledge.SentimentLLM, "n1": ""}
	for _, f := range got {
		if f.SentimentSource != want[f.SourceRef] {
			t.Errorf("feedback %s sentiment_source = %q; want %q", f.SourceRef, f.SentimentSource, want[f.SourceRef])
		}
		if f.SourceRef == "l1" && (f.Sentiment != -0.9 || f.SentimentLabel != knowledge.LabelNegative) {
			t.Errorf("feedback l1 sentiment = %v %q; want the LLM's -0.9 negative", f.Sentiment, f.SentimentLabel)
		}
	}
	if len(got) != 3 {
		t.Errorf("ListFeedback = %d rows; want 3", len(got))
	}
}
