package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// tableStore opens a store on a fresh migrated schema, plus a plain
// connection to the same schema for checking what was stored.
func tableStore(t *testing.T) (*postgres.Store, *pgx.Conn) {
	t.Helper()
	url := pgtest.URL(t)
	schema := pgtest.NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "set search_path to "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return s, conn
}

// query returns the rows of sql as text, one string per row with columns
// joined by "|" (for comparing what was stored).
func query(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		vals, err := r.Values()
		if err != nil {
			return "", err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if tm, ok := v.(time.Time); ok {
				v = tm.UTC().Format(time.RFC3339)
			}
			if v == nil {
				v = "NULL"
			}
			parts[i] = fmt.Sprint(v)
		}
		return strings.Join(parts, "|"), nil
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func importTableFile(t *testing.T, s *postgres.Store, table string) *ingest.Result {
	t.Helper()
	path := filepath.Join("testdata", "tables", table+".csv")
	rc, err := ingest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rep, err := ingest.ImportTable(context.Background(), table, rc, s, ingest.Options{File: path})
	if err != nil {
		t.Fatalf("ImportTable(%s) error = %v", table, err)
	}
	return rep
}

// TestStore_ImportTables imports testdata/tables/*.csv, one per table, in
// the order of ingest.Tables, and checks what each stored: values, minor
// units, UTC times, defaults and synthetic = false.
func TestStore_ImportTables(t *testing.T) {
	s, conn := tableStore(t)
	ctx := context.Background()
	wantRows := map[string]int{"customers": 4, "products": 4, "channels": 4, "campaigns": 3, "ad_spend": 4,
		"touchpoints": 3, "funnel_events": 6, "fx_rates": 3, "orders": 5}
	for _, table := range ingest.Tables() {
		rep := importTableFile(t, s, table)
		if rep.Read != wantRows[table] || rep.Stored != wantRows[table] || rep.Rejected != 0 {
			t.Errorf("import %s: read %d, stored %d, rejected %d %v; want %d, %d, 0",
				table, rep.Read, rep.Stored, rep.Rejected, rep.Rejects, wantRows[table], wantRows[table])
		}
	}

	checks := []struct {
		name, sql string
		want      []string
	}{
		{"Customers", "select customer_id, coalesce(country, 'NULL'), source from customers order by 1", []string{
			"12583|France|csv", "12680|France|csv", "13047|United Kingdom|csv", "14688|NULL|csv", "17850|United Kingdom|csv"}},
		{"Products", "select stock_code, description, category from products order by 1", []string{
			"22633|HAND WARMER UNION JACK|Gifts", "22745|POPPY'S PLAYHOUSE\nBEDROOM|Toys",
			"84029E|RED WOOLLY HOTTIE, WHITE HEART|", "85123A|WHITE HANGING HEART T-LIGHT HOLDER|Home decor",
			"90001X|NEW PRODUCT FROM AN ORDER|"}},
		{"Channels", "select channel, kind, synthetic from channels order by 1", []string{
			"email|owned|false", "organic_search|earned|false", "paid_search|paid|false", "tv|paid|false"}},
		{"Campaigns", "select campaign, channel, starts_on::text, ends_on::text, synthetic from campaigns order by 1", []string{
			"Brand Search Q4 2011|paid_search|2011-10-01|2011-12-31|false", "Christmas 2011|email|2011-11-01|2011-12-24|false",
			"One-day sale|email|2011-09-09|2011-09-09|false"}},
		{"AdSpendMinorUnits", "select day::text, channel, campaign, cost, currency, synthetic from ad_spend order by 1, 2", []string{
			"2011-11-01|email|Christmas 2011|50|GBP|false", "2011-11-01|paid_search|Brand Search Q4 2011|12050|GBP|false",
			"2011-11-01|tv||150000|GBP|false", "2011-11-02|paid_search|Brand Search Q4 2011|9999|GBP|false"}},
		{"TouchpointsUTC", "select touchpoint_id, customer_id, channel, campaign, touched_at, synthetic from touchpoints order by 1", []string{
			"tp-1|17850|email|Christmas 2011|2011-11-20T09:15:00Z|false",
			"tp-2|17850|paid_search|Brand Search Q4 2011|2011-11-21T10:00:00Z|false",
			"tp-3|12583|organic_search||2011-11-22T07:30:00Z|false"}},
		{"FunnelEvents", "select event_id, session_id, stage, occurred_at, channel, campaign, coalesce(customer_id, 'NULL'), synthetic from funnel_events order by 1", []string{
			"fe-1|s-1|visit|2011-11-21T10:00:00Z|paid_search|Brand Search Q4 2011|NULL|false",
			"fe-2|s-1|product_view|2011-11-21T10:02:00Z|paid_search|Brand Search Q4 2011|NULL|false",
			"fe-3|s-1|add_to_cart|2011-11-21T10:05:00Z|paid_search|Brand Search Q4 2011|NULL|false",
			"fe-4|s-1|checkout|2011-11-21T10:09:00Z|paid_search|Brand Search Q4 2011|17850|false",
			"fe-5|s-1|purchase|2011-11-21T10:12:00Z|paid_search|Brand Search Q4 2011|17850|false",
			"fe-6|s-2|visit|2011-11-22T07:31:00Z|organic_search||NULL|false"}},
		{"FXRates", "select day::text, currency, rate::text, to_currency from fx_rates order by 1, 2", []string{
			"2011-01-01|EUR|0.8512000000|GBP", "2011-01-01|USD|0.6389000000|GBP", "2011-06-01|USD|0.6123456789|GBP"}},
		{"Orders", "select invoice_no, coalesce(customer_id, 'NULL'), country, invoiced_at, is_cancellation, currency, source from orders order by 1", []string{
			"CINV-1001|17850|United Kingdom|2011-11-28T09:00:00Z|true|GBP|csv",
			"INV-1001|17850|United Kingdom|2011-11-21T10:12:00Z|false|GBP|csv",
			"INV-1002|NULL|United Kingdom|2011-11-25T14:00:00Z|false|GBP|csv",
			"INV-1003|12680|France|2011-11-29T16:45:00Z|false|GBP|csv"}},
		{"OrderLines", "select invoice_no, line_no, stock_code, quantity, unit_price::text, amount, is_return from order_lines order by 1, 2", []string{
			"CINV-1001|1|22633|-2|1.8500|-370|true",
			"INV-1001|1|85123A|6|2.5500|1530|false",
			"INV-1001|2|22633|12|1.8500|2220|false",
			"INV-1002|1|22633|1|1.8500|185|false",
			"INV-1003|1|90001X|3|0.4250|128|false"}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := query(t, conn, c.sql); !slices.Equal(got, c.want) {
				t.Errorf("%s\n = %q\nwant %q", c.sql, got, c.want)
			}
		})
	}

	t.Run("ReimportStoresNothing", func(t *testing.T) {
		before, err := s.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range ingest.Tables() {
			rep := importTableFile(t, s, table)
			if rep.Stored != 0 || rep.Read != wantRows[table] || rep.Rejected != 0 {
				t.Errorf("re-import %s: read %d, stored %d, rejected %d; want %d, 0, 0", table, rep.Read, rep.Stored, rep.Rejected, wantRows[table])
			}
		}
		after, err := s.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range before {
			if after[table] != n {
				t.Errorf("after re-import %s has %d rows; want %d", table, after[table], n)
			}
		}
	})

	t.Run("UnknownChannelRejected", func(t *testing.T) {
		data := "day,channel,campaign,cost\n" +
			"2011-12-01,email,Christmas 2011,10.00\n" +
			"2011-12-01,radio,,5.00\n" +
			"2011-12-02,email,Christmas 2011,11.00\n"
		rep, err := ingest.ImportTable(ctx, ingest.TableAdSpend, strings.NewReader(data), s, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []ingest.Reject{{Line: 3, Field: "channel", Reason: `channel "radio" does not exist (import channels first)`}}
		if !slices.Equal(rep.Rejects, want) || rep.Stored != 2 {
			t.Errorf("import stored %d, rejects %v; want 2 stored and %v", rep.Stored, rep.Rejects, want)
		}
		got := query(t, conn, "select day::text, cost from ad_spend where day >= '2011-12-01' order by 1")
		if want := []string{"2011-12-01|1000", "2011-12-02|1100"}; !slices.Equal(got, want) {
			t.Errorf("December spend = %q; want %q", got, want)
		}
	})

	t.Run("UnknownCustomerRejected", func(t *testing.T) {
		data := "touchpoint_id,customer_id,channel,touched_at\ntp-9,17850,email,2011-12-01 09:00:00\ntp-10,00000,email,2011-12-01 09:00:00\n"
		rep, err := ingest.ImportTable(ctx, ingest.TableTouchpoints, strings.NewReader(data), s, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []ingest.Reject{{Line: 3, Field: "customer_id", Reason: `customer "00000" does not exist (import customers first)`}}
		if !slices.Equal(rep.Rejects, want) || rep.Stored != 1 {
			t.Errorf("import stored %d, rejects %v; want 1 stored and %v", rep.Stored, rep.Rejects, want)
		}
	})
}

// failingSink is the real store except that StoreRows fails on call failOn.
type failingSink struct {
	*postgres.Store
	calls, failOn int
}

func (f *failingSink) StoreRows(ctx context.Context, table string, rows []ingest.Row) (int, error) {
	f.calls++
	if f.calls == f.failOn {
		return 0, errors.New("injected failure")
	}
	return f.Store.StoreRows(ctx, table, rows)
}

// TestStore_ImportTableKeepsEarlierRows checks that a bad row, or even a
// failed batch, does not lose rows stored before it: each batch commits on
// its own.
func TestStore_ImportTableKeepsEarlierRows(t *testing.T) {
	s, conn := tableStore(t)
	ctx := context.Background()
	data := "channel,kind\n" +
		"email,owned\n" +
		"paid_search,paid\n" +
		"tv,broadcast\n" + // line 4: bad kind
		"display,paid\n" +
		"affiliate,paid\n" +
		"direct,earned\n"
	rep, err := ingest.ImportTable(ctx, ingest.TableChannels, strings.NewReader(data), s, ingest.Options{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stored != 5 || rep.Rejected != 1 || rep.Rejects[0].Line != 4 {
		t.Errorf("import stored %d, rejects %v; want 5 stored and line 4 rejected", rep.Stored, rep.Rejects)
	}
	got := query(t, conn, "select channel from channels order by 1")
	if want := []string{"affiliate", "direct", "display", "email", "paid_search"}; !slices.Equal(got, want) {
		t.Errorf("channels = %q; want %q", got, want)
	}

	t.Run("FailedBatch", func(t *testing.T) {
		data := "customer_id\n1\n2\n3\n4\n5\n"
		sink := &failingSink{Store: s, failOn: 2}
		rep, err := ingest.ImportTable(ctx, ingest.TableCustomers, strings.NewReader(data), sink, ingest.Options{BatchSize: 2})
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("ImportTable() error = %v; want the injected failure", err)
		}
		if rep.Stored != 2 {
			t.Errorf("rows stored before the failure = %d; want 2", rep.Stored)
		}
		if got, want := query(t, conn, "select customer_id from customers order by 1"), []string{"1", "2"}; !slices.Equal(got, want) {
			t.Errorf("customers = %q; want %q (the first batch stays)", got, want)
		}
		// Importing again completes the file and stores only what is missing.
		rep, err = ingest.ImportTable(ctx, ingest.TableCustomers, strings.NewReader(data), s, ingest.Options{BatchSize: 2})
		if err != nil || rep.Stored != 3 {
			t.Errorf("second import stored %d, error %v; want 3, nil", rep.Stored, err)
		}
	})
}

func TestStore_KnownKeys(t *testing.T) {
	s, _ := tableStore(t)
	ctx := context.Background()
	if _, err := ingest.ImportTable(ctx, ingest.TableChannels, strings.NewReader("channel\nemail\ntv\n"), s, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.KnownKeys(ctx, ingest.TableChannels, []string{"tv", "radio", "email"})
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"email", "tv"}) {
		t.Errorf("KnownKeys(channels, tv radio email) = %v, %v; want [email tv]", got, err)
	}
	if _, err := s.KnownKeys(ctx, "orders", []string{"x"}); err == nil {
		t.Errorf("KnownKeys(orders) error = nil; want an error (only channels and customers)")
	}
	if _, err := s.StoreRows(ctx, ingest.TableChannels, []ingest.Row{{"radio"}}); err == nil {
		t.Errorf("StoreRows(channels, 1-value row) error = nil; want a shape error")
	}
}
