package slackbot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/roibot/roibot/agent"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestToMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**ROAS** is 4.2", "*ROAS* is 4.2"},
		{"__bold__ and *italic*", "*bold* and _italic_"},
		{"~~old~~ new", "~old~ new"},
		{"see [the docs](https://example.com/a?b=1&c=2)", "see <https://example.com/a?b=1&amp;c=2|the docs>"},
		{"## Revenue by country", "*Revenue by country*"},
		{"# **Bold** heading", "*Bold heading*"},
		{"- email\n* display\n  + affiliate", "• email\n• display\n  • affiliate"},
		{"ROI < 0 & CAC > CLV", "ROI &lt; 0 &amp; CAC &gt; CLV"},
		{"use `**raw**` here", "use `**raw**` here"},
		{"```\n**x** < 1\n```", "```\n**x** &lt; 1\n```"},
		{"| a | b |\n|---|---|\n| 1 | 2 |\nafter", "```\n| a | b |\n|---|---|\n| 1 | 2 |\n```\nafter"},
		{"2 * 3 * 4", "2 * 3 * 4"},
	}
	for _, tt := range tests {
		if got := toMrkdwn(tt.in); got != tt.want {
			t.Errorf("toMrkdwn(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitSections(t *testing.T) {
	para := strings.Repeat("Revenue grew 12% quarter on quarter. ", 20) // 740 bytes
	long := strings.TrimSpace(strings.Repeat(para+"\n", 12))            // ~8,900 bytes
	chunks := splitSections(long, MaxSectionText)
	if len(chunks) != 3 && len(chunks) != 4 {
		t.Errorf("splitSections(%d bytes) = %d chunks; want 3 or 4", len(long), len(chunks))
	}
	var joined []string
	for i, c := range chunks {
		if len(c) > MaxSectionText {
			t.Errorf("chunk %d has %d bytes; want ≤ %d", i, len(c), MaxSectionText)
		}
		joined = append(joined, c)
	}
	if got := strings.Join(joined, "\n"); got != long {
		t.Errorf("chunks joined differ from the input (%d vs %d bytes); want nothing lost", len(got), len(long))
	}

	oneLine := strings.Repeat("é", 4000) // 8,000 bytes, no spaces
	for i, c := range splitSections(oneLine, MaxSectionText) {
		if len(c) > MaxSectionText || !utf8.ValidString(c) {
			t.Errorf("overlong line chunk %d: %d bytes, valid UTF-8 %v; want ≤ %d and valid", i, len(c), utf8.ValidString(c), MaxSectionText)
		}
	}

	fenced := "```\n" + strings.Repeat("row 1234567890 1234567890\n", 200) + "```"
	for i, c := range splitSections(fenced, MaxSectionText) {
		if strings.Count(c, "```")%2 != 0 {
			t.Errorf("fenced chunk %d has %d fences; want them balanced", i, strings.Count(c, "```"))
		}
	}
}

func TestRender_Limits(t *testing.T) {
	var tables []agent.Table
	for i := range 60 {
		tables = append(tables, agent.Table{Title: fmt.Sprintf("T%d", i), Columns: []string{"k", "v"}, Rows: [][]string{{"a", "1"}}})
	}
	long := strings.Repeat("All figures are in GBP and exclude VAT. ", 4000) // 160 KB
	blocks, files := Render(agent.Answer{Text: long, Tables: tables})
	if len(blocks) > MaxBlocks {
		t.Errorf("Render = %d blocks; want ≤ %d", len(blocks), MaxBlocks)
	}
	var full bool
	for _, f := range files {
		full = full || (f.Name == "answer.md" && string(f.Content) == long)
	}
	if !full {
		t.Errorf("Render of a 160 KB answer attached %d files without answer.md; want the full text attached", len(files))
	}
	for i, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok {
			if s.Text != nil && utf8.RuneCountInString(s.Text.Text) > MaxSectionText {
				t.Errorf("block %d text has %d characters; want ≤ %d", i, utf8.RuneCountInString(s.Text.Text), MaxSectionText)
			}
			if len(s.Fields) > MaxSectionFields {
				t.Errorf("block %d has %d fields; want ≤ %d", i, len(s.Fields), MaxSectionFields)
			}
		}
	}

	eleven := agent.Table{Title: "Eleven", Columns: []string{"k", "v"}}
	for i := range 11 {
		eleven.Rows = append(eleven.Rows, []string{fmt.Sprint("k", i), fmt.Sprint(i)})
	}
	blocks, files = Render(agent.Answer{Tables: []agent.Table{eleven}})
	if s, ok := blocks[0].(*slack.SectionBlock); !ok || len(s.Fields) != 0 || !strings.Contains(s.Text.Text, "k10") {
		t.Errorf("Render of an 11-row two-column table = %+v; want a preformatted section, not fields", blocks[0])
	}
	if len(files) != 0 {
		t.Errorf("Render of an 11-row table attached %d files; want 0", len(files))
	}

	wide := agent.Table{Title: "Wide", Columns: []string{"a", "b", "c"}}
	for range 15 {
		wide.Rows = append(wide.Rows, []string{strings.Repeat("x", 100), strings.Repeat("y", 100), "1"})
	}
	_, files = Render(agent.Answer{Tables: []agent.Table{wide}})
	if len(files) != 1 || files[0].Name != "wide.csv" {
		t.Errorf("Render of a 15×300-character table = files %v; want wide.csv (too wide for 3,000 characters)", names(files))
	}

	bad := agent.Chart{Title: "Broken", Labels: []string{"a", "b"}, Values: []float64{1}}
	blocks, files = Render(agent.Answer{Charts: []agent.Chart{bad}})
	if len(files) != 0 || len(blocks) != 1 {
		t.Errorf("Render of a chart with 2 labels and 1 value = %d blocks, files %v; want its data as one table block", len(blocks), names(files))
	}
}

func names(fs []File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// TestRender_Golden pins the Block Kit payload of a typical answer.
// Refresh with: go test ./slackbot -run TestRender_Golden -update
func TestRender_Golden(t *testing.T) {
	ans := agent.Answer{
		Text: "## ROAS, 2011-Q4\n**ROAS** = attributed revenue ÷ ad spend (last-touch, seed §4.1).\n" +
			"- Email leads at **7.85**\n- Display trails at 1.42\n\n_Marketing data is synthetic (roibot demo-data)._",
		Tables: []agent.Table{
			{Title: "Key figures", Columns: []string{"figure", "value"}, Rows: [][]string{{"Revenue", "£1,234,567.89"}, {"Ad spend", "£293,944.74"}, {"ROAS", "4.20"}}},
			{Title: "By channel", Columns: []string{"channel", "spend_gbp", "revenue_gbp", "ROAS"},
				Rows: [][]string{{"email", "12,000.00", "94,200.00", "7.85"}, {"paid_search", "150,000.00", "465,000.00", "3.10"}, {"display", "131,944.74", "187,361.53", "1.42"}}},
		},
	}
	blocks, files := Render(ans)
	got, err := json.MarshalIndent(blocks, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "render_roas.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Render blocks =\n%s\nwant (%s)\n%s", got, path, want)
	}
	if len(files) != 0 {
		t.Errorf("Render files = %v; want none", names(files))
	}
}

func TestRenderBarChart(t *testing.T) {
	png, err := renderChart(agent.Chart{Title: "Revenue by month", Kind: "bar",
		Labels: []string{"2011-01", "2011-02", "2011-03", "2011-04", "2011-05", "2011-06", "2011-07", "2011-08"},
		Values: []float64{560000, 498000, 683000, 493000, 723000, 691000, 681000, 682000}, Unit: "GBP"})
	if err != nil {
		t.Fatalf("renderChart: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("renderChart = %q…; want a PNG", png[:8])
	}
	for _, c := range []agent.Chart{
		{Labels: []string{"a"}, Values: []float64{1, 2}},
		{Labels: nil, Values: nil},
		{Kind: "pie", Labels: []string{"a"}, Values: []float64{1}},
	} {
		if _, err := renderChart(c); err == nil {
			t.Errorf("renderChart(%+v) = nil error; want an error", c)
		}
	}
}

func TestStripMention(t *testing.T) {
	tests := []struct{ text, bot, want string }{
		{"<@UBOT> ROAS by channel?", "UBOT", "ROAS by channel?"},
		{"<@UBOT|roibot> what did <@U123> ask &amp; why?", "UBOT", "what did <@U123> ask & why?"},
		{"<@UBOT> revenue\nby country", "UBOT", "revenue\nby country"},
		{"<@UOTHER> hi", "", "hi"},
		{"revenue for <@U123>", "", "revenue for <@U123>"},
	}
	for _, tt := range tests {
		if got := stripMention(tt.text, tt.bot); got != tt.want {
			t.Errorf("stripMention(%q, %q) = %q; want %q", tt.text, tt.bot, got, tt.want)
		}
	}
}

// An answer longer than Slack shows comfortably keeps its opening in the
// message and is attached whole; a short one is shown whole.
func TestRender_LongAnswerAttached(t *testing.T) {
	head := "**Revenue by product, 2011.** The top product was REGENCY CAKESTAND 3 TIER at £164,762."
	var body strings.Builder
	body.WriteString(head + "\n\n")
	for i := range 400 {
		fmt.Fprintf(&body, "- product %03d: £%d,000 from %d customers\n", i, 400-i, 10+i)
	}
	long := body.String()
	blocks, files := Render(agent.Answer{Text: long})
	if len(files) != 1 || files[0].Name != "answer.md" || string(files[0].Content) != long {
		t.Fatalf("files = %d (%v); want answer.md with the whole %d-character text", len(files), names(files), len(long))
	}
	text := renderedText(blocks)
	if !strings.Contains(text, "*Revenue by product, 2011.*") || !strings.Contains(text, "is attached as answer.md") {
		t.Errorf("message = %.300q; want the headline and a note about answer.md", text)
	}
	if n := utf8.RuneCountInString(text); n > MaxSectionText+200 {
		t.Errorf("message text = %d characters; want the opening only (≤ %d)", n, MaxSectionText+200)
	}
	short := head + "\n\n" + strings.Repeat("A short paragraph of the answer. ", 60)
	_, files = Render(agent.Answer{Text: short})
	if len(files) != 0 {
		t.Errorf("a %d-character answer attached %v; want it shown whole", len(short), names(files))
	}
}

// renderedText joins the section texts of blocks.
func renderedText(blocks []slack.Block) string {
	var sb strings.Builder
	for _, b := range blocks {
		switch v := b.(type) {
		case *slack.SectionBlock:
			if v.Text != nil {
				sb.WriteString(v.Text.Text + "\n")
			}
		case *slack.ContextBlock:
			for _, e := range v.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					sb.WriteString(t.Text + "\n")
				}
			}
		}
	}
	return sb.String()
}
