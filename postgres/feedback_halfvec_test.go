package postgres_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

func TestEmbeddingColumn(t *testing.T) {
	tests := []struct {
		dim      int
		typ, ops string
	}{
		{1, postgres.ColumnVector, "vector_cosine_ops"},
		{384, postgres.ColumnVector, "vector_cosine_ops"},
		{2000, postgres.ColumnVector, "vector_cosine_ops"},
		{2001, postgres.ColumnHalfvec, "halfvec_cosine_ops"},
		{3072, postgres.ColumnHalfvec, "halfvec_cosine_ops"},
		{4000, postgres.ColumnHalfvec, "halfvec_cosine_ops"},
	}
	for _, tt := range tests {
		typ, ops, err := postgres.EmbeddingColumnForTest(tt.dim)
		if err != nil || typ != tt.typ || ops != tt.ops {
			t.Errorf("embeddingColumn(%d) = %q, %q, %v; want %q, %q", tt.dim, typ, ops, err, tt.typ, tt.ops)
		}
	}
	for _, dim := range []int{-1, 4001, 16000} {
		if _, _, err := postgres.EmbeddingColumnForTest(dim); err == nil {
			t.Errorf("embeddingColumn(%d) error = nil; want an error (HNSW holds at most 4,000 halfvec dimensions)", dim)
		}
	}
}

func TestOpen_EmbeddingDimensionTooLarge(t *testing.T) {
	url := pgtest.URL(t)
	_, err := postgres.Open(context.Background(), postgres.Config{URL: url, EmbeddingDimension: 4096})
	if err == nil || !strings.Contains(err.Error(), "4096") {
		t.Errorf("Open(EmbeddingDimension 4096) = %v; want an error naming 4096", err)
	}
}

// TestFeedbackStore_Halfvec migrates the schema for 3,072-dimension
// vectors (OpenAI text-embedding-3-large's size), which pgvector's HNSW
// index accepts only as halfvec, and stores and searches such vectors.
func TestFeedbackStore_Halfvec(t *testing.T) {
	const dim = 3072
	ctx := context.Background()
	s := pgtest.StoreWithDimension(t, dim)
	if ok, _ := s.HasVector(ctx); !ok {
		t.Skip("halfvec needs pgvector")
	}

	typ, got, err := s.EmbeddingColumn(ctx)
	if err != nil || typ != postgres.ColumnHalfvec || got != dim {
		t.Fatalf("EmbeddingColumn() = %q, %d, %v; want halfvec, %d", typ, got, err, dim)
	}
	def, err := s.IndexDefForTest(ctx, "feedback_embeddings_hnsw_idx")
	if err != nil {
		t.Fatalf("pg_indexes feedback_embeddings_hnsw_idx: %v; want the HNSW index", err)
	}
	if !strings.Contains(def, "USING hnsw") || !strings.Contains(def, "halfvec_cosine_ops") {
		t.Errorf("feedback_embeddings_hnsw_idx = %q; want an hnsw index with halfvec_cosine_ops", def)
	}

	t.Run("DimensionMismatch", func(t *testing.T) {
		e, _ := knowledge.NewHashEmbedder(384)
		_, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: 384})
		if !errors.Is(err, knowledge.ErrDimensionMismatch) || !strings.Contains(err.Error(), "384") ||
			!strings.Contains(err.Error(), "3072") || !strings.Contains(err.Error(), "halfvec") {
			t.Errorf("Feedback(384-d embedder on halfvec(3072)) = %v; want ErrDimensionMismatch naming 384 and halfvec(3072)", err)
		}
	})

	e, err := knowledge.NewHashEmbedder(dim)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: dim, Model: "hash-3072"})
	if err != nil {
		t.Fatalf("Feedback(3072-d embedder): %v", err)
	}
	if !fs.HasVectorSearch() || fs.VectorColumn() != postgres.ColumnHalfvec {
		t.Fatalf("HasVectorSearch, VectorColumn = %v, %q; want true, halfvec", fs.HasVectorSearch(), fs.VectorColumn())
	}
	items := corpus(100)
	if n, err := fs.StoreFeedback(ctx, items); err != nil || n != 100 {
		t.Fatalf("StoreFeedback(100 items) = %d, %v; want 100", n, err)
	}

	query := "sizing runs small"
	q, err := e.EmbedQuery(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := fs.VectorSearch(ctx, q, knowledge.Filter{}, 10)
	if err != nil {
		t.Fatalf("VectorSearch: %v", err)
	}
	if len(hits) != 10 {
		t.Fatalf("VectorSearch(k=10) = %d hits; want 10", len(hits))
	}
	if !strings.Contains(hits[0].Feedback.Text, "runs small") {
		t.Errorf("VectorSearch(%q)[0] = %q; want a text about running small", query, hits[0].Feedback.Text)
	}
	// The score is the cosine similarity of the 16-bit stored vector: it
	// must match the float32 cosine within halfvec's precision.
	vs, err := e.EmbedDocuments(ctx, []string{hits[0].Feedback.Text})
	if err != nil {
		t.Fatal(err)
	}
	var dot float64
	for i := range q {
		dot += float64(q[i]) * float64(vs[0][i])
	}
	if math.Abs(hits[0].Score-dot) > 2e-3 {
		t.Errorf("VectorSearch score = %.5f; want cosine %.5f ± 0.002", hits[0].Score, dot)
	}

	t.Run("PlanUsesHNSW", func(t *testing.T) {
		plan, err := s.NearestPlanForTest(ctx, q, postgres.ColumnHalfvec)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "Index Scan using feedback_embeddings_hnsw_idx") {
			t.Errorf("plan of the nearest-ten halfvec query = %q; want an index scan of feedback_embeddings_hnsw_idx", plan)
		}
	})

	t.Run("IndexMatchesExact", func(t *testing.T) {
		exact, err := fs.ExactVectorSearch(ctx, q, knowledge.Filter{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		index, err := fs.IndexOnlyVectorSearch(ctx, q, knowledge.Filter{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(index) != 10 {
			t.Fatalf("IndexOnlyVectorSearch(k=10) = %d hits; want 10", len(index))
		}
		// The corpus repeats a few texts, so compare scores, not IDs.
		for i := range exact {
			if math.Abs(exact[i].Score-index[i].Score) > 1e-6 {
				t.Errorf("HNSW hit %d score = %.6f; want exact scan's %.6f", i, index[i].Score, exact[i].Score)
			}
		}
	})

	t.Run("Filtered", func(t *testing.T) {
		f := knowledge.Filter{Category: "Trend"}
		want, err := fs.CountFeedback(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fs.VectorSearch(ctx, q, f, 50)
		if err != nil {
			t.Fatal(err)
		}
		if want != 2 || len(got) != want {
			t.Errorf("VectorSearch(Trend, k=50) = %d rows, CountFeedback = %d; want both 2 (every 50th of 100)", len(got), want)
		}
	})

	t.Run("Reembed", func(t *testing.T) {
		other, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: dim, Model: "hash-3072-b"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := other.Reembed(ctx, 40); err != nil || n != 100 {
			t.Errorf("Reembed() = %d, %v; want 100 rows re-embedded as halfvec", n, err)
		}
	})
}
