package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/roibot/roibot/migrations"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// Every migration's down section drops what its up section creates: after
// migrating a fresh schema up (Store.Migrate) and down to version 0 with
// tern, the schema holds no table, index, sequence or view but tern's
// schema_version, and migrating up again works.
func TestMigrations_DownDropsEverything(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema + ", public"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, pgx.Identifier{schema, "schema_version"}.Sanitize())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, 0); err != nil {
		t.Fatalf("migrate down to 0: %v", err)
	}
	rows, err := conn.Query(ctx, `select c.relname || ' (' || c.relkind::text || ')' from pg_class c
		join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = $1 and c.relname <> 'schema_version' order by 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	left, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("after migrating down to 0, schema %s still holds %v; want nothing (a down section misses a drop)", schema, left)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != 0 {
		t.Errorf("SchemaVersion after down = %d, %v; want 0", v, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again after down: %v", err)
	}
}
