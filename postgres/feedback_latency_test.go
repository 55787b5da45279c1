package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// cachedEmbedder returns embeddings computed before the clock starts, so
// the latencies below exclude the query embedding.
type cachedEmbedder struct {
	*knowledge.HashEmbedder
	vecs map[string][]float32
}

func (c cachedEmbedder) EmbedQuery(_ context.Context, q string) ([]float32, error) {
	return c.vecs[q], nil
}

// TestFeedbackBench_DemoLatency measures search latency at the demo's
// size (the first 6,000 review rows, 5,784 stored; schema
// feedback_bench_demo, kept between runs): HNSW search (k = 10, the
// VectorSearch path) and hybrid search (knowledge.Searcher: vector and
// full-text candidates fused by RRF), each with the query embedding
// excluded, over the 27 labelled queries and the texts of 100 stored
// reviews (review-length queries). It logs p50 and p90 (measured, not
// asserted: timings belong to benchmarks) and asserts HNSW recall@10
// against the exact scan ≥ 0.95. Run as TestFeedbackBench_HNSWRecall
// (ROIBOT_FEEDBACK_BENCH=1 and a database).
func TestFeedbackBench_DemoLatency(t *testing.T) {
	if os.Getenv("ROIBOT_FEEDBACK_BENCH") != "1" {
		t.Skip("set ROIBOT_FEEDBACK_BENCH=1 to run the feedback latency benchmark")
	}
	ctx := context.Background()
	s, err := postgres.Open(ctx, postgres.Config{URL: pgtest.URL(t), Schema: "feedback_bench_demo",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), QueryTimeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e, _ := knowledge.NewHashEmbedder(0)
	fs, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: e.Dimension(), Model: "hash-384"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := fs.CountFeedback(ctx, knowledge.Filter{}); n < 5784 {
		rc, err := ingest.Open(reviewsFile)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.ImportReviews(ctx, rc, fs, ingest.Options{MaxRows: 6000}); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	all, err := fs.ListFeedback(ctx, knowledge.Filter{}, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5784 {
		t.Fatalf("feedback rows = %d; want 5,784 (the demo subset)", len(all))
	}
	var queries []string
	for _, q := range benchQueries {
		queries = append(queries, q.query)
	}
	for i := 0; i < len(all) && len(queries) < 127; i += 57 {
		queries = append(queries, all[i].Text)
	}
	ce := cachedEmbedder{HashEmbedder: e, vecs: map[string][]float32{}}
	for _, q := range queries {
		red, _ := knowledge.Redact(q)
		for _, v := range []string{q, red} {
			if ce.vecs[v], err = e.EmbedQuery(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	searcher := knowledge.NewSearcher(fs, ce)
	var tv, th, ths, thl, tt []time.Duration
	recall := 0.0
	for round := 0; round < 3; round++ { // round 0 warms the caches and is not timed
		for _, q := range queries {
			vec := ce.vecs[q]
			t0 := time.Now()
			got, err := fs.VectorSearch(ctx, vec, knowledge.Filter{}, 10)
			d := time.Since(t0)
			if err != nil {
				t.Fatal(err)
			}
			t0 = time.Now()
			if _, err := searcher.Search(ctx, q, knowledge.Filter{}, 10); err != nil {
				t.Fatal(err)
			}
			dh := time.Since(t0)
			t0 = time.Now()
			if _, err := fs.TextSearch(ctx, q, knowledge.Filter{}, 30); err != nil {
				t.Fatal(err)
			}
			dt := time.Since(t0)
			if round == 0 {
				want, err := fs.ExactVectorSearch(ctx, vec, knowledge.Filter{}, 10)
				if err != nil {
					t.Fatal(err)
				}
				recall += recallVsExact(got, want)
				continue
			}
			tv, th, tt = append(tv, d), append(th, dh), append(tt, dt)
			if len(q) < 60 {
				ths = append(ths, dh)
			} else {
				thl = append(thl, dh)
			}
		}
	}
	recall /= float64(len(queries))
	pct := func(ds []time.Duration, p float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[int(p*float64(len(s)-1))].Round(10 * time.Microsecond)
	}
	t.Logf("demo size %d rows, %d queries x 2 rounds: HNSW p50 %s p90 %s; hybrid p50 %s p90 %s (labelled queries p50 %s, review-length p50 %s); full text alone p50 %s; HNSW recall@10 vs exact %.4f",
		len(all), len(queries), pct(tv, 0.5), pct(tv, 0.9), pct(th, 0.5), pct(th, 0.9), pct(ths, 0.5), pct(thl, 0.5), pct(tt, 0.5), recall)
	if recall < 0.95 {
		t.Errorf("HNSW recall@10 = %.4f; want ≥ 0.95", recall)
	}
}
