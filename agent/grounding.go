package agent

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file checks that every figure of a model's answer comes from the
// turn's tool results (docs/llm.md, "Grounded answers").
//
// A figure is an amount, percentage, count, ratio or date in the answer's
// text. It is grounded when a value the tools returned, the question, the
// tool-call arguments or the data's as-of date supports it:
//
//   - numbers: every JSON number of a result; every string field that is a
//     figure on its own ("£1,234.50", "12.5%", "2011-12-09"); the figures
//     inside the tool-written text fields summary, reply, definition and
//     caveats (docs/tools.md); the length of every result array (a count
//     of rows). Never figures inside the feedback field, which quotes
//     customers' text and may carry an injected figure.
//   - derivations: a percentage is also grounded by a returned fraction
//     (0.123 supports "12.3%"); a figure rounded to d decimals (or written
//     with a k/m/bn suffix) matches a value within half a unit of its last
//     digit, the rounding the composer and the tools' formatted cells use.
//   - quotes: a figure inside a quotation in the answer (“…”, "…" or a
//     "> " line) may also come from the quoted customer text of the
//     feedback field, which the answer then visibly quotes. The tool-written
//     attributes of its <feedback id=… rating=… date=…> elements (see
//     knowledge.QuoteForLLM) count everywhere, as do counts up to the
//     number of elements ("3 of the 8 reviews").
//   - dates: a full date must be a returned date or the day before one (the
//     composer shows half-open period ends inclusively); a month or a year
//     must fall within a returned date range or match a returned date.
//
// The constants 0, 1 and 100 ("per £1", "100%") and list markers ("1. ")
// are not checked. Signs are ignored (a fall of 5% matches -0.05).

// Grounding is the outcome of the figure check on one answer; Ask logs it,
// and Answer carries it for the audit log.
type Grounding struct {
	// Outcome is GroundingShown, GroundingWithheld or GroundingComposed.
	Outcome string `json:"outcome"`
	// Figures counts the figures checked in the model's last answer.
	Figures int `json:"figures"`
	// Unsupported lists the figures no tool result supported, as written
	// in the model's text (kept out of Answer.Text).
	Unsupported []string `json:"unsupported,omitempty"`
	// Retried reports that the model was asked once more to answer from
	// the tool results.
	Retried bool `json:"retried,omitempty"`
	// Reason says why the model's text was not shown (empty when shown).
	Reason string `json:"reason,omitempty"`
}

// Grounding outcomes.
const (
	// GroundingShown: the model's text is shown as written.
	GroundingShown = "shown"
	// GroundingWithheld: the model's text had unsupported figures; the
	// tool results are shown, composed by Config.Composer, with a note.
	GroundingWithheld = "withheld"
	// GroundingComposed: the model gave no usable answer (empty, step
	// limit, repeated calls, failed call); the tool results are shown.
	GroundingComposed = "composed"
)

// evidence is what figures may come from in one turn.
type evidence struct {
	quoted *evidence       // figures of quoted customer text (nil inside quoted)
	values []float64       // absolute values, including derived ones
	dates  map[string]bool // YYYY-MM-DD
	months map[string]bool // YYYY-MM
	years  map[int]bool
	ranges [][2]time.Time // [from, to] inclusive days of returned periods
}

func newEvidence() *evidence {
	e := newQuoted()
	e.quoted = newQuoted()
	return e
}

func newQuoted() *evidence {
	return &evidence{dates: map[string]bool{}, months: map[string]bool{}, years: map[int]bool{}}
}

// toolWrittenText are result fields whose free text the tool itself wrote
// (docs/tools.md); figures inside them count. Other strings count only when
// they are a figure as a whole.
var toolWrittenText = map[string]bool{"summary": true, "reply": true, "definition": true, "caveats": true}

// quotedText are result fields quoting customers; nothing in them counts.
var quotedText = map[string]bool{"feedback": true}

// addJSON adds the figures of one JSON document (a tool result or the
// arguments of a call).
func (e *evidence) addJSON(raw []byte) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		e.addText(string(raw), false)
		return
	}
	e.walk(v, false)
}

func (e *evidence) walk(v any, freeText bool) {
	switch t := v.(type) {
	case json.Number:
		if f, err := t.Float64(); err == nil {
			e.addValue(f)
		}
	case string:
		e.addText(t, freeText)
	case []any:
		e.addValue(float64(len(t)))
		for _, x := range t {
			e.walk(x, freeText)
		}
	case map[string]any:
		for k, x := range t {
			if quotedText[k] {
				e.addQuoted(x)
				continue
			}
			e.walk(x, freeText || toolWrittenText[k])
		}
		from, ok1 := t["from"].(string)
		to, ok2 := t["to"].(string)
		if ok1 && ok2 {
			if a, err := time.Parse(time.DateOnly, prefix(from, 10)); err == nil {
				if b, err := time.Parse(time.DateOnly, prefix(to, 10)); err == nil && !b.Before(a) {
					e.ranges = append(e.ranges, [2]time.Time{a, b})
				}
			}
		}
	}
}

var (
	feedbackElemRE = regexp.MustCompile(`(?s)<feedback\b([^>]*)>(.*?)</feedback>`)
	feedbackAttrRE = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// addQuoted adds a quoted-text field: its <feedback> attributes and element
// count as figures, its texts as quoted figures only.
func (e *evidence) addQuoted(v any) {
	if e.quoted == nil {
		return
	}
	switch t := v.(type) {
	case string:
		elems := feedbackElemRE.FindAllStringSubmatch(t, -1)
		if len(elems) == 0 {
			e.quoted.addText(t, true)
			return
		}
		for k := 0; k <= len(elems); k++ {
			e.addValue(float64(k))
		}
		for _, el := range elems {
			for _, a := range feedbackAttrRE.FindAllStringSubmatch(el[1], -1) {
				e.addText(a[2], false)
			}
			e.quoted.addText(el[2], true)
		}
	case []any:
		e.addValue(float64(len(t)))
		for _, x := range t {
			e.addQuoted(x)
		}
	case map[string]any:
		for _, x := range t {
			e.addQuoted(x)
		}
	}
}

// addText adds a string: all its figures when free is set, else the string
// only when it is one figure (or date) as a whole.
func (e *evidence) addText(s string, free bool) {
	s = strings.TrimSpace(s)
	if !free {
		if len(s) > 40 {
			return
		}
		figs := scanFigures(s)
		if len(figs) != 1 || strings.TrimSpace(figs[0].text) != s && !wholeFigure(s, figs[0]) {
			return
		}
	}
	for _, f := range scanFigures(s) {
		switch f.kind {
		case figDate:
			e.addDate(f.date)
		case figMonth:
			e.months[f.date.Format("2006-01")] = true
			e.years[f.date.Year()] = true
		case figYear:
			e.years[int(f.value)] = true
			e.addValue(f.value)
		case figQuarter:
			e.ranges = append(e.ranges, [2]time.Time{f.date, f.date.AddDate(0, 3, -1)})
			e.years[f.date.Year()] = true
		default:
			e.addValue(f.value * f.scale)
		}
	}
}

// wholeFigure reports whether s is f with at most currency words or codes
// around it ("GBP 1,234.50").
func wholeFigure(s string, f figure) bool {
	rest := strings.TrimSpace(strings.Replace(s, f.text, "", 1))
	return len(rest) <= 3 && strings.IndexFunc(rest, unicode.IsDigit) < 0
}

func (e *evidence) addDate(d time.Time) {
	for _, x := range []time.Time{d, d.AddDate(0, 0, -1)} {
		e.dates[x.Format(time.DateOnly)] = true
		e.months[x.Format("2006-01")] = true
		e.years[x.Year()] = true
	}
}

func (e *evidence) addValue(f float64) {
	f = math.Abs(f)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return
	}
	e.values = append(e.values, f, f*100)
}

// supports reports whether f is grounded.
func (e *evidence) supports(f figure) bool {
	switch f.kind {
	case figDate:
		if e.dates[f.date.Format(time.DateOnly)] {
			return true
		}
		return e.inRange(f.date, f.date)
	case figMonth:
		if e.months[f.date.Format("2006-01")] {
			return true
		}
		return e.inRange(f.date, f.date.AddDate(0, 1, -1))
	case figQuarter:
		return e.inRange(f.date, f.date.AddDate(0, 3, -1))
	case figYear:
		y := int(f.value)
		if e.years[y] {
			return true
		}
		return e.inRange(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)) || e.hasValue(f.value, 0)
	}
	v := f.value * f.scale
	if v == 0 || v == 1 || v == 100 {
		return true
	}
	return e.hasValue(v, 0.5*math.Pow10(-f.decimals)*f.scale)
}

// inRange reports whether [a, b] overlaps a returned period.
func (e *evidence) inRange(a, b time.Time) bool {
	for _, r := range e.ranges {
		if !b.Before(r[0]) && !a.After(r[1]) {
			return true
		}
	}
	return false
}

func (e *evidence) hasValue(v, tol float64) bool {
	tol += 1e-9 * math.Max(1, v)
	for _, x := range e.values {
		if math.Abs(x-v) <= tol {
			return true
		}
	}
	return false
}

// figure kinds.
const (
	figNumber = iota
	figDate
	figMonth
	figYear
	figQuarter
)

// figure is one figure found in a text.
type figure struct {
	text     string // as written
	pos      int    // byte offset in the text
	kind     int
	value    float64 // absolute value before scale
	decimals int     // digits after the decimal point as written
	scale    float64 // 1, 1e3, 1e6 or 1e9 from a k/m/bn suffix
	date     time.Time
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

const monthRE = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`

var (
	isoDateRE    = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+Z?)?\b`)
	dayMonthRE   = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+` + monthRE + `,?\s+(\d{4})\b`)
	monthDayRE   = regexp.MustCompile(`(?i)\b` + monthRE + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	monthYearRE  = regexp.MustCompile(`(?i)\b` + monthRE + `\s+(\d{4})\b`)
	yearMonthRE  = regexp.MustCompile(`\b(\d{4})-(\d{2})\b`)
	quarterRE    = regexp.MustCompile(`(?i)\b(?:(\d{4})[- ]?Q([1-4])|Q([1-4])[- ,]+(\d{4}))\b`)
	listMarkerRE = regexp.MustCompile(`(?m)^(\s*(?:[-*]\s+)?)\d{1,2}[.)](\s)`)
	numberRE     = regexp.MustCompile(`(?i)([£$€¥]\s?)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(\s?(?:%|percent\b|per cent\b|x\b|×|k\b|m\b|mn\b|bn\b|thousand\b|million\b|billion\b))?`)
)

// scanFigures returns the figures of s in text order. Dates are read first
// and blanked, so their digits are not read again as numbers.
func scanFigures(s string) []figure {
	var out []figure
	blank := func(re *regexp.Regexp, f func(m []string) (figure, bool)) {
		b := []byte(s)
		for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			if fig, ok := f(m); ok {
				fig.text, fig.pos = m[0], loc[0]
				out = append(out, fig)
				for i := loc[0]; i < loc[1]; i++ {
					b[i] = ' '
				}
			}
		}
		s = string(b)
	}
	date := func(y, m, d string) (time.Time, bool) {
		yi, _ := strconv.Atoi(y)
		di, _ := strconv.Atoi(d)
		mi, err := strconv.Atoi(m)
		if err != nil {
			mi = int(months[strings.ToLower(strings.TrimSuffix(m, "."))])
		}
		t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
		return t, mi >= 1 && mi <= 12 && di >= 1 && t.Day() == di
	}
	blank(isoDateRE, func(m []string) (figure, bool) {
		t, ok := date(m[1], m[2], m[3])
		return figure{kind: figDate, date: t}, ok
	})
	blank(dayMonthRE, func(m []string) (figure, bool) {
		t, ok := date(m[3], m[2], m[1])
		return figure{kind: figDate, date: t}, ok
	})
	blank(monthDayRE, func(m []string) (figure, bool) {
		t, ok := date(m[3], m[1], m[2])
		return figure{kind: figDate, date: t}, ok
	})
	blank(monthYearRE, func(m []string) (figure, bool) {
		t, ok := date(m[2], m[1], "1")
		return figure{kind: figMonth, date: t}, ok
	})
	blank(quarterRE, func(m []string) (figure, bool) {
		y, q := m[1], m[2]
		if y == "" {
			y, q = m[4], m[3]
		}
		qi, _ := strconv.Atoi(q)
		t, ok := date(y, strconv.Itoa(3*qi-2), "1")
		return figure{kind: figQuarter, date: t}, ok
	})
	blank(yearMonthRE, func(m []string) (figure, bool) {
		t, ok := date(m[1], m[2], "1")
		return figure{kind: figMonth, date: t}, ok
	})
	s = listMarkerRE.ReplaceAllString(s, "$1  $2")

	for _, loc := range numberRE.FindAllStringSubmatchIndex(s, -1) {
		start, end := loc[0], loc[1]
		// A number glued to a word or code (Q4, H1, p95, 3rd, v2, id_7)
		// is a name, not a figure.
		if r, _ := utf8.DecodeLastRuneInString(s[:start]); start > 0 && (unicode.IsLetter(r) || r == '_' || r == '#' || (r == '.' && loc[2] < 0)) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && loc[6] < 0 && (unicode.IsLetter(r) || r == '_') {
			continue
		}
		num := strings.ReplaceAll(s[loc[4]:loc[5]], ",", "")
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			continue
		}
		f := figure{text: strings.TrimSpace(s[start:end]), pos: start, value: v, scale: 1}
		if i := strings.IndexByte(num, '.'); i >= 0 {
			f.decimals = len(num) - i - 1
		}
		if loc[6] >= 0 {
			switch suf := strings.ToLower(strings.TrimSpace(s[loc[6]:loc[7]])); suf {
			case "k", "thousand":
				f.scale = 1e3
			case "m", "mn", "million":
				f.scale = 1e6
			case "bn", "billion":
				f.scale = 1e9
			}
		}
		if loc[2] < 0 && loc[6] < 0 && f.decimals == 0 && !strings.Contains(s[loc[4]:loc[5]], ",") && v >= 1900 && v <= 2100 {
			f.kind = figYear
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b figure) int { return a.pos - b.pos })
	return out
}

// quoteRE matches a quotation in an answer: curly or straight double
// quotes on one line, or a Markdown block quote line.
var quoteRE = regexp.MustCompile(`“[^”\n]*”|"[^"\n]*"|(?m)^>.*$`)

// checkFigures returns the figures of text and those e does not support.
func checkFigures(text string, e *evidence) (n int, unsupported []string) {
	spans := quoteRE.FindAllStringIndex(text, -1)
	inQuote := func(pos int) bool {
		for _, sp := range spans {
			if pos >= sp[0] && pos < sp[1] {
				return true
			}
		}
		return false
	}
	for _, f := range scanFigures(text) {
		n++
		if e.supports(f) || inQuote(f.pos) && e.quoted != nil && e.quoted.supports(f) {
			continue
		}
		unsupported = append(unsupported, f.text)
	}
	return n, unsupported
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}
