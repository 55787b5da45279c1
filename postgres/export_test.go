package postgres

import "context"

// ExecForTest runs one statement on the store's connection (with its
// search_path), for tests that need a schema change such as dropping
// feedback_embeddings to stand for a server without pgvector.
func (s *Store) ExecForTest(ctx context.Context, sql string) error {
	_, err := s.pool.Exec(ctx, sql)
	return err
}

// VersionAtLeastForTest exposes versionAtLeast.
var VersionAtLeastForTest = versionAtLeast
