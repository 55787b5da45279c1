package report

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxBars bounds the bars of a chart; more would not be readable.
const MaxBars = 60

// BarChart is a titled bar chart: one bar per label, values in Unit
// (the y-axis label, e.g. "customers" or "GBP").
type BarChart struct {
	Title  string
	Labels []string
	Values []float64
	Unit   string
}

// ErrBadChart means a chart cannot be drawn: no bars, labels and values of
// different lengths, more than MaxBars bars, or a NaN or infinite value.
var ErrBadChart = errors.New("chart cannot be drawn")

// BarChartPNG draws c as a PNG image: 4 inches high, at least 5 inches
// wide and 0.6 inch per bar, x tick labels slanted when there are more
// than six bars. It returns an error wrapping ErrBadChart for data that
// cannot be drawn, and any error of gonum/plot (a plot panic is returned
// as an error).
func BarChartPNG(c BarChart) (_ []byte, err error) {
	n := len(c.Values)
	if n == 0 || n != len(c.Labels) || n > MaxBars {
		return nil, fmt.Errorf("chart %q: %d labels and %d values (1..%d bars): %w", c.Title, len(c.Labels), n, MaxBars, ErrBadChart)
	}
	for i, v := range c.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("chart %q: value %d is %v: %w", c.Title, i, v, ErrBadChart)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart %q: plot: %v", c.Title, r)
		}
	}()
	p := plot.New()
	p.Title.Text = c.Title
	p.Y.Label.Text = c.Unit
	bars, err := plotter.NewBarChart(plotter.Values(c.Values), vg.Points(18))
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalX(c.Labels...)
	if n > 6 {
		p.X.Tick.Label.Rotation = math.Pi / 5
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	width := max(5*vg.Inch, vg.Length(n)*0.6*vg.Inch)
	wt, err := p.WriterTo(width, 4*vg.Inch, "png")
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	if buf.Len() == 0 {
		return nil, fmt.Errorf("chart %q: empty image", c.Title)
	}
	return buf.Bytes(), nil
}
