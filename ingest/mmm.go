package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// FormatMMMWeekly is the import kind of weekly media-mix data.
const FormatMMMWeekly = "mmm_weekly"

// WeeklyColumns names the columns of a weekly CSV: the week, the outcome
// (revenue or conversions), the spend columns (one per channel), and
// optional control and 0/1 event columns. The file may hold other columns.
type WeeklyColumns struct {
	Week     string
	Outcome  string
	Channels []string
	Controls []string
	Events   []string
	// Currency, when set, names a column that must hold one currency code
	// on every row.
	Currency string
	// Mondays requires every week to start on a Monday (ISO 8601 weeks).
	Mondays bool
}

// WeeklyData is a parsed weekly file: the model input and its currency
// ("" when the file has no currency column).
type WeeklyData struct {
	Input    analytics.MMMInput
	Currency string
}

var isoWeek = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// parseWeek reads a week as YYYY-MM-DD (the week's first day) or as an ISO
// week YYYY-Www (its Monday), at midnight in loc.
func parseWeek(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := isoWeek.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		// ISO week 1 is the week with January 4th in it.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
		mon := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		d := mon.AddDate(0, 0, 7*(w-1))
		if yy, ww := d.ISOWeek(); w < 1 || yy != y || ww != w {
			return time.Time{}, fmt.Errorf("%q is not an ISO week of %d", s, y)
		}
		return d, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD or an ISO week YYYY-Www", s)
	}
	return d, nil
}

// ReadWeekly reads a weekly CSV (header row first) into a model input. The
// weeks are read in loc (the business time zone; nil means UTC), must be
// unique and, once sorted, consecutive (7 days apart); spend must be a
// non-negative number, events 0 or 1. Every bad row is listed in the
// report with its line number; since a media mix model cannot fit a series
// with holes, any reject makes ReadWeekly return an error too.
func ReadWeekly(r io.Reader, cols WeeklyColumns, loc *time.Location, file string) (*WeeklyData, *Result, error) {
	return readWeekly(r, func([]string) (WeeklyColumns, error) { return cols, nil }, loc, file)
}

// readWeekly is ReadWeekly with the columns taken from the header by
// columnsOf, so a format that names its columns in the header is read in
// one pass.
func readWeekly(r io.Reader, columnsOf func(header []string) (WeeklyColumns, error), loc *time.Location, file string) (*WeeklyData, *Result, error) {
	if loc == nil {
		loc = time.UTC
	}
	rep := &Result{File: file, Format: FormatMMMWeekly}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		return nil, rep, fmt.Errorf("%s: empty file", file)
	}
	if err != nil {
		return nil, rep, fmt.Errorf("read header: %w", err)
	}
	cols, err := columnsOf(head)
	if err != nil {
		return nil, rep, err
	}
	idx := map[string]int{}
	for i, h := range head {
		idx[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	need := func(name, role string) (int, error) {
		i, ok := idx[name]
		if !ok {
			return 0, fmt.Errorf("%s column %q is not in the header (%s)", role, name, strings.Join(head, ","))
		}
		return i, nil
	}
	if cols.Week == "" || cols.Outcome == "" || len(cols.Channels) == 0 {
		return nil, rep, errors.New("weekly columns: need a week column, an outcome column and at least one channel")
	}
	wi, err := need(cols.Week, "week")
	if err != nil {
		return nil, rep, err
	}
	oi, err := need(cols.Outcome, "outcome")
	if err != nil {
		return nil, rep, err
	}
	type col struct {
		name string
		i    int
		kind string // spend | control | event
	}
	var series []col
	for _, group := range []struct {
		names []string
		kind  string
	}{{cols.Channels, "spend"}, {cols.Controls, "control"}, {cols.Events, "event"}} {
		for _, n := range group.names {
			i, err := need(n, group.kind)
			if err != nil {
				return nil, rep, err
			}
			series = append(series, col{n, i, group.kind})
		}
	}
	ci := -1
	if cols.Currency != "" {
		if ci, err = need(cols.Currency, "currency"); err != nil {
			return nil, rep, err
		}
	}
	type row struct {
		week time.Time
		line int
		y    float64
		vals []float64
	}
	var rows []row
	currency := ""
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rep.Read++
				rep.reject(pe.StartLine, "csv", pe.Err.Error())
				continue
			}
			return nil, rep, fmt.Errorf("line %d: %w", line, err)
		}
		rep.Read++
		get := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		wk, err := parseWeek(get(wi), loc)
		if err != nil {
			rep.reject(line, cols.Week, err.Error())
			continue
		}
		if cols.Mondays && wk.Weekday() != time.Monday {
			rep.reject(line, cols.Week, fmt.Sprintf("%s is a %s; ISO weeks start on Monday", wk.Format("2006-01-02"), wk.Weekday()))
			continue
		}
		num := func(name, s string) (float64, bool) {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				rep.reject(line, name, fmt.Sprintf("%q is not a number", s))
				return 0, false
			}
			return v, true
		}
		y, ok := num(cols.Outcome, get(oi))
		if !ok {
			continue
		}
		vals := make([]float64, len(series))
		bad := false
		for k, c := range series {
			v, ok := num(c.name, get(c.i))
			if !ok {
				bad = true
				break
			}
			if c.kind == "spend" && v < 0 {
				rep.reject(line, c.name, fmt.Sprintf("negative spend %v", v))
				bad = true
				break
			}
			if c.kind == "event" && v != 0 && v != 1 {
				rep.reject(line, c.name, fmt.Sprintf("event value %v is not 0 or 1", v))
				bad = true
				break
			}
			vals[k] = v
		}
		if bad {
			continue
		}
		if ci >= 0 {
			cur := strings.ToUpper(get(ci))
			if len(cur) != 3 {
				rep.reject(line, cols.Currency, fmt.Sprintf("%q is not a 3-letter currency code", get(ci)))
				continue
			}
			if currency == "" {
				currency = cur
			} else if cur != currency {
				rep.reject(line, cols.Currency, fmt.Sprintf("%s differs from %s on earlier rows: one currency per file", cur, currency))
				continue
			}
		}
		rows = append(rows, row{wk, line, y, vals})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].week.Before(rows[j].week) })
	for i := 1; i < len(rows); i++ {
		prev, cur := rows[i-1].week, rows[i].week
		switch {
		case cur.Equal(prev):
			rep.reject(rows[i].line, cols.Week, fmt.Sprintf("week %s appears twice (also line %d)", cur.Format("2006-01-02"), rows[i-1].line))
		case !cur.Equal(prev.AddDate(0, 0, 7)):
			rep.reject(rows[i].line, cols.Week, fmt.Sprintf("week %s does not follow %s by 7 days: weeks are missing", cur.Format("2006-01-02"), prev.Format("2006-01-02")))
		}
	}
	rep.sortRejects()
	if rep.Rejected > 0 {
		return nil, rep, fmt.Errorf("%d of %d rows rejected (first: %s); a weekly series needs every week", rep.Rejected, rep.Read, rep.Rejects[0])
	}
	if len(rows) == 0 {
		return nil, rep, fmt.Errorf("no data rows: %w", analytics.ErrNoData)
	}
	d := &WeeklyData{Currency: currency}
	in := &d.Input
	for _, r := range rows {
		in.Weeks = append(in.Weeks, r.week)
		in.Outcome = append(in.Outcome, r.y)
	}
	for k, c := range series {
		s := analytics.MMMSeries{Name: c.name, Values: make([]float64, len(rows))}
		for t, r := range rows {
			s.Values[t] = r.vals[k]
		}
		switch c.kind {
		case "spend":
			in.Media = append(in.Media, s)
		case "control":
			in.Controls = append(in.Controls, s)
		default:
			in.Events = append(in.Events, s)
		}
	}
	rep.Stored = len(rows)
	return d, rep, nil
}

// MMMWeeklyColumns reads the column roles of the mmm_weekly import format
// from its header: week, outcome, currency, then spend_<channel>,
// control_<name> and event_<name> columns (the prefix is dropped from the
// series name). Weeks must be Mondays.
func MMMWeeklyColumns(header []string) (WeeklyColumns, error) {
	c := WeeklyColumns{Week: "week", Outcome: "outcome", Currency: "currency", Mondays: true}
	seen := map[string]bool{}
	for _, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		seen[h] = true
		switch {
		case strings.HasPrefix(h, "spend_"):
			c.Channels = append(c.Channels, h)
		case strings.HasPrefix(h, "control_"):
			c.Controls = append(c.Controls, h)
		case strings.HasPrefix(h, "event_"):
			c.Events = append(c.Events, h)
		}
	}
	for _, must := range []string{"week", "outcome", "currency"} {
		if !seen[must] {
			return c, fmt.Errorf("mmm_weekly header lacks %q (want week,outcome,currency,spend_<channel>…[,control_<name>…][,event_<name>…])", must)
		}
	}
	if len(c.Channels) == 0 {
		return c, errors.New("mmm_weekly header has no spend_<channel> column")
	}
	return c, nil
}

// ReadMMMWeekly reads a file in the mmm_weekly format (MMMWeeklyColumns)
// and strips the spend_/control_/event_ prefixes from the series names.
func ReadMMMWeekly(r io.Reader, loc *time.Location, file string) (*WeeklyData, *Result, error) {
	d, rep, err := readWeekly(r, MMMWeeklyColumns, loc, file)
	if err != nil {
		return nil, rep, err
	}
	for i := range d.Input.Media {
		d.Input.Media[i].Name = strings.TrimPrefix(d.Input.Media[i].Name, "spend_")
	}
	for i := range d.Input.Controls {
		d.Input.Controls[i].Name = strings.TrimPrefix(d.Input.Controls[i].Name, "control_")
	}
	for i := range d.Input.Events {
		d.Input.Events[i].Name = strings.TrimPrefix(d.Input.Events[i].Name, "event_")
	}
	return d, rep, nil
}

// ReadLiftTests reads lift-test results from a CSV with the header
// channel,start,end,incremental,se: the channel, the first and last week
// of the test (YYYY-MM-DD or YYYY-Www, in loc), the measured incremental
// outcome over those weeks and its standard error (> 0). Any bad row is
// an error naming its line.
func ReadLiftTests(r io.Reader, loc *time.Location) ([]analytics.LiftTest, error) {
	if loc == nil {
		loc = time.UTC
	}
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("lift tests: %w", err)
	}
	want := []string{"channel", "start", "end", "incremental", "se"}
	if len(recs) == 0 || len(recs[0]) < len(want) {
		return nil, fmt.Errorf("lift tests: header must be %s", strings.Join(want, ","))
	}
	for i, h := range want {
		if strings.TrimSpace(strings.TrimPrefix(recs[0][i], "\ufeff")) != h {
			return nil, fmt.Errorf("lift tests: header must be %s", strings.Join(want, ","))
		}
	}
	var out []analytics.LiftTest
	for n, rec := range recs[1:] {
		line := n + 2
		lt := analytics.LiftTest{Channel: strings.TrimSpace(rec[0])}
		if lt.Channel == "" {
			return nil, fmt.Errorf("lift tests line %d: channel: empty", line)
		}
		if lt.Start, err = parseWeek(rec[1], loc); err != nil {
			return nil, fmt.Errorf("lift tests line %d: start: %w", line, err)
		}
		if lt.End, err = parseWeek(rec[2], loc); err != nil {
			return nil, fmt.Errorf("lift tests line %d: end: %w", line, err)
		}
		if lt.Incremental, err = strconv.ParseFloat(strings.TrimSpace(rec[3]), 64); err != nil || math.IsNaN(lt.Incremental) || math.IsInf(lt.Incremental, 0) {
			return nil, fmt.Errorf("lift tests line %d: incremental: %q is not a number", line, rec[3])
		}
		if lt.SE, err = strconv.ParseFloat(strings.TrimSpace(rec[4]), 64); err != nil || !(lt.SE > 0) || math.IsInf(lt.SE, 0) {
			return nil, fmt.Errorf("lift tests line %d: se: %q is not a positive number", line, rec[4])
		}
		out = append(out, lt)
	}
	return out, nil
}
