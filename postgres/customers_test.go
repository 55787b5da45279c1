package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres/pgtest"
)

func TestStore_CustomerCountries(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	at := time.Date(2011, 3, 1, 10, 0, 0, 0, time.UTC)
	line := func(inv, cust, country string) ingest.OrderLine {
		return ingest.OrderLine{InvoiceNo: inv, LineNo: 1, StockCode: "22423", Quantity: 1, UnitPrice4: 127500, Amount: 1275,
			At: at, CustomerID: cust, Country: country, Currency: "GBP"}
	}
	// 12347's second invoice is from another country: the customer keeps the first.
	if _, err := s.StoreOrderLines(ctx, "test", []ingest.OrderLine{
		line("536365", "12347", "Iceland"), line("536366", "12347", "Norway"), line("536367", "12348", "Finland"), line("536368", "", "United Kingdom"),
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CustomerCountries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["12347"] != "Iceland" || got["12348"] != "Finland" {
		t.Errorf("CustomerCountries() = %v; want 12347 Iceland, 12348 Finland", got)
	}
}
