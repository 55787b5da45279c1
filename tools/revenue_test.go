package tools

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// groupingStore is stubStore that also groups revenue.
type groupingStore struct {
	stubStore
	revenueBy func(f analytics.OrderFilter, by string) []analytics.RevenueGroup
}

func (g groupingStore) RevenueBy(_ context.Context, f analytics.OrderFilter, by string) ([]analytics.RevenueGroup, error) {
	return g.revenueBy(f, by), nil
}

// TestRevenue_BusinessMeasures checks new customers, average order value
// (revenue / orders) and return rate (−returns / revenue), hand-computed:
// £1,234.56 over 3 orders is £411.52; £4.56 of returns is 0.37% of it.
func TestRevenue_BusinessMeasures(t *testing.T) {
	tool := Revenue{Store: stubStore{dataRange: dataRange, revenueSummary: func(f analytics.OrderFilter) analytics.RevenueSummary {
		return analytics.RevenueSummary{Currency: "GBP", Revenue: 123456, Returns: -456, Net: 123000, Orders: 3, Customers: 2, NewCustomers: 1}
	}}}
	m := call(t, tool, `{"period": "2011-Q3"}`)
	if m["new_customers"] != 1.0 || m["average_order_value"] != 411.52 {
		t.Errorf("new_customers, average_order_value = %v, %v; want 1, 411.52", m["new_customers"], m["average_order_value"])
	}
	if rr, _ := m["return_rate"].(float64); rr < 0.0036936 || rr > 0.0036937 {
		t.Errorf("return_rate = %v; want 456/123456 = 0.0036936", m["return_rate"])
	}
	rows := strings.Join(tableCells(m), "|")
	for _, want := range []string{"new customers|1", "average order value|£411.52", "return rate|0.37%"} {
		if !strings.Contains(rows, want) {
			t.Errorf("display rows %q lack %q", rows, want)
		}
	}
	t.Run("NoOrders", func(t *testing.T) {
		empty := Revenue{Store: stubStore{dataRange: dataRange, revenueSummary: func(analytics.OrderFilter) analytics.RevenueSummary {
			return analytics.RevenueSummary{Currency: "GBP"}
		}}}
		if m := call(t, empty, `{"period": "2011-Q3"}`); m["average_order_value"] != nil || m["return_rate"] != nil {
			t.Errorf("no orders: aov, return rate = %v, %v; want null", m["average_order_value"], m["return_rate"])
		}
	})
}

func TestRevenue_GroupBy(t *testing.T) {
	var gotBy string
	var gotF analytics.OrderFilter
	store := groupingStore{
		stubStore: stubStore{dataRange: dataRange, revenueSummary: func(analytics.OrderFilter) analytics.RevenueSummary {
			return analytics.RevenueSummary{Currency: "GBP", Revenue: 300000, Orders: 3}
		}},
		revenueBy: func(f analytics.OrderFilter, by string) []analytics.RevenueGroup {
			gotBy, gotF = by, f
			return []analytics.RevenueGroup{
				{Key: "United Kingdom", Revenue: 250000, Returns: -1000, Net: 249000, Orders: 2, Customers: 2},
				{Key: "France", Revenue: 50000, Orders: 1, Customers: 1},
			}
		},
	}
	m := call(t, Revenue{Store: store}, `{"period": "2011", "group_by": "country", "limit": 1}`)
	if gotBy != "country" || gotF.From.Year() != 2011 {
		t.Errorf("RevenueBy(%+v, %q); want 2011 by country", gotF, gotBy)
	}
	groups, _ := m["groups"].([]any)
	if len(groups) != 1 || m["groups_total"] != 2.0 || groups[0].(map[string]any)["key"] != "United Kingdom" || groups[0].(map[string]any)["revenue"] != 2500.0 {
		t.Errorf("groups = %v (total %v); want United Kingdom 2500 first, 1 of 2 listed", groups, m["groups_total"])
	}
	tables := m["display"].(map[string]any)["tables"].([]any)
	first := tables[0].(map[string]any)
	if first["title"] != "Revenue by country, 2011" || len(first["rows"].([]any)) != 2 {
		t.Errorf("first table = %v; want Revenue by country with both rows", first)
	}
	if m := call(t, Revenue{Store: store}, `{"group_by": "colour"}`); m["error"] == nil {
		t.Errorf("group_by colour = %v; want an argument error", m)
	}
}

// tableCells returns the rows of the first display table as "a|b" strings.
func tableCells(m map[string]any) []string {
	var out []string
	d, _ := m["display"].(map[string]any)
	ts, _ := d["tables"].([]any)
	if len(ts) == 0 {
		return nil
	}
	rows, _ := ts[0].(map[string]any)["rows"].([]any)
	for _, r := range rows {
		var cells []string
		for _, c := range r.([]any) {
			cells = append(cells, c.(string))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

// TestRevenue_OneDataRangeQuery checks that one revenue_summary call with
// an open-ended period asks the store for the data's range once: resolving
// "to" (last order), bounding the period and the coverage caveat share it.
func TestRevenue_OneDataRangeQuery(t *testing.T) {
	calls := 0
	store := stubStore{
		dataRange: func() (time.Time, time.Time) { calls++; return dataRange() },
		revenueSummary: func(analytics.OrderFilter) analytics.RevenueSummary {
			return analytics.RevenueSummary{Currency: "GBP", Orders: 1, Revenue: 100}
		},
	}
	res, err := Revenue{Store: store}.Compute(context.Background(), RevenueArgs{PeriodArgs: PeriodArgs{From: "2011-06-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Period.From != "2011-06-01" || res.Period.LastDay != "2011-12-09" || calls != 1 {
		t.Errorf("revenue from 2011-06-01 = period %+v after %d DataRange calls; want 2011-06-01..2011-12-09 after 1", res.Period, calls)
	}
}
