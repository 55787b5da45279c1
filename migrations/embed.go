// Package migrations holds roibot's database schema as numbered SQL files
// in tern's format (NNN_name.sql, "---- create above / drop below ----"),
// applied by `roibot migrate`. FS is the embedded set.
package migrations

import "embed"

// FS holds the migration files, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
