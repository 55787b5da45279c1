package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LineSeries is one named line: Y[i] at X[i].
type LineSeries struct {
	Name string
	X, Y []float64
}

// LineChart is a titled chart of lines sharing axes; Marks are single
// labelled points drawn over the lines (e.g. the current spend on a
// response curve). When Stacked is set the series are drawn as stacked
// areas in order (each filled between the running total before and after
// it), which shows how parts add up to a whole.
type LineChart struct {
	Title          string
	XLabel, YLabel string
	Series         []LineSeries
	Marks          []LineSeries
	Stacked        bool
	// XDates, when set, labels x ticks with these strings at the X values
	// of the first series (every len/8-th one).
	XDates []string
	// XUnit and YUnit format the tick labels (Value): a currency code
	// such as "GBP" gives "£75,000"; anything else, numbers with
	// thousands separators.
	XUnit, YUnit string
}

// LineChartPNG draws c as a 7×4.2-inch PNG at DPI (1,344 × 806 px) in the
// Okabe-Ito palette, every other line dashed. It returns an error wrapping
// ErrBadChart when a series is empty, has X and Y of different lengths or
// holds a NaN or infinite value; a plot panic is returned as an error.
func LineChartPNG(c LineChart) (_ []byte, err error) {
	if len(c.Series) == 0 {
		return nil, fmt.Errorf("chart %q: no series: %w", c.Title, ErrBadChart)
	}
	for _, s := range append(append([]LineSeries(nil), c.Series...), c.Marks...) {
		if len(s.X) == 0 || len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("chart %q: series %q has %d x and %d y values: %w", c.Title, s.Name, len(s.X), len(s.Y), ErrBadChart)
		}
		for i := range s.X {
			if math.IsNaN(s.X[i]) || math.IsInf(s.X[i], 0) || math.IsNaN(s.Y[i]) || math.IsInf(s.Y[i], 0) {
				return nil, fmt.Errorf("chart %q: series %q point %d is not finite: %w", c.Title, s.Name, i, ErrBadChart)
			}
		}
	}
	if c.Stacked {
		n := len(c.Series[0].X)
		for _, s := range c.Series {
			if len(s.X) != n {
				return nil, fmt.Errorf("chart %q: stacked series of different lengths: %w", c.Title, ErrBadChart)
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart %q: plot: %v", c.Title, r)
		}
	}()
	texts := []string{c.Title, c.XLabel, c.YLabel}
	for _, s := range append(append([]LineSeries(nil), c.Series...), c.Marks...) {
		texts = append(texts, s.Name)
	}
	var cjk font.Typeface
	if texts = append(texts, c.XDates...); HasCJK(texts...) {
		var err error
		if cjk, err = cjkTypeface(append(texts, "0123456789,.-£$€")...); err != nil {
			return nil, fmt.Errorf("chart %q: %w", c.Title, err)
		}
	}
	p := newPlot(c.Title, c.XLabel, c.YLabel, cjk)
	p.Y.Tick.Marker = valueTicks{unit: c.YUnit}
	if c.XDates == nil {
		p.X.Tick.Marker = valueTicks{unit: c.XUnit}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = color.Gray{Y: 0xb0}
	grid.Horizontal.Width = vg.Points(0.5)
	grid.Horizontal.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(grid)
	p.Legend.Top = true
	p.Legend.Left = true
	if c.Stacked {
		n := len(c.Series[0].X)
		below := make([]float64, n)
		for k, s := range c.Series {
			pts := make(plotter.XYs, 0, 2*n)
			above := make([]float64, n)
			for i := 0; i < n; i++ {
				above[i] = below[i] + s.Y[i]
				pts = append(pts, plotter.XY{X: s.X[i], Y: above[i]})
			}
			for i := n - 1; i >= 0; i-- {
				pts = append(pts, plotter.XY{X: s.X[i], Y: below[i]})
			}
			poly, err := plotter.NewPolygon(pts)
			if err != nil {
				return nil, fmt.Errorf("chart %q: %w", c.Title, err)
			}
			col := OkabeIto[k%len(OkabeIto)]
			col.A = 0xd0
			poly.Color = col
			poly.LineStyle.Width = 0
			p.Add(poly)
			p.Legend.Add(s.Name, poly)
			below = above
		}
	} else {
		for k, s := range c.Series {
			l, err := plotter.NewLine(xys(s))
			if err != nil {
				return nil, fmt.Errorf("chart %q: %w", c.Title, err)
			}
			l.Color = OkabeIto[k%len(OkabeIto)]
			l.Width = vg.Points(2)
			// Dash every other line so the lines differ in print too.
			if k%2 == 1 {
				l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			}
			p.Add(l)
			p.Legend.Add(s.Name, l)
		}
	}
	for _, m := range c.Marks {
		sc, err := plotter.NewScatter(xys(m))
		if err != nil {
			return nil, fmt.Errorf("chart %q: %w", c.Title, err)
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(3.5)
		sc.GlyphStyle.Color = color.Black
		p.Add(sc)
		if m.Name != "" {
			p.Legend.Add(m.Name, sc)
		}
	}
	if len(c.XDates) == len(c.Series[0].X) && len(c.XDates) > 0 {
		step := max(1, len(c.XDates)/8)
		var ticks []plot.Tick
		for i := 0; i < len(c.XDates); i += step {
			ticks = append(ticks, plot.Tick{Value: c.Series[0].X[i], Label: c.XDates[i]})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	b, err := render(p, 7*vg.Inch, 4.2*vg.Inch)
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	return b, nil
}

func xys(s LineSeries) plotter.XYs {
	pts := make(plotter.XYs, len(s.X))
	for i := range s.X {
		pts[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
	}
	return pts
}
