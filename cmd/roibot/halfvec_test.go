package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// TestMigrate_EmbeddingDimension runs `roibot migrate` with
// ROIBOT_EMBEDDING_DIM=3072: the column is halfvec(3072) with an HNSW
// halfvec_cosine_ops index, the local embedder stores and finds feedback
// in it, and a store opened with another dimension is refused naming both.
func TestMigrate_EmbeddingDimension(t *testing.T) {
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	newApp := func(dim string) (*App, *bytes.Buffer) {
		var out bytes.Buffer
		app := &App{Env: map[string]string{"DATABASE_URL": pgtest.URL(t), "ROIBOT_DB_SCHEMA": schema,
			"ROIBOT_EMBEDDING_DIM": dim, "ROIBOT_LOG_LEVEL": "error"}, Stdout: &out, Stderr: io.Discard}
		if err := app.loadConfig(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(app.Close)
		return app, &out
	}
	app, out := newApp("3072")
	if err := run(t, newMigrateCmd(app)); err != nil {
		t.Fatalf("roibot migrate: %v", err)
	}
	if !strings.Contains(out.String(), "database schema at version") {
		t.Errorf("roibot migrate printed %q; want the schema version", out.String())
	}
	col := sqlQuery(t, schema, `select format_type(atttypid, atttypmod) from pg_attribute
		where attrelid = '%s.feedback_embeddings'::regclass and attname = 'embedding'`)
	if len(col) != 1 || col[0] != "halfvec(3072)" {
		t.Errorf("feedback_embeddings.embedding = %v; want halfvec(3072)", col)
	}
	idx := sqlQuery(t, schema, `select indexdef from pg_indexes
		where schemaname = '`+schema+`' and indexname = 'feedback_embeddings_hnsw_idx'`)
	if len(idx) != 1 || !strings.Contains(idx[0], "hnsw") || !strings.Contains(idx[0], "halfvec_cosine_ops") {
		t.Errorf("feedback_embeddings_hnsw_idx = %v; want an hnsw index with halfvec_cosine_ops", idx)
	}

	fs, emb, err := app.feedback(ctx)
	if err != nil {
		t.Fatalf("feedback store with a 3072-d local embedder: %v", err)
	}
	if fs.VectorColumn() != postgres.ColumnHalfvec {
		t.Errorf("VectorColumn() = %q; want halfvec", fs.VectorColumn())
	}
	items := []knowledge.Feedback{
		knowledge.Enrich(knowledge.Feedback{Text: "The dress runs small, order a size up.", Rating: 3, Source: "t", SourceRef: "1"}),
		knowledge.Enrich(knowledge.Feedback{Text: "Delivery took two weeks.", Rating: 2, Source: "t", SourceRef: "2"}),
	}
	if n, err := fs.StoreFeedback(ctx, items); err != nil || n != 2 {
		t.Fatalf("StoreFeedback = %d, %v; want 2", n, err)
	}
	res, err := knowledge.NewSearcher(fs, emb).Search(ctx, "sizing runs small", knowledge.Filter{}, 1)
	if err != nil || res.Mode != knowledge.ModeHybrid || len(res.Matches) != 1 || res.Matches[0].VectorRank != 1 ||
		!strings.Contains(res.Matches[0].Feedback.Text, "runs small") {
		t.Errorf("Search(sizing) = %+v, %v; want the dress that runs small, first by vector in hybrid mode", res, err)
	}

	other, _ := newApp("384")
	_, _, err = other.feedback(ctx)
	if !errors.Is(err, knowledge.ErrDimensionMismatch) || !strings.Contains(err.Error(), "384") || !strings.Contains(err.Error(), "3072") {
		t.Errorf("feedback store with ROIBOT_EMBEDDING_DIM=384 on halfvec(3072) = %v; want ErrDimensionMismatch naming 384 and 3072", err)
	}
}

func TestConfig_EmbeddingDimLimit(t *testing.T) {
	_, err := LoadConfig(map[string]string{"ROIBOT_EMBEDDING_DIM": "4001"})
	if err == nil || !strings.Contains(err.Error(), "ROIBOT_EMBEDDING_DIM 4001") {
		t.Errorf("LoadConfig(ROIBOT_EMBEDDING_DIM=4001) = %v; want an error naming it (HNSW holds at most 4,000 halfvec dimensions)", err)
	}
	if _, err := LoadConfig(map[string]string{"ROIBOT_EMBEDDING_DIM": "3072"}); err != nil {
		t.Errorf("LoadConfig(ROIBOT_EMBEDDING_DIM=3072) = %v; want nil", err)
	}
}
