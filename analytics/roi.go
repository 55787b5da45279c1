package analytics

import (
	"errors"
	"fmt"
	"math"
)

// NullFloat is a metric that may be unavailable. When Value is nil, NA says
// why (e.g. "zero spend"). It marshals to JSON as {"value": 0.12} or
// {"value": null, "na": "zero spend"}, never Inf or NaN.
type NullFloat struct {
	Value *float64 `json:"value"`
	NA    string   `json:"na,omitempty"`
}

// Float returns an available NullFloat holding v. A NaN or infinite v
// yields an unavailable NullFloat instead, so JSON stays valid.
func Float(v float64) NullFloat {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NA("not a finite number")
	}
	return NullFloat{Value: &v}
}

// NA returns an unavailable NullFloat with the given reason.
func NA(reason string) NullFloat { return NullFloat{NA: reason} }

// Get returns the value and whether it is available.
func (f NullFloat) Get() (float64, bool) {
	if f.Value == nil {
		return 0, false
	}
	return *f.Value, true
}

// String formats the value with %g, or "n/a (reason)".
func (f NullFloat) String() string {
	if f.Value == nil {
		return "n/a (" + f.NA + ")"
	}
	return fmt.Sprintf("%g", *f.Value)
}

// Reasons a ratio is not available.
const (
	NAZeroSpend      = "zero spend"
	NANoConversions  = "no conversions"
	NANoNewCustomers = "no new customers"
)

// ROI returns the return on investment, a fraction (−0.453, not −45.3 %):
//
//	ROI = (return − cost) / cost
//
// where return is attributed revenue (or gross margin) and cost is the
// marketing spend, both in the same currency. It is not available when
// cost is zero.
//
// Source: the seed document, section 4.1 (marketing ROI formula).
func ROI(ret, cost Money) NullFloat {
	if cost == 0 {
		return NA(NAZeroSpend)
	}
	return Float(float64(ret-cost) / float64(cost))
}

// ROAS returns the return on ad spend, a ratio (3.2 means 3.20 of revenue
// per 1.00 spent):
//
//	ROAS = revenue / cost
//
// It is not available when cost is zero.
//
// Source: standard definition; the seed document, section 4.1, for the
// revenue-over-cost family.
func ROAS(revenue, cost Money) NullFloat {
	if cost == 0 {
		return NA(NAZeroSpend)
	}
	return Float(float64(revenue) / float64(cost))
}

// CPA returns the cost per acquisition (per conversion) in minor currency
// units per conversion:
//
//	CPA = cost / conversions
//
// conversions may be fractional (attributed credit). It is not available
// when conversions is zero or less.
//
// Source: standard definition (cost per action/acquisition).
func CPA(cost Money, conversions float64) NullFloat {
	if !(conversions > 0) {
		return NA(NANoConversions)
	}
	return Float(float64(cost) / conversions)
}

// CAC returns the customer acquisition cost in minor currency units per new
// customer:
//
//	CAC = cost / new customers
//
// It is not available when newCustomers is zero or less.
//
// Source: standard definition (customer acquisition cost).
func CAC(cost Money, newCustomers float64) NullFloat {
	if !(newCustomers > 0) {
		return NA(NANoNewCustomers)
	}
	return Float(float64(cost) / newCustomers)
}

// ROIBasis selects what ROI counts as the return: revenue or gross margin.
type ROIBasis string

// ROI bases.
const (
	BasisRevenue ROIBasis = "revenue"
	BasisMargin  ROIBasis = "margin"
)

// ROIInput is one group's (channel's or campaign's) spend and results.
type ROIInput struct {
	// Group names the channel or campaign.
	Group string `json:"group"`
	// Spend is the marketing cost, minor currency units, ≥ 0.
	Spend Money `json:"spend"`
	// Revenue is the attributed revenue, minor currency units.
	Revenue Money `json:"revenue"`
	// Margin is the attributed gross margin, minor currency units; needed
	// only for BasisMargin.
	Margin *Money `json:"margin,omitempty"`
	// Conversions is the (possibly fractional, attributed) number of
	// conversions, ≥ 0.
	Conversions float64 `json:"conversions"`
	// NewCustomers is the (possibly fractional) number of first-time
	// customers acquired, ≥ 0.
	NewCustomers float64 `json:"new_customers"`
	// Currency is the ISO 4217 code of Spend, Revenue and Margin.
	Currency string `json:"currency"`
}

// ROIRow is the metrics of one group, or of the total.
type ROIRow struct {
	Group        string  `json:"group"`
	Spend        Money   `json:"spend"`
	Revenue      Money   `json:"revenue"`
	Return       Money   `json:"return"` // revenue or margin, per the basis
	Profit       Money   `json:"profit"` // Return − Spend
	Conversions  float64 `json:"conversions"`
	NewCustomers float64 `json:"new_customers"`
	// ROI = (Return − Spend) / Spend, a fraction.
	ROI NullFloat `json:"roi"`
	// ROAS = Revenue / Spend (always on revenue, whatever the basis).
	ROAS NullFloat `json:"roas"`
	// CPA = Spend / Conversions, minor units per conversion.
	CPA NullFloat `json:"cpa"`
	// CAC = Spend / NewCustomers, minor units per new customer.
	CAC NullFloat `json:"cac"`
	// Loss is true when Profit < 0 (negative ROI).
	Loss bool `json:"loss"`
}

// ROIReport is the outcome of ComputeROI.
type ROIReport struct {
	Basis    ROIBasis `json:"basis"`
	Currency string   `json:"currency"`
	Rows     []ROIRow `json:"rows"`
	// Total has Group "total"; its ratios are ratios of sums
	// (ΣReturn − ΣSpend) / ΣSpend, never means of the rows' ratios.
	Total ROIRow `json:"total"`
}

// ComputeROI computes ROI, ROAS, CPA and CAC per group and in total.
//
//	ROI  = (return − spend) / spend   (fraction; return = revenue or margin)
//	ROAS = revenue / spend
//	CPA  = spend / conversions         (minor units per conversion)
//	CAC  = spend / new customers       (minor units per new customer)
//
// Totals are ratios of sums (Σrevenue / Σspend), so a large channel weighs
// more than a small one; a mean of per-row ratios would not. Ratios with a
// zero denominator are NullFloat values with an NA reason. Rows keep the
// input order.
//
// It returns ErrNoData for empty in; an *InputError for a negative Spend,
// Conversions or NewCustomers (ErrNegative), a missing Margin under
// BasisMargin, or an unknown basis; and, when rows carry more than one
// currency, one *InputError per row whose currency differs from the first
// row's, joined with errors.Join (errors.Is(err, ErrMixedCurrency) holds).
//
// Source: the seed document, section 4.1 (marketing ROI formula).
func ComputeROI(in []ROIInput, basis ROIBasis) (ROIReport, error) {
	if len(in) == 0 {
		return ROIReport{}, fmt.Errorf("compute roi: %w", ErrNoData)
	}
	if basis == "" {
		basis = BasisRevenue
	}
	if basis != BasisRevenue && basis != BasisMargin {
		return ROIReport{}, &InputError{Row: -1, Field: "basis", Err: fmt.Errorf("unknown basis %q", basis)}
	}
	cur := in[0].Currency
	var mixed []error
	for i, r := range in {
		if r.Currency != cur {
			mixed = append(mixed, &InputError{Row: i, Field: "currency",
				Err: fmt.Errorf("%w: %q, but row 0 has %q", ErrMixedCurrency, r.Currency, cur)})
		}
	}
	if len(mixed) > 0 {
		return ROIReport{}, errors.Join(mixed...)
	}
	rep := ROIReport{Basis: basis, Currency: cur, Rows: make([]ROIRow, len(in))}
	tot := ROIRow{Group: "total"}
	for i, r := range in {
		switch {
		case r.Spend < 0:
			return ROIReport{}, &InputError{Row: i, Field: "spend", Err: ErrNegative}
		case r.Conversions < 0 || math.IsNaN(r.Conversions):
			return ROIReport{}, &InputError{Row: i, Field: "conversions", Err: ErrNegative}
		case r.NewCustomers < 0 || math.IsNaN(r.NewCustomers):
			return ROIReport{}, &InputError{Row: i, Field: "new_customers", Err: ErrNegative}
		case basis == BasisMargin && r.Margin == nil:
			return ROIReport{}, &InputError{Row: i, Field: "margin", Err: errors.New("missing margin for basis margin")}
		}
		row := ROIRow{Group: r.Group, Spend: r.Spend, Revenue: r.Revenue, Return: r.Revenue,
			Conversions: r.Conversions, NewCustomers: r.NewCustomers}
		if basis == BasisMargin {
			row.Return = *r.Margin
		}
		tot.Spend += row.Spend
		tot.Revenue += row.Revenue
		tot.Return += row.Return
		tot.Conversions += row.Conversions
		tot.NewCustomers += row.NewCustomers
		rep.Rows[i] = fillROI(row)
	}
	rep.Total = fillROI(tot)
	return rep, nil
}

func fillROI(r ROIRow) ROIRow {
	r.Profit = r.Return - r.Spend
	r.ROI = ROI(r.Return, r.Spend)
	r.ROAS = ROAS(r.Revenue, r.Spend)
	r.CPA = CPA(r.Spend, r.Conversions)
	r.CAC = CAC(r.Spend, r.NewCustomers)
	r.Loss = r.Profit < 0
	return r
}
