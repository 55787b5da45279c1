package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/roibot/roibot/agent"
)

// TestPrintAnswer_LargeTableCSV checks that a 300-row table is written
// whole to a CSV file whose path the answer prints.
func TestPrintAnswer_LargeTableCSV(t *testing.T) {
	rows := make([][]string, 300)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(12000 + i), "champions"}
	}
	ans := agent.Answer{Text: "**Customers**\n- … and 290 more rows", Tables: []agent.Table{
		{Title: "Customers: champions", Columns: []string{"customer", "segment"}, Rows: rows},
		{Title: "Small", Columns: []string{"a"}, Rows: [][]string{{"1"}}},
	}}
	var out bytes.Buffer
	dir := t.TempDir()
	printAnswer(&out, ans, false, dir)
	m := regexp.MustCompile(`Whole table "Customers: champions" \(300 rows\): (\S+\.csv)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output = %q; want the CSV path of the 300-row table", out.String())
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 301 || lines[0] != "customer,segment" || lines[300] != "12299,champions" {
		t.Errorf("CSV has %d lines, first %q, last %q; want 301, the header, 12299,champions", len(lines), lines[0], lines[len(lines)-1])
	}
	if strings.Contains(out.String(), "Small") {
		t.Errorf("output = %q; a table shown whole needs no CSV", out.String())
	}
}
