package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Not on a terminal, progress degrades to plain lines, at most one per
// plainEvery.
func TestProgress_PlainLines(t *testing.T) {
	old := plainEvery
	defer func() { plainEvery = old }()
	var buf bytes.Buffer
	plainEvery = time.Hour
	p := newProgress(&buf, "importing reviews.csv", "items", -1)
	p.Add(500)
	p.Add(500)
	p.Finish()
	if buf.Len() != 0 {
		t.Errorf("progress within plainEvery wrote %q; want nothing", buf.String())
	}
	plainEvery = 0
	p = newProgress(&buf, "importing reviews.csv", "items", 2000)
	p.Add(500)
	p.Set(1000)
	p.Finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "importing reviews.csv: 1000 of 2000 items (50%, ") {
		t.Errorf("plain progress =\n%s\nwant three lines, the second at 1000 of 2000 items (50%%)", buf.String())
	}
	if strings.Contains(buf.String(), "\r") || strings.Contains(buf.String(), "\x1b") {
		t.Errorf("plain progress has terminal control characters: %q", buf.String())
	}
}
