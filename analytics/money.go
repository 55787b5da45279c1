package analytics

import (
	"fmt"
	"math"
)

// Money is an amount in minor currency units (pence for GBP, cents for USD).
// Integer units keep sums exact; ratios are computed in float64.
type Money int64

// DefaultCurrency is the ISO 4217 code of the demo data (Online Retail is in
// pounds sterling).
const DefaultCurrency = "GBP"

// MoneyFromMajor converts an amount in major units (e.g. 2.55 pounds) to
// Money, rounding half away from zero to the nearest minor unit.
func MoneyFromMajor(v float64) Money { return Money(math.Round(v * 100)) }

// Major returns the amount in major units (pounds), e.g. 255 -> 2.55.
func (m Money) Major() float64 { return float64(m) / 100 }

// String formats the amount in major units with two decimals, e.g. "-12.30".
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}
