package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
)

// WriteCSV writes a header line of columns, then one line per row, as
// RFC 4180 CSV (comma-separated, fields quoted where needed, "\n" line
// ends). Rows may have fewer or more cells than columns; they are written
// as given. It returns the first write error.
func WriteCSV(w io.Writer, columns []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	for i, r := range rows {
		if err := cw.Write(r); err != nil {
			return fmt.Errorf("csv row %d: %w", i+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// CSV returns the CSV encoding of a table (see WriteCSV).
func CSV(columns []string, rows [][]string) []byte {
	var buf bytes.Buffer
	_ = WriteCSV(&buf, columns, rows) // a bytes.Buffer does not fail
	return buf.Bytes()
}
