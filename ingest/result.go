package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
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

// Result is what one import did. Read counts data rows (not the header);
// Stored counts rows newly written; Skipped counts valid rows that were
// already stored (all of them on a repeated import of the same file);
// Rejected counts rows refused, each listed in Rejects. After an import
// that returns no error, Read = Stored + Skipped + Rejected.
type Result struct {
	File     string   `json:"file"`
	Format   string   `json:"format"`
	Read     int      `json:"rows_read"`
	Stored   int      `json:"rows_stored"`
	Skipped  int      `json:"rows_already_stored"`
	Rejected int      `json:"rows_rejected"`
	Rejects  []Reject `json:"rejects,omitempty"`
	// Returns counts accepted rows marked as returns or cancellations;
	// Anonymous counts accepted rows without a customer id (kept for basket
	// analysis, excluded from customer metrics). Online Retail and the
	// orders CSV only.
	Returns   int `json:"returns,omitempty"`
	Anonymous int `json:"anonymous_rows,omitempty"`
}

func (r *Result) reject(line int, field, reason string) {
	r.Rejected++
	r.Rejects = append(r.Rejects, Reject{Line: line, Field: field, Reason: reason})
}

// sortRejects orders Rejects by line: rows refused by the sink come back
// after rows rejected while reading.
func (r *Result) sortRejects() {
	sort.SliceStable(r.Rejects, func(i, j int) bool { return r.Rejects[i].Line < r.Rejects[j].Line })
}

// Print writes the summary and every rejected row to w, grouped by reason.
func (r *Result) Print(w io.Writer) { r.PrintLimit(w, -1) }

// RejectGroup is the rejected rows that share a field and a reason.
type RejectGroup struct {
	Field, Reason string
	Lines         []int // in file order
}

// RejectsByReason groups Rejects by field and reason, largest group first
// (ties: the group whose first line comes first).
func (r *Result) RejectsByReason() []RejectGroup {
	idx := map[[2]string]int{}
	var groups []RejectGroup
	for _, rj := range r.Rejects {
		k := [2]string{rj.Field, rj.Reason}
		i, ok := idx[k]
		if !ok {
			i = len(groups)
			idx[k] = i
			groups = append(groups, RejectGroup{Field: rj.Field, Reason: rj.Reason})
		}
		groups[i].Lines = append(groups[i].Lines, rj.Line)
	}
	sort.SliceStable(groups, func(i, j int) bool { return len(groups[i].Lines) > len(groups[j].Lines) })
	return groups
}

// PrintLimit writes the summary ("N rows read, N stored, N already stored,
// N rejected", the already stored part only when there are some), then the
// rejected rows grouped by reason with a count and the first few line
// numbers of each: at most max reasons and five lines a reason (every
// reason and line when max < 0), and where the full list is when some were
// left out.
func (r *Result) PrintLimit(w io.Writer, max int) {
	fmt.Fprintf(w, "%s (%s): %d rows read, %d stored", r.File, r.Format, r.Read, r.Stored)
	if r.Skipped > 0 {
		fmt.Fprintf(w, ", %d already stored", r.Skipped)
	}
	fmt.Fprintf(w, ", %d rejected", r.Rejected)
	if r.Format == FormatOnlineRetail || r.Format == TableOrders {
		fmt.Fprintf(w, "; %d returns/cancellations, %d rows without customer id", r.Returns, r.Anonymous)
	}
	fmt.Fprintln(w)
	if len(r.Rejects) == 0 {
		return
	}
	groups := r.RejectsByReason()
	fmt.Fprintf(w, "  rejected rows by reason (%d %s):\n", len(groups), plural(len(groups), "reason", "reasons"))
	cut := false
	for i, g := range groups {
		if max >= 0 && i >= max {
			rest := 0
			for _, h := range groups[i:] {
				rest += len(h.Lines)
			}
			fmt.Fprintf(w, "  … and %d more reasons (%d rows)\n", len(groups)-i, rest)
			cut = true
			break
		}
		lines := g.Lines
		more := ""
		if max >= 0 && len(lines) > 5 {
			lines, more, cut = lines[:5], fmt.Sprintf(", … %d more", len(g.Lines)-5), true
		}
		nums := make([]string, len(lines))
		for k, l := range lines {
			nums[k] = strconv.Itoa(l)
		}
		noun := "lines"
		if len(g.Lines) == 1 {
			noun = "line"
		}
		fmt.Fprintf(w, "  %6d × %s: %s (%s %s%s)\n", len(g.Lines), g.Field, g.Reason, noun, strings.Join(nums, ", "), more)
	}
	if cut {
		fmt.Fprintln(w, "  (add --json for every rejected row with its line, field and reason)")
	}
}

// Progress is called every ProgressEvery rows with the rows read so far.
type Progress func(rowsRead int)

// ProgressEvery is how many rows pass between Progress calls.
const ProgressEvery = 100_000

// eachRow reads the data rows of cr (its header already read) until EOF or,
// when opt.MaxRows > 0, that many rows. Every row counts in rep.Read and
// reaches opt.Progress. A row that is not valid CSV is rejected at the line
// it starts on; any other row goes to row with that line. When reading
// fails (e.g. a truncated gzip), flush stores what is pending and the error
// names the file and the last line read. An error from row or flush ends
// the loop and is returned as is.
func eachRow(cr *csv.Reader, rep *Result, opt Options, flush func() error, row func(rec []string, line int) error) error {
	lastLine := 1
	for opt.MaxRows <= 0 || rep.Read < opt.MaxRows {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rep.Read++
				rep.reject(pe.StartLine, "csv", pe.Err.Error())
				continue
			}
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return readError(fileName(opt.File), lastLine, err)
		}
		line, _ := cr.FieldPos(0)
		lastLine, _ = cr.FieldPos(len(rec) - 1)
		rep.Read++
		if opt.Progress != nil && rep.Read%ProgressEvery == 0 {
			opt.Progress(rep.Read)
		}
		if err := row(rec, line); err != nil {
			return err
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
