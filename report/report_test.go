package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"testing"

	"github.com/roibot/roibot/report"
)

func TestCSV(t *testing.T) {
	got := string(report.CSV([]string{"customer_id", "name", "spend"},
		[][]string{{"12347", "Smith, J", "4310.00"}, {"12348", `say "hi"`, "1797.24"}}))
	want := "customer_id,name,spend\n12347,\"Smith, J\",4310.00\n12348,\"say \"\"hi\"\"\",1797.24\n"
	if got != want {
		t.Errorf("CSV = %q; want %q", got, want)
	}
}

func TestBarChartPNG(t *testing.T) {
	b, err := report.BarChartPNG(report.BarChart{Title: "Customers per segment", Unit: "customers",
		Labels: []string{"champions", "loyal", "at_risk", "lost", "new", "promising", "hibernating"},
		Values: []float64{120, 340, 95, 410, 60, 80, 200}})
	if err != nil {
		t.Fatalf("BarChartPNG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode(BarChartPNG) error: %v", err)
	}
	// 7 bars: width max(5, 7×0.6) = 5 inches, height 4 inches at 96 dpi.
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 480 || h != 384 {
		t.Errorf("BarChartPNG size = %d×%d; want 480×384 (5×4 inches at 96 dpi)", w, h)
	}
	for _, c := range []report.BarChart{
		{Labels: []string{"a"}, Values: []float64{1, 2}},
		{},
		{Labels: []string{"a"}, Values: []float64{math.NaN()}},
		{Labels: make([]string, report.MaxBars+1), Values: make([]float64, report.MaxBars+1)},
	} {
		if _, err := report.BarChartPNG(c); !errors.Is(err, report.ErrBadChart) {
			t.Errorf("BarChartPNG(%d labels, %d values) error = %v; want ErrBadChart", len(c.Labels), len(c.Values), err)
		}
	}
}

func ExampleCSV() {
	fmt.Print(string(report.CSV([]string{"customer_id", "segment", "monetary_gbp"},
		[][]string{{"12347", "champions", "4310.00"}, {"12348", "loyal, high value", "1797.24"}})))
	// Output:
	// customer_id,segment,monetary_gbp
	// 12347,champions,4310.00
	// 12348,"loyal, high value",1797.24
}
