package analytics

import (
	"fmt"
	"math"
	"sort"
)

// CustomerFeatures is one customer's behaviour as of a date, the raw
// material of customer segmentation (seed section 3.3.2) and of segment
// reports. Money is in minor units.
type CustomerFeatures struct {
	CustomerID string `json:"customer_id"`
	Country    string `json:"country"`
	// RecencyDays is the whole number of days from the last purchase to
	// the as-of time (as RFMInputs counts it).
	RecencyDays int `json:"recency_days"`
	// Frequency is the number of distinct purchase invoices.
	Frequency int `json:"frequency"`
	// Revenue sums the purchase lines (returns excluded).
	Revenue Money `json:"revenue"`
	// Returns sums the return and cancellation lines (≤ 0).
	Returns Money `json:"returns"`
	// TenureDays is the whole number of days from the first purchase to
	// the as-of time.
	TenureDays int `json:"tenure_days"`
	// Sentiment is the mean VADER compound sentiment (−1..1) of the
	// customer's feedback rows; unavailable when there are none.
	Sentiment NullFloat `json:"sentiment"`
	// Feedback counts the customer's feedback rows.
	Feedback int `json:"feedback"`
}

// Monetary is the net spend Revenue + Returns (purchases minus returns),
// the M of RFM.
func (c CustomerFeatures) Monetary() Money { return c.Revenue + c.Returns }

// AvgBasket is the mean purchase value per invoice, Revenue / Frequency
// (0 when Frequency is 0), in minor units rounded to the nearest unit.
func (c CustomerFeatures) AvgBasket() Money {
	if c.Frequency <= 0 {
		return 0
	}
	return Money(math.Round(float64(c.Revenue) / float64(c.Frequency)))
}

// ReturnRate is the returned share of the purchased value, −Returns /
// Revenue, a fraction (0 when Revenue is 0). It can exceed 1 when a
// customer returns goods bought before the data starts.
func (c CustomerFeatures) ReturnRate() float64 {
	if c.Revenue <= 0 {
		return 0
	}
	return float64(-c.Returns) / float64(c.Revenue)
}

// Segmentation feature names, the columns of SegmentationFeatures.
const (
	FeatureRecency    = "recency_days"
	FeatureFrequency  = "frequency"
	FeatureMonetary   = "monetary"
	FeatureTenure     = "tenure_days"
	FeatureAvgBasket  = "avg_basket"
	FeatureReturnRate = "return_rate"
	FeatureSentiment  = "sentiment"
)

// CustomerFeatureTerms are the words NameClusters uses for the columns of
// SegmentationFeatures: e.g. a cluster with high frequency and monetary
// value and low recency reads "frequent high-value recent".
var CustomerFeatureTerms = map[string]FeatureTerms{
	FeatureRecency:    {High: "lapsed", Low: "recent"},
	FeatureFrequency:  {High: "frequent", Low: "infrequent"},
	FeatureMonetary:   {High: "high-value", Low: "low-spend"},
	FeatureTenure:     {High: "long-standing", Low: "new"},
	FeatureAvgBasket:  {High: "big-basket", Low: "small-basket"},
	FeatureReturnRate: {High: "high-return-rate", Low: "low-return-rate"},
	FeatureSentiment:  {High: "happy", Low: "unhappy"},
}

// SegmentationFeatures turns customers into the FeatureMatrix that KMeans,
// WardClusters and ChooseK standardize, one row per customer in the given
// order (IDs = CustomerID), with columns
//
//	recency_days, frequency, monetary, tenure_days, avg_basket, return_rate[, sentiment]
//
// Frequency, monetary and avg_basket (major units) are transformed by
// log(1 + max(x, 0)) before standardization: spend and order counts are
// heavy-tailed, and on raw values a handful of wholesale customers would
// take clusters of their own. Recency and tenure are in days, return_rate
// a fraction capped at 1 (returns of goods bought before the data start
// can exceed the purchases seen). The sentiment column (mean VADER compound, −1..1) is present
// only when at least one customer has feedback; customers without feedback
// get the mean of those with feedback, so they sit at z = 0 and do not pull
// clusters. The notes say which of these applied.
//
// It returns an *InputError on "customers" wrapping ErrNoData for no
// customers, and one naming the row for an empty CustomerID.
func SegmentationFeatures(customers []CustomerFeatures) (FeatureMatrix, []string, error) {
	if len(customers) == 0 {
		return FeatureMatrix{}, nil, &InputError{Row: -1, Field: "customers", Err: ErrNoData}
	}
	var withSent int
	var sentSum float64
	for i, c := range customers {
		if c.CustomerID == "" {
			return FeatureMatrix{}, nil, &InputError{Row: i, Field: "customer_id", Err: errEmptyCustomerID}
		}
		if v, ok := c.Sentiment.Get(); ok {
			withSent++
			sentSum += v
		}
	}
	fm := FeatureMatrix{
		Columns: []string{FeatureRecency, FeatureFrequency, FeatureMonetary, FeatureTenure, FeatureAvgBasket, FeatureReturnRate},
		IDs:     make([]string, len(customers)),
		Rows:    make([][]float64, len(customers)),
	}
	notes := []string{"frequency, monetary and avg_basket are log(1 + x) transformed, then every feature is z-scored"}
	if withSent > 0 {
		fm.Columns = append(fm.Columns, FeatureSentiment)
		notes = append(notes, fmt.Sprintf("sentiment: mean feedback sentiment of the %d of %d customers with feedback; the others get their mean (z = 0)",
			withSent, len(customers)))
	} else {
		notes = append(notes, "sentiment left out: no customer in the selection has feedback")
	}
	logp := func(v float64) float64 { return math.Log1p(math.Max(v, 0)) }
	for i, c := range customers {
		fm.IDs[i] = c.CustomerID
		r := []float64{float64(c.RecencyDays), logp(float64(c.Frequency)), logp(c.Monetary().Major()),
			float64(c.TenureDays), logp(c.AvgBasket().Major()), min(c.ReturnRate(), 1)}
		if withSent > 0 {
			v, ok := c.Sentiment.Get()
			if !ok {
				v = sentSum / float64(withSent)
			}
			r = append(r, v)
		}
		fm.Rows[i] = r
	}
	return fm, notes, nil
}

// Value tiers of ValueTiers.
const (
	TierTop = "top"
	TierMid = "mid"
	TierLow = "low"
)

// ValueTiers splits customers into thirds by value (e.g. CLV): sorted by
// value, highest first (ties: lower index first), the customer at rank
// i = 0..n−1 is TierTop when ⌊3i/n⌋ = 0, TierMid when it is 1 and TierLow
// when it is 2. So for n = 7 the tiers hold 3, 2 and 2 customers. The
// result is in the order of values; NaN values rank last.
func ValueTiers(values []float64) []string {
	n := len(values)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) float64 {
		if math.IsNaN(values[i]) {
			return math.Inf(-1)
		}
		return values[i]
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) > key(idx[b]) })
	out := make([]string, n)
	for rank, i := range idx {
		out[i] = [...]string{TierTop, TierMid, TierLow}[3*rank/n]
	}
	return out
}

// ProductSales is one product's net purchases within a group of customers:
// Revenue (minor units) and Quantity (units) summed over its purchase and
// return lines, Customers the number of distinct buyers. Group is the caller's group
// index (e.g. a cluster).
type ProductSales struct {
	Group     int    `json:"group"`
	Product   string `json:"product"`
	Revenue   Money  `json:"revenue"`
	Quantity  int64  `json:"quantity"`
	Customers int    `json:"customers"`
}
