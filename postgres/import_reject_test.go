package postgres_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/ingest"
)

// TestStore_ImportBadText: a customers CSV whose row 7000 has an invalid
// UTF-8 byte used to fail its whole batch in PostgreSQL (error 22021),
// losing it and every later row; now that row alone is rejected.
func TestStore_ImportBadText(t *testing.T) {
	s, conn := tableStore(t)
	ctx := context.Background()
	var data strings.Builder
	data.WriteString("customer_id,country\n")
	for i := 1; i <= 10000; i++ {
		country := "Germany"
		switch i {
		case 7000:
			country = "Ger\xffmany"
		case 8000:
			country = "Ger\x00many"
		}
		data.WriteString(strconv.Itoa(i) + "," + country + "\n")
	}
	rep, err := ingest.ImportTable(ctx, ingest.TableCustomers, strings.NewReader(data.String()), s, ingest.Options{})
	if err != nil {
		t.Fatalf("ImportTable() error = %v; want nil", err)
	}
	want := []ingest.Reject{{Line: 7001, Field: "country", Reason: "invalid UTF-8"}, {Line: 8001, Field: "country", Reason: "NUL byte"}}
	if rep.Read != 10000 || rep.Stored != 9998 || !slices.Equal(rep.Rejects, want) {
		t.Errorf("read %d stored %d rejects %v; want 10000, 9998, %v", rep.Read, rep.Stored, rep.Rejects, want)
	}
	if got := query(t, conn, "select count(*) from customers"); !slices.Equal(got, []string{"9998"}) {
		t.Errorf("customers = %v; want 9998", got)
	}

	t.Run("OnlineRetail", func(t *testing.T) {
		data := "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
			"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n" +
			"536366,22633,HAND WARMER \xffUNION JACK,6,2010-12-01 08:28:00,1.85,17850,United Kingdom\n" +
			"536367,84879,ASSORTED COLOUR BIRD,32,2010-12-01 08:34:00,1.69,13047,United Kingdom\n"
		rep, err := ingest.ImportOnlineRetail(ctx, strings.NewReader(data), s, ingest.Options{})
		if err != nil {
			t.Fatalf("ImportOnlineRetail() error = %v; want nil", err)
		}
		want := []ingest.Reject{{Line: 3, Field: "Description", Reason: "invalid UTF-8"}}
		if rep.Stored != 2 || !slices.Equal(rep.Rejects, want) {
			t.Errorf("stored %d rejects %v; want 2, %v", rep.Stored, rep.Rejects, want)
		}
	})
}

// TestStore_OrderInvoiceConflicts: an orders CSV reusing an invoice number
// of Online Retail (536365) must not add lines to that invoice; lines of
// an invoice already stored with another time, customer, currency or
// source are refused, lines of their own invoice are stored, and
// re-importing counts them as already stored.
func TestStore_OrderInvoiceConflicts(t *testing.T) {
	s, conn := tableStore(t)
	ctx := context.Background()
	retail := "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
		"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n" +
		"536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:27:00,3.39,17850,United Kingdom\n" +
		"536414,22139,,56,2010-12-01 11:52:00,0.00,,United Kingdom\n"
	rep, err := ingest.ImportOnlineRetail(ctx, strings.NewReader(retail), s, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The second line of 536365 is a minute later: it is still that
	// invoice's line (stored with the first line's time), not a conflict.
	if rep.Stored != 3 || rep.Rejected != 0 {
		t.Fatalf("Online Retail import stored %d, rejects %v; want 3, none", rep.Stored, rep.Rejects)
	}

	orders := "invoice_no,invoiced_at,customer_id,stock_code,quantity,unit_price,currency\n" +
		"536365,2011-05-01 10:00:00,12347,X1,1,5.00,EUR\n" + // another customer, time, currency, source
		"536414,2010-12-01 11:52:00,,X2,1,5.00,GBP\n" + // same anonymous invoice, another source
		"900001,2011-05-01 10:00:00,12347,X1,2,5.00,EUR\n" +
		"900001,2011-05-01 10:00:00,12347,X2,1,1.00,EUR\n"
	rep, err = ingest.ImportTable(ctx, ingest.TableOrders, strings.NewReader(orders), s, ingest.Options{BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []ingest.Reject{
		{Line: 2, Field: "invoice_no", Reason: "invoice 536365 already exists with another customer, currency, date or source"},
		{Line: 3, Field: "invoice_no", Reason: "invoice 536414 already exists with another customer, currency, date or source"},
	}
	if !slices.Equal(rep.Rejects, want) || rep.Stored != 2 || rep.Skipped != 0 || rep.Anonymous != 0 {
		t.Errorf("orders import stored %d skipped %d anonymous %d rejects %v; want 2, 0, 0, %v", rep.Stored, rep.Skipped, rep.Anonymous, rep.Rejects, want)
	}
	got := query(t, conn, "select invoice_no, count(*), sum(amount)::bigint from order_lines group by 1 order by 1")
	if want := []string{"536365|2|3564", "536414|1|0", "900001|2|1100"}; !slices.Equal(got, want) {
		t.Errorf("order lines per invoice = %q; want %q", got, want)
	}

	rep, err = ingest.ImportTable(ctx, ingest.TableOrders, strings.NewReader(orders), s, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 4 || rep.Stored != 0 || rep.Skipped != 2 || rep.Rejected != 2 {
		t.Errorf("re-import read %d stored %d skipped %d rejected %d; want 4, 0, 2, 2", rep.Read, rep.Stored, rep.Skipped, rep.Rejected)
	}

	t.Run("StoreOrderLines", func(t *testing.T) {
		at := time.Date(2011, 6, 1, 9, 0, 0, 0, time.UTC)
		line := func(no int, cust, cur string, at time.Time) ingest.OrderLine {
			return ingest.OrderLine{InvoiceNo: "900002", LineNo: no, StockCode: "Y" + strconv.Itoa(no), Quantity: 1, UnitPrice4: 10000, Amount: 100,
				At: at, CustomerID: cust, Currency: cur}
		}
		res, err := s.StoreOrderLines(ctx, ingest.FormatCSV, []ingest.OrderLine{
			line(1, "", "GBP", at),                              // creates the anonymous invoice
			line(2, "12347", "GBP", at),                         // customer differs from NULL
			line(3, "", "EUR", at),                              // currency
			line(4, "", "GBP", at.Add(time.Minute)),             // time
			line(5, "", "GBP", at.In(time.FixedZone("", 3600))), // same instant
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stored != 2 || !slices.Equal(res.Conflicts, []int{1, 2, 3}) {
			t.Errorf("StoreOrderLines() = %+v; want 2 stored, conflicts [1 2 3]", res)
		}
		// Refused lines create neither their customer nor their products.
		if got := query(t, conn, "select customer_id from customers where customer_id = '99999' union all select stock_code from products where stock_code in ('Y2', 'Y3', 'Y4')"); len(got) != 0 {
			t.Errorf("customers and products of refused lines = %q; want none", got)
		}
		if got := query(t, conn, "select line_no, stock_code from order_lines where invoice_no = '900002' order by 1"); !slices.Equal(got, []string{"1|Y1", "5|Y5"}) {
			t.Errorf("lines of 900002 = %q; want 1|Y1, 5|Y5", got)
		}
		res, err = s.StoreOrderLines(ctx, "cdnow", []ingest.OrderLine{line(6, "", "GBP", at)})
		if err != nil || res.Stored != 0 || !slices.Equal(res.Conflicts, []int{0}) {
			t.Errorf("StoreOrderLines(other source) = %+v, %v; want a conflict at 0", res, err)
		}
	})
}

// TestStore_ImportMoneyBound: a cost of 92233720368547758.07 (which would
// overflow SUM over ad_spend) is rejected naming the field.
func TestStore_ImportMoneyBound(t *testing.T) {
	s, conn := tableStore(t)
	ctx := context.Background()
	if _, err := ingest.ImportTable(ctx, ingest.TableChannels, strings.NewReader("channel\nemail\n"), s, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	data := "day,channel,cost\n2011-12-01,email,92233720368547758.07\n2011-12-02,email,10.00\n2011-12-03,email,10.00\n"
	rep, err := ingest.ImportTable(ctx, ingest.TableAdSpend, strings.NewReader(data), s, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stored != 2 || rep.Rejected != 1 || rep.Rejects[0].Field != "cost" || rep.Rejects[0].Line != 2 {
		t.Errorf("stored %d rejects %v; want 2 stored, line 2 rejected on cost", rep.Stored, rep.Rejects)
	}
	if got := query(t, conn, "select sum(cost)::bigint from ad_spend"); !slices.Equal(got, []string{"2000"}) {
		t.Errorf("sum(cost) = %v; want 2000", got)
	}
}
