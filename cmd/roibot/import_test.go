package main

import (
	"context"
	"strings"
	"testing"
)

// TestImportFile_UnknownKind checks that a kind that is neither a file
// format nor a table is refused before the database or the file is opened,
// listing every valid kind.
func TestImportFile_UnknownKind(t *testing.T) {
	a := &App{}
	err := a.importFile(context.Background(), "spend", "no-such-file.csv", importOptions{})
	if err == nil {
		t.Fatal(`importFile("spend") error = nil; want unknown kind`)
	}
	for _, want := range []string{`unknown kind "spend"`, "online-retail", "cdnow", "customers", "ad_spend", "funnel_events", "orders"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("importFile(spend) error = %q; want it to mention %q", err, want)
		}
	}
}
