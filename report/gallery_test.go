package report_test

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/roibot/roibot/report"
)

// gallery is one example of each chart kind of docs/charts.md, with
// figures of the shape the tools return (illustrative, not measured).
var gallery = map[string]report.BarChart{
	"segment_products.png": {Title: "Top products bought by at-risk customers in Germany, 2011", Unit: "GBP", YLabel: "Net revenue", XLabel: "Product",
		Labels: []string{"REGENCY CAKESTAND 3 TIER", "POSTAGE", "ROUND SNACK BOXES SET OF4 WOODLAND", "PLASTERS IN TIN CIRCUS PARADE", "JUMBO BAG RED RETROSPOT", "SPACEBOY LUNCH BOX", "WOODLAND CHARLOTTE BAG", "RED TOADSTOOL LED NIGHT LIGHT"},
		Values: []float64{7500, 6125.5, 1203, 900, 450.25, 120, 80, 45}},
	"roas_by_channel.png": {Title: "Return on ad spend by channel, 2011 (last-touch attribution)", Unit: "£ revenue per £ spent", YLabel: "ROAS", XLabel: "channel",
		Labels: []string{"email", "organic social", "paid search", "display", "affiliate"}, Values: []float64{4.9, 3.2, 1.9, 0.8, 1.35}},
	"attribution_models.png": {Title: "Revenue credited to paid search by model, 2011", Unit: "GBP", YLabel: "Attributed revenue", XLabel: "attribution model",
		Labels: []string{"last touch", "first touch", "linear", "time decay", "position based"}, Values: []float64{91200, 64350, 78020.5, 83110, 75400}},
	"funnel.png": {Title: "Checkout funnel, sessions reaching each step, 2011-Q4", Unit: "sessions", YLabel: "Sessions", XLabel: "step",
		Labels: []string{"visit", "product view", "add to cart", "checkout", "purchase"}, Values: []float64{48210, 30112, 9875, 4410, 2967}},
	"rfm_segments.png": {Title: "Customers per RFM segment, as of 2011-12-10 in United Kingdom", Unit: "customers", YLabel: "Customers", XLabel: "RFM segment",
		Labels: []string{"champions", "loyal", "potential loyalists", "new", "promising", "need attention", "about to sleep", "at risk", "can't lose them", "hibernating", "lost"},
		Values: []float64{712, 548, 421, 96, 140, 233, 301, 455, 88, 610, 316}},
	"cjk_products.png": {Title: "2011年德国高风险客户购买最多的商品", Unit: "GBP", YLabel: "净收入", XLabel: "商品",
		Labels: []string{"三层蛋糕架", "邮费", "林地零食盒", "马戏团创可贴"}, Values: []float64{7500, 6125.5, 1203, 900}},
}

// TestGallery draws every gallery chart and checks it decodes at 1,152 px
// or wider; with ROIBOT_CHART_DIR set it writes them there:
//
//	ROIBOT_CHART_DIR=$PWD/docs/charts go test -run TestGallery ./report
func TestGallery(t *testing.T) {
	dir := os.Getenv("ROIBOT_CHART_DIR")
	for name, c := range gallery {
		b, err := report.BarChartPNG(c)
		if name == "cjk_products.png" && errors.Is(err, report.ErrNoCJKFont) {
			t.Logf("%s: %v (no CJK font on this machine)", name, err)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w := img.Bounds().Dx(); w < 1152 {
			t.Errorf("%s: %d px wide; want ≥ 1152", name, w)
		}
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	line := report.LineChart{Title: "Response curves: weekly incremental revenue vs weekly spend (MMM)", XLabel: "Weekly spend (GBP, £)", YLabel: "Weekly incremental revenue (GBP, £)",
		XUnit: "GBP", YUnit: "GBP"}
	for k, ch := range []string{"tv", "paid search", "display"} {
		s := report.LineSeries{Name: ch}
		for i := 0; i <= 20; i++ {
			x := float64(i) * 1000
			s.X = append(s.X, x)
			s.Y = append(s.Y, float64(3-k)*6000*x/(x+4000+float64(k)*3000))
		}
		line.Series = append(line.Series, s)
	}
	b, err := report.LineChartPNG(line)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("mmm_response_curves.png: %v", err)
	}
	// 7 × 4.2 inches at DPI, widened to fit a long title.
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 1344 || h != 806 {
		t.Errorf("mmm_response_curves.png: %d × %d px; want ≥ 1344 × 806", w, h)
	}
	if dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "mmm_response_curves.png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
