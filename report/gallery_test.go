package report_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/roibot/roibot/report"
)

// TestWriteGallery writes sample charts into $ROIBOT_CHART_DIR when set,
// for looking at them (docs/charts.md).
func TestWriteGallery(t *testing.T) {
	dir := os.Getenv("ROIBOT_CHART_DIR")
	if dir == "" {
		t.Skip("ROIBOT_CHART_DIR not set")
	}
	for name, c := range map[string]report.BarChart{
		"products.png": {Title: "Top products bought by at-risk customers in Germany, 2011", Unit: "GBP", YLabel: "Revenue", XLabel: "Product",
			Labels: []string{"REGENCY CAKESTAND 3 TIER", "POSTAGE", "ROUND SNACK BOXES SET OF4 WOODLAND", "PLASTERS IN TIN CIRCUS PARADE", "JUMBO BAG RED RETROSPOT", "SPACEBOY LUNCH BOX", "WOODLAND CHARLOTTE BAG", "RED TOADSTOOL LED NIGHT LIGHT"},
			Values: []float64{75000, 61250.5, 12033, 9000, 4500.25, 1200, 800, 45}},
		"segments.png": {Title: "Customers per RFM segment", Unit: "customers", YLabel: "Customers",
			Labels: []string{"champions", "loyal", "at risk", "lost"}, Values: []float64{1203, 3400, 950, 4100}},
	} {
		b, err := report.BarChartPNG(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
