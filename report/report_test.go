package report_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
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
	// 7 bars: width max(6, 7×0.7) = 6 inches, 4.6 inches high (slanted
	// labels), at 192 dpi.
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 1152 || h != 883 {
		t.Errorf("BarChartPNG size = %d×%d; want 1152×883 (6×4.6 inches at 192 dpi)", w, h)
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

func TestBarChartPlot_LabelsAndTicks(t *testing.T) {
	c := report.BarChart{Title: "Top products bought by at-risk customers in Germany, 2011", Unit: "GBP", YLabel: "Revenue",
		Labels: []string{"REGENCY CAKESTAND 3 TIER", "POSTAGE"}, Values: []float64{75000, 1234.5}}
	p, err := c.Plot()
	if err != nil {
		t.Fatal(err)
	}
	if p.Title.Text != c.Title {
		t.Errorf("title = %q; want %q", p.Title.Text, c.Title)
	}
	// Long labels: horizontal bars, so the value axis is x.
	if !c.Horizontal() {
		t.Fatal("Horizontal() = false for a 24-character label")
	}
	if p.X.Label.Text != "Revenue (GBP, £)" {
		t.Errorf("value axis label = %q; want %q", p.X.Label.Text, "Revenue (GBP, £)")
	}
	var labels []string
	for _, tk := range p.X.Tick.Marker.Ticks(0, 80000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got, want := strings.Join(labels, " "), "£0 £40,000 £80,000"; got != want {
		t.Errorf("value ticks = %q; want %q", got, want)
	}
	b, err := report.BarChartPNG(c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// Horizontal: 8 inches wide, max(4, 1.6+2×0.4) = 4 inches high.
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 1536 || h != 768 {
		t.Errorf("size = %d×%d; want 1536×768", w, h)
	}
}

func TestBarChartCJK(t *testing.T) {
	c := report.BarChart{Title: "2011年德国高风险客户购买的热门商品", Unit: "GBP", YLabel: "收入",
		Labels: []string{"蛋糕架", "邮费"}, Values: []float64{75000, 1234.5}}
	b, err := report.BarChartPNG(c)
	if errors.Is(err, report.ErrNoCJKFont) {
		t.Skipf("no CJK font on this machine (%v); install fonts-droid-fallback to run this test", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("ROIBOT_CHART_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "cjk.png"), b, 0o644)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{report.Money(75000, "GBP", 0), "£75,000"},
		{report.Money(-1234.5, "USD", 2), "-$1,234.50"},
		{report.Money(10, "CHF", 2), "CHF 10.00"},
		{report.Money(-0.001, "GBP", 2), "£0.00"},
		{report.Money(60025.35, "GBP", 2), "£60,025.35"},
		{report.Money(999.5, "GBP", 2), "£999.50"},
		{report.Money(-1234567.891, "GBP", 2), "-£1,234,567.89"},
		{report.Money(0, "GBP", 2), "£0.00"},
		{report.Number(1234567.891, 2), "1,234,567.89"},
		{report.Number(-999, 0), "-999"},
		{report.Number(100, 0), "100"},
		{report.Value(75000, "GBP", -1), "£75,000"},
		{report.Value(45.5, "GBP", -1), "£45.50"},
		{report.Value(3.254, "revenue per £ spent", -1), "3.25"},
		{report.Value(12345, "customers", -1), "12,345"},
		{report.NA("too few repeat customers"), "n/a (too few repeat customers)"},
		{report.NA(""), "n/a"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
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

func TestValueTicks_Exact(t *testing.T) {
	p, err := report.BarChart{Title: "ROAS", Unit: "£ revenue per £ spent", Labels: []string{"a", "b"}, Values: []float64{4.9, 3.2}}.Plot()
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, tk := range p.Y.Tick.Marker.Ticks(0, 5) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got, want := strings.Join(labels, " "), "0.0 2.5 5.0"; got != want {
		t.Errorf("ticks = %q; want %q (2.5 must not read 2)", got, want)
	}
}
