package slackbot

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/roibot/roibot/agent"
)

// maxBars bounds a chart's bars; more would not be readable.
const maxBars = 60

// renderBarChart draws c as a PNG bar chart: one bar per label, the y axis
// in c.Unit.
func renderBarChart(c agent.Chart) (_ []byte, err error) {
	if c.Kind != "" && c.Kind != "bar" {
		return nil, fmt.Errorf("chart %q: kind %q not supported", c.Title, c.Kind)
	}
	n := len(c.Values)
	if n == 0 || n != len(c.Labels) || n > maxBars {
		return nil, fmt.Errorf("chart %q: %d labels and %d values", c.Title, len(c.Labels), n)
	}
	for i, v := range c.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("chart %q: value %d is %v", c.Title, i, v)
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
		return nil, errors.New("chart: empty image")
	}
	return buf.Bytes(), nil
}
