package analytics_test

import (
	"fmt"
	"time"

	"github.com/roibot/roibot/analytics"
)

func ExampleHistoricalCLV() {
	// Three months of a customer's revenue and cost, in pence, discounted at
	// 1 % a month: 800 + 400/1.01 + 2000/1.01².
	flows := []analytics.CashFlow{{Revenue: 1000, Cost: 200}, {Revenue: 500, Cost: 100}, {Revenue: 2100, Cost: 100}}
	clv, err := analytics.HistoricalCLV(flows, 0.01)
	fmt.Println(clv, err)
	// Output:
	// 31.57 <nil>
}

func ExampleCustomerHistoricalCLV() {
	day := func(m time.Month, d int) time.Time { return time.Date(2011, m, d, 12, 0, 0, 0, time.UTC) }
	orders := []analytics.Order{
		{OrderID: "1", CustomerID: "12347", At: day(1, 26), Amount: 47598},
		{OrderID: "2", CustomerID: "12347", At: day(4, 7), Amount: 63616},
		{OrderID: "3", CustomerID: "12348", At: day(4, 5), Amount: 36700},
	}
	asOf := day(4, 30)
	// 1 % a month; a 40 % gross margin makes cost 60 % of revenue.
	clvs, err := analytics.CustomerHistoricalCLV(orders, asOf, 0.01, 0.4)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range clvs {
		fmt.Printf("%s: %d months, revenue %s, CLV %s\n", c.CustomerID, c.Months, c.Revenue, c.CLV)
	}
	// Output:
	// 12347: 4 months, revenue 1112.14, CLV 437.37
	// 12348: 1 months, revenue 367.00, CLV 146.80
}

func ExampleMonthlyCashFlows() {
	orders := []analytics.Order{
		{OrderID: "1", CustomerID: "12347", At: time.Date(2011, 1, 26, 12, 0, 0, 0, time.UTC), Amount: 47598},
		{OrderID: "2", CustomerID: "12347", At: time.Date(2011, 3, 7, 12, 0, 0, 0, time.UTC), Amount: 63616},
	}
	cfs, _ := analytics.MonthlyCashFlows(orders, time.Date(2011, 3, 31, 0, 0, 0, 0, time.UTC), 1)
	fmt.Println(cfs[0].FirstMonth.Format("2006-01"), cfs[0].Flows)
	// Output:
	// 2011-01 [{475.98 0.00} {0.00 0.00} {636.16 0.00}]
}
