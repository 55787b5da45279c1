package report

import (
	"math"
	"strconv"
	"strings"
)

// This file is the one formatter for numbers people read: chart ticks and
// value labels, CLI tables and Slack text use it so that money always
// carries its currency and thousands separators.

// currencySymbols maps ISO 4217 codes to the symbol written before an
// amount. Codes not listed are written as "CODE 1,234".
var currencySymbols = map[string]string{"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥", "CNY": "¥"}

// IsCurrency reports whether unit is a three-letter ISO 4217 currency code
// that Money knows (GBP, USD, EUR, JPY, CNY).
func IsCurrency(unit string) bool {
	_, ok := currencySymbols[strings.ToUpper(unit)]
	return ok
}

// Money formats an amount in major units (pounds, not pence) with its
// currency and thousands separators and the given number of decimals:
// Money(75000, "GBP", 0) = "£75,000", Money(-1234.5, "USD", 2) =
// "-$1,234.50", Money(10, "CHF", 2) = "CHF 10.00".
func Money(major float64, currency string, decimals int) string {
	s := Number(math.Abs(major), decimals)
	sign := ""
	if major < 0 && s != Number(0, decimals) {
		sign = "-"
	}
	if sym, ok := currencySymbols[strings.ToUpper(currency)]; ok {
		return sign + sym + s
	}
	if currency == "" {
		return sign + s
	}
	return sign + currency + " " + s
}

// Number formats v with the given decimals and a comma every three digits
// of the whole part: Number(1234567.891, 2) = "1,234,567.89".
func Number(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NA("not a finite number")
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Value formats v in unit: money when unit is a known currency code
// (Money; automatic decimals are none from £100 or for whole amounts,
// else two), otherwise a number with separators followed by nothing (the
// unit belongs in the axis or column label). decimals is chosen by Auto
// when negative.
func Value(v float64, unit string, decimals int) string {
	if IsCurrency(unit) {
		if decimals < 0 {
			decimals = 0
			if math.Abs(v) < 100 && v != math.Trunc(v) {
				decimals = 2
			}
		}
		return Money(v, unit, decimals)
	}
	if decimals < 0 {
		decimals = Auto(v)
	}
	return Number(v, decimals)
}

// Auto picks the decimals a reader needs for v: none from 100 up or for
// whole numbers (counts), one from 10, two below 10 (ratios such as ROAS
// 3.25).
func Auto(v float64) int {
	a := math.Abs(v)
	switch {
	case a >= 100 || v == math.Trunc(v):
		return 0
	case a >= 10:
		return 1
	case a == 0:
		return 0
	}
	return 2
}

// NA is the text for a value that was not computed: "n/a (reason)", or
// "n/a" with no reason.
func NA(reason string) string {
	if reason == "" {
		return "n/a"
	}
	return "n/a (" + reason + ")"
}
