package tools

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

type fixedRange struct{ first, last time.Time }

func (r fixedRange) DataRange(context.Context, string) (time.Time, time.Time, error) {
	return r.first, r.last, nil
}

// TestCoverageCaveat_FirstMonth: the data start on 2010-12-01 at 08:26, so
// December 2010 is whole, not "partial"; November 2010 to December is.
func TestCoverageCaveat_FirstMonth(t *testing.T) {
	dr := fixedRange{time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC), time.Date(2011, 12, 9, 12, 50, 0, 0, time.UTC)}
	for _, l := range []*time.Location{time.UTC, mustLoc(t, "Europe/London")} {
		dec := analytics.Period{From: time.Date(2010, 12, 1, 0, 0, 0, 0, l), To: time.Date(2011, 1, 1, 0, 0, 0, 0, l), Label: "2010-12"}
		if c := coverageCaveat(context.Background(), dr, dec); c != "" {
			t.Errorf("coverageCaveat(2010-12, %s) = %q; want none (the data start that day)", l, c)
		}
		nov := analytics.Period{From: time.Date(2010, 11, 1, 0, 0, 0, 0, l), To: time.Date(2011, 1, 1, 0, 0, 0, 0, l), Label: "2010-11..12"}
		if c := coverageCaveat(context.Background(), dr, nov); !strings.Contains(c, "the data start on 2010-12-01") {
			t.Errorf("coverageCaveat(2010-11..12, %s) = %q; want partial", l, c)
		}
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
