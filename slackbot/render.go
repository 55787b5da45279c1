package slackbot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/report"
)

// Slack Block Kit limits Render stays within, and its own display limit.
const (
	// MaxBlocks is the most blocks one message may carry.
	MaxBlocks = 50
	// MaxSectionText is the most characters in a section's text.
	MaxSectionText = 3000
	// MaxSectionFields is the most fields in one section.
	MaxSectionFields = 10
	// maxFieldText is the most characters in one section field.
	maxFieldText = 2000
	// MaxInlineRows is the most rows a table shows inline; larger tables
	// are attached as CSV files so nothing is cut silently.
	MaxInlineRows = 20
	// MaxComfortableText is the longest answer text, in characters, shown
	// whole in a message; a longer one is summarised (its opening) and
	// attached whole as answer.md. Slack truncates long messages behind
	// "Show more" well before its hard limits.
	MaxComfortableText = 12000
	// MaxComfortableSections is the most text sections shown whole.
	MaxComfortableSections = 4
)

// textLen is the number of characters in the sections.
func textLen(sections []string) int {
	n := 0
	for _, s := range sections {
		n += utf8.RuneCountInString(s)
	}
	return n
}

// opening returns the start of s up to max characters, cut at the last
// paragraph break (else line break, else space) in its second half, with
// "…" when cut.
func opening(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := string(r)
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(cut, sep); i > len(cut)/2 {
			return strings.TrimRightFunc(cut[:i], unicode.IsSpace) + " …"
		}
	}
	return cut + "…"
}

// File is an attachment Render asks to upload next to the message:
// a CSV table or a PNG chart.
type File struct {
	Name    string // file name with extension, e.g. "roas_by_channel.csv"
	Title   string
	AltText string // description for screen readers (charts)
	Content []byte
}

// Render turns an answer into Block Kit blocks and files to upload:
//
//   - the answer text, converted from Markdown to mrkdwn, as one or more
//     sections of at most MaxSectionText characters;
//   - each two-column table of at most MaxSectionFields rows as key
//     figures: one section whose fields read "*label*\nvalue";
//   - each other table as preformatted text when it has at most
//     MaxInlineRows rows and fits one section, otherwise as a CSV file
//     (header line plus one line per row) with a line saying so;
//   - each chart as a PNG bar chart file (labels on the x axis, values in
//     the chart's unit); a chart that cannot be drawn is shown as a table.
//
// The result has at most MaxBlocks blocks: when the text would not fit,
// the full text is attached as answer.md and the message says so.
func Render(a agent.Answer) ([]slack.Block, []File) {
	var files []File
	var extra []slack.Block // tables, notes
	used := map[string]int{}
	name := func(title, fallback, ext string) string {
		base := slug(title)
		if base == "" {
			base = fallback
		}
		used[base]++
		if n := used[base]; n > 1 {
			base += "_" + strconv.Itoa(n)
		}
		return base + "." + ext
	}

	tables := a.Tables
	for i, c := range a.Charts {
		png, err := renderChart(c)
		if err != nil {
			// Show the numbers rather than nothing.
			tables = append(tables, chartTable(c))
			continue
		}
		files = append(files, File{
			Name:    name(c.Title, fmt.Sprintf("chart_%d", i+1), "png"),
			Title:   c.Title,
			AltText: chartAlt(c),
			Content: png,
		})
	}
	for i, t := range tables {
		if blk, ok := keyFigures(t); ok {
			extra = append(extra, blk)
			continue
		}
		if blk, ok := preformatted(t); ok {
			extra = append(extra, blk)
			continue
		}
		f := File{Name: name(t.Title, fmt.Sprintf("table_%d", i+1), "csv"), Title: t.Title, Content: tableCSV(t)}
		files = append(files, f)
		title := t.Title
		if title == "" {
			title = "The table"
		}
		extra = append(extra, noteBlock(fmt.Sprintf("%s has %d rows × %d columns, too many to show here: attached as %s.",
			title, len(t.Rows), len(t.Columns), f.Name)))
	}

	text := splitSections(toMrkdwn(a.Text), MaxSectionText)
	if len(extra) > MaxBlocks-2 {
		// Absurdly many tables: keep the first ones, say how many are left.
		extra = append(extra[:MaxBlocks-3], noteBlock(fmt.Sprintf("%d more tables are not shown.", len(extra)-(MaxBlocks-3))))
	}
	budget := MaxBlocks - len(extra)
	var blocks []slack.Block
	if total := textLen(text); len(text) > budget || total > MaxComfortableText || len(text) > MaxComfortableSections {
		// Longer than Slack shows comfortably: the message keeps the
		// opening (headline and first paragraphs) and the whole answer is
		// attached to the thread.
		f := File{Name: name("answer", "answer", "md"), Title: "Full answer", Content: []byte(a.Text)}
		files = append(files, f)
		text = []string{opening(text[0], MaxSectionText)}
		extra = append([]slack.Block{noteBlock(fmt.Sprintf("The full answer (%d characters) is attached as %s.",
			utf8.RuneCountInString(a.Text), f.Name))}, extra...)
	}
	for _, s := range text {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil))
	}
	blocks = append(blocks, extra...)
	return blocks, files
}

// noteBlock is a small context line.
func noteBlock(text string) slack.Block {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, escapeMrkdwn(text), false, false))
}

// keyFigures renders a two-column table of at most MaxSectionFields rows
// as section fields.
func keyFigures(t agent.Table) (slack.Block, bool) {
	if len(t.Columns) != 2 || len(t.Rows) == 0 || len(t.Rows) > MaxSectionFields {
		return nil, false
	}
	fields := make([]*slack.TextBlockObject, 0, len(t.Rows))
	for _, r := range t.Rows {
		if len(r) != 2 {
			return nil, false
		}
		f := "*" + escapeMrkdwn(r[0]) + "*\n" + escapeMrkdwn(r[1])
		if utf8.RuneCountInString(f) > maxFieldText {
			return nil, false
		}
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, f, false, false))
	}
	var head *slack.TextBlockObject
	if t.Title != "" {
		head = slack.NewTextBlockObject(slack.MarkdownType, "*"+escapeMrkdwn(t.Title)+"*", false, false)
	}
	return slack.NewSectionBlock(head, fields, nil), true
}

// preformatted renders a table as aligned columns in a code block when it
// has at most MaxInlineRows rows and fits one section.
func preformatted(t agent.Table) (slack.Block, bool) {
	if len(t.Rows) > MaxInlineRows || len(t.Columns) == 0 {
		return nil, false
	}
	widths := make([]int, len(t.Columns))
	numeric := make([]bool, len(t.Columns))
	for j, c := range t.Columns {
		widths[j] = utf8.RuneCountInString(c)
		numeric[j] = len(t.Rows) > 0
	}
	for _, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return nil, false
		}
		for j, c := range r {
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
			numeric[j] = numeric[j] && looksNumeric(c)
		}
	}
	var sb strings.Builder
	if t.Title != "" {
		sb.WriteString("*" + escapeMrkdwn(t.Title) + "*\n")
	}
	sb.WriteString("```\n")
	line := func(cells []string) {
		for j, c := range cells {
			c = strings.ReplaceAll(c, "```", "'''")
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
			if j > 0 {
				sb.WriteString("  ")
			}
			if numeric[j] {
				sb.WriteString(pad + escapeMrkdwn(c))
			} else if j < len(cells)-1 {
				sb.WriteString(escapeMrkdwn(c) + pad)
			} else {
				sb.WriteString(escapeMrkdwn(c))
			}
		}
		sb.WriteString("\n")
	}
	line(t.Columns)
	for _, r := range t.Rows {
		line(r)
	}
	sb.WriteString("```")
	if utf8.RuneCountInString(sb.String()) > MaxSectionText {
		return nil, false
	}
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, sb.String(), false, false), nil, nil), true
}

// looksNumeric reports whether a formatted cell is a number such as
// "1,234.50", "-3.2%", "£12.00" or "4.1x".
func looksNumeric(s string) bool {
	s = strings.TrimSpace(s)
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune("+-−.,%x £$€¥", r):
		default:
			return false
		}
	}
	return digits > 0
}

// tableCSV encodes a table as CSV (report.CSV): a header line, then one
// line per row.
func tableCSV(t agent.Table) []byte { return report.CSV(t.Columns, t.Rows) }

// chartTable shows a chart's data as a two-column table.
func chartTable(c agent.Chart) agent.Table {
	t := agent.Table{Title: c.Title, Columns: []string{"label", c.Unit}}
	if c.Unit == "" {
		t.Columns[1] = "value"
	}
	for i, l := range c.Labels {
		v := ""
		if i < len(c.Values) {
			v = strconv.FormatFloat(c.Values[i], 'g', 6, 64)
		}
		t.Rows = append(t.Rows, []string{l, v})
	}
	return t
}

// chartAlt describes a chart for screen readers.
func chartAlt(c agent.Chart) string {
	var sb strings.Builder
	sb.WriteString("Bar chart")
	if c.Title != "" {
		sb.WriteString(": " + c.Title)
	}
	for i, l := range c.Labels {
		if i >= 20 || sb.Len() > 900 {
			sb.WriteString("; …")
			break
		}
		fmt.Fprintf(&sb, "; %s %s %s", l, strconv.FormatFloat(c.Values[i], 'g', 6, 64), c.Unit)
	}
	return sb.String()
}

// slug turns a title into a file name stem.
func slug(s string) string {
	var sb strings.Builder
	under := false
	for _, r := range strings.ToLower(s) {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			sb.WriteRune(r)
			under = false
		} else if !under && sb.Len() > 0 {
			sb.WriteByte('_')
			under = true
		}
		if sb.Len() >= 40 {
			break
		}
	}
	return strings.Trim(sb.String(), "_")
}
