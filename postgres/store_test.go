package postgres_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/roibot/roibot/migrations"
	"github.com/roibot/roibot/postgres/pgtest"
)

func TestStore_Migrate(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if int(v) != len(files) {
		t.Fatalf("SchemaVersion() = %d; want %d (one per migration file)", v, len(files))
	}
	t.Run("Idempotent", func(t *testing.T) {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate() = %v; want nil", err)
		}
	})
	t.Run("VectorDimension", func(t *testing.T) {
		if ok, _ := s.HasVector(ctx); !ok {
			t.Skip("dimension checked on a server with pgvector")
		}
		dim, err := s.EmbeddingDimension(ctx)
		if err != nil {
			t.Fatalf("EmbeddingDimension() error = %v", err)
		}
		if dim != 384 {
			t.Fatalf("EmbeddingDimension() = %d; want 384", dim)
		}
	})
}
