package postgres

import (
	"context"
	"strings"

	"github.com/pgvector/pgvector-go"
)

// ExecForTest runs one statement on the store's connection (with its
// search_path), for tests that need a schema change such as dropping
// feedback_embeddings to stand for a server without pgvector.
func (s *Store) ExecForTest(ctx context.Context, sql string) error {
	_, err := s.pool.Exec(ctx, sql)
	return err
}

// VersionAtLeastForTest exposes versionAtLeast.
var VersionAtLeastForTest = versionAtLeast

// EmbeddingColumnForTest exposes embeddingColumn.
var EmbeddingColumnForTest = embeddingColumn

// IndexDefForTest returns the definition of the index named name in the
// store's schema (pg_indexes.indexdef), or ErrNotFound.
func (s *Store) IndexDefForTest(ctx context.Context, name string) (string, error) {
	var def string
	err := s.pool.QueryRow(ctx, `select indexdef from pg_indexes
		where schemaname = current_schema() and indexname = $1`, name).Scan(&def)
	return def, translate(err)
}

// NearestPlanForTest returns the plan (EXPLAIN, costs off) of the
// nearest-ten query over feedback_embeddings for vec cast to typ, without
// the vector literal.
func (s *Store) NearestPlanForTest(ctx context.Context, vec []float32, typ string) (string, error) {
	rows, err := s.pool.Query(ctx, "explain (costs off) select feedback_id from feedback_embeddings order by embedding <=> $1::"+typ+" limit 10",
		vectorOf(typ, vec))
	if err != nil {
		return "", err
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		if !strings.Contains(line, "Order By") {
			plan = append(plan, strings.TrimSpace(line))
		}
	}
	return strings.Join(plan, "; "), rows.Err()
}

func vectorOf(typ string, v []float32) any {
	if typ == ColumnHalfvec {
		return pgvector.NewHalfVector(v)
	}
	return pgvector.NewVector(v)
}
