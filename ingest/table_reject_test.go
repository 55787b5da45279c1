package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/ingest"
)

// TestImportTable_BadText: one invalid UTF-8 byte or NUL rejects its row
// (PostgreSQL would fail the whole batch with error 22021) and the rest is
// imported.
func TestImportTable_BadText(t *testing.T) {
	var data strings.Builder
	data.WriteString("customer_id,country\n")
	for i := range 20 {
		country := "Germany"
		switch i {
		case 6:
			country = "Ger\xffmany"
		case 12:
			country = "Ger\x00many"
		}
		data.WriteString(strconv.Itoa(10000+i) + "," + country + "\n")
	}
	sink := newSink()
	rep := importString(t, "customers", data.String(), sink, ingest.Options{BatchSize: 5})
	want := []ingest.Reject{{Line: 8, Field: "country", Reason: "invalid UTF-8"}, {Line: 14, Field: "country", Reason: "NUL byte"}}
	if !slices.Equal(rep.Rejects, want) || rep.Read != 20 || rep.Stored != 18 || len(sink.rows["customers"]) != 18 {
		t.Errorf("read %d stored %d sent %d rejects %v; want 20, 18, 18, %v", rep.Read, rep.Stored, len(sink.rows["customers"]), rep.Rejects, want)
	}
}

func TestImportTable_MoneyBound(t *testing.T) {
	t.Run("AdSpend", func(t *testing.T) {
		data := "day,channel,cost\n2011-01-01,email,120.50\n2011-01-02,email,92233720368547758.07\n2011-01-03,email,10000000000.00\n2011-01-04,email,10000000000.01\n"
		sink := newSink()
		rep := importString(t, "ad_spend", data, sink, ingest.Options{})
		want := []ingest.Reject{
			{Line: 3, Field: "cost", Reason: "92233720368547758.07 is above the maximum 10000000000.00 per row"},
			{Line: 5, Field: "cost", Reason: "10000000000.01 is above the maximum 10000000000.00 per row"},
		}
		if !slices.Equal(rep.Rejects, want) || rep.Stored != 2 {
			t.Errorf("stored %d rejects %v; want 2, %v", rep.Stored, rep.Rejects, want)
		}
	})
	t.Run("Orders", func(t *testing.T) {
		data := "invoice_no,invoiced_at,quantity,unit_price\n" +
			"1,2011-01-01 10:00:00,2,1.50\n" +
			"2,2011-01-01 10:00:00,2147483647,9999999999.9999\n" +
			"3,2011-01-01 10:00:00,-1000,10000001.00\n"
		sink := newSink()
		rep := importString(t, "orders", data, sink, ingest.Options{})
		if rep.Stored != 1 || rep.Rejected != 2 || rep.Rejects[0].Field != "unit_price" || rep.Rejects[1].Line != 4 ||
			rep.Rejects[1].Reason != "quantity × unit_price is above the maximum 10000000000.00 per row" {
			t.Errorf("stored %d rejects %v; want 1 stored, lines 3 and 4 rejected on unit_price", rep.Stored, rep.Rejects)
		}
	})
}

func TestImportTable_CancellationWithPositiveQuantity(t *testing.T) {
	data := "invoice_no,invoiced_at,quantity,unit_price\n" +
		"C1,2011-01-01 10:00:00,-2,1.50\n" +
		"C2,2011-01-01 10:00:00,3,1.50\n"
	sink := newSink()
	rep := importString(t, "orders", data, sink, ingest.Options{})
	want := []ingest.Reject{{Line: 3, Field: "quantity", Reason: "cancellation invoice with positive quantity"}}
	if !slices.Equal(rep.Rejects, want) || rep.Stored != 1 || rep.Returns != 1 || sink.lines[0].Amount != -300 {
		t.Errorf("stored %d returns %d rejects %v; want 1 stored return of -£3.00 and %v", rep.Stored, rep.Returns, rep.Rejects, want)
	}
}

// TestImportTable_Skipped: rows the sink already holds count as Skipped,
// and Read = Stored + Skipped + Rejected.
func TestImportTable_Skipped(t *testing.T) {
	sink := newSink()
	sink.StoreRowsFn = func(_ string, rows []ingest.Row) (int, error) { return len(rows) - 1, nil }
	rep := importString(t, "channels", "channel,kind\nemail,owned\ntv,bad\nradio,paid\nsocial,paid\n", sink, ingest.Options{BatchSize: 2})
	if rep.Read != 4 || rep.Stored != 1 || rep.Skipped != 2 || rep.Rejected != 1 || rep.Read != rep.Stored+rep.Skipped+rep.Rejected {
		t.Errorf("read %d stored %d skipped %d rejected %d; want 4, 1, 2, 1", rep.Read, rep.Stored, rep.Skipped, rep.Rejected)
	}
}

func TestImportTable_TruncatedGzip(t *testing.T) {
	var data strings.Builder
	data.WriteString("channel,kind\n")
	for i := range 500 {
		data.WriteString("channel_" + strconv.Itoa(i) + ",paid\n")
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	zw.Write([]byte(data.String()))
	zw.Close()
	path := filepath.Join(t.TempDir(), "channels.csv.gz")
	if err := os.WriteFile(path, buf.Bytes()[:buf.Len()/2], 0o600); err != nil {
		t.Fatal(err)
	}
	rc, err := ingest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	sink := newSink()
	rep, err := ingest.ImportTable(context.Background(), "channels", rc, sink, ingest.Options{File: "channels.csv.gz", BatchSize: 100})
	if err == nil {
		t.Fatal("ImportTable(truncated gzip) error = nil; want an error")
	}
	want := "channels: channels.csv.gz: file truncated or corrupt after line " + strconv.Itoa(rep.Read+1) +
		" (gzip: unexpected EOF); rows up to there were stored"
	if err.Error() != want {
		t.Errorf("error = %q; want %q", err, want)
	}
	if rep.Read < 100 || rep.Stored != rep.Read || len(sink.rows["channels"]) != rep.Read {
		t.Errorf("read %d stored %d sent %d; want every row read before the cut stored", rep.Read, rep.Stored, len(sink.rows["channels"]))
	}
}

// TestImport_FutureDates: a date past now + MaxFuture (9999-12-31, a typo
// for 2011) rejects its row, naming the field, and would otherwise become
// the data's as-of date; a date within the tolerance is kept.
func TestImport_FutureDates(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) }
	t.Run("Orders", func(t *testing.T) {
		data := "invoice_no,invoiced_at,quantity,unit_price\n" +
			"1,2011-01-01 10:00:00,2,1.50\n" +
			"2,9999-12-31 10:00:00,1,1.00\n" +
			"3,2026-12-05 23:00:00,1,1.00\n" + // within two days
			"4,2026-12-07 00:00:00,1,1.00\n"
		sink := newSink()
		rep := importString(t, "orders", data, sink, ingest.Options{Now: now})
		want := []ingest.Reject{
			{Line: 3, Field: "invoiced_at", Reason: "9999-12-31 is in the future (more than 48h0m0s after now)"},
			{Line: 5, Field: "invoiced_at", Reason: "2026-12-07 is in the future (more than 48h0m0s after now)"},
		}
		if !slices.Equal(rep.Rejects, want) || rep.Stored != 2 {
			t.Errorf("stored %d rejects %v; want 2 stored, %v", rep.Stored, rep.Rejects, want)
		}
	})
	t.Run("AdSpendDay", func(t *testing.T) {
		data := "day,channel,cost\n2011-01-01,email,1.00\n9999-12-31,email,1.00\n"
		rep := importString(t, "ad_spend", data, newSink(), ingest.Options{Now: now})
		if rep.Stored != 1 || len(rep.Rejects) != 1 || rep.Rejects[0].Field != "day" || rep.Rejects[0].Line != 3 {
			t.Errorf("stored %d rejects %v; want line 3 rejected on day", rep.Stored, rep.Rejects)
		}
	})
	t.Run("OnlineRetail", func(t *testing.T) {
		data := "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
			"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n" +
			"536366,22633,HAND WARMER,6,9999-12-31 08:28:00,1.85,17850,United Kingdom\n"
		rep, err := ingest.ImportOnlineRetail(context.Background(), strings.NewReader(data), discardSink{}, ingest.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Stored != 1 || len(rep.Rejects) != 1 || rep.Rejects[0].Field != "InvoiceDate" || rep.Rejects[0].Line != 3 {
			t.Errorf("stored %d rejects %v; want line 3 rejected on InvoiceDate", rep.Stored, rep.Rejects)
		}
	})
}
