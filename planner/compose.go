package planner

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/roibot/roibot/tools"
)

// Limits of the Planner's composed answers.
const (
	composeTables    = 3
	composeTableRows = 10
	composeFields    = 12
	composeListItems = 5
)

// field is one member of a JSON object, in document order.
type field struct {
	Key   string
	Value json.RawMessage
}

// objectFields returns the members of a JSON object in document order, or
// false when raw is not an object.
func objectFields(raw []byte) ([]field, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var fs []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, ok := tok.(string)
		if !ok {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		fs = append(fs, field{key, v})
	}
	return fs, true
}

func lookup(fs []field, key string) (json.RawMessage, bool) {
	for _, f := range fs {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// periodNote is a relative period of the question ("last quarter") and
// what it resolved to against the data's as-of date.
type periodNote struct {
	period periodArgs
	phrase string
	asOf   time.Time
	used   bool
}

// matches reports whether a result's period (from, exclusive to) is the
// one the note resolved.
func (n *periodNote) matches(label, from, to string) bool {
	if n.period.Period != "" && label == n.period.Period {
		return true
	}
	start, end := n.period.From, n.period.To
	if s, e, ok := bounds(n.period); ok {
		start, end = s.Format(time.DateOnly), e.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return start != "" && from == start && (end == "" || inclusiveEnd(to) == end)
}

// composeAnswer writes the Planner's final answer from tool results. A
// non-nil note is stated once, on the first period that it resolved.
//
// c carries the question's language, the order it asked for and the notes
// on constraints not applied. Several results of one tool (a comparison)
// are answered side by side, each under the item it was called for.
func (c *composer) answer(results []llms.ToolCallResponse, note *periodNote) string {
	if len(results) == 0 {
		return c.t("I have no tool results to answer from.")
	}
	var b strings.Builder
	for _, r := range results {
		if r.Name == tools.NameRecordFeedback {
			// A customer's dialogue turn is the dialogue's reply alone.
			c.notes = nil
		}
	}
	for _, n := range c.notes {
		b.WriteString(n + "\n")
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	if side := c.sideBySide(results); side != "" {
		b.WriteString(side + "\n\n")
	}
	parts := make([]string, 0, len(results))
	for i, r := range results {
		one := c.one(r, note)
		if i < len(c.items) && len(results) > 1 {
			one = "**" + c.items[i] + "**\n" + one
		}
		parts = append(parts, one)
	}
	b.WriteString(strings.Join(parts, "\n\n"))
	return strings.TrimSpace(b.String())
}

// metaKeys are result fields reported in the headline, not as figures.
var metaKeys = map[string]bool{
	"definition": true, "period": true, "currency": true, "caveats": true, "display": true,
	"error": true, "hint": true, "reply": true,
}

func (c *composer) one(r llms.ToolCallResponse, note *periodNote) string {
	fs, ok := objectFields([]byte(r.Content))
	if !ok {
		// Never raw JSON or a dump: a result that is not an object is
		// either plain text (said as is, clipped) or not shown.
		txt := strings.TrimSpace(r.Content)
		if strings.Contains(txt, "\n[result cut at ") {
			return c.t("The %s result is too large to lay out here; the whole table is in the CSV file.", r.Name)
		}
		if txt == "" || strings.HasPrefix(txt, "[") || strings.HasPrefix(txt, "{") {
			return c.t("The %s tool returned a result I cannot lay out.", r.Name)
		}
		return clip(txt, 1500)
	}
	if e, ok := lookup(fs, "error"); ok {
		s := c.t("I couldn't get that answer: %s.", strings.TrimRight(cellText(e), "."))
		if h, ok := lookup(fs, "hint"); ok && cellText(h) != "" {
			s += " " + cellText(h)
		}
		return s
	}
	if r.Name == tools.NameRecordFeedback {
		for _, k := range []string{"reply", "next_question", "prompt"} {
			if v, ok := lookup(fs, k); ok && cellText(v) != "" {
				return cellText(v)
			}
		}
		return c.t("Thank you, your feedback has been recorded and will be passed on to the team.")
	}

	if _, quoted := lookup(fs, "feedback"); quoted && (r.Name == tools.NameSearchFeedback || r.Name == tools.NameSummarizeFeedback) {
		return c.feedback(r, fs, note)
	}

	var b strings.Builder
	for _, k := range []string{"summary", "answer"} {
		if v, ok := lookup(fs, k); ok && cellText(v) != "" {
			text := cellText(v)
			if c.ascending {
				// The tool's summary leads with the best group; a question
				// for the worst gets the lowest first from the sorted table.
				text = dropBestSentence(text)
			}
			b.WriteString(text + "\n")
		}
	}
	tables := displayOf(json.RawMessage(r.Content))
	if len(tables) > 0 {
		for i, t := range tables {
			if i == composeTables {
				break
			}
			c.writeTable(&b, t)
		}
	} else {
		c.writeFields(&b, fs)
	}
	c.writeHeadline(&b, fs, note)
	return strings.TrimSpace(b.String())
}

// writeTable writes the first rows of t as a list: the first cell names the
// row, the others follow as "column: value".
func (c *composer) writeTable(b *strings.Builder, t tools.Table) {
	t = c.ordered(t)
	if t.Title != "" {
		b.WriteString("**" + c.words(t.Title) + "**\n")
	}
	if c.sortNote != "" {
		b.WriteString(c.sortNote + "\n")
		c.sortNote = ""
	}
	for i := range t.Columns {
		t.Columns[i] = c.words(t.Columns[i])
	}
	for i, row := range t.Rows {
		if i == composeTableRows {
			b.WriteString(c.t("- … and %d more rows (showing %d of %d; the whole table is in the CSV file)",
				len(t.Rows)-composeTableRows, composeTableRows, len(t.Rows)) + "\n")
			break
		}
		var cells []string
		for j, cell := range row {
			switch {
			case j == 0:
				cells = append(cells, c.words(cell))
			case j < len(t.Columns):
				cells = append(cells, t.Columns[j]+": "+cell)
			default:
				cells = append(cells, cell)
			}
		}
		if len(cells) > 1 {
			b.WriteString("- " + cells[0] + " — " + strings.Join(cells[1:], "; ") + "\n")
		} else if len(cells) == 1 {
			b.WriteString("- " + cells[0] + "\n")
		}
	}
	b.WriteString("\n")
}

// writeFields writes the scalar fields of a result and the first items of
// its lists of objects, numbers as given.
func (c *composer) writeFields(b *strings.Builder, fs []field) {
	n := 0
	for _, f := range fs {
		if metaKeys[f.Key] || f.Key == "summary" || f.Key == "answer" {
			continue
		}
		if n == composeFields {
			break
		}
		v := bytes.TrimSpace(f.Value)
		switch {
		case len(v) > 0 && v[0] == '[':
			var items []json.RawMessage
			if json.Unmarshal(v, &items) != nil || len(items) == 0 {
				continue
			}
			b.WriteString("**" + c.words(label(f.Key)) + "** (" + strconv.Itoa(len(items)) + ")\n")
			for i, it := range items {
				if i == composeListItems {
					b.WriteString("- …\n")
					break
				}
				b.WriteString("- " + inline(it) + "\n")
			}
		case len(v) > 0 && v[0] == '{':
			b.WriteString("- " + c.words(label(f.Key)) + ": " + inline(v) + "\n")
		default:
			b.WriteString("- " + c.words(label(f.Key)) + ": " + cellText(v) + "\n")
		}
		n++
	}
	b.WriteString("\n")
}

// inline writes a JSON value on one line: objects as "key: value; …".
func inline(v json.RawMessage) string {
	fs, ok := objectFields(v)
	if !ok {
		return cellText(v)
	}
	var parts []string
	for _, f := range fs {
		val := bytes.TrimSpace(f.Value)
		if len(val) > 0 && (val[0] == '{' || val[0] == '[') {
			continue
		}
		parts = append(parts, label(f.Key)+": "+cellText(val))
	}
	return strings.Join(parts, "; ")
}

func label(key string) string { return strings.ReplaceAll(key, "_", " ") }

// writeHeadline writes definition, period, currency and caveats. The
// period line carries note, if it is unused and resolved that period.
func (c *composer) writeHeadline(b *strings.Builder, fs []field, note *periodNote) {
	if v, ok := lookup(fs, "period"); ok {
		if pf, ok := objectFields(v); ok {
			var lbl, from, to string
			for _, f := range pf {
				switch f.Key {
				case "label":
					lbl = cellText(f.Value)
				case "from":
					from = cellText(f.Value)
				case "to":
					to = cellText(f.Value)
				}
			}
			s := c.t("Period: ") + lbl
			var paren []string
			if from != "" && to != "" {
				paren = append(paren, c.t("%s to %s", from, inclusiveEnd(to)))
			}
			if note != nil && !note.used && note.matches(lbl, from, to) {
				note.used = true
				paren = append(paren, c.t("'%s' relative to the data's last order date %s", note.phrase, note.asOf.Format(time.DateOnly)))
			}
			switch {
			case lbl == "" && len(paren) > 0:
				s += strings.Join(paren, "; ")
			case len(paren) > 0:
				s += c.t(" (%s)", strings.Join(paren, "; "))
			}
			b.WriteString(strings.TrimSpace(s) + c.t(".") + "\n")
		} else if s := cellText(v); s != "" {
			b.WriteString(c.t("Period: ") + s + c.t(".") + "\n")
		}
	}
	if v, ok := lookup(fs, "currency"); ok && cellText(v) != "" {
		b.WriteString(c.t("Currency: ") + cellText(v) + c.t(".") + "\n")
	}
	if v, ok := lookup(fs, "definition"); ok && cellText(v) != "" {
		b.WriteString(c.t("Definition: ") + strings.TrimRight(cellText(v), ".") + c.t(".") + "\n")
	}
	if v, ok := lookup(fs, "caveats"); ok {
		var cs []string
		if json.Unmarshal(v, &cs) == nil && len(cs) > 0 {
			b.WriteString(c.t("Caveats: ") + strings.Join(cs, "; ") + c.t(".") + "\n")
		} else if s := cellText(v); s != "" && !bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")) {
			b.WriteString(c.t("Caveats: ") + s + c.t(".") + "\n")
		}
	}
}

// inclusiveEnd turns the exclusive end date of a half-open period into the
// last day it includes; other text is returned as is.
func inclusiveEnd(to string) string {
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return to
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

// Limits of composed feedback answers.
const (
	composeQuotes     = 8
	composeQuoteRunes = 240
)

var (
	feedbackItemRe = regexp.MustCompile(`(?s)<feedback id="(\d+)"([^>]*)>(.*?)</feedback>`)
	feedbackAttrRe = regexp.MustCompile(`(rating|sentiment)="([^"]*)"`)
	spaceRe        = regexp.MustCompile(`\s+`)
)

// composeFeedback writes the answer of search_feedback and
// summarize_feedback: the summary sentence, the quoted feedback (parsed
// from the result's "feedback" field, where the tool quotes it as
// delimited data) one quote per line with its id, the themes table and
// the caveats. Quote text is unescaped, put on one line and clipped, so
// it cannot change the answer's layout.
func (c *composer) feedback(r llms.ToolCallResponse, fs []field, note *periodNote) string {
	var b strings.Builder
	if v, ok := lookup(fs, "summary"); ok && cellText(v) != "" {
		b.WriteString(cellText(v) + "\n")
	}
	if v, ok := lookup(fs, "mode"); ok && strings.HasPrefix(cellText(v), "full-text only") {
		b.WriteString(c.t("(Search mode: %s.)", cellText(v)) + "\n")
	}
	var quoted string
	if v, ok := lookup(fs, "feedback"); ok {
		quoted = cellText(v)
	}
	items := feedbackItemRe.FindAllStringSubmatch(quoted, -1)
	if len(items) == 0 {
		b.WriteString(c.t("No feedback matched.") + "\n")
	} else {
		b.WriteString("**" + c.t("Customer quotes") + "** (" + strconv.Itoa(len(items)) + ")\n")
	}
	unescape := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", "\"", "&amp;", "&")
	for i, it := range items {
		if i == composeQuotes {
			b.WriteString(c.t("- … and %d more", len(items)-composeQuotes) + "\n")
			break
		}
		var meta []string
		for _, a := range feedbackAttrRe.FindAllStringSubmatch(it[2], -1) {
			if a[1] == "rating" {
				meta = append(meta, a[2]+"/5")
			} else {
				meta = append(meta, a[2])
			}
		}
		text := strings.TrimSpace(spaceRe.ReplaceAllString(unescape.Replace(it[3]), " "))
		if rs := []rune(text); len(rs) > composeQuoteRunes {
			text = string(rs[:composeQuoteRunes-1]) + "…"
		}
		line := "- #" + it[1]
		if len(meta) > 0 {
			line += " (" + strings.Join(meta, ", ") + ")"
		}
		b.WriteString(line + ": \u201c" + text + "\u201d\n")
	}
	if r.Name == tools.NameSummarizeFeedback {
		if tables := displayOf(json.RawMessage(r.Content)); len(tables) > 0 {
			b.WriteString("\n")
			c.writeTable(&b, tables[0])
		}
	}
	c.writeHeadline(&b, fs, note)
	return strings.TrimSpace(b.String())
}

// dropBestSentence removes a leading "Best …" sentence from a tool summary.
func dropBestSentence(s string) string {
	if !strings.HasPrefix(s, "Best ") {
		return s
	}
	if i := strings.Index(s, ". "); i >= 0 {
		return strings.TrimSpace(s[i+2:])
	}
	return s
}
