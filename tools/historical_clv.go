package tools

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/roibot/roibot/analytics"
)

// HistoricalCLV is the historical_clv tool: each customer's discounted net
// value so far (seed section 4.2).
type HistoricalCLV struct {
	Store    OrderReader
	Location *time.Location
}

// HistoricalCLVArgs are the arguments of historical_clv and of its typed
// core (HistoricalCLV.Compute).
type HistoricalCLVArgs struct {
	CustomerID   string   `json:"customer_id"`
	Country      string   `json:"country"`
	DiscountRate *float64 `json:"discount_rate"`
	Margin       *float64 `json:"margin"`
	Limit        int      `json:"limit"`
}

// DefaultMonthlyDiscountRate is the default discount rate per month
// (about 12.7% a year).
const DefaultMonthlyDiscountRate = 0.01

var historicalCLVSchema = mustSchema(NameHistoricalCLV, map[string]any{
	"type": "object",
	"properties": map[string]any{
		"customer_id":   map[string]any{"type": "string", "pattern": "^[0-9A-Za-z-]+$"},
		"country":       map[string]any{"type": "string"},
		"discount_rate": map[string]any{"type": "number", "minimum": 0, "exclusiveMaximum": 1, "description": "discount rate per month, a fraction (default 0.01)"},
		"margin":        map[string]any{"type": "number", "minimum": 0, "maximum": 1, "description": "gross margin fraction; cost = (1 - margin) x revenue (default 1: no cost data, CLV on revenue)"},
		"limit":         map[string]any{"type": "integer", "minimum": 1, "maximum": 500},
	},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (HistoricalCLV) Name() string { return NameHistoricalCLV }

// Description implements agent.Tool.
func (HistoricalCLV) Description() string {
	return "Historical customer lifetime value: CLV = sum over months t of (revenue_t - cost_t)/(1+r)^t from each customer's first purchase month to the data's end. " +
		"Input: customer_id or country, discount_rate per month (default 0.01), margin (default 1 = revenue basis), limit. " +
		"Output: top customers by CLV (GBP), totals and averages."
}

// Parameters implements agent.Tool.
func (HistoricalCLV) Parameters() map[string]any { return historicalCLVSchema.doc }

// CLVRow is one customer's historical CLV.
type CLVRow struct {
	CustomerID string `json:"customer_id"`
	FirstMonth string `json:"first_month"`
	Months     int    `json:"months"`
	Revenue    Major  `json:"revenue"`
	CLV        Major  `json:"clv"`
}

// HistoricalCLVResult is the JSON result of historical_clv.
type HistoricalCLVResult struct {
	Definition   string   `json:"definition"`
	AsOf         string   `json:"as_of"`
	Currency     string   `json:"currency"`
	DiscountRate float64  `json:"discount_rate_per_month"`
	Margin       float64  `json:"margin"`
	Customers    int      `json:"customers"`
	TotalCLV     Major    `json:"total_clv"`
	AverageCLV   Major    `json:"average_clv"`
	Top          []CLVRow `json:"customers_listed"`
	Caveats      []string `json:"caveats,omitempty"`
	Display      Display  `json:"display"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Compute's result as JSON.
func (t HistoricalCLV) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[HistoricalCLVArgs](input, historicalCLVSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call historical_clv again"), nil
	}
	res, err := t.Compute(ctx, args)
	return observe(t.Name(), res, err)
}

// Compute is the typed core of historical_clv: each customer's discounted
// net monthly cash flows as of args.AsOf (analytics.HistoricalCLV, seed
// section 4.2), summed and listed. Problems the caller can fix are
// *Problem; other errors come from the store.
func (t HistoricalCLV) Compute(ctx context.Context, args HistoricalCLVArgs) (HistoricalCLVResult, error) {
	if args.Limit == 0 {
		args.Limit = 10
	}
	r, margin := DefaultMonthlyDiscountRate, 1.0
	if args.DiscountRate != nil {
		r = *args.DiscountRate
	}
	if args.Margin != nil {
		margin = *args.Margin
	}
	asOf, err := asOfDate(ctx, t.Store, "", loc(t.Location))
	if err != nil {
		return HistoricalCLVResult{}, err
	}
	orders, err := t.Store.PurchaseOrders(ctx, analytics.OrderFilter{Country: args.Country, CustomerID: args.CustomerID, To: asOf})
	if err != nil {
		return HistoricalCLVResult{}, err
	}
	clvs, err := analytics.CustomerHistoricalCLV(orders, asOf, r, margin)
	if err != nil {
		if isArgProblem(err) {
			return HistoricalCLVResult{}, problemf(fmt.Errorf("no purchases found%s%s: %w", inCountry(args.Country), forCustomer(args.CustomerID), err), "check the customer id or country")
		}
		return HistoricalCLVResult{}, err
	}
	res := HistoricalCLVResult{
		Definition: "Historical CLV (seed section 4.2): CLV = Σ_{t=0}^{T} (revenue_t − cost_t)/(1+r)^t, t = calendar months since the customer's first purchase month, " +
			"T = the month of as_of; revenue_t = net purchases minus returns in month t; cost_t = (1 − margin) × revenue_t.",
		AsOf: asOf.AddDate(0, 0, -1).Format(time.DateOnly), Currency: analytics.DefaultCurrency,
		DiscountRate: r, Margin: margin, Customers: len(clvs),
	}
	if margin == 1 {
		res.Caveats = append(res.Caveats, "no cost data: margin 1, so CLV is on revenue, not profit")
	}
	var total analytics.Money
	for _, c := range clvs {
		total += c.CLV
	}
	res.TotalCLV = major(total)
	res.AverageCLV = major(total / analytics.Money(len(clvs)))
	table := Table{Title: "Historical CLV" + inCountry(args.Country), Columns: []string{"customer", "first month", "months", "revenue", "CLV"}}
	for i, c := range clvs {
		if i >= args.Limit {
			break
		}
		res.Top = append(res.Top, CLVRow{CustomerID: c.CustomerID, FirstMonth: c.FirstMonth.Format("2006-01"), Months: c.Months, Revenue: major(c.Revenue), CLV: major(c.CLV)})
		table.Rows = append(table.Rows, []string{c.CustomerID, c.FirstMonth.Format("2006-01"), strconv.Itoa(c.Months),
			money(c.Revenue, res.Currency), money(c.CLV, res.Currency)})
	}
	res.Display.Tables = []Table{table}
	return res, nil
}

func forCustomer(id string) string {
	if id == "" {
		return ""
	}
	return " for customer " + id
}
