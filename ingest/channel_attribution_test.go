package ingest_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

func TestReadChannelAttributionCSV(t *testing.T) {
	// read reads a ChannelAttribution CSV from data/channel-attribution.
	read := func(t *testing.T, name string) []analytics.Path {
		f, err := os.Open("../data/channel-attribution/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		paths, err := ingest.ReadChannelAttributionCSV(f)
		if err != nil {
			t.Fatalf("ReadChannelAttributionCSV(%s) error: %v", name, err)
		}
		return paths
	}
	t.Run("DataCSV", func(t *testing.T) {
		// PROVENANCE.md: 10,000 rows, 12 channels, total conversions 19,785,
		// total conversion value 74,802.972, total null 68,602.
		paths := read(t, "Data.csv")
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
		paths := read(t, "vignette_toy_paths.csv")
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
		paths, err := ingest.ReadChannelAttributionCSV(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != 1 || !slices.Equal(paths[0].Channels, []string{"paid search", "e mail"}) || paths[0].Conversions != 3 || paths[0].Nulls != 2 {
			t.Errorf("ReadChannelAttributionCSV(%q) = %+v; want [paid search, e mail] 3 conversions 2 nulls", in, paths)
		}
	})
	t.Run("HeaderOnly", func(t *testing.T) {
		paths, err := ingest.ReadChannelAttributionCSV(strings.NewReader("path;total_conversions\n"))
		if err != nil || len(paths) != 0 {
			t.Errorf("ReadChannelAttributionCSV(header only) = %v, %v; want no paths, nil", paths, err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		_, err := ingest.ReadChannelAttributionCSV(strings.NewReader(""))
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
			_, err := ingest.ReadChannelAttributionCSV(strings.NewReader(tc.in))
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

func ExampleReadChannelAttributionCSV() {
	in := "path;total_conversions;total_conversion_value;total_null\n" +
		"email > paid search;2;30.5;8\n" +
		"display;0;0;5\n"
	paths, err := ingest.ReadChannelAttributionCSV(strings.NewReader(in))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range paths {
		fmt.Printf("%q %d channels: %v conversions, %v value, %v nulls\n", p.String(), len(p.Channels), p.Conversions, p.Value, p.Nulls)
	}
	_, err = ingest.ReadChannelAttributionCSV(strings.NewReader("path;total_conversions\nemail;two\n"))
	fmt.Println(err)
	// Output:
	// "email > paid search" 2 channels: 2 conversions, 30.5 value, 8 nulls
	// "display" 1 channels: 0 conversions, 0 value, 5 nulls
	// read channel attribution csv: line 2: row 0, field total_conversions: strconv.ParseFloat: parsing "two": invalid syntax
}
