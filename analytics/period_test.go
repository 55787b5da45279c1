package analytics

import (
	"errors"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		in       string
		from, to time.Time
	}{
		{"2011", d(2011, 1, 1), d(2012, 1, 1)},
		{"2011-Q4", d(2011, 10, 1), d(2012, 1, 1)},
		{"2011-q1", d(2011, 1, 1), d(2011, 4, 1)},
		{"2011-02", d(2011, 2, 1), d(2011, 3, 1)},
		{"2011-06-01..2011-08-31", d(2011, 6, 1), d(2011, 9, 1)},
		{"2011-12-09..2011-12-09", d(2011, 12, 9), d(2011, 12, 10)},
	} {
		p, err := ParsePeriod(tc.in, nil)
		if err != nil {
			t.Errorf("ParsePeriod(%q) error = %v", tc.in, err)
			continue
		}
		if !p.From.Equal(tc.from) || !p.To.Equal(tc.to) {
			t.Errorf("ParsePeriod(%q) = [%s, %s); want [%s, %s)", tc.in, p.From, p.To, tc.from, tc.to)
		}
	}
	for _, in := range []string{"", "11", "2011-Q5", "2011-13", "last quarter", "2011-09-01..2011-08-01"} {
		_, err := ParsePeriod(in, nil)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "period" {
			t.Errorf("ParsePeriod(%q) error = %v; want an InputError on field period", in, err)
		}
	}
	loc := time.FixedZone("UTC+1", 3600)
	p, _ := ParsePeriod("2011-12", loc)
	if want := time.Date(2011, 11, 30, 23, 0, 0, 0, time.UTC); !p.From.Equal(want) {
		t.Errorf("ParsePeriod(2011-12, UTC+1).From = %s; want %s", p.From.UTC(), want)
	}
}
