package analytics

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// TimeUnit is the unit in which the buy-till-you-die models (BG/NBD,
// Pareto/NBD) measure recency, T and forecast horizons. Its value is the
// number of days in one unit.
type TimeUnit int

// Time units for customer summaries.
const (
	UnitDays  TimeUnit = 1
	UnitWeeks TimeUnit = 7
)

func (u TimeUnit) String() string {
	switch u {
	case UnitDays:
		return "days"
	case UnitWeeks:
		return "weeks"
	}
	return "TimeUnit(" + strconv.Itoa(int(u)) + ")"
}

func (u TimeUnit) validate() error {
	if u != UnitDays && u != UnitWeeks {
		return &InputError{Row: -1, Field: "unit", Err: fmt.Errorf("unknown time unit %d, want UnitDays or UnitWeeks", int(u))}
	}
	return nil
}

var (
	errEmptyCustomerID = errors.New("empty customer id")
	errZeroTime        = errors.New("zero time")
)

// CustomerSummary is one customer's purchase history reduced to the
// sufficient statistics of the BG/NBD, Pareto/NBD and Gamma-Gamma models,
// measured up to a calibration end (as-of day):
//
//   - Frequency x: number of repeat purchase occasions, i.e. distinct
//     calendar days with at least one purchase, minus one for the first.
//   - Recency t_x: time from the first to the last purchase occasion, in Unit.
//   - T: time from the first purchase occasion to the as-of day, in Unit.
//   - MeanRepeatValue: mean net value of the repeat occasions (the first
//     purchase is excluded, as in lifetimes and the Gamma-Gamma note), in
//     major currency units (pounds, dollars); 0 when Frequency is 0.
type CustomerSummary struct {
	CustomerID      string  `json:"customer_id"`
	Frequency       int     `json:"frequency"`
	Recency         float64 `json:"recency"`
	T               float64 `json:"t"`
	MeanRepeatValue float64 `json:"mean_repeat_value"`
	// FirstValue is the net value of the first purchase occasion, major units.
	FirstValue float64 `json:"first_value"`
	// UnmatchedReturns is the total (negative, major units) of returns on
	// days without a purchase after the first purchase; it is reported but
	// not netted into MeanRepeatValue.
	UnmatchedReturns float64 `json:"unmatched_returns"`
}

// dayNumber is a calendar day counted from 1970-01-01, taken from the civil
// date of t in t's own location.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// dayLedger is one customer's purchases and returns on one calendar day.
type dayLedger struct {
	day       int64
	purchases int   // non-return orders
	net       Money // purchases plus returns (returns negative)
}

// customerDays groups the orders of each customer by calendar day, keeping
// days up to lastDay inclusive. Returns of order i are taken as -|Amount|.
func customerDays(orders []Order, lastDay int64) (map[string][]dayLedger, error) {
	byDay := make(map[string]map[int64]*dayLedger)
	for i, o := range orders {
		if o.CustomerID == "" {
			return nil, &InputError{Row: i, Field: "CustomerID", Err: errEmptyCustomerID}
		}
		if o.At.IsZero() {
			return nil, &InputError{Row: i, Field: "At", Err: errZeroTime}
		}
		if !o.IsReturn && o.Amount < 0 {
			return nil, &InputError{Row: i, Field: "Amount", Err: fmt.Errorf("purchase with %w %s (set IsReturn for returns)", ErrNegative, o.Amount)}
		}
		d := dayNumber(o.At)
		if d > lastDay {
			continue
		}
		days := byDay[o.CustomerID]
		if days == nil {
			days = make(map[int64]*dayLedger)
			byDay[o.CustomerID] = days
		}
		l := days[d]
		if l == nil {
			l = &dayLedger{day: d}
			days[d] = l
		}
		if o.IsReturn {
			amt := o.Amount
			if amt > 0 {
				amt = -amt
			}
			l.net += amt
		} else {
			l.purchases++
			l.net += o.Amount
		}
	}
	out := make(map[string][]dayLedger, len(byDay))
	for id, days := range byDay {
		ls := make([]dayLedger, 0, len(days))
		for _, l := range days {
			ls = append(ls, *l)
		}
		sort.Slice(ls, func(i, j int) bool { return ls[i].day < ls[j].day })
		out[id] = ls
	}
	return out, nil
}

// summarize reduces one customer's day ledgers (sorted, up to the as-of
// day) to a CustomerSummary; ok is false when the customer made no purchase.
func summarize(id string, days []dayLedger, asOfDay int64, unit TimeUnit) (CustomerSummary, bool) {
	first := -1
	for i, l := range days {
		if l.purchases > 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return CustomerSummary{}, false
	}
	s := CustomerSummary{CustomerID: id, FirstValue: days[first].net.Major()}
	u := float64(unit)
	last := days[first].day
	var repeatNet Money
	for _, l := range days[first+1:] {
		if l.purchases == 0 {
			s.UnmatchedReturns += l.net.Major()
			continue
		}
		s.Frequency++
		repeatNet += l.net
		last = l.day
	}
	s.Recency = float64(last-days[first].day) / u
	s.T = float64(asOfDay-days[first].day) / u
	if s.Frequency > 0 {
		s.MeanRepeatValue = repeatNet.Major() / float64(s.Frequency)
	}
	return s, true
}

// SummarizeCustomers reduces orders to one CustomerSummary per customer who
// made a purchase on or before the calibration end asOf, sorted by
// CustomerID.
//
// Time is counted in whole calendar days: the civil date of each Order.At in
// its own location, and of asOf in its location. asOf is the last day of
// the calibration period, inclusive; orders on later days are ignored. Then
// (in unit, e.g. weeks = days/7)
//
//	x   = (number of distinct purchase days) − 1
//	t_x = last purchase day − first purchase day
//	T   = asOf day − first purchase day
//
// Several orders of a customer on one calendar day are one purchase
// occasion whose value is the sum of their amounts. Returns (IsReturn;
// their Amount is taken as −|Amount|) are never purchase occasions. They
// are netted against the purchases of the same customer on the same
// calendar day, so a day's value is purchases + returns and may be zero or
// negative; returns on a day without purchases are not netted into any
// occasion and are reported in UnmatchedReturns (or ignored before the
// first purchase). MeanRepeatValue is the mean net value of the x repeat
// occasions, in major units. These are the conventions of lifetimes'
// summary_data_from_transaction_data and of the CDNOW summaries used by
// Fader, Hardie & Lee (2005).
//
// It returns ErrNoData when no customer purchased by asOf, and an
// *InputError naming the row for an empty CustomerID, a zero At, or a
// negative Amount on a purchase.
func SummarizeCustomers(orders []Order, asOf time.Time, unit TimeUnit) ([]CustomerSummary, error) {
	if err := unit.validate(); err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		return nil, &InputError{Row: -1, Field: "asOf", Err: errZeroTime}
	}
	asOfDay := dayNumber(asOf)
	byCustomer, err := customerDays(orders, asOfDay)
	if err != nil {
		return nil, err
	}
	out := make([]CustomerSummary, 0, len(byCustomer))
	for id, days := range byCustomer {
		if s, ok := summarize(id, days, asOfDay, unit); ok {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("summarize customers as of %s: %w", asOf.Format(time.DateOnly), ErrNoData)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CustomerID < out[j].CustomerID })
	return out, nil
}
