package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// extensionDB creates a database of its own (dropped at cleanup) whose
// vector extension lives in schema "extensions", as managed services often
// install it, and returns its URL.
func extensionDB(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := pgtest.Conn(t, "")
	name := fmt.Sprintf("roibot_ext_%08x", rand.Uint32())
	if _, err := conn.Exec(ctx, "create database "+name); err != nil {
		t.Skipf("create database: %v (the test needs a user that may create databases)", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := conn.Exec(ctx, "drop database if exists "+name+" with (force)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, "create schema extensions"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, "create extension vector schema extensions"); err != nil {
		t.Skipf("create extension vector: %v (needs pgvector)", err)
	}
	return u.String()
}

// TestOpen_ExtensionInOtherSchema: with pgvector installed in schema
// "extensions" (not on the default search_path), every pool connection
// gets that schema on its search_path, so the migrations create the
// vector column and HNSW index and vectors are stored and searched.
func TestOpen_ExtensionInOtherSchema(t *testing.T) {
	dbURL := extensionDB(t)
	ctx := context.Background()
	for _, schema := range []string{"", "roibot_app"} {
		t.Run("Schema="+schema, func(t *testing.T) {
			s, err := postgres.Open(ctx, postgres.Config{URL: dbURL, Schema: schema, MaxConns: 3})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			typ, dim, err := s.EmbeddingColumn(ctx)
			if err != nil || typ != postgres.ColumnVector || dim != 384 {
				t.Fatalf("EmbeddingColumn() = %q, %d, %v; want vector, 384", typ, dim, err)
			}
			e, _ := knowledge.NewHashEmbedder(0)
			fs, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: 384, Model: "hash-384"})
			if err != nil || !fs.HasVectorSearch() {
				t.Fatalf("Feedback() = %v, vector search %v; want vector search", err, fs != nil && fs.HasVectorSearch())
			}
			items := corpus(20)
			if _, err := fs.StoreFeedback(ctx, items); err != nil {
				t.Fatalf("StoreFeedback: %v", err)
			}
			vs, err := e.EmbedDocuments(ctx, []string{items[7].Text})
			if err != nil {
				t.Fatal(err)
			}
			hits, err := fs.VectorSearch(ctx, vs[0], knowledge.Filter{}, 3)
			if err != nil || len(hits) == 0 {
				t.Fatalf("VectorSearch = %d hits, %v; want hits", len(hits), err)
			}
			if hits[0].Feedback.Text != items[7].Text || hits[0].Score < 0.999 {
				t.Errorf("nearest = %q (score %.4f); want the item itself (%q) with cosine similarity 1", hits[0].Feedback.Text, hits[0].Score, items[7].Text)
			}
		})
	}
}

// TestOpen_ExtensionSchemaWithoutUsage: a user who may not use the
// extension's schema gets an error at start-up naming the fix.
func TestOpen_ExtensionSchemaWithoutUsage(t *testing.T) {
	dbURL := extensionDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := pgtest.Conn(t, "")
	role := fmt.Sprintf("roibot_nousage_%08x", rand.Uint32())
	if _, err := conn.Exec(ctx, "create role "+role+" login"); err != nil {
		t.Skipf("create role: %v", err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), "drop role if exists "+role); err != nil {
			t.Logf("drop role: %v", err)
		}
	})
	u, _ := url.Parse(dbURL)
	u.User = url.User(role)
	_, err := postgres.Open(ctx, postgres.Config{URL: u.String()})
	want := `grant usage on schema "extensions" to "` + role + `"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open as %s = %v; want an error naming the fix (%s)", role, err, want)
	}
}
