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
)

// readPaths reads a ChannelAttribution CSV from data/channel-attribution.
func readPaths(t testing.TB, name string) []analytics.Path {
	t.Helper()
	f, err := os.Open("../data/channel-attribution/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	paths, err := analytics.ReadChannelAttributionCSV(f)
	if err != nil {
		t.Fatalf("ReadChannelAttributionCSV(%s) error: %v", name, err)
	}
	return paths
}

func TestReadChannelAttributionCSV(t *testing.T) {
	t.Run("DataCSV", func(t *testing.T) {
		// PROVENANCE.md: 10,000 rows, 12 channels, total conversions 19,785,
		// total conversion value 74,802.972, total null 68,602.
		paths := readPaths(t, "Data.csv")
		if len(paths) != 10000 {
			t.Fatalf("len(paths) = %d; want 10000", len(paths))
		}
		var conv, value, null float64
		channels := map[string]bool{}
		for _, p := range paths {
			conv += p.Conversions
			value += p.Value
			null += p.Nulls
			for _, c := range p.Channels {
				channels[c] = true
			}
		}
		if conv != 19785 {
			t.Errorf("total conversions = %v; want 19785", conv)
		}
		if math.Abs(value-74802.972) > 5e-4 {
			t.Errorf("total value = %v; want 74802.972 (±5e-4)", value)
		}
		if null != 68602 {
			t.Errorf("total null = %v; want 68602", null)
		}
		if len(channels) != 12 {
			t.Errorf("distinct channels = %d; want 12", len(channels))
		}
		// First data row: eta > iota > alpha > eta;1;0.244;3
		want := analytics.Path{Channels: []string{"eta", "iota", "alpha", "eta"}, Conversions: 1, Value: 0.244, Nulls: 3}
		if got := paths[0]; !slices.Equal(got.Channels, want.Channels) || got.Conversions != 1 || got.Value != 0.244 || got.Nulls != 3 {
			t.Errorf("paths[0] = %+v; want %+v", got, want)
		}
	})
	t.Run("VignetteWithoutValueColumn", func(t *testing.T) {
		paths := readPaths(t, "vignette_toy_paths.csv")
		want := []string{"A > B > A > B > B > A", "A > B > B > A > A", "A > A"}
		if len(paths) != len(want) {
			t.Fatalf("len(paths) = %d; want %d", len(paths), len(want))
		}
		for i, p := range paths {
			if p.String() != want[i] || p.Conversions != 1 || p.Nulls != 0 || p.Value != 0 {
				t.Errorf("paths[%d] = %+v; want %s with 1 conversion, 0 nulls, 0 value", i, p, want[i])
			}
		}
	})
	t.Run("CommaSeparatedChannelWithSpaces", func(t *testing.T) {
		in := "total_null,path,total_conversions\n2, paid search > e mail ,3\n"
		paths, err := analytics.ReadChannelAttributionCSV(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != 1 || !slices.Equal(paths[0].Channels, []string{"paid search", "e mail"}) || paths[0].Conversions != 3 || paths[0].Nulls != 2 {
			t.Errorf("ReadChannelAttributionCSV(%q) = %+v; want [paid search, e mail] 3 conversions 2 nulls", in, paths)
		}
	})
	t.Run("HeaderOnly", func(t *testing.T) {
		paths, err := analytics.ReadChannelAttributionCSV(strings.NewReader("path;total_conversions\n"))
		if err != nil || len(paths) != 0 {
			t.Errorf("ReadChannelAttributionCSV(header only) = %v, %v; want no paths, nil", paths, err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		_, err := analytics.ReadChannelAttributionCSV(strings.NewReader(""))
		if !errors.Is(err, analytics.ErrNoData) {
			t.Errorf("ReadChannelAttributionCSV(\"\") error = %v; want ErrNoData", err)
		}
	})
	errCases := []struct {
		name, in, line string
		row            int
		field          string
		is             error
	}{
		{"BadNumber", "path;total_conversions;total_null\nA;1;0\nB;1;x\n", "line 3", 1, "total_null", nil},
		{"Negative", "path;total_conversions;total_conversion_value;total_null\nA > B;1;-2;0\n", "line 2", 0, "total_conversion_value", analytics.ErrNegative},
		{"NaN", "path;total_conversions\nA;NaN\n", "line 2", 0, "total_conversions", nil},
		{"EmptyChannel", "path;total_conversions\nA > B;1\nA >  > B;1\n", "line 3", 1, "path", nil},
		{"EmptyPath", "path;total_conversions\n;1\n", "line 2", 0, "path", nil},
		{"MissingConversions", "path;total_conversions\nA\n", "line 2", 0, "total_conversions", nil},
		{"MissingColumn", "path;total_null\nA;1\n", "line 1", -1, "total_conversions", nil},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := analytics.ReadChannelAttributionCSV(strings.NewReader(tc.in))
			var ie *analytics.InputError
			if !errors.As(err, &ie) || ie.Row != tc.row || ie.Field != tc.field {
				t.Fatalf("ReadChannelAttributionCSV(%q) error = %v; want InputError row %d field %s", tc.in, err, tc.row, tc.field)
			}
			if !strings.Contains(err.Error(), tc.line) {
				t.Errorf("ReadChannelAttributionCSV(%q) error = %q; want it to name %q", tc.in, err, tc.line)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("ReadChannelAttributionCSV(%q) error = %v; want errors.Is %v", tc.in, err, tc.is)
			}
		})
	}
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

func ExampleReadChannelAttributionCSV() {
	in := "path;total_conversions;total_conversion_value;total_null\n" +
		"email > paid search;2;30.5;8\n" +
		"display;0;0;5\n"
	paths, err := analytics.ReadChannelAttributionCSV(strings.NewReader(in))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range paths {
		fmt.Printf("%q %d channels: %v conversions, %v value, %v nulls\n", p.String(), len(p.Channels), p.Conversions, p.Value, p.Nulls)
	}
	_, err = analytics.ReadChannelAttributionCSV(strings.NewReader("path;total_conversions\nemail;two\n"))
	fmt.Println(err)
	// Output:
	// "email > paid search" 2 channels: 2 conversions, 30.5 value, 8 nulls
	// "display" 1 channels: 0 conversions, 0 value, 5 nulls
	// read channel attribution csv: line 2: row 0, field total_conversions: strconv.ParseFloat: parsing "two": invalid syntax
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
