package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/postgres/pgtest"
)

// TestStore_NewCustomersAndRevenueBy checks new customers (first purchase
// in all the data falls in the period) and revenue per country and per
// product on hand-made invoices:
//
//	A (UK): 2011-02-10 £10 of 85123A, 2011-03-05 £20 of 22423
//	B (FR): 2011-03-02 £5 of 22423, then a £2 return of it on 2011-03-03
//	C (UK): a return on 2011-03-20 only, first purchase 2011-04-01 £7
//
// March 2011: customers A and B, new customers B only (A bought in
// February; C's return is no purchase).
func TestStore_NewCustomersAndRevenueBy(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	day := func(m time.Month, d int) time.Time { return time.Date(2011, m, d, 10, 0, 0, 0, time.UTC) }
	line := func(inv, cust, country, stock string, at time.Time, amount analytics.Money) analytics.OrderLine {
		return analytics.OrderLine{InvoiceNo: inv, LineNo: 1, StockCode: stock, Description: "ITEM " + stock, Quantity: 1,
			UnitPrice4: int64(amount) * 100, Amount: amount, At: at, CustomerID: cust, Country: country, Currency: "GBP"}
	}
	ret := func(l analytics.OrderLine) analytics.OrderLine {
		l.Quantity, l.Amount, l.IsReturn, l.IsCancellation = -1, -l.Amount, true, true
		return l
	}
	if _, err := s.StoreOrderLines(ctx, "test", []analytics.OrderLine{
		line("500001", "A", "United Kingdom", "85123A", day(2, 10), 1000),
		line("500002", "A", "United Kingdom", "22423", day(3, 5), 2000),
		line("500003", "B", "France", "22423", day(3, 2), 500),
		ret(line("C500004", "B", "France", "22423", day(3, 3), 200)),
		ret(line("C500005", "C", "United Kingdom", "22423", day(3, 20), 300)),
		line("500006", "C", "United Kingdom", "22423", day(4, 1), 700),
	}); err != nil {
		t.Fatal(err)
	}
	march := analytics.OrderFilter{From: day(3, 1).Truncate(24 * time.Hour), To: time.Date(2011, 4, 1, 0, 0, 0, 0, time.UTC)}
	rs, err := s.RevenueSummary(ctx, march)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Customers != 2 || rs.NewCustomers != 1 || rs.Revenue != 2500 || rs.Returns != -500 || rs.Orders != 2 {
		t.Errorf("March: customers %d, new %d, revenue %d, returns %d, orders %d; want 2, 1, 2500, -500, 2",
			rs.Customers, rs.NewCustomers, rs.Revenue, rs.Returns, rs.Orders)
	}
	uk := march
	uk.Country = "United Kingdom"
	if rs, err := s.RevenueSummary(ctx, uk); err != nil || rs.NewCustomers != 0 {
		t.Errorf("March UK new customers = %d, %v; want 0 (A first bought in February)", rs.NewCustomers, err)
	}
	april := analytics.OrderFilter{From: time.Date(2011, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2011, 5, 1, 0, 0, 0, 0, time.UTC)}
	if rs, err := s.RevenueSummary(ctx, april); err != nil || rs.NewCustomers != 1 {
		t.Errorf("April new customers = %d, %v; want 1 (C's first purchase)", rs.NewCustomers, err)
	}

	byCountry, err := s.RevenueBy(ctx, analytics.OrderFilter{}, "country")
	if err != nil {
		t.Fatal(err)
	}
	want := []analytics.RevenueGroup{
		{Key: "United Kingdom", Revenue: 3700, Returns: -300, Net: 3400, Orders: 3, Customers: 2},
		{Key: "France", Revenue: 500, Returns: -200, Net: 300, Orders: 1, Customers: 1},
	}
	if len(byCountry) != 2 || byCountry[0] != want[0] || byCountry[1] != want[1] {
		t.Errorf("RevenueBy(country) = %+v; want %+v", byCountry, want)
	}
	byProduct, err := s.RevenueBy(ctx, march, "product")
	if err != nil {
		t.Fatal(err)
	}
	if len(byProduct) != 1 || byProduct[0].Key != "22423 ITEM 22423" || byProduct[0].Revenue != 2500 || byProduct[0].Returns != -500 {
		t.Errorf("RevenueBy(product, March) = %+v; want 22423 with 2500 revenue, -500 returns", byProduct)
	}
	if _, err := s.RevenueBy(ctx, march, "colour"); err == nil {
		t.Errorf("RevenueBy(colour) error = nil; want one naming the grouping")
	}
}
