package tools

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/roibot/roibot/analytics"
)

// This file holds money and number formatting for tool JSON and display
// tables.

// Major is an amount in major currency units (pounds), marshalled with two
// decimals.
type Major float64

// major converts minor units to Major.
func major(m analytics.Money) Major { return Major(float64(m) / 100) }

// MarshalJSON writes the amount with two decimals.
func (m Major) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(m), 'f', 2, 64)), nil
}

// money formats minor units as "£1,234.56" (GBP) or "USD 1,234.56".
func money(m analytics.Money, currency string) string {
	v := int64(m)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	whole := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s := fmt.Sprintf("%s.%02d", b.String(), v%100)
	if currency == "GBP" {
		return sign + "£" + s
	}
	return sign + currency + " " + s
}

// pct formats a fraction as a percentage with one decimal, or "n/a".
func pct(f analytics.NullFloat) string {
	v, ok := f.Get()
	if !ok {
		return "n/a"
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

// ratio formats a plain ratio with two decimals, or "n/a".
func ratio(f analytics.NullFloat) string {
	v, ok := f.Get()
	if !ok {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// round returns v rounded to d decimals (for JSON readability).
func round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}
