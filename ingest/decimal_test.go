package ingest

import (
	"strings"
	"testing"
)

func TestParseFixed(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  int64
		err   string
	}{
		{"12.5", 2, 1250, ""},
		{"0.07", 2, 7, ""},
		{".5", 2, 50, ""},
		{"3.", 2, 300, ""},
		{"+1.10", 2, 110, ""},
		{"-0.01", 2, -1, ""},
		{"1.2300", 2, 123, ""}, // trailing zeros are exact
		{"007.00", 2, 700, ""},
		{"2.55", 4, 25500, ""},
		{"0.4250", 4, 4250, ""},
		{"92233720368547758.07", 2, 9223372036854775807, ""},
		{"1.005", 2, 0, "more than 2 decimal places"},
		{"0.00001", 4, 0, "more than 4 decimal places"},
		{"92233720368547758.08", 2, 0, "out of range"},
		{"99999999999999999999", 2, 0, "out of range"},
		{"", 2, 0, "not a decimal"},
		{".", 2, 0, "not a decimal"},
		{"-", 2, 0, "not a decimal"},
		{"1e3", 2, 0, "not a decimal"},
		{"1,000", 2, 0, "not a decimal"},
		{"£5", 2, 0, "not a decimal"},
		{"1.2.3", 2, 0, "not a decimal"},
	}
	for _, tt := range tests {
		got, err := parseFixed(tt.in, tt.scale)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseFixed(%q, %d) = %d, %v; want error %q", tt.in, tt.scale, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseFixed(%q, %d) = %d, %v; want %d", tt.in, tt.scale, got, err, tt.want)
		}
	}
}
