package ingest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/roibot/roibot/analytics"
)

// parseDecimal4 parses a non-exponent decimal such as "2.55" or "-0.001"
// into an integer count of 1/10000 units, exactly (no float rounding).
func parseDecimal4(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, errors.New("not a number")
	}
	if len(frac) > 4 {
		// Keep 4 decimals, rounding half up on the fifth.
		round := frac[4] >= '5'
		for _, c := range frac[4:] {
			if c < '0' || c > '9' {
				return 0, errors.New("not a number")
			}
		}
		frac = frac[:4]
		v, err := parseDecimal4(intPart + "." + frac)
		if err != nil {
			return 0, err
		}
		if round {
			v++
		}
		if neg {
			v = -v
		}
		return v, nil
	}
	frac += strings.Repeat("0", 4-len(frac))
	if intPart == "" {
		intPart = "0"
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
	}
	i, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, errors.New("out of range")
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := i*10000 + f
	if neg {
		v = -v
	}
	return v, nil
}

// minorFromDecimal4 returns quantity × price (price in 1/10000 units) in
// minor units (1/100), rounded half away from zero.
func minorFromDecimal4(quantity int64, price4 int64) int64 {
	p := quantity * price4 // 1/10000 units
	if p >= 0 {
		return (p + 50) / 100
	}
	return -((-p + 50) / 100)
}

// Reasons parseFixed gives for a value it refuses.
var (
	errNotDecimal = errors.New("not a decimal (digits with an optional '.' and sign; no exponent or thousands separator)")
	errOutOfRange = errors.New("out of range")
)

// parseFixed parses a plain decimal such as "12.5" or "-0.0100" into an
// integer count of 10^-scale units, exactly: a value with more than scale
// significant decimal places is refused rather than rounded (trailing zeros
// are fine), and so is one that does not fit in an int64.
func parseFixed(s string, scale int) (int64, error) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, errNotDecimal
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return 0, errNotDecimal
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return 0, fmt.Errorf("has more than %d decimal places", scale)
	}
	frac += strings.Repeat("0", scale-len(frac))
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	whole, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, errOutOfRange
	}
	var unit, f int64 = 1, 0
	for range scale {
		unit *= 10
	}
	if scale > 0 {
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	if whole > (math.MaxInt64-f)/unit {
		return 0, errOutOfRange
	}
	v := whole*unit + f
	if neg {
		v = -v
	}
	return v, nil
}

// amountOf returns quantity × price4 (price in 1/10000 units, not
// negative) in minor units, and false when its absolute value is above
// MaxAmount; nothing overflows on the way.
func amountOf(quantity, price4 int64) (analytics.Money, bool) {
	if quantity == 0 || price4 == 0 {
		return 0, true
	}
	const max4 = uint64(MaxAmount) * 100 // MaxAmount in 1/10000 units
	if price4 < 0 || uint64(price4) > max4 {
		return 0, false
	}
	aq := uint64(quantity)
	if quantity < 0 {
		aq = uint64(-(quantity + 1)) + 1
	}
	if aq > max4/uint64(price4)+1 {
		return 0, false
	}
	a := analytics.Money(minorFromDecimal4(quantity, price4))
	if a > MaxAmount || a < -MaxAmount {
		return 0, false
	}
	return a, true
}
