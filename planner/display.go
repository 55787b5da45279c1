package planner

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/roibot/roibot/tools"
)

// displayOf decodes the "display" tables of a tool result. Cells that are
// not strings are formatted as JSON text.
func displayOf(result json.RawMessage) []tools.Table {
	var doc struct {
		Display *struct {
			Tables []struct {
				Title   string              `json:"title"`
				Columns []string            `json:"columns"`
				Rows    [][]json.RawMessage `json:"rows"`
			} `json:"tables"`
		} `json:"display"`
	}
	if err := json.Unmarshal(result, &doc); err != nil || doc.Display == nil {
		return nil
	}
	var out []tools.Table
	for _, t := range doc.Display.Tables {
		tab := tools.Table{Title: t.Title, Columns: t.Columns, Rows: make([][]string, 0, len(t.Rows))}
		for _, r := range t.Rows {
			row := make([]string, len(r))
			for j, c := range r {
				row[j] = cellText(c)
			}
			tab.Rows = append(tab.Rows, row)
		}
		out = append(out, tab)
	}
	return out
}

// cellText returns a JSON value as display text: strings unquoted, null
// empty, anything else as its JSON text.
func cellText(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	if s == "null" {
		return ""
	}
	if strings.HasPrefix(s, `"`) {
		var u string
		if json.Unmarshal(v, &u) == nil {
			return u
		}
	}
	return s
}

// clip cuts s to at most n bytes (on a rune boundary) and marks the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n[result cut at %d of %d characters]", cut, len(s))
}
