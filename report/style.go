package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"strings"
	"sync"
	"unicode"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DPI is the resolution charts are rendered at: twice the 96 dpi a screen
// shows one-to-one, so a 6-inch chart is 1,152 px wide and stays sharp
// when Slack or a slide scales it.
const DPI = 192

// MinWidth is the narrowest chart in inches (1,152 px at DPI).
const MinWidth = 6 * vg.Inch

// OkabeIto is the colour-blind-safe palette of Okabe and Ito (2008), "Color
// Universal Design", in the order charts use it: blue, orange, bluish
// green, vermillion, reddish purple, sky blue, yellow, black. Blue and
// vermillion also differ in lightness, so they survive grey-scale print.
var OkabeIto = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xff},
	{0xE6, 0x9F, 0x00, 0xff},
	{0x00, 0x9E, 0x73, 0xff},
	{0xD5, 0x5E, 0x00, 0xff},
	{0xCC, 0x79, 0xA7, 0xff},
	{0x56, 0xB4, 0xE9, 0xff},
	{0xF0, 0xE4, 0x42, 0xff},
	{0x00, 0x00, 0x00, 0xff},
}

// ErrNoCJKFont means the chart has Chinese, Japanese or Korean text and no
// font with those glyphs was found (see CJKFontPaths); drawing it would
// show boxes, so it is not drawn.
var ErrNoCJKFont = errors.New("no font with CJK glyphs found: install fonts-droid-fallback or fonts-noto-cjk, or set ROIBOT_CJK_FONT to a .ttf/.otf file")

// CJKFontPaths are the font files tried, in order, for charts with CJK
// text, after the file named by the ROIBOT_CJK_FONT environment variable.
// They are where Debian's fonts-droid-fallback, fonts-noto-cjk,
// fonts-arphic-uming and fonts-wqy packages install (the fonts of
// fonts-wqy-microhei cannot be read by golang.org/x/image and are
// skipped).
var CJKFontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
	"/usr/share/fonts/truetype/arphic/uming.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/System/Library/Fonts/PingFang.ttc",
	"/Library/Fonts/Arial Unicode.ttf",
}

// cjkFont is a CJK font found on the machine, registered in
// font.DefaultCache under typeface.
type cjkFont struct {
	typeface font.Typeface
	face     *opentype.Font
}

var (
	cjkOnce  sync.Once
	cjkFonts []cjkFont
)

// cjkTypeface returns the typeface of the first CJK font found (in the
// order of CJKFontPaths, after ROIBOT_CJK_FONT) that has a glyph for every
// character of texts, loading the fonts on first use. It returns an error
// wrapping ErrNoCJKFont, naming the first character no font has, when
// there is none: a chart drawn without it would show boxes or gaps.
func cjkTypeface(texts ...string) (font.Typeface, error) {
	cjkOnce.Do(func() {
		paths := CJKFontPaths
		if p := os.Getenv("ROIBOT_CJK_FONT"); p != "" {
			paths = append([]string{p}, paths...)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			f := parseFont(b)
			if f == nil {
				continue
			}
			tf := font.Typeface(fmt.Sprintf("roibot-cjk-%d", len(cjkFonts)))
			font.DefaultCache.Add(font.Collection{{Font: font.Font{Typeface: tf, Weight: xfont.WeightNormal}, Face: f}})
			cjkFonts = append(cjkFonts, cjkFont{typeface: tf, face: f})
		}
	})
	var buf sfnt.Buffer
	missing := rune(0)
	for _, cf := range cjkFonts {
		ok := true
		for _, s := range texts {
			for _, r := range s {
				if !HasCJK(string(r)) {
					continue // drawn in Liberation Sans
				}
				if gi, err := cf.face.GlyphIndex(&buf, r); err != nil || gi == 0 {
					ok, missing = false, r
					break
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			return cf.typeface, nil
		}
	}
	if len(cjkFonts) == 0 {
		return "", ErrNoCJKFont
	}
	return "", fmt.Errorf("%w (the %d found lack %q)", ErrNoCJKFont, len(cjkFonts), missing)
}

// parseFont returns the first face of a font file or collection that
// golang.org/x/image/font/sfnt can read (it cannot read wqy-microhei's
// faces, for one), or nil.
func parseFont(b []byte) *opentype.Font {
	if coll, err := opentype.ParseCollection(b); err == nil {
		for i := 0; i < coll.NumFonts(); i++ {
			if f, err := coll.Font(i); err == nil {
				return f
			}
		}
		return nil
	}
	if f, err := opentype.Parse(b); err == nil {
		return f
	}
	return nil
}

// HasCJK reports whether any of texts holds a Han, Hiragana, Katakana or
// Hangul character.
func HasCJK(texts ...string) bool {
	for _, s := range texts {
		for _, r := range s {
			if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) {
				return true
			}
		}
	}
	return false
}

// newPlot returns a plot in the house style: 16-point bold title, 12-point
// axis labels, 11-point ticks, Liberation Sans, or the CJK typeface cjk
// when it is not empty.
func newPlot(title, xLabel, yLabel string, cjk font.Typeface) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Title.TextStyle.Font.Size = vg.Points(16)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.Padding = vg.Points(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(12)
		a.Tick.Label.Font.Size = vg.Points(11)
		a.Label.Padding = vg.Points(6)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(11)
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		f.Variant = "Sans"
	}
	if cjk != "" {
		h := handler(cjk)
		p.TextHandler = h
		for _, st := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
			&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
			st.Handler = h
		}
	}
	return p
}

// handler returns the text handler for charts with CJK text: Liberation
// Sans where it has the glyph, the CJK typeface cjk elsewhere.
func handler(cjk font.Typeface) text.Handler {
	return fallbackHandler{Plain: text.Plain{Fonts: font.DefaultCache}, fallback: cjk}
}

// valueTicks labels the default ticks of an axis with Value(v, unit):
// "£75,000" for money, "1,200" for counts.
type valueTicks struct{ unit string }

func (t valueTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	// The fewest decimals that show every labelled tick exactly (2.5
	// needs one; 75,000 none).
	dec := 0
	for ; dec < 6; dec++ {
		exact := true
		for _, tk := range ticks {
			p := math.Pow(10, float64(dec))
			if tk.Label != "" && math.Abs(math.Round(tk.Value*p)-tk.Value*p) > 1e-6*math.Max(1, math.Abs(tk.Value*p)) {
				exact = false
				break
			}
		}
		if exact {
			break
		}
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = Value(ticks[i].Value, t.unit, dec)
		}
	}
	return ticks
}

// unitLabel is the axis label for values in unit: "Revenue (£)" style for
// a currency with a name, else name with the unit in brackets.
func unitLabel(name, unit string) string {
	if IsCurrency(unit) {
		sym := currencySymbols[unit]
		if name == "" {
			name = "Amount"
		}
		return fmt.Sprintf("%s (%s, %s)", name, unit, sym)
	}
	if name == "" {
		return unit
	}
	if unit == "" || strings.EqualFold(unit, name) {
		return name
	}
	return fmt.Sprintf("%s (%s)", name, unit)
}

// render draws p on a w×h-inch canvas at DPI with a margin of pad on every
// side (so rotated and edge labels are not clipped), widened to fit the
// title, and returns the PNG.
func render(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	pad := vg.Points(14)
	// Widen to the title so that a long one is never cut at the edges.
	w = max(w, p.Title.TextStyle.Width(p.Title.Text)+2*pad+vg.Points(12))
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	p.Draw(draw.Crop(dc, pad, -pad, pad, -pad))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	if buf.Len() == 0 {
		return nil, errors.New("empty image")
	}
	return buf.Bytes(), nil
}
