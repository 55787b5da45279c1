package postgres

import (
	"slices"
	"strings"
	"testing"

	"github.com/roibot/roibot/ingest"
)

// TestTableInserts_MatchIngestColumns keeps each generic insert in step with
// the columns ingest reads, in the same order, with an array type per Kind.
func TestTableInserts_MatchIngestColumns(t *testing.T) {
	arrayType := map[ingest.Kind]string{ingest.Text: "text", ingest.Date: "text", ingest.Currency: "text",
		ingest.Money: "int8", ingest.Timestamp: "timestamptz", ingest.Rate: "text"}
	for _, table := range ingest.Tables() {
		ins, ok := tableInserts[table]
		if table == ingest.TableOrders {
			if ok {
				t.Errorf("tableInserts[orders] exists; orders go through StoreOrderLines")
			}
			continue
		}
		if !ok {
			t.Errorf("tableInserts[%s] missing", table)
			continue
		}
		cols, _ := ingest.Columns(table)
		var names, types []string
		for _, c := range cols {
			names = append(names, c.Name)
			types = append(types, arrayType[c.Kind])
		}
		if !slices.Equal(ins.columns, names) {
			t.Errorf("tableInserts[%s].columns = %v; want %v", table, ins.columns, names)
		}
		if !slices.Equal(ins.types, types) {
			t.Errorf("tableInserts[%s].types = %v; want %v", table, ins.types, types)
		}
	}
}

// TestBoundTextQuery: a full-text query keeps its first 12 words.
func TestBoundTextQuery(t *testing.T) {
	long := strings.Repeat("soft fabric ", 10) + "runs small"
	if got := boundTextQuery(long); got != strings.TrimSpace(strings.Repeat("soft fabric ", 6)) {
		t.Errorf("boundTextQuery(22 words) = %q; want the first 12", got)
	}
	if got := boundTextQuery("  runs small, order a size up "); got != "  runs small, order a size up " {
		t.Errorf("boundTextQuery(short) = %q; want it unchanged", got)
	}
}
