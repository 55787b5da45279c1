package tools

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/roibot/roibot/analytics"
)

// RevenueReader is what revenue_summary needs from storage.
type RevenueReader interface {
	DataRange
	RevenueSummary(ctx context.Context, f analytics.OrderFilter) (analytics.RevenueSummary, error)
}

// RevenueGroupReader is what revenue_summary needs from storage to group
// revenue by country or product (group_by).
type RevenueGroupReader interface {
	RevenueBy(ctx context.Context, f analytics.OrderFilter, by string) ([]analytics.RevenueGroup, error)
}

// Revenue is the revenue_summary tool: revenue, returns, orders, customer
// counts, new customers, average order value and return rate for a period
// and optionally a country, and revenue grouped by country or product.
// Grouping needs a Store that is also a RevenueGroupReader.
type Revenue struct {
	Store    RevenueReader
	Location *time.Location
}

// RevenueArgs are the arguments of revenue_summary and of its typed core
// (Revenue.Compute): the period (none means all data) and a country.
type RevenueArgs struct {
	PeriodArgs
	Country string `json:"country"`
	GroupBy string `json:"group_by"`
	Limit   int    `json:"limit"`
}

// Revenue groups: the values of revenue_summary's group_by.
const (
	RevenueByCountry = "country"
	RevenueByProduct = "product"
)

var revenueSchema = mustSchema(NameRevenue, map[string]any{
	"type": "object",
	"properties": merge(periodProps, map[string]any{
		"country":  map[string]any{"type": "string", "description": "customer country as in the data, e.g. \"United Kingdom\", \"Germany\""},
		"group_by": map[string]any{"type": "string", "enum": []any{RevenueByCountry, RevenueByProduct}, "description": "also list revenue per country or per product, largest first"},
		"limit":    map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "description": "groups listed in the result (default 50; the display table has them all)"},
	}),
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (Revenue) Name() string { return NameRevenue }

// Description implements agent.Tool.
func (Revenue) Description() string {
	return "Revenue (GBP), returns, orders, distinct customers, new customers, average order value and return rate " +
		"for a period and optionally a country; group_by country or product ranks revenue per group. " +
		"Use it for 'total revenue in Q4 2011', 'new customers last month', 'AOV', 'return rate', 'revenue by country'. " +
		"Input: period (YYYY, YYYY-Qn, YYYY-MM, or from/to dates; default all data), country, group_by, limit. " +
		"Output: revenue, returns, net_revenue, orders, customers, new_customers, average_order_value, return_rate, groups, period, definition."
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
	NewCustomers    int        `json:"new_customers"`
	// AverageOrderValue is revenue / orders (major units); ReturnRate is
	// −returns / revenue, a fraction. Both are null without orders.
	AverageOrderValue *Major   `json:"average_order_value"`
	ReturnRate        *float64 `json:"return_rate"`
	// GroupBy and Groups are the revenue per country or product, largest
	// first (at most limit; GroupsTotal counts them all).
	GroupBy     string         `json:"group_by,omitempty"`
	Groups      []RevenueGroup `json:"groups,omitempty"`
	GroupsTotal int            `json:"groups_total,omitempty"`
	Caveats     []string       `json:"caveats,omitempty"`
	Display     Display        `json:"display"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Compute's result as JSON.
func (t Revenue) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[RevenueArgs](input, revenueSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call revenue_summary again"), nil
	}
	res, err := t.Compute(ctx, args)
	return observe(t.Name(), res, err)
}

// Compute is the typed core of revenue_summary: the net revenue, orders
// and customers of the period (and country) from the store. Problems the
// caller can fix are *Problem; other errors come from the store.
func (t Revenue) Compute(ctx context.Context, args RevenueArgs) (RevenueResult, error) {
	dr := onceRange(t.Store)
	p, err := resolvePeriod(ctx, dr, args.PeriodArgs, loc(t.Location))
	if err != nil {
		if isArgProblem(err) {
			return RevenueResult{}, problemf(err, "use a period such as 2011, 2011-Q4 or 2011-10")
		}
		return RevenueResult{}, err
	}
	rs, err := t.Store.RevenueSummary(ctx, analytics.OrderFilter{Country: args.Country, From: p.From, To: p.To})
	if err != nil {
		return RevenueResult{}, err
	}
	res := RevenueResult{
		Definition: "Revenue = Σ quantity × unit price over purchase lines of invoices in the period " +
			"(cancellations and returns excluded and shown separately as returns); customers = distinct " +
			"identified customers with a purchase in the period; invoices without a customer id count as anonymous orders; " +
			"new customers = identified customers whose first purchase in all the data falls in the period; " +
			"average order value = revenue / orders; return rate = −returns / revenue (by value).",
		Period: periodJSON(p), Country: args.Country, Currency: rs.Currency,
		Revenue: major(rs.Revenue), Returns: major(rs.Returns), NetRevenue: major(rs.Net),
		Orders: rs.Orders, Customers: rs.Customers, AnonymousOrders: rs.AnonymousOrders, Countries: rs.Countries,
		NewCustomers: rs.NewCustomers,
	}
	if rs.Orders > 0 {
		aov := major(analytics.Money(math.Round(float64(rs.Revenue) / float64(rs.Orders))))
		res.AverageOrderValue = &aov
	}
	if rs.Revenue > 0 {
		rr := -float64(rs.Returns) / float64(rs.Revenue)
		res.ReturnRate = &rr
	}
	if rs.Orders == 0 {
		res.Caveats = append(res.Caveats, "no orders match this period and country")
	}
	if args.Period != "" || args.From != "" || args.To != "" {
		if c := coverageCaveat(ctx, dr, p); c != "" {
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
			{"new customers", strconv.Itoa(rs.NewCustomers)},
		},
	}}
	if res.AverageOrderValue != nil {
		t0 := &res.Display.Tables[0]
		t0.Rows = append(t0.Rows, []string{"average order value", money(analytics.Money(math.Round(float64(rs.Revenue)/float64(rs.Orders))), rs.Currency)})
	}
	if res.ReturnRate != nil {
		t0 := &res.Display.Tables[0]
		t0.Rows = append(t0.Rows, []string{"return rate", pctf(*res.ReturnRate)})
	}
	if args.GroupBy != "" {
		g, ok := t.Store.(RevenueGroupReader)
		if !ok {
			return RevenueResult{}, fmt.Errorf("the store cannot group revenue by %s", args.GroupBy)
		}
		groups, err := g.RevenueBy(ctx, analytics.OrderFilter{Country: args.Country, From: p.From, To: p.To}, args.GroupBy)
		if err != nil {
			return RevenueResult{}, err
		}
		limit := args.Limit
		if limit <= 0 {
			limit = 50
		}
		res.GroupBy, res.GroupsTotal = args.GroupBy, len(groups)
		table := Table{Title: "Revenue by " + args.GroupBy + ", " + p.String() + inCountry(args.Country),
			Columns: []string{args.GroupBy, "revenue", "returns", "orders", "customers"}}
		for i, gr := range groups {
			if i < limit {
				res.Groups = append(res.Groups, RevenueGroup{Key: gr.Key, Revenue: major(gr.Revenue), Returns: major(gr.Returns),
					Orders: gr.Orders, Customers: gr.Customers})
			}
			table.Rows = append(table.Rows, []string{gr.Key, money(gr.Revenue, rs.Currency), money(gr.Returns, rs.Currency),
				strconv.Itoa(gr.Orders), strconv.Itoa(gr.Customers)})
		}
		res.Display.Tables = append([]Table{table}, res.Display.Tables...)
	}
	return res, nil
}

// RevenueGroup is one group of revenue_summary's groups (major units).
type RevenueGroup struct {
	Key       string `json:"key"`
	Revenue   Major  `json:"revenue"`
	Returns   Major  `json:"returns"`
	Orders    int    `json:"orders"`
	Customers int    `json:"customers"`
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
