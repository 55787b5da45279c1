// Package postgres is roibot's store: a pgx pool over PostgreSQL 14+ with
// pgvector 0.7+ (the embedded default is native PostgreSQL 18 with pgvector
// 0.8, started by scripts/db.sh). Every SQL statement of the module lives
// here. Vectors travel as pgvector-go types, registered on each connection
// in AfterConnect; every connection has the same search_path, and settings
// that differ between callers are set with SET LOCAL in their transaction.
package postgres
