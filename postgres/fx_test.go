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

// TestStore_BusinessTimeZoneDays: with the business time zone at UTC−5
// (New York, DST from 2011-03-13), UTC+1 (Berlin, DST from 2011-03-27) and
// UTC+9 (Tokyo), a one-day period takes the spend recorded on that local
// day (not the UTC date of its local midnight, which east of UTC is the day
// before) and the orders of that local day, and order times come back in
// the zone so their days are local days.
func TestStore_BusinessTimeZoneDays(t *testing.T) {
	for _, c := range []struct {
		zone string
		day  string // the DST change (or any day for Tokyo)
	}{{"America/New_York", "2011-03-13"}, {"Europe/Berlin", "2011-03-27"}, {"Asia/Tokyo", "2011-03-27"}} {
		t.Run(c.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Skip("no tzdata:", err)
			}
			d, _ := time.ParseInLocation(time.DateOnly, c.day, loc)
			prev, next := d.AddDate(0, 0, -1).Format(time.DateOnly), d.AddDate(0, 0, 1).Format(time.DateOnly)
			// Spend 1.00 the day before, 2.00 on the day, 4.00 the day after;
			// orders at 00:30 and 23:30 local on the day (each within the
			// day) and 23:30 the day before.
			at := func(day, hm string) string {
				t, _ := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, loc)
				return t.UTC().Format(time.RFC3339)
			}
			s := zonedStore(t, loc,
				[2]string{"customers", "customer_id\nk\n"},
				[2]string{"channels", "channel\nemail\n"},
				[2]string{"ad_spend", "day,channel,cost\n" + prev + ",email,1.00\n" + c.day + ",email,2.00\n" + next + ",email,4.00\n"},
				[2]string{"orders", "invoice_no,invoiced_at,customer_id,quantity,unit_price\n" +
					"A," + at(c.day, "00:30") + ",k,1,10.00\nB," + at(c.day, "23:30") + ",k,1,20.00\nZ," + at(prev, "23:30") + ",k,1,40.00\n"})
			p, err := analytics.DateRange(c.day, c.day, loc)
			if err != nil {
				t.Fatal(err)
			}
			spend, err := s.SpendBy(context.Background(), p, "channel")
			if err != nil || spend["email"] != 200 {
				t.Errorf("SpendBy(one local day %s in %s) = %v, %v; want email 200 (that day's spend)", c.day, c.zone, spend, err)
			}
			roi, err := s.LastTouchROIInputs(context.Background(), p, "channel", 30)
			if err != nil || len(roi) != 1 || roi[0].Spend != 200 {
				t.Errorf("LastTouchROIInputs(one local day %s in %s) = %+v, %v; want email spend 200", c.day, c.zone, roi, err)
			}
			cov, err := s.CurrencyCoverage(context.Background(), p, "GBP")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range cov {
				got[r.Source] = fmt.Sprintf("%d rows %d", r.Rows, r.Amount)
			}
			if got["spend"] != "1 rows 200" || got["orders"] != "2 rows 3000" {
				t.Errorf("one local day %s in %s: %v; want spend 1 rows 200 (that day's), orders 2 rows 3000 (A and B)", c.day, c.zone, got)
			}
			orders, err := s.PurchaseOrders(context.Background(), analytics.OrderFilter{})
			if err != nil {
				t.Fatal(err)
			}
			days := map[string]string{}
			for _, o := range orders {
				days[o.OrderID] = o.At.Format(time.DateOnly)
				if o.At.Location() != loc {
					t.Errorf("order %s at %v: location %v; want %s", o.OrderID, o.At, o.At.Location(), c.zone)
				}
			}
			if days["A"] != c.day || days["B"] != c.day || days["Z"] != prev {
				t.Errorf("order days = %v; want A and B on %s, Z on %s", days, c.day, prev)
			}
		})
	}
}

// TestStore_ROIInputsCurrenciesAndNewCustomers: March 2011 of fxFixture
// with an email touch before every order and customer d's two first orders
// at one instant. Last-touch revenue converts EUR and USD with the rate of
// each order's day and leaves out JPY and CHF (no rate to GBP):
//
//	revenue = 100 + 50×0.85 + 2×10×0.90 + 30×0.62 + 15 = 194.10 GBP
//	spend   = 40 + 10×0.85 = 48.50 GBP (CHF 5.00 left out)
//
// d's touch credits D1 only (a touch credits the next order; D2 has none),
// so conversions are G1, E1, E2, U1, D1; new customers are g, e, u and d,
// each once (4, not the 5 orders at a first-purchase instant), so CAC =
// 48.50 / 4 = 12.125. AttributionInputs gives all 6 purchase orders
// (209.10 GBP) and marks each customer's first purchase once.
func TestStore_ROIInputsCurrenciesAndNewCustomers(t *testing.T) {
	csvs := append([][2]string(nil), fxFixture...)
	csvs[0][1] += "d\n"
	csvs[4][1] += "D1,2011-03-08 10:00:00,d,1,15.00,GBP\nD2,2011-03-08 10:00:00,d,1,15.00,GBP\n"
	var tps strings.Builder
	tps.WriteString("touchpoint_id,customer_id,channel,touched_at\n")
	for i, c := range []string{"g", "e", "u", "j", "c", "d"} {
		fmt.Fprintf(&tps, "t%d,%s,email,2011-03-01 09:00:00\n", i, c)
	}
	tps.WriteString("t9,e,email,2011-03-11 09:00:00\n")
	csvs = append(csvs, [2]string{"touchpoints", tps.String()})
	s := zonedStore(t, time.UTC, csvs...)
	p, _ := analytics.ParsePeriod("2011-03", time.UTC)
	in, err := s.LastTouchROIInputs(context.Background(), p, "channel", 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || in[0].Group != "email" || in[0].Revenue != 19410 || in[0].Spend != 4850 || in[0].Conversions != 5 || in[0].NewCustomers != 4 || in[0].Currency != "GBP" {
		t.Fatalf("LastTouchROIInputs = %+v; want email revenue 19410, spend 4850, 5 conversions, 4 new customers, GBP", in)
	}
	rep, err := analytics.ComputeROI(in, analytics.BasisRevenue)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := rep.Rows[0].CAC.Get(); !ok || v != 1212.5 {
		t.Errorf("CAC = %v; want 1212.5 pence (48.50 / 4 customers)", rep.Rows[0].CAC)
	}
	_, convs, err := s.AttributionInputs(context.Background(), p, 30)
	if err != nil {
		t.Fatal(err)
	}
	var firsts []string
	var total analytics.Money
	for _, c := range convs {
		total += c.Revenue
		if c.FirstPurchase {
			firsts = append(firsts, c.OrderID)
		}
	}
	if strings.Join(firsts, ",") != "D1,E1,G1,U1" || total != 20910 || len(convs) != 6 {
		t.Errorf("AttributionInputs: %d conversions, revenue %d, first purchases %v; want 6, 20910, [D1 E1 G1 U1]", len(convs), total, firsts)
	}
}
