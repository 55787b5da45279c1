package tools

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/roibot/roibot/analytics"
)

// RevenueReader is what revenue_summary needs from storage.
type RevenueReader interface {
	DataRange
	RevenueSummary(ctx context.Context, f analytics.OrderFilter) (analytics.RevenueSummary, error)
}

// Revenue is the revenue_summary tool: revenue, returns, orders and
// customer counts for a period and optionally a country.
type Revenue struct {
	Store    RevenueReader
	Location *time.Location
}

type revenueArgs struct {
	periodArgs
	Country string `json:"country"`
}

var revenueSchema = mustSchema(NameRevenue, map[string]any{
	"type": "object",
	"properties": merge(periodProps, map[string]any{
		"country": map[string]any{"type": "string", "description": "customer country as in the data, e.g. \"United Kingdom\", \"Germany\""},
	}),
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (Revenue) Name() string { return NameRevenue }

// Description implements agent.Tool.
func (Revenue) Description() string {
	return "Revenue (GBP), returns, number of orders and of distinct customers for a period and optionally a country. " +
		"Use it for 'how many customers do we have', 'total revenue in Q4 2011', 'sales in Germany'. " +
		"Input: period (YYYY, YYYY-Qn, YYYY-MM, or from/to dates; default all data), country. " +
		"Output: revenue, returns, net_revenue, orders, customers, anonymous_orders, period, definition."
}

// Parameters implements agent.Tool.
func (Revenue) Parameters() map[string]any { return revenueSchema.doc }

// RevenueResult is the JSON result of revenue_summary.
type RevenueResult struct {
	Definition      string     `json:"definition"`
	Period          PeriodJSON `json:"period"`
	Country         string     `json:"country,omitempty"`
	Currency        string     `json:"currency"`
	Revenue         Major      `json:"revenue"`
	Returns         Major      `json:"returns"`
	NetRevenue      Major      `json:"net_revenue"`
	Orders          int        `json:"orders"`
	Customers       int        `json:"customers"`
	AnonymousOrders int        `json:"anonymous_orders"`
	Countries       int        `json:"countries"`
	Caveats         []string   `json:"caveats,omitempty"`
	Display         Display    `json:"display"`
}

// Call implements agent.Tool.
func (t Revenue) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[revenueArgs](input, revenueSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call revenue_summary again"), nil
	}
	p, err := resolvePeriod(ctx, t.Store, args.periodArgs, loc(t.Location))
	if err != nil {
		if isArgProblem(err) {
			return retryHint(err, "use a period such as 2011, 2011-Q4 or 2011-10"), nil
		}
		return "", fmt.Errorf("revenue_summary: %w", err)
	}
	rs, err := t.Store.RevenueSummary(ctx, analytics.OrderFilter{Country: args.Country, From: p.From, To: p.To})
	if err != nil {
		return "", fmt.Errorf("revenue_summary: %w", err)
	}
	res := RevenueResult{
		Definition: "Revenue = Σ quantity × unit price over purchase lines of invoices in the period " +
			"(cancellations and returns excluded and shown separately as returns); customers = distinct " +
			"identified customers with a purchase in the period; invoices without a customer id count as anonymous orders.",
		Period: periodJSON(p), Country: args.Country, Currency: rs.Currency,
		Revenue: major(rs.Revenue), Returns: major(rs.Returns), NetRevenue: major(rs.Net),
		Orders: rs.Orders, Customers: rs.Customers, AnonymousOrders: rs.AnonymousOrders, Countries: rs.Countries,
	}
	if rs.Orders == 0 {
		res.Caveats = append(res.Caveats, "no orders match this period and country")
	}
	if args.Period != "" || args.From != "" || args.To != "" {
		if c := coverageCaveat(ctx, t.Store, p); c != "" {
			res.Caveats = append(res.Caveats, c)
		}
	}
	res.Display.Tables = []Table{{
		Title:   "Revenue " + p.String() + inCountry(args.Country),
		Columns: []string{"metric", "value"},
		Rows: [][]string{
			{"revenue", money(rs.Revenue, rs.Currency)},
			{"returns", money(rs.Returns, rs.Currency)},
			{"net revenue", money(rs.Net, rs.Currency)},
			{"orders", strconv.Itoa(rs.Orders)},
			{"customers", strconv.Itoa(rs.Customers)},
		},
	}}
	return encodeJSON(res)
}

func loc(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// merge returns the union of property maps (later ones win).
func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
