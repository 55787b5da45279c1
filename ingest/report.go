package ingest

import (
	"fmt"
	"io"
)

// Reject is one rejected input row: its 1-based line number in the file
// (the header is line 1), the field at fault and the reason.
type Reject struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (r Reject) String() string {
	return fmt.Sprintf("line %d: %s: %s", r.Line, r.Field, r.Reason)
}

// Report summarises one import. Read counts data rows (not the header);
// Stored counts rows newly written (0 on a repeated import of the same
// file); Rejected counts rows refused, each listed in Rejects.
type Report struct {
	File     string   `json:"file"`
	Format   string   `json:"format"`
	Read     int      `json:"rows_read"`
	Stored   int      `json:"rows_stored"`
	Rejected int      `json:"rows_rejected"`
	Rejects  []Reject `json:"rejects,omitempty"`
	// Returns counts accepted rows marked as returns or cancellations;
	// Anonymous counts accepted rows without a customer id (kept for basket
	// analysis, excluded from customer metrics). Online Retail and the
	// orders CSV only.
	Returns   int `json:"returns,omitempty"`
	Anonymous int `json:"anonymous_rows,omitempty"`
}

func (r *Report) reject(line int, field, reason string) {
	r.Rejected++
	r.Rejects = append(r.Rejects, Reject{Line: line, Field: field, Reason: reason})
}

// Print writes the summary and every rejected row to w.
func (r *Report) Print(w io.Writer) { r.PrintLimit(w, -1) }

// PrintLimit writes the summary and at most max rejected rows (all when
// max < 0), then how many more were rejected.
func (r *Report) PrintLimit(w io.Writer, max int) {
	fmt.Fprintf(w, "%s (%s): %d rows read, %d stored, %d rejected", r.File, r.Format, r.Read, r.Stored, r.Rejected)
	if r.Format == FormatOnlineRetail || r.Format == TableOrders {
		fmt.Fprintf(w, "; %d returns/cancellations, %d rows without customer id", r.Returns, r.Anonymous)
	}
	fmt.Fprintln(w)
	for i, rj := range r.Rejects {
		if max >= 0 && i >= max {
			fmt.Fprintf(w, "  … and %d more rejected rows (roibot import … --json lists them all)\n", len(r.Rejects)-max)
			break
		}
		fmt.Fprintf(w, "  rejected %s\n", rj)
	}
}

// Progress is called every ProgressEvery rows with the rows read so far.
type Progress func(rowsRead int)

// ProgressEvery is how many rows pass between Progress calls.
const ProgressEvery = 100_000
