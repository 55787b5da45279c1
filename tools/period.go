package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/roibot/roibot/analytics"
)

// This file holds period arguments: their schema, resolution against the
// data range, and how tools report a period.

// DataRange is what tools need to default periods and as-of dates: the
// first and last order time of a currency's data.
type DataRange interface {
	DataRange(ctx context.Context, currency string) (first, last time.Time, err error)
}

// rangeOnce is a DataRange that asks dr once for analytics.DefaultCurrency
// and answers later calls from memory: one tool call resolves, bounds and
// caveats its period on one query instead of three.
type rangeOnce struct {
	dr          DataRange
	done        bool
	first, last time.Time
	err         error
}

// onceRange wraps dr for the span of one call (nil and an existing
// *rangeOnce as they are).
func onceRange(dr DataRange) DataRange {
	if _, ok := dr.(*rangeOnce); ok || dr == nil {
		return dr
	}
	return &rangeOnce{dr: dr}
}

// DataRange implements DataRange.
func (r *rangeOnce) DataRange(ctx context.Context, currency string) (time.Time, time.Time, error) {
	if currency != analytics.DefaultCurrency {
		return r.dr.DataRange(ctx, currency)
	}
	if !r.done {
		r.first, r.last, r.err = r.dr.DataRange(ctx, currency)
		r.done = true
	}
	return r.first, r.last, r.err
}

// PeriodArgs is the one period type from the question to the SQL: the
// planner (or a model) fills it from the question, the tools take it as
// their period arguments, resolvePeriod turns it into an analytics.Period
// with analytics.ParsePeriod (the module's one period grammar) or
// analytics.DateRange, and postgres takes that Period. Period is YYYY,
// YYYY-Qn, YYYY-MM or "YYYY-MM-DD..YYYY-MM-DD"; From and To are inclusive
// days (YYYY-MM-DD) used instead of it; all empty means all data.
type PeriodArgs struct {
	Period string `json:"period"`
	From   string `json:"from"`
	To     string `json:"to"`
}

// IsZero reports whether no period was given (all data).
func (a PeriodArgs) IsZero() bool { return a == PeriodArgs{} }

var periodProps = map[string]any{
	"period": map[string]any{"type": "string", "description": "YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (both days included). Default: all data."},
	"from":   map[string]any{"type": "string", "format": "date", "description": "first day included, YYYY-MM-DD (instead of period)"},
	"to":     map[string]any{"type": "string", "format": "date", "description": "last day included, YYYY-MM-DD (instead of period)"},
}

// resolvePeriod turns period arguments into a Period; with none, it spans
// all data of the currency (from its first day to the day after its last).
//
// A period reaching more than MaxYearsBeyondData years before the first or
// after the last order is an argument error naming the data's range: work
// per call is bounded by what the data can mean (a report "to 9999-12-31"
// would otherwise build monthly cash flows for eight thousand years).
func resolvePeriod(ctx context.Context, dr DataRange, a PeriodArgs, loc *time.Location) (p analytics.Period, err error) {
	dr = onceRange(dr)
	defer func() {
		if err == nil {
			err = boundPeriod(ctx, dr, p)
		}
	}()
	switch {
	case a.Period != "":
		return analytics.ParsePeriod(a.Period, loc)
	case a.From != "" || a.To != "":
		from, to := a.From, a.To
		if from == "" || to == "" {
			first, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
			if err != nil {
				return analytics.Period{}, err
			}
			if from == "" {
				from = first.In(loc).Format(time.DateOnly)
			}
			if to == "" {
				to = last.In(loc).Format(time.DateOnly)
			}
		}
		p, err := analytics.DateRange(from, to, loc)
		if err != nil {
			return p, &analytics.InputError{Row: -1, Field: "from/to", Err: err}
		}
		p.Label = from + ".." + to
		return p, nil
	}
	first, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return analytics.Period{}, err
	}
	f := first.In(loc)
	l := last.In(loc)
	return analytics.Period{
		From:  time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc),
		To:    time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc),
		Label: "all data",
	}, nil
}

// MaxYearsBeyondData is how far, in years, a period may reach before the
// first or after the last order: five years covers the longest forecast
// horizon a tool accepts (1,825 days).
const MaxYearsBeyondData = 5

// boundPeriod returns an argument error when p reaches more than
// MaxYearsBeyondData years outside the data's range (unknown range: nil).
func boundPeriod(ctx context.Context, dr DataRange, p analytics.Period) error {
	if dr == nil {
		return nil
	}
	first, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil || first.IsZero() || last.IsZero() {
		return nil
	}
	lo, hi := first.AddDate(-MaxYearsBeyondData, 0, 0), last.AddDate(MaxYearsBeyondData, 0, 1)
	if p.From.Before(lo) || p.To.After(hi) {
		return &analytics.InputError{Row: -1, Field: "period", Err: fmt.Errorf(
			"%w: %s reaches more than %d years outside the data, which cover %s to %s; ask for a period within that range",
			analytics.ErrInvalidPeriod, p, MaxYearsBeyondData, first.Format(time.DateOnly), last.Format(time.DateOnly))}
	}
	return nil
}

// coverageCaveat says when period p reaches past the data (e.g. 2011-Q4
// while the orders end on 2011-12-09), so a partial period is not read as a
// whole one. It returns "" when p lies within the data or the range is
// unknown.
func coverageCaveat(ctx context.Context, dr DataRange, p analytics.Period) string {
	first, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return ""
	}
	// The data's first day is whole from its local midnight: a month that
	// starts on the day of the first order (at 08:26) is not partial.
	l := p.From.Location()
	f := first.In(l)
	first = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, l)
	switch {
	case p.To.After(last.AddDate(0, 0, 1)) && p.From.Before(first):
		return fmt.Sprintf("the data cover %s to %s only, a part of %s", first.Format(time.DateOnly), last.Format(time.DateOnly), p)
	case p.To.After(last.AddDate(0, 0, 1)):
		return fmt.Sprintf("the data end on %s, so %s is partial (it runs to %s)", last.Format(time.DateOnly), p, p.To.AddDate(0, 0, -1).Format(time.DateOnly))
	case p.From.Before(first):
		return fmt.Sprintf("the data start on %s, so %s is partial", first.Format(time.DateOnly), p)
	}
	return ""
}

// PeriodJSON is a period as tools report it: dates, with to exclusive.
type PeriodJSON struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	// LastDay is the last day included (to − 1 day).
	LastDay string `json:"last_day"`
}

func periodJSON(p analytics.Period) PeriodJSON {
	return PeriodJSON{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Label: p.String(),
		LastDay: p.To.AddDate(0, 0, -1).Format(time.DateOnly)}
}
