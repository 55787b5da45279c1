package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// zonedStore opens a migrated store in a fresh schema with business time
// zone loc and imports the given generic CSVs (table name, CSV text), in
// order.
func zonedStore(t *testing.T, loc *time.Location, csvs ...[2]string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, postgres.Config{URL: pgtest.URL(t), Schema: pgtest.NewSchema(t), Location: loc})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for _, c := range csvs {
		rep, err := ingest.ImportTable(ctx, c[0], strings.NewReader(c[1]), s, ingest.Options{Location: loc})
		if err != nil || rep.Rejected > 0 {
			t.Fatalf("import %s: %v %v", c[0], err, rep.Rejects)
		}
	}
	return s
}

// fxFixture: March 2011 in GBP, two currencies with rates (EUR: 0.85 from
// 03-01 and 0.90 from 03-10; USD: 0.62 from 02-15) and two without (JPY,
// CHF), in orders and spend.
var fxFixture = [][2]string{
	{"customers", "customer_id\ng\ne\nu\nj\nc\n"},
	{"channels", "channel\nemail\n"},
	{"ad_spend", "day,channel,campaign,cost,currency\n2011-03-02,email,,40.00,GBP\n2011-03-02,email,eu,10.00,EUR\n2011-03-04,email,ch,5.00,CHF\n2011-02-28,email,eu,99.00,EUR\n"},
	{"fx_rates", "day,currency,rate,to_currency\n2011-03-01,EUR,0.85,\n2011-03-10,EUR,0.90,\n2011-02-15,USD,0.62,GBP\n2011-03-01,JPY,0.0075,USD\n"},
	{"orders", "invoice_no,invoiced_at,customer_id,quantity,unit_price,currency\n" +
		"G1,2011-03-05 10:00:00,g,1,100.00,GBP\n" +
		"E1,2011-03-05 10:00:00,e,1,50.00,EUR\n" +
		"E2,2011-03-12 10:00:00,e,2,10.00,EUR\n" +
		"U1,2011-03-03 10:00:00,u,1,30.00,USD\n" +
		"J1,2011-03-06 10:00:00,j,1,1000.00,JPY\n" +
		"H1,2011-03-07 10:00:00,c,1,10.00,CHF\n" +
		"H2,2011-04-07 10:00:00,c,1,10.00,CHF\n"},
}

func TestStore_CurrencyCoverage(t *testing.T) {
	s := zonedStore(t, time.UTC, fxFixture...)
	p, err := analytics.ParsePeriod("2011-03", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.CurrencyCoverage(context.Background(), p, "GBP")
	if err != nil {
		t.Fatal(err)
	}
	format := func(c analytics.CurrencyCoverage) string {
		out := fmt.Sprintf("%s %s rows %d amount %d left %d/%d", c.Source, c.Currency, c.Rows, c.Amount, c.LeftOutRows, c.LeftOutAmount)
		if c.LeftOutRows > 0 {
			out += " " + c.LeftOutFrom.Format(time.DateOnly) + ".." + c.LeftOutTo.Format(time.DateOnly)
		}
		for _, r := range c.Rates {
			out += fmt.Sprintf(" %s@%s=%g", r.Currency, r.Day.Format(time.DateOnly), r.Rate)
		}
		return out
	}
	// The JPY rate is to USD, not GBP, so JPY has no rate; CHF none at all.
	want := []string{
		"orders CHF rows 1 amount 1000 left 1/1000 2011-03-07..2011-03-07",
		"orders EUR rows 2 amount 7000 left 0/0 EUR@2011-03-01=0.85 EUR@2011-03-10=0.9",
		"orders GBP rows 1 amount 10000 left 0/0",
		"orders JPY rows 1 amount 100000 left 1/100000 2011-03-06..2011-03-06",
		"orders USD rows 1 amount 3000 left 0/0 USD@2011-02-15=0.62",
		"spend CHF rows 1 amount 500 left 1/500 2011-03-04..2011-03-04",
		"spend EUR rows 1 amount 1000 left 0/0 EUR@2011-03-01=0.85",
		"spend GBP rows 1 amount 4000 left 0/0",
	}
	if len(got) != len(want) {
		t.Fatalf("CurrencyCoverage = %d rows %v; want %d", len(got), got, len(want))
	}
	for i := range want {
		if g := format(got[i]); g != want[i] {
			t.Errorf("CurrencyCoverage[%d] = %q; want %q", i, g, want[i])
		}
	}
}
