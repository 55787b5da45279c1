package tools

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// OrderReader is what the customer-value tools need from storage.
type OrderReader interface {
	DataRange
	PurchaseOrders(ctx context.Context, f analytics.OrderFilter) ([]analytics.Order, error)
}

// RFM is the rfm_segments tool: RFM scores and segments (seed section 4.3).
type RFM struct {
	Store    OrderReader
	Location *time.Location
	// Segments is the segment map; nil means analytics.DefaultRFMSegments.
	Segments []analytics.RFMSegmentRule
}

// RFMArgs are the arguments of rfm_segments and of its typed core
// (RFM.Score): the as-of day (YYYY-MM-DD; default the day after the last
// order), an optional country, a segment or customer to list, and how many
// customers to list (default 10).
type RFMArgs struct {
	AsOf       string `json:"as_of"`
	Country    string `json:"country"`
	Segment    string `json:"segment"`
	CustomerID string `json:"customer_id"`
	Limit      int    `json:"limit"`
}

var rfmSegmentNames = []any{"champions", "loyal", "potential_loyalists", "new", "promising", "need_attention",
	"about_to_sleep", "at_risk", "cant_lose_them", "hibernating", "lost"}

var rfmSchema = mustSchema(NameRFM, map[string]any{
	"type": "object",
	"properties": map[string]any{
		"as_of":       map[string]any{"type": "string", "format": "date", "description": "as-of date YYYY-MM-DD; recency counts days before it. Default: the day after the last order."},
		"country":     map[string]any{"type": "string", "description": "score only customers of this country"},
		"segment":     map[string]any{"type": "string", "enum": rfmSegmentNames, "description": "list the customers of this segment"},
		"customer_id": map[string]any{"type": "string", "pattern": "^[0-9A-Za-z-]+$", "description": "one customer's scores"},
		"limit":       map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "description": "customers to list (default 10)"},
	},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (RFM) Name() string { return NameRFM }

// Description implements agent.Tool.
func (RFM) Description() string {
	return "RFM segmentation: recency (days since last purchase), frequency (invoices), monetary (net spend, GBP), " +
		"each scored 1-5 by quintile, score = R*100 + F*10 + M, mapped to segments (champions, loyal, at_risk, lost...). " +
		"Input: as_of date, country, segment (to list its customers), customer_id, limit. " +
		"Output: segment sizes and revenue shares, bin thresholds, listed customers."
}

// Parameters implements agent.Tool.
func (RFM) Parameters() map[string]any { return rfmSchema.doc }

// RFMCustomer is one listed customer.
type RFMCustomer struct {
	CustomerID  string `json:"customer_id"`
	RecencyDays int    `json:"recency_days"`
	Frequency   int    `json:"frequency"`
	Monetary    Major  `json:"monetary"`
	R           int    `json:"r"`
	F           int    `json:"f"`
	M           int    `json:"m"`
	Score       int    `json:"score"`
	Segment     string `json:"segment"`
}

// RFMSegmentRow is one segment's size and revenue; RevenueShare is a
// fraction or "n/a: reason".
type RFMSegmentRow struct {
	Segment       string  `json:"segment"`
	Customers     int     `json:"customers"`
	CustomerShare float64 `json:"customer_share"`
	Revenue       Major   `json:"revenue"`
	RevenueShare  any     `json:"revenue_share"`
}

// RFMToolResult is the JSON result of rfm_segments.
type RFMToolResult struct {
	Definition string                  `json:"definition"`
	AsOf       string                  `json:"as_of"`
	Country    string                  `json:"country,omitempty"`
	Currency   string                  `json:"currency"`
	Customers  int                     `json:"customers_scored"`
	Segments   []RFMSegmentRow         `json:"segments"`
	Thresholds analytics.RFMThresholds `json:"thresholds"`
	Listed     []RFMCustomer           `json:"listed_customers,omitempty"`
	ListedOf   string                  `json:"listed_of,omitempty"`
	Warnings   []string                `json:"warnings,omitempty"`
	Caveats    []string                `json:"caveats,omitempty"`
	Display    Display                 `json:"display"`
	// Result is the scoring behind the JSON (unrounded shares, every
	// customer's scores), for callers that present it otherwise (the rfm
	// command); not in the JSON.
	Result analytics.RFMResult `json:"-"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Score's result as JSON.
func (t RFM) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[RFMArgs](input, rfmSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call rfm_segments again"), nil
	}
	res, err := t.Score(ctx, args)
	return observe(t.Name(), res, err)
}

// Score is the typed core of rfm_segments, which the tool and the rfm
// command call: it scores every customer as of args.AsOf (rankRFM: rank
// quintiles, seed section 4.3), summarizes the segments and lists the
// customers asked for. Problems the caller can fix are *Problem; other
// errors come from the store.
func (t RFM) Score(ctx context.Context, args RFMArgs) (RFMToolResult, error) {
	if args.Limit == 0 {
		args.Limit = 10
	}
	asOf, err := asOfDate(ctx, t.Store, args.AsOf, loc(t.Location))
	if err != nil {
		if isArgProblem(err) {
			return RFMToolResult{}, problemf(err, "as_of is a date YYYY-MM-DD")
		}
		return RFMToolResult{}, err
	}
	res, global, err := rankRFM(ctx, t.Store, analytics.OrderFilter{Country: args.Country, To: asOf}, asOf, t.Segments)
	if err != nil {
		if isArgProblem(err) {
			return RFMToolResult{}, problemf(fmt.Errorf("no customer%s has a purchase before %s", inCountry(args.Country), asOf.Format(time.DateOnly)),
				"try another country (as spelled in the data) or a later as_of")
		}
		return RFMToolResult{}, err
	}
	out := RFMToolResult{
		Definition: "RFM (seed section 4.3): recency = whole days from the last purchase to as_of, frequency = distinct purchase invoices, " +
			"monetary = net spend (purchases minus returns); each scored 1-5 by rank quintile (equal values get equal scores; " +
			"more recent = higher R), score = R*100 + F*10 + M; segment from R and FM = floor((F+M+1)/2).",
		AsOf: asOf.Format(time.DateOnly), Country: args.Country, Currency: analytics.DefaultCurrency,
		Customers: len(res.Customers), Thresholds: res.Thresholds, Warnings: res.Warnings, Result: res,
	}
	switch {
	case global:
		out.Caveats = append(out.Caveats, "scores rank each customer among all customers; the counts and lists cover the customers of "+args.Country)
	case args.Country != "":
		out.Caveats = append(out.Caveats, "quintiles are computed among the customers of "+args.Country+" only")
	}
	segTable := Table{Title: "RFM segments as of " + out.AsOf + inCountry(args.Country), Columns: []string{"segment", "customers", "share", "revenue", "revenue share"}}
	chart := Chart{Title: "Customers per RFM segment, as of " + out.AsOf + inCountry(args.Country), Kind: "bar", Unit: "customers", YLabel: "Customers", XLabel: "RFM segment"}
	for _, s := range res.Segments {
		row := RFMSegmentRow{Segment: string(s.Segment), Customers: s.Customers, CustomerShare: round(s.CustomerShare, 4), Revenue: major(s.Revenue)}
		if v, ok := s.RevenueShare.Get(); ok {
			row.RevenueShare = round(v, 4)
		} else {
			row.RevenueShare = "n/a: " + s.RevenueShare.NA
		}
		out.Segments = append(out.Segments, row)
		segTable.Rows = append(segTable.Rows, []string{string(s.Segment), strconv.Itoa(s.Customers),
			pct(analytics.Float(s.CustomerShare)), money(s.Revenue, analytics.DefaultCurrency), pct(s.RevenueShare)})
		chart.Labels = append(chart.Labels, string(s.Segment))
		chart.Values = append(chart.Values, float64(s.Customers))
	}
	out.Display.Tables = append(out.Display.Tables, segTable)
	out.Display.Charts = append(out.Display.Charts, chart)

	var pick []analytics.RFMScore
	switch {
	case args.CustomerID != "":
		for _, c := range res.Customers {
			if c.CustomerID == args.CustomerID {
				pick = append(pick, c)
			}
		}
		if len(pick) == 0 {
			return RFMToolResult{}, problemf(fmt.Errorf("customer %s has no purchase before %s%s", args.CustomerID, out.AsOf, inCountry(args.Country)),
				"check the customer id")
		}
		out.ListedOf = "customer " + args.CustomerID
	case args.Segment != "":
		for _, c := range res.Customers {
			if string(c.Segment) == args.Segment {
				pick = append(pick, c)
			}
		}
		out.ListedOf = "segment " + args.Segment + " (highest monetary first)"
		sort.SliceStable(pick, func(i, j int) bool { return pick[i].Monetary > pick[j].Monetary })
	default:
		out.ListedOf = "top customers by RFM score, then monetary"
		pick = append(pick, res.Customers...)
		sort.SliceStable(pick, func(i, j int) bool {
			if pick[i].Score != pick[j].Score {
				return pick[i].Score > pick[j].Score
			}
			return pick[i].Monetary > pick[j].Monetary
		})
	}
	if len(pick) > args.Limit {
		pick = pick[:args.Limit]
	}
	custTable := Table{Title: "Customers: " + out.ListedOf, Columns: []string{"customer", "recency (days)", "frequency", "monetary", "R", "F", "M", "score", "segment"}}
	for _, c := range pick {
		out.Listed = append(out.Listed, RFMCustomer{CustomerID: c.CustomerID, RecencyDays: c.RecencyDays, Frequency: c.Frequency,
			Monetary: major(c.Monetary), R: c.R, F: c.F, M: c.M, Score: c.Score, Segment: string(c.Segment)})
		custTable.Rows = append(custTable.Rows, []string{c.CustomerID, strconv.Itoa(c.RecencyDays), strconv.Itoa(c.Frequency),
			money(c.Monetary, analytics.DefaultCurrency), strconv.Itoa(c.R), strconv.Itoa(c.F), strconv.Itoa(c.M), strconv.Itoa(c.Score), string(c.Segment)})
	}
	if args.Segment != "" || args.CustomerID != "" {
		// The listed customers answer the question; show them first.
		out.Display.Tables = append([]Table{custTable}, out.Display.Tables...)
	} else {
		out.Display.Tables = append(out.Display.Tables, custTable)
	}
	return out, nil
}

// asOfDate parses an as-of date, defaulting to the day after the last order
// (midnight in loc), so the last day's orders have recency 0.
func asOfDate(ctx context.Context, dr DataRange, s string, l *time.Location) (time.Time, error) {
	if s != "" {
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), l)
		if err != nil {
			return t, &analytics.InputError{Row: -1, Field: "as_of", Err: fmt.Errorf("%q is not YYYY-MM-DD", s)}
		}
		return t, nil
	}
	_, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return time.Time{}, err
	}
	last = last.In(l)
	return time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, l), nil
}

func inCountry(c string) string {
	if c == "" {
		return ""
	}
	return " in " + c
}

// summarizeSegments recounts segment sizes and revenue shares over a
// subset of the scored customers, keeping the segment order of all.
func summarizeSegments(all []analytics.RFMSegmentSummary, subset []analytics.RFMScore) []analytics.RFMSegmentSummary {
	var total analytics.Money
	by := map[analytics.RFMSegment]*analytics.RFMSegmentSummary{}
	out := make([]analytics.RFMSegmentSummary, len(all))
	for i, s := range all {
		out[i] = analytics.RFMSegmentSummary{Segment: s.Segment}
		by[s.Segment] = &out[i]
	}
	for _, c := range subset {
		total += c.Monetary
		if s, ok := by[c.Segment]; ok {
			s.Customers++
			s.Revenue += c.Monetary
		}
	}
	for i := range out {
		out[i].CustomerShare = float64(out[i].Customers) / float64(len(subset))
		if total > 0 {
			out[i].RevenueShare = analytics.Float(float64(out[i].Revenue) / float64(total))
		} else {
			out[i].RevenueShare = analytics.NA("net revenue of the customers is not positive")
		}
	}
	return out
}

// rankRFM scores RFM as of asOf over the purchases matching f (seed section
// 4.3). When f.Country is set and o knows each customer's country
// (CustomerCountryReader), every customer is ranked among all customers and
// the result keeps the country's customers, with segments recounted — a
// country with a handful of customers cannot be ranked on its own; global
// reports that. Otherwise the quintiles are among f's customers. It returns
// an error wrapping analytics.ErrNoData when no customer matches, and the
// errors of the store and of analytics.ScoreRFM.
func rankRFM(ctx context.Context, o OrderReader, f analytics.OrderFilter, asOf time.Time, rules []analytics.RFMSegmentRule) (analytics.RFMResult, bool, error) {
	ccr, global := o.(CustomerCountryReader)
	global = global && f.Country != ""
	country := f.Country
	if global {
		f.Country = ""
	}
	orders, err := o.PurchaseOrders(ctx, f)
	if err != nil {
		return analytics.RFMResult{}, global, err
	}
	in, err := analytics.RFMInputs(orders, asOf)
	if err != nil {
		return analytics.RFMResult{}, global, err
	}
	res, err := analytics.ScoreRFM(in, analytics.RFMConfig{Segments: rules})
	if err != nil || !global {
		return res, global, err
	}
	countries, err := ccr.CustomerCountries(ctx)
	if err != nil {
		return analytics.RFMResult{}, global, err
	}
	var kept []analytics.RFMScore
	for _, c := range res.Customers {
		if strings.EqualFold(countries[c.CustomerID], country) {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		return analytics.RFMResult{}, global, fmt.Errorf("no customer in %s: %w", country, analytics.ErrNoData)
	}
	res.Customers = kept
	res.Segments = summarizeSegments(res.Segments, kept)
	return res, global, nil
}
