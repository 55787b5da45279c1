package report

import (
	"math"
	"strings"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// fallbackHandler is a gonum/plot text.Handler that draws each character
// in the style's font (Liberation Sans) when that font has a glyph for it
// and in the fallback typeface (a CJK font) otherwise, so that a title
// such as "2011年德国" shows its digits and its Han characters even when
// no single font on the machine has both (Droid Sans Fallback has no
// digits; Liberation has no Han).
type fallbackHandler struct {
	text.Plain
	fallback font.Typeface
}

// run is a stretch of text drawn in one face.
type run struct {
	face font.Face
	s    string
}

// runs splits txt into stretches drawn in the primary face of fnt or in
// the fallback face.
func (h fallbackHandler) runs(txt string, fnt font.Font) []run {
	primary := h.Fonts.Lookup(fnt, fnt.Size)
	fb := fnt
	fb.Typeface, fb.Variant, fb.Weight = h.fallback, "", 0
	second := h.Fonts.Lookup(fb, fnt.Size)
	var buf sfnt.Buffer
	var out []run
	var cur strings.Builder
	curFB := false
	for i, r := range txt {
		useFB := false
		if gi, err := primary.Face.GlyphIndex(&buf, r); err != nil || gi == 0 {
			useFB = true
		}
		if i > 0 && useFB != curFB && cur.Len() > 0 {
			out = append(out, run{face: pick(primary, second, curFB), s: cur.String()})
			cur.Reset()
		}
		curFB = useFB
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, run{face: pick(primary, second, curFB), s: cur.String()})
	}
	return out
}

func pick(a, b font.Face, second bool) font.Face {
	if second {
		return b
	}
	return a
}

// Box implements text.Handler: the summed width of the runs.
func (h fallbackHandler) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	face := h.Fonts.Lookup(fnt, fnt.Size)
	ext := face.Extents()
	for _, r := range h.runs(txt, fnt) {
		width += r.face.Width(r.s)
	}
	return width, ext.Ascent, ext.Descent
}

// Draw implements text.Handler as text.Plain does, a run at a time.
func (h fallbackHandler) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if len(txt) == 0 {
		return
	}
	fnt := h.Fonts.Lookup(sty.Font, sty.Font.Size)
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		c.Rotate(sty.Rotation)
	}
	sin64, cos64 := math.Sincos(sty.Rotation)
	cos, sin := vg.Length(cos64), vg.Length(sin64)
	pt.X, pt.Y = pt.Y*sin+pt.X*cos, pt.Y*cos-pt.X*sin
	lines := h.Lines(txt)
	ht := sty.Height(txt)
	pt.Y += ht*vg.Length(sty.YAlign) - fnt.Extents().Ascent
	for i, line := range lines {
		w, _, _ := h.Box(line, sty.Font)
		x := vg.Length(sty.XAlign) * w
		n := vg.Length(len(lines) - i)
		for _, r := range h.runs(line, sty.Font) {
			c.FillString(r.face, pt.Add(vg.Point{X: x, Y: n * sty.Font.Size}), r.s)
			x += r.face.Width(r.s)
		}
	}
	if sty.Rotation != 0 {
		c.Pop()
	}
}
