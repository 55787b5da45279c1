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

	"github.com/roibot/roibot/analytics"
)

var (
	errEmptyValue     = errors.New("empty")
	errNotFinite      = errors.New("not a finite number")
	errUnknownColumn  = errors.New("missing column")
	errBadPathChannel = errors.New("empty channel name or stray '>'")
)

// ReadChannelAttributionCSV reads aggregated paths in the layout of the
// ChannelAttribution package's example data (Data.csv): a header row, then
// one row per path with the columns
//
//	path                    channels separated by " > "
//	total_conversions       number of converting journeys
//	total_conversion_value  total conversion value (optional; 0 when absent)
//	total_null              number of non-converting journeys (optional)
//
// Columns are found by header name in any order; unknown columns are
// ignored. The separator is ';' when the header contains one, else ','.
// Channel names are trimmed of surrounding spaces and may contain inner
// spaces ("paid search"). Counts and values must be finite and not negative.
//
// Errors name the 1-based line and wrap an *InputError whose Row is the
// 0-based data row and whose Field is the column name; an input without a
// header returns analytics.ErrNoData. A header with no data rows returns no paths and
// no error.
//
// Source: ChannelAttribution R documentation, man/Data.Rd
// (github.com/DavideAltomare/ChannelAttribution).
func ReadChannelAttributionCSV(r io.Reader) ([]analytics.Path, error) {
	const op = "read channel attribution csv"
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(br.Size()) // the header line, or all of a short input
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	cr := csv.NewReader(br)
	cr.Comma = ','
	if bytes.IndexByte(head, ';') >= 0 {
		cr.Comma = ';'
	}
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: header: %w", op, analytics.ErrNoData)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	col := map[string]int{"path": -1, "total_conversions": -1, "total_conversion_value": -1, "total_null": -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, ok := col[h]; ok {
			col[h] = i
		}
	}
	for _, req := range []string{"path", "total_conversions"} {
		if col[req] < 0 {
			return nil, fmt.Errorf("%s: line 1: %w", op, &analytics.InputError{Row: -1, Field: req, Err: errUnknownColumn})
		}
	}
	var paths []analytics.Path
	for row := 0; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return paths, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		line, _ := cr.FieldPos(0)
		field := func(name string) (string, error) {
			i := col[name]
			if i < 0 {
				return "", nil
			}
			if i >= len(rec) {
				return "", fmt.Errorf("%s: line %d: %w", op, line, &analytics.InputError{Row: row, Field: name, Err: errEmptyValue})
			}
			return rec[i], nil
		}
		number := func(name string) (float64, error) {
			s, err := field(name)
			if err != nil || (s == "" && name != "total_conversions") {
				return 0, err
			}
			v, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
			switch {
			case perr != nil:
				return 0, fmt.Errorf("%s: line %d: %w", op, line, &analytics.InputError{Row: row, Field: name, Err: perr})
			case math.IsNaN(v) || math.IsInf(v, 0):
				return 0, fmt.Errorf("%s: line %d: %w", op, line, &analytics.InputError{Row: row, Field: name, Err: errNotFinite})
			case v < 0:
				return 0, fmt.Errorf("%s: line %d: %w", op, line, &analytics.InputError{Row: row, Field: name, Err: analytics.ErrNegative})
			}
			return v, nil
		}
		var p analytics.Path
		s, err := field("path")
		if err != nil {
			return nil, err
		}
		if p.Channels, err = splitPath(s); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", op, line, &analytics.InputError{Row: row, Field: "path", Err: err})
		}
		if p.Conversions, err = number("total_conversions"); err != nil {
			return nil, err
		}
		if p.Value, err = number("total_conversion_value"); err != nil {
			return nil, err
		}
		if p.Nulls, err = number("total_null"); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
}

// splitPath splits "a > b > c" into trimmed channel names.
func splitPath(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errEmptyValue
	}
	parts := strings.Split(s, analytics.PathSeparator)
	for i, c := range parts {
		c = strings.TrimSpace(c)
		if c == "" || strings.Contains(c, ">") {
			return nil, fmt.Errorf("channel %d: %w", i+1, errBadPathChannel)
		}
		parts[i] = c
	}
	return parts, nil
}
