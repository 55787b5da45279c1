package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxBars bounds the bars of a chart; more would not be readable.
const MaxBars = 60

// BarChart is a titled bar chart: one bar per label, values in Unit. Unit
// is a currency code ("GBP": ticks and value labels read "£75,000") or a
// plain unit ("customers", "sessions", "revenue per £ spent"). YLabel
// names the measure ("Revenue"); the unit is added to it in brackets.
// XLabel names what the bars are ("Product"); empty leaves the axis
// unlabelled.
type BarChart struct {
	Title  string
	Labels []string
	Values []float64
	Unit   string
	XLabel string
	YLabel string
}

// ErrBadChart means a chart cannot be drawn: no bars, labels and values of
// different lengths, more than MaxBars bars, or a NaN or infinite value.
var ErrBadChart = errors.New("chart cannot be drawn")

func (c BarChart) check() error {
	n := len(c.Values)
	if n == 0 || n != len(c.Labels) || n > MaxBars {
		return fmt.Errorf("chart %q: %d labels and %d values (1..%d bars): %w", c.Title, len(c.Labels), n, MaxBars, ErrBadChart)
	}
	for i, v := range c.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("chart %q: value %d is %v: %w", c.Title, i, v, ErrBadChart)
		}
	}
	return nil
}

// typeface returns the CJK typeface for c's texts (value labels and ticks
// included), or "" when c has no CJK text.
func (c BarChart) typeface() (font.Typeface, error) {
	texts := append([]string{c.Title, c.XLabel, c.YLabel, c.Unit, unitLabel(c.YLabel, c.Unit), "0123456789,.-"}, c.Labels...)
	if !HasCJK(texts...) {
		return "", nil
	}
	for _, v := range c.Values {
		texts = append(texts, Value(v, c.Unit, -1))
	}
	tf, err := cjkTypeface(texts...)
	if err != nil {
		return "", fmt.Errorf("chart %q: %w", c.Title, err)
	}
	return tf, nil
}

// Horizontal reports whether c is drawn with horizontal bars: when a
// label is longer than 14 characters (product names), which then read
// left to right instead of slanted.
func (c BarChart) Horizontal() bool {
	for _, l := range c.Labels {
		if len([]rune(l)) > 14 {
			return true
		}
	}
	return false
}

// Width is the chart's width: at least MinWidth (1,152 px at DPI) and 0.7
// inch per bar; 8 inches (1,536 px) for horizontal bars.
func (c BarChart) Width() vg.Length {
	if c.Horizontal() {
		return 8 * vg.Inch
	}
	return max(MinWidth, vg.Length(len(c.Values))*0.7*vg.Inch)
}

// Height is the chart's height: 4 inches, 4.6 when the x labels are
// slanted, 1.6 inches plus 0.4 per bar (at least 4) for horizontal bars.
func (c BarChart) Height() vg.Length {
	switch {
	case c.Horizontal():
		return max(4*vg.Inch, 1.6*vg.Inch+vg.Length(len(c.Values))*0.4*vg.Inch)
	case len(c.Labels) > 6:
		return 4.6 * vg.Inch
	}
	return 4 * vg.Inch
}

// Plot builds the gonum plot of c without drawing it: Okabe-Ito blue bars
// (vermillion for negative values), each labelled with its value
// (Value(v, Unit, -1)), value ticks formatted the same way, light grid
// lines; horizontal bars, first label on top, when Horizontal, else x
// labels slanted when there are more than six bars. It returns an error
// wrapping ErrBadChart for data that cannot be drawn and ErrNoCJKFont for
// CJK text without a font.
func (c BarChart) Plot() (_ *plot.Plot, err error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart %q: plot: %v", c.Title, r)
		}
	}()
	horiz := c.Horizontal()
	cjk, err := c.typeface()
	if err != nil {
		return nil, err
	}
	valueLabel := unitLabel(c.YLabel, c.Unit)
	p := newPlot(c.Title, c.XLabel, valueLabel, cjk)
	cat, val := &p.X, &p.Y
	if horiz {
		p.X.Label.Text, p.Y.Label.Text = valueLabel, c.XLabel
		cat, val = &p.Y, &p.X
	}
	cat.Tick.Label.Font.Size = vg.Points(10)
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xb0}
	grid.Horizontal.Color = color.Gray{Y: 0xb0}
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	grid.Vertical.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	grid.Horizontal.Dashes = grid.Vertical.Dashes
	if horiz {
		grid.Horizontal.Width = 0
	} else {
		grid.Vertical.Width = 0
	}
	p.Add(grid)

	n := len(c.Values)
	// Horizontal bars are drawn bottom-up: reverse so the first is on top.
	at := func(i int) float64 {
		if horiz {
			return float64(n - 1 - i)
		}
		return float64(i)
	}
	pos, neg := make(plotter.Values, n), make(plotter.Values, n)
	lo, hi := 0.0, 0.0
	for i, v := range c.Values {
		j := int(at(i))
		if v < 0 {
			neg[j] = v
		} else {
			pos[j] = v
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	bw := vg.Points(28)
	if horiz {
		bw = vg.Points(18)
	}
	for k, vals := range []plotter.Values{pos, neg} {
		bars, err := plotter.NewBarChart(vals, bw)
		if err != nil {
			return nil, fmt.Errorf("chart %q: %w", c.Title, err)
		}
		bars.Horizontal = horiz
		bars.LineStyle.Width = 0
		bars.Color = OkabeIto[0]
		if k == 1 {
			bars.Color = OkabeIto[3]
		}
		p.Add(bars)
	}
	// Value labels just outside the end of each bar.
	xys := make(plotter.XYs, n)
	labels := make([]string, n)
	for i, v := range c.Values {
		xys[i] = plotter.XY{X: at(i), Y: v}
		if horiz {
			xys[i] = plotter.XY{X: v, Y: at(i)}
		}
		labels[i] = Value(v, c.Unit, -1)
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	for i := range lab.TextStyle {
		st := lab.TextStyle[i]
		st.Font.Size = vg.Points(9)
		st.Font.Variant = "Sans"
		if cjk != "" {
			st.Handler = handler(cjk)
		}
		neg := c.Values[i] < 0
		switch {
		case horiz && neg:
			st.XAlign, st.YAlign = draw.XRight, draw.YCenter
		case horiz:
			st.XAlign, st.YAlign = draw.XLeft, draw.YCenter
		case neg:
			st.XAlign, st.YAlign = draw.XCenter, draw.YTop
		default:
			st.XAlign, st.YAlign = draw.XCenter, draw.YBottom
		}
		lab.TextStyle[i] = st
	}
	if horiz {
		lab.Offset = vg.Point{X: vg.Points(3)}
	} else {
		lab.Offset = vg.Point{Y: vg.Points(2)}
	}
	p.Add(lab)
	// Head room for the value labels.
	span := hi - lo
	if span == 0 {
		span = 1
	}
	room := 0.12
	if horiz {
		room = 0.18
	}
	val.Min = lo
	if lo < 0 {
		val.Min = lo - room*span
	}
	val.Max = hi + room*span
	val.Tick.Marker = valueTicks{unit: c.Unit}
	names := append([]string(nil), c.Labels...)
	if horiz {
		for i := range names {
			names[i] = c.Labels[n-1-i]
		}
		p.NominalY(names...)
		p.Y.Padding = vg.Points(4)
	} else {
		p.NominalX(names...)
		p.X.Padding = vg.Points(4)
		if n > 6 {
			p.X.Tick.Label.Rotation = math.Pi / 5
			p.X.Tick.Label.XAlign = draw.XRight
			p.X.Tick.Label.YAlign = draw.YCenter
		}
	}
	return p, nil
}

// BarChartPNG draws c as a PNG image c.Width() × c.Height() at DPI
// (1,152 × 768 px or larger) with a 14-point margin on every side. It
// returns an error wrapping ErrBadChart for data that cannot be drawn,
// ErrNoCJKFont for CJK text without a font, and any error of gonum/plot
// (a plot panic is returned as an error).
func BarChartPNG(c BarChart) (_ []byte, err error) {
	p, err := c.Plot()
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart %q: plot: %v", c.Title, r)
		}
	}()
	b, err := render(p, c.Width(), c.Height())
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	return b, nil
}
