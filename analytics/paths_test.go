package analytics_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

// readPaths reads a ChannelAttribution CSV from data/channel-attribution.
func readPaths(t testing.TB, name string) []analytics.Path {
	t.Helper()
	f, err := os.Open("../data/channel-attribution/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	paths, err := ingest.ReadChannelAttributionCSV(f)
	if err != nil {
		t.Fatalf("ReadChannelAttributionCSV(%s) error: %v", name, err)
	}
	return paths
}

var day0 = time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)

func day(d float64) time.Time { return day0.Add(time.Duration(d * float64(24*time.Hour))) }

func TestBuildJourneys(t *testing.T) {
	tps := []analytics.Touchpoint{
		{CustomerID: "c1", Channel: "display", At: day(7)},
		{CustomerID: "c1", Channel: "email", At: day(0)},
		{CustomerID: "c1", Channel: "search", At: day(6)}, // same instant as the first conversion
		{CustomerID: "c1", Channel: "email", At: day(40)},
		{CustomerID: "c1", Channel: "social", At: day(50)},
		{CustomerID: "c1", Channel: "late", At: day(61)}, // after asOf
		{CustomerID: "c3", Channel: "old", At: day(10)},  // more than 30 days before c3's newest touch
		{CustomerID: "c3", Channel: "paid search", At: day(45)},
		{CustomerID: "c3", Channel: "paid search", At: day(46)},
		{CustomerID: "c4", Channel: "email", At: day(1)}, // never converted, long before asOf: a null
		{CustomerID: "c4", Channel: "display", At: day(2)},
	}
	convs := []analytics.Conversion{
		{OrderID: "o2", CustomerID: "c1", At: day(45), Revenue: 1500},
		{OrderID: "o1", CustomerID: "c1", At: day(6), Revenue: 1000},
		{OrderID: "o3", CustomerID: "c2", At: day(20), Revenue: 250},
		{OrderID: "o4", CustomerID: "c2", At: day(70), Revenue: 999}, // after asOf
	}
	js, err := analytics.BuildJourneys(tps, convs, 30, day(60))
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		customer  string
		channels  string
		end       time.Time
		converted bool
		order     string
	}
	want := []summary{
		// display at day 7 belongs to o2 (the next conversion) but is 38 days older: dropped.
		{"c1", "email > search", day(6), true, "o1"},
		{"c1", "email", day(45), true, "o2"},
		{"c1", "social", day(60), false, ""},
		{"c2", "", day(20), true, "o3"},
		{"c3", "paid search > paid search", day(60), false, ""},
		{"c4", "email > display", day(60), false, ""},
	}
	var got []summary
	for _, j := range js {
		got = append(got, summary{j.CustomerID, strings.Join(j.Channels(), " > "), j.End, j.Converted, j.Conversion.OrderID})
	}
	if !slices.Equal(got, want) {
		t.Errorf("BuildJourneys(...) =\n%v\nwant\n%v", got, want)
	}

	t.Run("Aggregate", func(t *testing.T) {
		paths := analytics.AggregateJourneys(js)
		want := []analytics.Path{ // in order of first appearance
			{Channels: []string{"email", "search"}, Conversions: 1, Value: 10},
			{Channels: []string{"email"}, Conversions: 1, Value: 15},
			{Channels: []string{"social"}, Nulls: 1},
			{Channels: []string{}, Conversions: 1, Value: 2.50},
			{Channels: []string{"paid search", "paid search"}, Nulls: 1},
			{Channels: []string{"email", "display"}, Nulls: 1},
		}
		// Identical sequences merge: a second customer on email > search.
		more := append(slices.Clone(js), analytics.Journey{CustomerID: "c9", Converted: true,
			Conversion:  analytics.Conversion{Revenue: 1},
			Touchpoints: []analytics.Touchpoint{{Channel: "email"}, {Channel: "search"}}})
		if p := analytics.AggregateJourneys(more)[0]; p.Conversions != 2 || math.Abs(p.Value-10.01) > 1e-12 {
			t.Errorf("AggregateJourneys(two email > search) = %+v; want 2 conversions, value 10.01", p)
		}
		if len(paths) != len(want) {
			t.Fatalf("AggregateJourneys = %+v; want %+v", paths, want)
		}
		for i := range want {
			p, w := paths[i], want[i]
			if !slices.Equal(p.Channels, w.Channels) || p.Conversions != w.Conversions || p.Nulls != w.Nulls || math.Abs(p.Value-w.Value) > 1e-12 {
				t.Errorf("AggregateJourneys[%d] = %+v; want %+v", i, p, w)
			}
		}
	})

	t.Run("Errors", func(t *testing.T) {
		cases := []struct {
			name  string
			tps   []analytics.Touchpoint
			convs []analytics.Conversion
			lb    float64
			row   int
			field string
		}{
			{"ZeroLookback", tps, convs, 0, -1, "lookbackDays"},
			{"NaNLookback", tps, convs, math.NaN(), -1, "lookbackDays"},
			{"EmptyChannel", []analytics.Touchpoint{{CustomerID: "c", Channel: "email", At: day(0)}, {CustomerID: "c", Channel: " ", At: day(1)}}, nil, 30, 1, "Channel"},
			{"EmptyCustomer", nil, []analytics.Conversion{{OrderID: "o", At: day(0)}}, 30, 0, "CustomerID"},
			{"NegativeRevenue", nil, []analytics.Conversion{{CustomerID: "c", At: day(0), Revenue: -1}}, 30, 0, "Revenue"},
		}
		for _, tc := range cases {
			_, err := analytics.BuildJourneys(tc.tps, tc.convs, tc.lb, day(60))
			var ie *analytics.InputError
			if !errors.As(err, &ie) || ie.Row != tc.row || ie.Field != tc.field {
				t.Errorf("%s: BuildJourneys error = %v; want InputError row %d field %s", tc.name, err, tc.row, tc.field)
			}
		}
		if _, err := analytics.BuildJourneys(tps, convs, 30, day(-1)); !errors.Is(err, analytics.ErrNoData) {
			t.Errorf("BuildJourneys(asOf before all data) error = %v; want ErrNoData", err)
		}
	})
}

func ExampleBuildJourneys() {
	at := func(d int) time.Time { return time.Date(2011, 3, d, 12, 0, 0, 0, time.UTC) }
	tps := []analytics.Touchpoint{
		{CustomerID: "c1", Channel: "email", At: at(1)},
		{CustomerID: "c1", Channel: "paid_search", At: at(3)},
		{CustomerID: "c1", Channel: "display", At: at(5)},
		{CustomerID: "c2", Channel: "display", At: at(2)},
	}
	convs := []analytics.Conversion{{OrderID: "o1", CustomerID: "c1", At: at(4), Revenue: 4999}}
	journeys, err := analytics.BuildJourneys(tps, convs, 30, at(10))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, j := range journeys {
		fmt.Println(j.CustomerID, j.Channels(), j.Converted, j.Conversion.Revenue)
	}
	for _, p := range analytics.AggregateJourneys(journeys) {
		fmt.Printf("%s: %v conversions, %v value, %v nulls\n", p, p.Conversions, p.Value, p.Nulls)
	}
	// Output:
	// c1 [email paid_search] true 49.99
	// c1 [display] false 0.00
	// c2 [display] false 0.00
	// email > paid_search: 1 conversions, 49.99 value, 0 nulls
	// display: 0 conversions, 0 value, 2 nulls
}
