package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// ModelTableOptions says how ReadModelTable reads a CSV into a modelling
// dataset.
type ModelTableOptions struct {
	// Target names the binary target column (required).
	Target string
	// ID names an optional column carried as the row ID.
	ID string
	// Drop names columns to leave out (e.g. Bank Marketing's "duration",
	// known only after the call).
	Drop []string
	// File names the input in errors.
	File string
}

// missingTokens are the cell values read as a missing value.
var missingTokens = map[string]bool{"": true, "na": true, "n/a": true, "nan": true, "null": true, "none": true}

// ReadModelTable reads a CSV with a header row into an analytics.ModelTable:
// the separator (comma, semicolon or tab) is detected from the header line;
// a column whose every non-missing cell parses as a number is numeric,
// any other column categorical; empty cells and NA/NaN/null/None are
// missing (NaN or ""); a column of dates YYYY-MM-DD becomes the numeric
// column NAME_days (days since 1970-01-01). The target's cells must read as a binary label:
// yes/no, true/false, y/n or 1/0 (any case). It returns an error naming the
// file, line and column for a ragged row or an unreadable label, and for a
// target, ID or dropped column that is not in the header.
func ReadModelTable(r io.Reader, opt ModelTableOptions) (analytics.ModelTable, error) {
	var t analytics.ModelTable
	if opt.Target == "" {
		return t, errors.New("read model table: no target column named")
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(4096)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	comma := ','
	best := bytes.Count(head, []byte{','})
	for _, c := range []rune{';', '\t'} {
		if n := bytes.Count(head, []byte(string(c))); n > best {
			best, comma = n, c
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return t, fmt.Errorf("read model table %s: header: %w", opt.File, err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	pos := map[string]int{}
	for j, h := range header {
		header[j] = strings.TrimSpace(h)
		pos[header[j]] = j
	}
	ti, ok := pos[opt.Target]
	if !ok {
		return t, fmt.Errorf("read model table %s: target column %q not in the header (%s)", opt.File, opt.Target, strings.Join(header, ", "))
	}
	idi := -1
	if opt.ID != "" {
		if idi, ok = pos[opt.ID]; !ok {
			return t, fmt.Errorf("read model table %s: id column %q not in the header", opt.File, opt.ID)
		}
	}
	skip := map[int]bool{ti: true, idi: true}
	for _, d := range opt.Drop {
		j, ok := pos[d]
		if !ok {
			return t, fmt.Errorf("read model table %s: dropped column %q not in the header", opt.File, d)
		}
		skip[j] = true
	}
	var cells [][]string // cells[j] for kept columns
	var keep []int
	for j := range header {
		if !skip[j] {
			keep = append(keep, j)
		}
	}
	cells = make([][]string, len(keep))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return t, fmt.Errorf("read model table %s: %w", opt.File, err)
		}
		if len(rec) != len(header) {
			return t, fmt.Errorf("read model table %s: line %d: %d fields; want %d", opt.File, line, len(rec), len(header))
		}
		y, err := parseLabel(rec[ti])
		if err != nil {
			return t, fmt.Errorf("read model table %s: line %d, column %s: %w", opt.File, line, opt.Target, err)
		}
		t.Target = append(t.Target, y)
		if idi >= 0 {
			t.IDs = append(t.IDs, strings.TrimSpace(rec[idi]))
		}
		for k, j := range keep {
			cells[k] = append(cells[k], strings.TrimSpace(rec[j]))
		}
	}
	if len(t.Target) == 0 {
		return t, fmt.Errorf("read model table %s: no data rows", opt.File)
	}
	for k, j := range keep {
		col := analytics.ModelColumn{Name: header[j]}
		num := make([]float64, len(cells[k]))
		numeric := true
		for i, s := range cells[k] {
			if missingTokens[strings.ToLower(s)] {
				num[i] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(v, 0) {
				numeric = false
				break
			}
			num[i] = v
		}
		if numeric {
			col.Num = num
		} else if days, ok := dateColumn(cells[k]); ok {
			col.Name += "_days"
			col.Num = days
		} else {
			col.Cat = make([]string, len(cells[k]))
			for i, s := range cells[k] {
				if !missingTokens[strings.ToLower(s)] {
					col.Cat[i] = s
				}
			}
		}
		t.Columns = append(t.Columns, col)
	}
	return t, nil
}

// dateColumn reads a column whose every non-missing cell is a date
// YYYY-MM-DD as days since 1970-01-01 (so a sign-up date becomes a number a
// model can split on, not hundreds of one-hot levels).
func dateColumn(cells []string) ([]float64, bool) {
	out := make([]float64, len(cells))
	seen := false
	for i, s := range cells {
		if missingTokens[strings.ToLower(s)] {
			out[i] = math.NaN()
			continue
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, false
		}
		out[i] = float64(d.Unix() / 86400)
		seen = true
	}
	return out, seen
}

func parseLabel(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "y", "true", "t", "1.0":
		return true, nil
	case "0", "no", "n", "false", "f", "0.0":
		return false, nil
	}
	return false, fmt.Errorf("target %q is not a binary label (yes/no, true/false, 1/0)", s)
}
