package analytics

import (
	"fmt"
	"time"
)

// Period is a half-open time range [From, To). Label is a human name such as
// "2011-Q4" or "2011-10"; it is informational only.
type Period struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Label string    `json:"label,omitempty"`
}

// Validate returns ErrInvalidPeriod unless To is after From.
func (p Period) Validate() error {
	if !p.To.After(p.From) {
		return fmt.Errorf("period %s: %w", p, ErrInvalidPeriod)
	}
	return nil
}

// Contains reports whether t lies in [From, To).
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Days returns the length of the period in days (fractional).
func (p Period) Days() float64 { return p.To.Sub(p.From).Hours() / 24 }

func (p Period) String() string {
	if p.Label != "" {
		return p.Label
	}
	return p.From.Format("2006-01-02") + ".." + p.To.Format("2006-01-02")
}
