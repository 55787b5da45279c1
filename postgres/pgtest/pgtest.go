// Package pgtest gives tests a migrated store in a fresh schema of the
// database named by ROIBOT_TEST_DATABASE_URL (make test starts a throw-away
// embedded PostgreSQL and sets it). Without that variable a test skips, unless CI
// is "true", where a missing database is a failure.
package pgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/postgres"
)

// URL returns the test database URL, skipping (or failing in CI) without one.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("ROIBOT_TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ROIBOT_TEST_DATABASE_URL is not set in CI; run the tests with make test")
		}
		t.Skip("ROIBOT_TEST_DATABASE_URL not set; make test starts a database")
	}
	return url
}

// NewSchema returns a fresh schema name and drops it when the test ends.
func NewSchema(t testing.TB) string {
	t.Helper()
	url := URL(t)
	schema := fmt.Sprintf("t_%d_%08x", time.Now().Unix(), rand.Uint32())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Logf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "drop schema if exists "+pgx.Identifier{schema}.Sanitize()+" cascade"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// Store returns a store on a fresh, migrated schema, closed at cleanup,
// with the default 384-dimension vector column.
func Store(t testing.TB) *postgres.Store {
	t.Helper()
	return StoreWithDimension(t, 0)
}

// StoreWithDimension is Store with the feedback vector column migrated for
// dim dimensions (0: the default 384; above 2,000 a halfvec column).
func StoreWithDimension(t testing.TB, dim int) *postgres.Store {
	t.Helper()
	url := URL(t)
	schema := NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema, EmbeddingDimension: dim})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// Conn opens a plain connection to the test database for independent
// checks and closes it at cleanup. With schema set, it is put first on the
// search_path (before public).
func Conn(t testing.TB, schema string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(URL(t))
	if err != nil {
		t.Fatal(err)
	}
	if schema != "" {
		cfg.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize() + ", public"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
