package ingest_test

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

// fakeSink records what ImportTable stores. Keys lists the stored keys of
// channels and customers; StoreRowsFn, when set, replaces the recording.
type fakeSink struct {
	Keys        map[string][]string
	StoreRowsFn func(table string, rows []ingest.Row) (int, error)

	lookups [][]string
	rows    map[string][]ingest.Row
	lines   []ingest.OrderLine
	batches int
}

func (f *fakeSink) KnownKeys(_ context.Context, table string, keys []string) ([]string, error) {
	f.lookups = append(f.lookups, slices.Clone(keys))
	var out []string
	for _, k := range keys {
		if slices.Contains(f.Keys[table], k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func (f *fakeSink) StoreRows(_ context.Context, table string, rows []ingest.Row) (int, error) {
	f.batches++
	if f.StoreRowsFn != nil {
		return f.StoreRowsFn(table, rows)
	}
	if f.rows == nil {
		f.rows = map[string][]ingest.Row{}
	}
	for _, r := range rows {
		f.rows[table] = append(f.rows[table], slices.Clone(r))
	}
	return len(rows), nil
}

func (f *fakeSink) StoreOrderLines(_ context.Context, source string, lines []ingest.OrderLine) (ingest.StoreResult, error) {
	f.batches++
	if source != ingest.FormatCSV {
		return ingest.StoreResult{}, errors.New("source " + source + "; want csv")
	}
	f.lines = append(f.lines, lines...)
	return ingest.StoreResult{Stored: len(lines)}, nil
}

func newSink() *fakeSink {
	return &fakeSink{Keys: map[string][]string{
		ingest.TableChannels:  {"email", "paid_search"},
		ingest.TableCustomers: {"12346", "12347"},
	}}
}

func importString(t *testing.T, table, data string, sink *fakeSink, opt ingest.Options) *ingest.Result {
	t.Helper()
	rep, err := ingest.ImportTable(context.Background(), table, strings.NewReader(data), sink, opt)
	if err != nil {
		t.Fatalf("ImportTable(%s) error = %v", table, err)
	}
	return rep
}

func TestImportTable_Header(t *testing.T) {
	tests := []struct {
		name, table, data string
		want              []string // substrings of the error; nil: no error
	}{
		{"UnknownColumn", "channels", "channel,kind,budget\nemail,owned,3\n", []string{"line 1", `unknown column "budget"`, "channel, kind"}},
		{"MissingRequired", "campaigns", "campaign,starts_on\nX,2011-01-01\n", []string{"line 1", "missing required column channel, ends_on"}},
		{"RepeatedColumn", "channels", "channel,kind,channel\nemail,owned,email\n", []string{"line 1", `"channel" appears twice`}},
		{"Empty", "channels", "", []string{"empty input"}},
		{"UnknownTable", "invoices", "a\n1\n", []string{`unknown table "invoices"`, "customers, products, channels"}},
		{"OrderFreeCaseAndBOM", "channels", "\ufeff Kind ,CHANNEL\nowned,email\n", nil},
		{"OptionalAbsent", "channels", "channel\nemail\n", nil},
		{"HeaderOnly", "channels", "channel,kind\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newSink()
			rep, err := ingest.ImportTable(context.Background(), tt.table, strings.NewReader(tt.data), sink, ingest.Options{})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ImportTable() error = %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ImportTable() error = nil; want one containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ImportTable() error = %q; want it to contain %q", err, w)
				}
			}
			if sink.batches != 0 || rep.Stored != 0 {
				t.Errorf("after a header error %d batches stored %d rows; want 0", sink.batches, rep.Stored)
			}
		})
	}
	t.Run("ValuesFollowHeaderOrder", func(t *testing.T) {
		sink := newSink()
		importString(t, "channels", "\ufeff Kind ,CHANNEL\nowned,email\n,tv\n", sink, ingest.Options{})
		want := []ingest.Row{{"email", "owned"}, {"tv", "paid"}}
		if got := sink.rows["channels"]; !rowsEqual(got, want) {
			t.Errorf("stored channels = %v; want %v (kind defaults to paid)", got, want)
		}
	})
}

func rowsEqual(a, b []ingest.Row) bool {
	return slices.EqualFunc(a, b, func(x, y ingest.Row) bool { return slices.Equal(x, y) })
}

// TestImportTable_Rejects checks each validation rule: the row is rejected
// with its line, field and reason, and the other rows are stored.
func TestImportTable_Rejects(t *testing.T) {
	tests := []struct {
		name, table, data string
		line              int
		field, reason     string
	}{
		{"RequiredEmpty", "customers", "customer_id,country\n1,UK\n ,France\n", 3, "customer_id", "is empty"},
		{"FieldCount", "customers", "customer_id,country\n1,UK\n2,UK,extra\n", 3, "row", "has 3 fields; want 2"},
		{"KindNotOneOf", "channels", "channel,kind\nemail,owned\ntv,broadcast\n", 3, "kind", `"broadcast" is not one of paid, owned, earned`},
		{"BadDate", "campaigns", "campaign,channel,starts_on,ends_on\nA,email,2011-01-01,2011-03-31\nB,email,2011-13-01,2011-12-31\n", 3, "starts_on", "is not a date YYYY-MM-DD"},
		{"SlashDate", "campaigns", "campaign,channel,starts_on,ends_on\nA,email,2011-01-01,2011-03-31\nB,email,01/02/2011,2011-12-31\n", 3, "starts_on", "is not a date"},
		{"EndsBeforeStarts", "campaigns", "campaign,channel,starts_on,ends_on\nA,email,2011-01-01,2011-03-31\nB,email,2011-04-01,2011-03-31\n", 3, "ends_on", "2011-03-31 is before starts_on 2011-04-01"},
		{"UnknownChannel", "campaigns", "campaign,channel,starts_on,ends_on\nA,email,2011-01-01,2011-03-31\nB,tv,2011-01-01,2011-03-31\n", 3, "channel", `channel "tv" does not exist (import channels first)`},
		{"NegativeCost", "ad_spend", "day,channel,cost\n2011-01-01,email,1.00\n2011-01-02,email,-1.00\n", 3, "cost", "-1.00 is negative"},
		{"CostSubPenny", "ad_spend", "day,channel,cost\n2011-01-01,email,1.00\n2011-01-02,email,1.005\n", 3, "cost", "more than 2 decimal places"},
		{"CostThousandsSeparator", "ad_spend", "day,channel,cost\n2011-01-01,email,1.00\n2011-01-02,email,\"1,000.00\"\n", 3, "cost", "not a decimal"},
		{"CostExponent", "ad_spend", "day,channel,cost\n2011-01-01,email,1.00\n2011-01-02,email,1e3\n", 3, "cost", "not a decimal"},
		{"CostOverflow", "ad_spend", "day,channel,cost\n2011-01-01,email,1.00\n2011-01-02,email,92233720368547758.08\n", 3, "cost", "out of range"},
		{"LowerCaseCurrency", "ad_spend", "day,channel,cost,currency\n2011-01-01,email,1.00,GBP\n2011-01-02,email,1.00,gbp\n", 3, "currency", "3 upper-case letters"},
		{"DuplicateKey", "ad_spend", "day,channel,campaign,cost\n2011-01-01,email,A,1.00\n2011-01-01,email,B,1.00\n2011-01-01,email,A,2.00\n", 4, "day+channel+campaign", "repeats the key of line 2"},
		{"UnknownCustomer", "touchpoints", "touchpoint_id,customer_id,channel,touched_at\nt1,12346,email,2011-01-01 10:00:00\nt2,99999,email,2011-01-01 11:00:00\n", 3, "customer_id", `customer "99999" does not exist (import customers first)`},
		{"BadTimestamp", "touchpoints", "touchpoint_id,customer_id,channel,touched_at\nt1,12346,email,2011-01-01 10:00:00\nt2,12346,email,2011-01-01\n", 3, "touched_at", "is not a timestamp"},
		{"BadStage", "funnel_events", "event_id,session_id,stage,occurred_at,channel\ne1,s1,visit,2011-01-01T10:00:00Z,email\ne2,s1,cart,2011-01-01T10:01:00Z,email\n", 3, "stage", `"cart" is not one of visit, product_view`},
		{"FunnelUnknownCustomer", "funnel_events", "event_id,session_id,stage,occurred_at,channel,customer_id\ne1,s1,visit,2011-01-01T10:00:00Z,email,\ne2,s1,purchase,2011-01-01T10:01:00Z,email,555\n", 3, "customer_id", `customer "555" does not exist`},
		{"QuantityZero", "orders", "invoice_no,invoiced_at,quantity,unit_price\n1,2011-01-01 10:00:00,1,1.00\n2,2011-01-01 10:00:00,0,1.00\n", 3, "quantity", "is 0"},
		{"QuantityDecimal", "orders", "invoice_no,invoiced_at,quantity,unit_price\n1,2011-01-01 10:00:00,1,1.00\n2,2011-01-01 10:00:00,1.5,1.00\n", 3, "quantity", "not a 32-bit integer"},
		{"QuantityOver32Bits", "orders", "invoice_no,invoiced_at,quantity,unit_price\n1,2011-01-01 10:00:00,1,1.00\n2,2011-01-01 10:00:00,2147483648,1.00\n", 3, "quantity", "not a 32-bit integer"},
		{"NegativePrice", "orders", "invoice_no,invoiced_at,quantity,unit_price\n1,2011-01-01 10:00:00,1,1.00\nA563186,2011-08-12 14:51:00,1,-11062.06\n", 3, "unit_price", "-11062.06 is negative"},
		{"PriceFiveDecimals", "orders", "invoice_no,invoiced_at,quantity,unit_price\n1,2011-01-01 10:00:00,1,1.00\n2,2011-01-01 10:00:00,1,0.00001\n", 3, "unit_price", "more than 4 decimal places"},
		{"PriceTooLarge", "orders", "invoice_no,invoiced_at,quantity,unit_price\n1,2011-01-01 10:00:00,1,1.00\n2,2011-01-01 10:00:00,1,10000000000\n", 3, "unit_price", "too large"},
		{"InvoiceCustomerDiffers", "orders", "invoice_no,invoiced_at,customer_id,quantity,unit_price\n1,2011-01-01 10:00:00,7,1,1.00\n1,2011-01-01 10:00:00,8,1,1.00\n", 3, "customer_id", `"8" differs from "7" on line 2 of invoice 1`},
		{"InvoiceTimeDiffers", "orders", "invoice_no,invoiced_at,quantity,unit_price\n1,2011-01-01 10:00:00,1,1.00\n1,2011-01-01 10:05:00,1,1.00\n", 3, "invoiced_at", "on line 2 of invoice 1"},
		{"BareQuote", "customers", "customer_id,country\n1,UK\n2,Unit\"ed\n", 3, "csv", "bare \" in non-quoted-field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newSink()
			rep := importString(t, tt.table, tt.data, sink, ingest.Options{})
			want := ingest.Reject{Line: tt.line, Field: tt.field}
			if rep.Rejected != 1 || len(rep.Rejects) != 1 {
				t.Fatalf("ImportTable() rejected %d rows %v; want 1 at line %d", rep.Rejected, rep.Rejects, tt.line)
			}
			got := rep.Rejects[0]
			if got.Line != want.Line || got.Field != want.Field || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("reject = %v; want line %d: %s: …%s…", got, tt.line, tt.field, tt.reason)
			}
			if wantStored := rep.Read - 1; rep.Stored != wantStored {
				t.Errorf("stored %d of %d rows read; want %d", rep.Stored, rep.Read, wantStored)
			}
		})
	}
}

func TestImportTable_Values(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	t.Run("AdSpendMinorUnits", func(t *testing.T) {
		sink := newSink()
		importString(t, "ad_spend", "cost,channel,day,currency\n12.5,email,2011-01-01,\n0.07,email,2011-01-02,EUR\n1234567.890,paid_search,2011-01-01,USD\n0,email,2011-01-03,\n", sink, ingest.Options{})
		want := []ingest.Row{
			{"2011-01-01", "email", "", int64(1250), "GBP"},
			{"2011-01-02", "email", "", int64(7), "EUR"},
			{"2011-01-01", "paid_search", "", int64(123456789), "USD"},
			{"2011-01-03", "email", "", int64(0), "GBP"},
		}
		if got := sink.rows["ad_spend"]; !rowsEqual(got, want) {
			t.Errorf("stored ad_spend = %v; want %v", got, want)
		}
	})
	t.Run("FXRates", func(t *testing.T) {
		sink := newSink()
		rep := importString(t, "fx_rates", "day,currency,rate\n2011-01-01,EUR,0.8512\n2011-01-01,USD,1e3\n2011-01-02,USD,0\n2011-01-03,USD,0.12345678901\n2011-01-04,usd,1.1\n2011-01-05,USD,1.6\n", sink, ingest.Options{})
		want := []ingest.Row{{"2011-01-01", "EUR", "0.8512", "GBP"}, {"2011-01-05", "USD", "1.6", "GBP"}}
		if got := sink.rows["fx_rates"]; !rowsEqual(got, want) {
			t.Errorf("stored fx_rates = %v; want %v", got, want)
		}
		if rep.Rejected != 4 {
			t.Errorf("rejected %d (%v); want 4: exponent, zero, 11 decimals, lower-case code", rep.Rejected, rep.Rejects)
		}
	})
	t.Run("Timestamps", func(t *testing.T) {
		sink := newSink()
		importString(t, "touchpoints", "touchpoint_id,customer_id,channel,campaign,touched_at\n"+
			"t1,12346,email,Spring,2011-06-01 10:00:00\n"+ // BST: 09:00 UTC
			"t2,12346,email,,2011-01-01T10:00:00\n"+ // GMT
			"t3,12347,paid_search,,2011-06-01T10:00:00+02:00\n"+
			"t4,12347,paid_search,,2011-06-01T10:00:00.5Z\n", sink, ingest.Options{Location: london})
		want := []time.Time{
			time.Date(2011, 6, 1, 9, 0, 0, 0, time.UTC),
			time.Date(2011, 1, 1, 10, 0, 0, 0, time.UTC),
			time.Date(2011, 6, 1, 8, 0, 0, 0, time.UTC),
			time.Date(2011, 6, 1, 10, 0, 0, 500_000_000, time.UTC),
		}
		rows := sink.rows["touchpoints"]
		if len(rows) != len(want) {
			t.Fatalf("stored %d touchpoints; want %d", len(rows), len(want))
		}
		for i, w := range want {
			if got := rows[i][4].(time.Time); !got.Equal(w) {
				t.Errorf("touched_at of t%d = %v; want %v", i+1, got.UTC(), w)
			}
		}
		if rows[0][3] != "Spring" || rows[1][3] != "" {
			t.Errorf("campaigns = %q, %q; want Spring and empty", rows[0][3], rows[1][3])
		}
	})
	t.Run("Orders", func(t *testing.T) {
		sink := newSink()
		rep := importString(t, "orders", "invoice_no,invoiced_at,customer_id,country,stock_code,description,quantity,unit_price,currency\n"+
			"536365,2010-12-01 08:26:00,17850,United Kingdom,85123A,WHITE HANGING HEART,6,2.55,\n"+
			"536366,2010-12-01 08:28:00,17850,United Kingdom,22633,HAND WARMER,3,0.425,\n"+
			"536365,2010-12-01 08:26:00,17850,United Kingdom,71053,WHITE METAL LANTERN,6,3.39,\n"+
			"C536379,2010-12-01 09:41:00,14527,United Kingdom,D,Discount,-1,27.50,\n"+
			"536367,2010-12-01 08:34:00,,,22745,POPPY'S PLAYHOUSE,-3,0.425,USD\n", sink, ingest.Options{})
		at := func(h, m int) time.Time { return time.Date(2010, 12, 1, h, m, 0, 0, time.UTC) }
		want := []ingest.OrderLine{
			{InvoiceNo: "536365", LineNo: 1, StockCode: "85123A", Description: "WHITE HANGING HEART", Quantity: 6, UnitPrice4: 25500, Amount: 1530, At: at(8, 26), CustomerID: "17850", Country: "United Kingdom", Currency: "GBP"},
			// 3 × 0.425 = 1.275 → 128 pence (half up).
			{InvoiceNo: "536366", LineNo: 1, StockCode: "22633", Description: "HAND WARMER", Quantity: 3, UnitPrice4: 4250, Amount: 128, At: at(8, 28), CustomerID: "17850", Country: "United Kingdom", Currency: "GBP"},
			{InvoiceNo: "536365", LineNo: 2, StockCode: "71053", Description: "WHITE METAL LANTERN", Quantity: 6, UnitPrice4: 33900, Amount: 2034, At: at(8, 26), CustomerID: "17850", Country: "United Kingdom", Currency: "GBP"},
			{InvoiceNo: "C536379", LineNo: 1, StockCode: "D", Description: "Discount", Quantity: -1, UnitPrice4: 275000, Amount: -2750, At: at(9, 41), CustomerID: "14527", Country: "United Kingdom", Currency: "GBP", IsCancellation: true, IsReturn: true},
			// −3 × 0.425 = −1.275 → −128 (half away from zero).
			{InvoiceNo: "536367", LineNo: 1, StockCode: "22745", Description: "POPPY'S PLAYHOUSE", Quantity: -3, UnitPrice4: 4250, Amount: -128, At: at(8, 34), Currency: "USD", IsReturn: true},
		}
		if len(sink.lines) != len(want) {
			t.Fatalf("stored %d order lines; want %d", len(sink.lines), len(want))
		}
		for i, w := range want {
			g := sink.lines[i]
			if !g.At.Equal(w.At) {
				t.Errorf("line %d At = %v; want %v", i+1, g.At, w.At)
			}
			g.At = w.At
			if g != w {
				t.Errorf("order line %d = %+v; want %+v", i+1, g, w)
			}
		}
		if rep.Returns != 2 || rep.Anonymous != 1 {
			t.Errorf("report returns %d, anonymous %d; want 2, 1", rep.Returns, rep.Anonymous)
		}
		var _ analytics.Money = sink.lines[0].Amount
	})
}

// TestImportTable_LineNumbers checks that rejects name the line a row starts
// on when quoted fields span several lines, in line order even when
// reference checks run batch by batch.
func TestImportTable_LineNumbers(t *testing.T) {
	data := "stock_code,description,category\n" + // 1
		"A,\"two\nlines\",x\n" + // 2-3
		",\"bad row\nstarting on 4\",x\n" + // 4-5
		"B,\"three\n\nlines\",x\n" + // 6-8
		"C,d,x,extra\n" // 9
	sink := newSink()
	rep := importString(t, "products", data, sink, ingest.Options{})
	want := []ingest.Reject{{Line: 4, Field: "stock_code", Reason: "is empty"}, {Line: 9, Field: "row", Reason: "has 4 fields; want 3 (one per header column)"}}
	if !slices.Equal(rep.Rejects, want) {
		t.Errorf("rejects = %v; want %v", rep.Rejects, want)
	}
	if got := sink.rows["products"]; len(got) != 2 || got[1][1] != "three\n\nlines" {
		t.Errorf("stored products = %q; want A and B with the multi-line description kept", got)
	}

	t.Run("SortedAcrossBatches", func(t *testing.T) {
		data := "campaign,channel,starts_on,ends_on\n" +
			"A,tv,2011-01-01,2011-01-31\n" + // 2: unknown channel, found at flush
			"B,email,2011-01-01,2010-01-31\n" + // 3: parse reject
			"C,email,2011-01-01,2011-01-31\n" +
			"D,radio,2011-01-01,2011-01-31\n" + // 5
			"E,email,bad,2011-01-31\n" // 6
		sink := newSink()
		rep := importString(t, "campaigns", data, sink, ingest.Options{BatchSize: 3})
		var lines []int
		for _, r := range rep.Rejects {
			lines = append(lines, r.Line)
		}
		if !slices.Equal(lines, []int{2, 3, 5, 6}) {
			t.Errorf("reject lines = %v; want [2 3 5 6]", lines)
		}
		if rep.Read != 5 || rep.Stored != 1 || rep.Rejected != 4 {
			t.Errorf("read %d stored %d rejected %d; want 5, 1, 4", rep.Read, rep.Stored, rep.Rejected)
		}
	})
}

func TestImportTable_Batches(t *testing.T) {
	var data strings.Builder
	data.WriteString("touchpoint_id,customer_id,channel,touched_at\n")
	for i, c := range []string{"12346", "12347", "12346", "404", "12347", "404", "12346"} {
		data.WriteString("t" + string(rune('a'+i)) + "," + c + ",email,2011-01-01 10:00:00\n")
	}
	sink := newSink()
	rep := importString(t, "touchpoints", data.String(), sink, ingest.Options{BatchSize: 3})
	if sink.batches != 3 {
		t.Errorf("StoreRows called %d times; want 3 (7 rows, batches of 3)", sink.batches)
	}
	if rep.Stored != 5 || rep.Rejected != 2 {
		t.Errorf("stored %d rejected %d; want 5, 2", rep.Stored, rep.Rejected)
	}
	// Each key is looked up once: channels and customers in batch 1, the
	// new customer 404 in batch 2, nothing new in batch 3.
	var asked []string
	for _, l := range sink.lookups {
		asked = append(asked, l...)
	}
	slices.Sort(asked)
	if want := []string{"12346", "12347", "404", "email"}; !slices.Equal(asked, want) {
		t.Errorf("keys looked up = %v; want %v, each once", asked, want)
	}
}

// TestImportTable_StoreError checks that a failing batch stops the import
// with the line it reached, keeping the count of rows stored before it.
func TestImportTable_StoreError(t *testing.T) {
	sink := newSink()
	calls := 0
	sink.StoreRowsFn = func(_ string, rows []ingest.Row) (int, error) {
		calls++
		if calls == 2 {
			return 0, errors.New("connection lost")
		}
		return len(rows), nil
	}
	rep, err := ingest.ImportTable(context.Background(), "customers", strings.NewReader("customer_id\n1\n2\n3\n4\n5\n"), sink, ingest.Options{BatchSize: 2})
	if err == nil || !strings.Contains(err.Error(), "batch ending at line 5") || !strings.Contains(err.Error(), "connection lost") {
		t.Errorf("ImportTable() error = %v; want the batch ending at line 5 and the cause", err)
	}
	if rep.Stored != 2 {
		t.Errorf("rows stored before the error = %d; want 2", rep.Stored)
	}
}

func TestImportTable_Gzip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "channels.csv.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte("channel,kind\nemail,owned\naffiliate,paid\norganic_search,earned\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	rc, err := ingest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	sink := newSink()
	rep, err := ingest.ImportTable(context.Background(), "channels", rc, sink, ingest.Options{File: "channels.csv.gz"})
	if err != nil {
		t.Fatal(err)
	}
	want := []ingest.Row{{"email", "owned"}, {"affiliate", "paid"}, {"organic_search", "earned"}}
	if got := sink.rows["channels"]; !rowsEqual(got, want) || rep.Read != 3 || rep.Stored != 3 {
		t.Errorf("gzip import read %d stored %d rows %v; want 3, 3, %v", rep.Read, rep.Stored, got, want)
	}
}

// TestDocs_TableHeaders keeps docs/data.md in step with the columns: each
// table's example must start with its full header, in Columns order.
func TestDocs_TableHeaders(t *testing.T) {
	doc, err := os.ReadFile("../docs/data.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range ingest.Tables() {
		cols, _ := ingest.Columns(table)
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		header := "\n" + strings.Join(names, ",") + "\n"
		if !strings.Contains(string(doc), header) {
			t.Errorf("docs/data.md has no example header line %q for table %s", strings.TrimSpace(header), table)
		}
		if !strings.Contains(string(doc), "roibot import "+table+" ") {
			t.Errorf("docs/data.md does not show `roibot import %s FILE`", table)
		}
	}
}

// discardSink stores nothing; it measures parsing and validation alone.
type discardSink struct{}

func (discardSink) KnownKeys(_ context.Context, _ string, keys []string) ([]string, error) {
	return keys, nil
}
func (discardSink) StoreRows(_ context.Context, _ string, rows []ingest.Row) (int, error) {
	return len(rows), nil
}
func (discardSink) StoreOrderLines(_ context.Context, _ string, lines []ingest.OrderLine) (ingest.StoreResult, error) {
	return ingest.StoreResult{Stored: len(lines)}, nil
}

// BenchmarkImportTable_Touchpoints reads 100,000 touchpoint rows (about
// 6 MB) without a database: go test ./ingest -run '^$' -bench ImportTable -benchtime=3x
func BenchmarkImportTable_Touchpoints(b *testing.B) {
	var data strings.Builder
	data.WriteString("touchpoint_id,customer_id,channel,campaign,touched_at\n")
	for i := range 100_000 {
		fmt.Fprintf(&data, "tp-%d,%d,paid_search,Brand Search Q4 2011,2011-11-%02d %02d:%02d:00\n", i, 12346+i%4000, 1+i%30, i%24, i%60)
	}
	in := data.String()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		rep, err := ingest.ImportTable(context.Background(), ingest.TableTouchpoints, strings.NewReader(in), discardSink{}, ingest.Options{})
		if err != nil || rep.Stored != 100_000 {
			b.Fatalf("ImportTable() stored %d, error %v; want 100000", rep.Stored, err)
		}
	}
}
