package ingest

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseWeek(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	for _, tc := range []struct{ in, want string }{
		{"2024-W01", "2024-01-01"}, {"2021-W01", "2021-01-04"}, {"2020-W53", "2020-12-28"}, {"2026-12-07", "2026-12-07"},
	} {
		got, err := parseWeek(tc.in, london)
		if err != nil || got.Format("2006-01-02") != tc.want || got.Location() != london || got.Hour() != 0 {
			t.Errorf("parseWeek(%q) = %v, %v; want %s 00:00 London", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"2021-W53", "2024-W00", "2024/01/01", ""} {
		if _, err := parseWeek(bad, time.UTC); err == nil {
			t.Errorf("parseWeek(%q) succeeded; want an error", bad)
		}
	}
}

const weeklyCSV = `week,outcome,currency,spend_tv,spend_search,control_price,event_promo
2024-01-08,1200.5,gbp,100,50,9.99,0
2024-01-01,1000,GBP,0,40,9.99,1
2024-W03,1100,GBP,80,45.5,10.49,0
`

func TestReadMMMWeekly(t *testing.T) {
	d, rep, err := ReadMMMWeekly(strings.NewReader(weeklyCSV), time.UTC, "w.csv")
	if err != nil {
		t.Fatal(err)
	}
	in := d.Input
	if d.Currency != "GBP" || len(in.Weeks) != 3 || in.Weeks[0].Format("2006-01-02") != "2024-01-01" || in.Outcome[0] != 1000 || in.Outcome[2] != 1100 {
		t.Fatalf("data = %+v", d)
	}
	if len(in.Media) != 2 || in.Media[0].Name != "tv" || in.Media[1].Values[2] != 45.5 || in.Controls[0].Name != "price" || in.Events[0].Name != "promo" || in.Events[0].Values[0] != 1 {
		t.Fatalf("series = %+v %+v %+v", in.Media, in.Controls, in.Events)
	}
	if rep.Read != 3 || rep.Stored != 3 || rep.Rejected != 0 {
		t.Errorf("report = %+v", rep)
	}
	for _, tc := range []struct{ name, csv, line, field string }{
		{"NotMonday", "week,outcome,currency,spend_tv\n2024-01-02,1,GBP,1\n", "line 2", "week"},
		{"Gap", "week,outcome,currency,spend_tv\n2024-01-01,1,GBP,1\n2024-01-15,1,GBP,1\n", "line 3", "week"},
		{"Duplicate", "week,outcome,currency,spend_tv\n2024-01-01,1,GBP,1\n2024-W01,1,GBP,1\n", "line 3", "week"},
		{"Negative", "week,outcome,currency,spend_tv\n2024-01-01,1,GBP,-1\n", "line 2", "spend_tv"},
		{"TwoCurrencies", "week,outcome,currency,spend_tv\n2024-01-01,1,GBP,1\n2024-01-08,1,EUR,1\n", "line 3", "currency"},
		{"Event", "week,outcome,currency,spend_tv,event_x\n2024-01-01,1,GBP,1,2\n", "line 2", "event_x"},
		{"BareQuote", "week,outcome,currency,spend_tv\n2024-01-01,1,GBP,1\"x\n", "line 2", "csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rep, err := ReadMMMWeekly(strings.NewReader(tc.csv), time.UTC, "x.csv")
			if err == nil || rep.Rejected != 1 || !strings.HasPrefix(rep.Rejects[0].String(), tc.line+": "+tc.field) {
				t.Fatalf("err %v, report %+v; want one reject at %s: %s", err, rep, tc.line, tc.field)
			}
		})
	}
	if _, _, err := ReadMMMWeekly(strings.NewReader("week,outcome,spend_tv\n"), time.UTC, "x.csv"); err == nil || !strings.Contains(err.Error(), `lacks "currency"`) {
		t.Errorf("missing currency column: err = %v", err)
	}
	if _, _, err := ReadMMMWeekly(strings.NewReader(""), time.UTC, "x.csv"); err == nil || err.Error() != "x.csv: empty file" {
		t.Errorf("empty file: err = %v; want x.csv: empty file", err)
	}
}

func TestReadWeekly_PyMCFile(t *testing.T) {
	f, err := os.Open("../data/pymc-marketing-mmm/mmm_roas_data.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, rep, err := ReadWeekly(f, WeeklyColumns{Week: "date", Outcome: "y", Channels: []string{"x1", "x2"}, Controls: []string{"z"}}, nil, "mmm_roas_data.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 131 || len(d.Input.Weeks) != 131 || d.Input.Weeks[0].Format("2006-01-02") != "2021-10-02" {
		t.Errorf("read %d rows, %d weeks from %v; want 131 from 2021-10-02", rep.Read, len(d.Input.Weeks), d.Input.Weeks[0])
	}
}

func TestReadLiftTests(t *testing.T) {
	lts, err := ReadLiftTests(strings.NewReader("channel,start,end,incremental,se\ndisplay,2023-12-04,2024-W04,12345.5,1200\n"), time.UTC)
	if err != nil || len(lts) != 1 || lts[0].End.Format("2006-01-02") != "2024-01-22" || lts[0].SE != 1200 {
		t.Fatalf("ReadLiftTests = %+v, %v", lts, err)
	}
	if _, err := ReadLiftTests(strings.NewReader("channel,start,end,incremental,se\ntv,2024-01-01,2024-01-08,5,0\n"), time.UTC); err == nil || !strings.Contains(err.Error(), "line 2: se") {
		t.Errorf("zero SE: err = %v", err)
	}
}
