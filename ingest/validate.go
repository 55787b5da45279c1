package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/roibot/roibot/analytics"
)

// This file holds the row checks every importer shares: amount bounds, text
// fields and read errors.

// MaxAmount bounds every money value an importer accepts (a cost, or an
// order line's quantity × unit price), in minor units: 10^12, that is
// 10,000,000,000.00 (£10bn) per row, so that sums over many rows stay far
// from int64 overflow.
const MaxAmount analytics.Money = 1_000_000_000_000

// tooLarge is the reject reason of a money value above MaxAmount.
func tooLarge(what string) string {
	return fmt.Sprintf("%s is above the maximum %s per row", what, formatMinor(int64(MaxAmount)))
}

func formatMinor(v int64) string {
	return fmt.Sprintf("%d.%02d", v/100, v%100)
}

// checkText returns the name and reason of the first field of rec that is
// not valid UTF-8 or holds a NUL byte (neither can be stored in a
// PostgreSQL text column), or "", "" when all are fine. names[i] names
// field i; fields beyond names are named by their 1-based position. Every
// importer checks every row with it before the row reaches a batch, so one
// bad byte rejects one row instead of failing the batch.
func checkText(rec []string, names []string) (field, reason string) {
	for i, f := range rec {
		bad := ""
		switch {
		case !utf8.ValidString(f):
			bad = "invalid UTF-8"
		case strings.IndexByte(f, 0) >= 0:
			bad = "NUL byte"
		}
		if bad == "" {
			continue
		}
		if i < len(names) && names[i] != "" && utf8.ValidString(names[i]) && strings.IndexByte(names[i], 0) < 0 {
			return strings.TrimSpace(strings.TrimPrefix(names[i], "\ufeff")), bad
		}
		return fmt.Sprintf("field %d", i+1), bad
	}
	return "", ""
}

// readError describes an error reading the input (not a CSV syntax error,
// which rejects one row): a truncated or corrupt gzip stream, or an I/O
// error. lastLine is the last line read whole; the rows before it have been
// stored by the time it is returned.
func readError(file string, lastLine int, err error) error {
	var ge *gzipError
	if errors.As(err, &ge) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: file truncated or corrupt after line %d (%w); rows up to there were stored", file, lastLine, err)
	}
	return fmt.Errorf("%s: read error after line %d (%w); rows up to there were stored", file, lastLine, err)
}
