package analytics

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// CashFlow is one period's revenue from a customer and the cost of serving
// it, in minor currency units.
type CashFlow struct {
	Revenue Money `json:"revenue"`
	Cost    Money `json:"cost"`
}

// HistoricalCLV returns the discounted net value of one customer's cash
// flows, in minor currency units, rounded half away from zero:
//
//	CLV = Σ_{t=0}^{T} (revenue_t − cost_t) / (1 + r)^t
//
// flows has one entry per period t = 0..T (calendar months when built by
// MonthlyCashFlows); r is the discount rate per period, a fraction in
// [0, 1). It returns an *InputError wrapping ErrInvalidRate for r outside
// that range (or NaN) and ErrNoData for an empty flows.
//
// Source: the seed document, section 4.2 (customer lifetime value model).
func HistoricalCLV(flows []CashFlow, r float64) (Money, error) {
	if !(r >= 0 && r < 1) {
		return 0, &InputError{Row: -1, Field: "r", Err: fmt.Errorf("%w: %g outside [0, 1)", ErrInvalidRate, r)}
	}
	if len(flows) == 0 {
		return 0, fmt.Errorf("historical clv: %w", ErrNoData)
	}
	var sum float64
	d := 1.0 // (1+r)^t
	for _, f := range flows {
		sum += float64(f.Revenue-f.Cost) / d
		d *= 1 + r
	}
	return Money(math.Round(sum)), nil
}

// CustomerCashFlows is one customer's monthly cash flows.
type CustomerCashFlows struct {
	CustomerID string `json:"customer_id"`
	// FirstMonth is midnight on the first day of the month of the first
	// purchase (t = 0), in the as-of time's location.
	FirstMonth time.Time `json:"first_month"`
	// Flows has one entry per calendar month from FirstMonth to the as-of
	// month inclusive; months without orders are zero.
	Flows []CashFlow `json:"flows"`
}

// MonthlyCashFlows builds each customer's monthly cash flows from orders up
// to asOf. Month t = 0 is the calendar month (in asOf's location) of the
// customer's first purchase; the last month is asOf's. For each month
//
//	revenue_t = Σ Amount of the month's purchases and returns (net)
//	cost_t    = round((1 − margin) · revenue_t)
//
// margin is the gross-margin fraction in [0, 1]; pass 1 to treat cost as
// zero (revenue-based CLV). Orders after asOf are ignored; returns dated
// before the first purchase count in month 0; a customer with returns but
// no purchase is left out. The result is sorted by CustomerID.
//
// It returns an *InputError for an empty CustomerID or a margin outside
// [0, 1] (ErrInvalidRate), and ErrNoData when no customer has a purchase up
// to asOf.
//
// Source: the seed document, section 4.2 (revenue_t and cost_t per period).
func MonthlyCashFlows(orders []Order, asOf time.Time, margin float64) ([]CustomerCashFlows, error) {
	if !(margin >= 0 && margin <= 1) {
		return nil, &InputError{Row: -1, Field: "margin", Err: fmt.Errorf("%w: %g outside [0, 1]", ErrInvalidRate, margin)}
	}
	loc := asOf.Location()
	monthIndex := func(t time.Time) int {
		t = t.In(loc)
		return t.Year()*12 + int(t.Month()) - 1
	}
	first := make(map[string]int)
	for i, o := range orders {
		if o.CustomerID == "" {
			return nil, &InputError{Row: i, Field: "customer_id", Err: fmt.Errorf("empty customer id")}
		}
		if o.IsReturn || o.At.After(asOf) {
			continue
		}
		m := monthIndex(o.At)
		if f, ok := first[o.CustomerID]; !ok || m < f {
			first[o.CustomerID] = m
		}
	}
	if len(first) == 0 {
		return nil, fmt.Errorf("monthly cash flows as of %s: %w", asOf.Format(time.RFC3339), ErrNoData)
	}
	last := monthIndex(asOf)
	flows := make(map[string][]CashFlow, len(first))
	for id, f := range first {
		flows[id] = make([]CashFlow, last-f+1)
	}
	for _, o := range orders {
		f, ok := first[o.CustomerID]
		if !ok || o.At.After(asOf) {
			continue
		}
		t := max(monthIndex(o.At)-f, 0)
		flows[o.CustomerID][t].Revenue += o.Amount
	}
	out := make([]CustomerCashFlows, 0, len(first))
	for id, f := range first {
		fl := flows[id]
		for t := range fl {
			fl[t].Cost = Money(math.Round((1 - margin) * float64(fl[t].Revenue)))
		}
		out = append(out, CustomerCashFlows{
			CustomerID: id,
			FirstMonth: time.Date(f/12, time.Month(f%12+1), 1, 0, 0, 0, 0, loc),
			Flows:      fl,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CustomerID < out[j].CustomerID })
	return out, nil
}

// HistoricalCustomerCLV is one customer's historical CLV.
type HistoricalCustomerCLV struct {
	CustomerID string    `json:"customer_id"`
	FirstMonth time.Time `json:"first_month"`
	// Months is T + 1, the number of calendar months from the first
	// purchase month to the as-of month inclusive.
	Months int `json:"months"`
	// Revenue is the undiscounted net revenue Σ revenue_t, minor units.
	Revenue Money `json:"revenue"`
	// CLV is Σ (revenue_t − cost_t)/(1+r)^t, minor units.
	CLV Money `json:"clv"`
}

// CustomerHistoricalCLV returns each customer's historical CLV as of asOf:
// MonthlyCashFlows(orders, asOf, margin) discounted by HistoricalCLV at r
// per month. The result is sorted by CLV, highest first, then CustomerID.
//
// It returns the errors of MonthlyCashFlows and HistoricalCLV
// (ErrInvalidRate for r outside [0, 1) or margin outside [0, 1], ErrNoData
// when no customer has a purchase up to asOf).
//
// Source: the seed document, section 4.2 (customer lifetime value model).
func CustomerHistoricalCLV(orders []Order, asOf time.Time, r, margin float64) ([]HistoricalCustomerCLV, error) {
	if !(r >= 0 && r < 1) {
		return nil, &InputError{Row: -1, Field: "r", Err: fmt.Errorf("%w: %g outside [0, 1)", ErrInvalidRate, r)}
	}
	cfs, err := MonthlyCashFlows(orders, asOf, margin)
	if err != nil {
		return nil, fmt.Errorf("customer historical clv: %w", err)
	}
	out := make([]HistoricalCustomerCLV, len(cfs))
	for i, c := range cfs {
		v, err := HistoricalCLV(c.Flows, r)
		if err != nil {
			return nil, fmt.Errorf("customer historical clv %s: %w", c.CustomerID, err)
		}
		var rev Money
		for _, f := range c.Flows {
			rev += f.Revenue
		}
		out[i] = HistoricalCustomerCLV{CustomerID: c.CustomerID, FirstMonth: c.FirstMonth,
			Months: len(c.Flows), Revenue: rev, CLV: v}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].CLV != out[j].CLV {
			return out[i].CLV > out[j].CLV
		}
		return out[i].CustomerID < out[j].CustomerID
	})
	return out, nil
}
