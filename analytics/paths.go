package analytics

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PathSeparator separates channels in a path string, as in the
// ChannelAttribution package's path column ("email > paid search > direct").
const PathSeparator = " > "

// Path is an aggregated customer journey in the layout of the R/Python
// package ChannelAttribution (Altomare and Loris): the ordered channels
// touched, how many journeys along exactly this sequence converted
// (Conversions) and how many did not (Nulls), and the total conversion value
// of the converting ones.
//
// Conversions and Nulls are counts, kept as float64 because aggregated data
// may carry weights. Value is in major currency units (pounds, not pence):
// ChannelAttribution files carry fractional values, so Money would lose
// precision. A Path with no Channels holds conversions that no touchpoint
// preceded; models report them as unattributed.
type Path struct {
	Channels    []string
	Conversions float64
	Value       float64
	Nulls       float64
}

// String returns the channels joined by PathSeparator.
func (p Path) String() string { return strings.Join(p.Channels, PathSeparator) }

// Journey is one customer's ordered touchpoints leading to one conversion,
// or, for a non-converting journey, to the as-of time at which no
// conversion had followed them.
type Journey struct {
	CustomerID string
	// Touchpoints are the customer's touchpoints in the journey, oldest
	// first; empty for a conversion that no touchpoint preceded in the
	// lookback window.
	Touchpoints []Touchpoint
	// End is the conversion time, or the as-of time of a non-converting
	// journey.
	End time.Time
	// Converted reports whether the journey ended in Conversion.
	Converted bool
	// Conversion is the converting order; zero when Converted is false.
	Conversion Conversion
}

// Channels returns the journey's channels in touch order.
func (j Journey) Channels() []string {
	ch := make([]string, len(j.Touchpoints))
	for i, t := range j.Touchpoints {
		ch[i] = t.Channel
	}
	return ch
}

var (
	errEmptyField     = errors.New("empty")
	errNotPositive    = errors.New("must be positive")
	errNotFinite      = errors.New("not a finite number")
	errUnknownColumn  = errors.New("missing column")
	errBadPathChannel = errors.New("empty channel name or stray '>'")
)

// BuildJourneys splits each customer's touchpoints into the journeys that
// attribution models credit. The rule, per customer:
//
//   - Each touchpoint belongs to the customer's first conversion at or after
//     it (the next conversion). A touchpoint at the same instant as a
//     conversion belongs to that conversion, so touchpoints after a
//     conversion start the path of the next one and are never credited twice.
//   - It enters that conversion's journey only if it lies within
//     lookbackDays before the conversion: End − At ≤ lookbackDays. Older
//     touchpoints are dropped.
//   - Touchpoints after the customer's last conversion (or all of them, for
//     a customer who never converted) form one non-converting journey with
//     End = asOf. It keeps the touchpoints within lookbackDays before the
//     newest of them, so null paths span the same window as converting
//     ones; a customer touched long before asOf still counts as a null.
//     Journeys still open at asOf (a conversion may yet follow) count as
//     nulls too: pass an earlier asOf to leave recent touchpoints out.
//   - Touchpoints and conversions after asOf are ignored. A conversion with
//     no touchpoint in its window still yields a journey (with no
//     touchpoints), so totals stay complete.
//
// Journeys come out ordered by customer ID, then End (converting journeys
// before a non-converting one); touchpoints with equal times keep their
// input order. lookbackDays is in days and must be positive. It returns an
// *InputError naming the row and field for an empty CustomerID or Channel,
// a negative Revenue, or a bad lookbackDays, and ErrNoData when no
// touchpoint or conversion lies at or before asOf.
//
// Source: the usual lookback-window rule of multi-touch attribution
// (e.g. Google Analytics' conversion lookback window).
func BuildJourneys(touchpoints []Touchpoint, conversions []Conversion, lookbackDays float64, asOf time.Time) ([]Journey, error) {
	if !(lookbackDays > 0) || math.IsInf(lookbackDays, 0) {
		return nil, &InputError{Row: -1, Field: "lookbackDays", Err: errNotPositive}
	}
	for i, t := range touchpoints {
		switch {
		case t.CustomerID == "":
			return nil, &InputError{Row: i, Field: "CustomerID", Err: errEmptyField}
		case strings.TrimSpace(t.Channel) == "":
			return nil, &InputError{Row: i, Field: "Channel", Err: errEmptyField}
		}
	}
	for i, c := range conversions {
		switch {
		case c.CustomerID == "":
			return nil, &InputError{Row: i, Field: "CustomerID", Err: errEmptyField}
		case c.Revenue < 0:
			return nil, &InputError{Row: i, Field: "Revenue", Err: ErrNegative}
		}
	}
	// Group input indices by customer in flat arrays (a counting sort by
	// customer) so the inputs stay untouched and allocations stay few.
	slot := make(map[string]int)
	var ids []string
	slotOf := func(id string) int {
		k, ok := slot[id]
		if !ok {
			k = len(ids)
			slot[id] = k
			ids = append(ids, id)
		}
		return k
	}
	tpSlot := make([]int, len(touchpoints))
	convSlot := make([]int, len(conversions))
	var nTP, nConv int
	for i, t := range touchpoints {
		tpSlot[i] = -1
		if !t.At.After(asOf) {
			tpSlot[i] = slotOf(t.CustomerID)
			nTP++
		}
	}
	for i, c := range conversions {
		convSlot[i] = -1
		if !c.At.After(asOf) {
			convSlot[i] = slotOf(c.CustomerID)
			nConv++
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("build journeys: %w", ErrNoData)
	}
	group := func(slots []int, n int) (idx []int, start []int) {
		start = make([]int, len(ids)+1)
		for _, k := range slots {
			if k >= 0 {
				start[k+1]++
			}
		}
		for k := range ids {
			start[k+1] += start[k]
		}
		idx = make([]int, n)
		fill := slices.Clone(start[:len(ids)])
		for i, k := range slots {
			if k >= 0 {
				idx[fill[k]] = i
				fill[k]++
			}
		}
		return idx, start
	}
	tpIdx, tpStart := group(tpSlot, nTP)
	convIdx, convStart := group(convSlot, nConv)
	order := make([]int, len(ids))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ids[a], ids[b]) })

	window := time.Duration(math.MaxInt64) // about 292 years
	if ns := lookbackDays * float64(24*time.Hour); ns < float64(math.MaxInt64) {
		window = time.Duration(ns)
	}
	out := make([]Journey, 0, nConv+len(ids))
	buf := make([]Touchpoint, 0, nTP) // journeys' touchpoints share it; never regrown
	for _, k := range order {
		tps := tpIdx[tpStart[k]:tpStart[k+1]]
		convs := convIdx[convStart[k]:convStart[k+1]]
		slices.SortStableFunc(tps, func(a, b int) int {
			return touchpoints[a].At.Compare(touchpoints[b].At)
		})
		slices.SortStableFunc(convs, func(a, b int) int {
			if c := conversions[a].At.Compare(conversions[b].At); c != 0 {
				return c
			}
			return cmp.Compare(conversions[a].OrderID, conversions[b].OrderID)
		})
		next := 0 // first touchpoint not yet assigned
		collect := func(end time.Time) []Touchpoint {
			from := end.Add(-window)
			begin := len(buf)
			for next < len(tps) && !touchpoints[tps[next]].At.After(end) {
				if t := touchpoints[tps[next]]; !t.At.Before(from) {
					buf = append(buf, t)
				}
				next++
			}
			if len(buf) == begin {
				return nil
			}
			return buf[begin:len(buf):len(buf)]
		}
		for _, ci := range convs {
			c := conversions[ci]
			out = append(out, Journey{
				CustomerID:  ids[k],
				Touchpoints: collect(c.At),
				End:         c.At,
				Converted:   true,
				Conversion:  c,
			})
		}
		if next < len(tps) {
			// All remaining touchpoints lie at or before asOf; the window
			// ends at the newest of them.
			newest := touchpoints[tps[len(tps)-1]].At
			out = append(out, Journey{CustomerID: ids[k], Touchpoints: collect(newest), End: asOf})
		}
	}
	return out, nil
}

// AggregateJourneys collapses journeys with identical channel sequences into
// Paths: Conversions counts converting journeys, Nulls non-converting ones,
// and Value sums Conversion.Revenue in major units. Timestamps are dropped,
// so use TimeDecayJourneyAttribution for time decay on real times. Paths
// come out in order of first appearance; an empty input gives an empty
// result.
func AggregateJourneys(journeys []Journey) []Path {
	index := make(map[string]int)
	var paths []Path
	var revenue []Money // exact sums, converted to major units at the end
	var key []byte
	for _, j := range journeys {
		key = key[:0]
		for _, t := range j.Touchpoints {
			key = strconv.AppendInt(key, int64(len(t.Channel)), 10)
			key = append(key, ':')
			key = append(key, t.Channel...)
		}
		i, ok := index[string(key)]
		if !ok {
			i = len(paths)
			index[string(key)] = i
			paths = append(paths, Path{Channels: j.Channels()})
			revenue = append(revenue, 0)
		}
		if j.Converted {
			paths[i].Conversions++
			revenue[i] += j.Conversion.Revenue
		} else {
			paths[i].Nulls++
		}
	}
	for i := range paths {
		paths[i].Value = revenue[i].Major()
	}
	return paths
}

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
// header returns ErrNoData. A header with no data rows returns no paths and
// no error.
//
// Source: ChannelAttribution R documentation, man/Data.Rd
// (github.com/DavideAltomare/ChannelAttribution).
func ReadChannelAttributionCSV(r io.Reader) ([]Path, error) {
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
		return nil, fmt.Errorf("%s: header: %w", op, ErrNoData)
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
			return nil, fmt.Errorf("%s: line 1: %w", op, &InputError{Row: -1, Field: req, Err: errUnknownColumn})
		}
	}
	var paths []Path
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
				return "", fmt.Errorf("%s: line %d: %w", op, line, &InputError{Row: row, Field: name, Err: errEmptyField})
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
				return 0, fmt.Errorf("%s: line %d: %w", op, line, &InputError{Row: row, Field: name, Err: perr})
			case math.IsNaN(v) || math.IsInf(v, 0):
				return 0, fmt.Errorf("%s: line %d: %w", op, line, &InputError{Row: row, Field: name, Err: errNotFinite})
			case v < 0:
				return 0, fmt.Errorf("%s: line %d: %w", op, line, &InputError{Row: row, Field: name, Err: ErrNegative})
			}
			return v, nil
		}
		var p Path
		s, err := field("path")
		if err != nil {
			return nil, err
		}
		if p.Channels, err = splitPath(s); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", op, line, &InputError{Row: row, Field: "path", Err: err})
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
		return nil, errEmptyField
	}
	parts := strings.Split(s, PathSeparator)
	for i, c := range parts {
		c = strings.TrimSpace(c)
		if c == "" || strings.Contains(c, ">") {
			return nil, fmt.Errorf("channel %d: %w", i+1, errBadPathChannel)
		}
		parts[i] = c
	}
	return parts, nil
}
