package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports a long step (an import, embedding, a model fit): a
// progressbar/v3 bar redrawn in place when w is a terminal, otherwise
// plain lines ("importing reviews.csv: 12,000 rows") at most every
// plainEvery, so logs and CI output stay readable.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	bar   *progressbar.ProgressBar // nil when w is not a terminal
	desc  string
	unit  string
	total int64 // -1 when unknown
	n     int64
	last  time.Time
	start time.Time
}

// plainEvery bounds how often plain progress lines are written.
var plainEvery = 5 * time.Second

// isTerminal reports whether w is a terminal (an *os.File on a tty).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress starts reporting desc, counted in unit ("rows", "items"),
// out of total (-1 when unknown) on w.
func newProgress(w io.Writer, desc, unit string, total int64) *progress {
	p := &progress{w: w, desc: desc, unit: unit, total: total, start: time.Now(), last: time.Now()}
	if isTerminal(w) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString(unit),
			progressbar.OptionShowIts(),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSpinnerType(14),
		)
	}
	return p
}

// Set records that n units are done.
func (p *progress) Set(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n = n
	if p.bar != nil {
		_ = p.bar.Set64(n)
		return
	}
	if time.Since(p.last) >= plainEvery {
		p.last = time.Now()
		p.line()
	}
}

// Add records delta more units done.
func (p *progress) Add(delta int64) {
	p.mu.Lock()
	n := p.n + delta
	p.mu.Unlock()
	p.Set(n)
}

func (p *progress) line() {
	if p.total > 0 {
		fmt.Fprintf(p.w, "%s: %d of %d %s (%.0f%%, %s)\n", p.desc, p.n, p.total, p.unit, 100*float64(p.n)/float64(p.total), time.Since(p.start).Round(time.Second))
		return
	}
	fmt.Fprintf(p.w, "%s: %d %s (%s)\n", p.desc, p.n, p.unit, time.Since(p.start).Round(time.Second))
}

// Finish ends the bar (or writes the final plain line when the step took
// longer than plainEvery, so a log shows how long it took).
func (p *progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		return
	}
	if time.Since(p.start) >= plainEvery {
		p.line()
	}
}
