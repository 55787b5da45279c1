// Package postgres is roibot's store: a pgx pool over PostgreSQL 14+ with
// pgvector, or the embedded PGlite server. Every SQL statement of the module
// lives here. On PGlite (detected with select version()) the store uses one
// connection and unnamed statements (pgx QueryExecModeExec), and bulk loads
// use batched INSERT ... SELECT FROM unnest(...), never COPY FROM STDIN.
package postgres
