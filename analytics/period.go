package analytics

import (
	"fmt"
	"strings"
	"time"
)

// Period is a half-open time range [From, To). Label is a human name such as
// "2011-Q4" or "2011-10"; it is informational only.
type Period struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Label string    `json:"label,omitempty"`
}

// Validate returns ErrInvalidPeriod unless To is after From.
func (p Period) Validate() error {
	if !p.To.After(p.From) {
		return fmt.Errorf("period %s: %w", p, ErrInvalidPeriod)
	}
	return nil
}

// Contains reports whether t lies in [From, To).
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Days returns the length of the period in days (fractional).
func (p Period) Days() float64 { return p.To.Sub(p.From).Hours() / 24 }

func (p Period) String() string {
	if p.Label != "" {
		return p.Label
	}
	return p.From.Format("2006-01-02") + ".." + p.To.Format("2006-01-02")
}

// ParsePeriod parses a period name in loc (UTC when nil):
//
//	"2011"                    the calendar year
//	"2011-Q3"                 the calendar quarter (Q1..Q4)
//	"2011-10"                 the calendar month
//	"2011-06-01..2011-08-31"  a date range, both days included
//
// The result is half-open, [first day 00:00, day after the last 00:00), with
// Label set to s. It returns an *InputError (field "period") otherwise.
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	bad := func(why string) (Period, error) {
		return Period{}, &InputError{Row: -1, Field: "period", Err: fmt.Errorf("%q: %s (want YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD)", s, why)}
	}
	if from, to, ok := strings.Cut(s, ".."); ok {
		p, err := DateRange(from, to, loc)
		if err != nil {
			return bad(err.Error())
		}
		p.Label = s
		return p, nil
	}
	var y, n int
	switch {
	case len(s) == 4:
		if _, err := fmt.Sscanf(s, "%4d", &y); err != nil {
			return bad("not a year")
		}
		from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return Period{From: from, To: from.AddDate(1, 0, 0), Label: s}, nil
	case len(s) == 7 && (s[5] == 'Q' || s[5] == 'q'):
		if _, err := fmt.Sscanf(s[:4], "%4d", &y); err != nil || s[4] != '-' || s[6] < '1' || s[6] > '4' {
			return bad("not a quarter")
		}
		n = int(s[6] - '0')
		from := time.Date(y, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, loc)
		return Period{From: from, To: from.AddDate(0, 3, 0), Label: fmt.Sprintf("%d-Q%d", y, n)}, nil
	case len(s) == 7:
		t, err := time.ParseInLocation("2006-01", s, loc)
		if err != nil {
			return bad("not a month")
		}
		return Period{From: t, To: t.AddDate(0, 1, 0), Label: s}, nil
	}
	return bad("unknown period")
}

// DateRange returns the period from the day from to the day to, both
// included ("YYYY-MM-DD" in loc); an empty to means "to the end of from's
// day". It returns ErrInvalidPeriod when to is before from.
func DateRange(from, to string, loc *time.Location) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	f, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(from), loc)
	if err != nil {
		return Period{}, fmt.Errorf("from %q is not YYYY-MM-DD", from)
	}
	if strings.TrimSpace(to) == "" {
		to = from
	}
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(to), loc)
	if err != nil {
		return Period{}, fmt.Errorf("to %q is not YYYY-MM-DD", to)
	}
	if t.Before(f) {
		return Period{}, fmt.Errorf("to %s is before from %s: %w", t.Format(time.DateOnly), f.Format(time.DateOnly), ErrInvalidPeriod)
	}
	return Period{From: f, To: t.AddDate(0, 0, 1)}, nil
}
