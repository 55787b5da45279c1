package ingest

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
)

func TestCheckText(t *testing.T) {
	names := []string{"customer_id", "country"}
	for _, tc := range []struct {
		rec           []string
		field, reason string
	}{
		{[]string{"1", "Germany"}, "", ""},
		{[]string{"1", "Ger\xffmany"}, "country", "invalid UTF-8"},
		{[]string{"1\x00", "Germany"}, "customer_id", "NUL byte"},
		{[]string{"1", "ok", "\xc3"}, "field 3", "invalid UTF-8"},
		{[]string{"Zürich", "日本"}, "", ""},
	} {
		field, reason := checkText(tc.rec, names)
		if field != tc.field || reason != tc.reason {
			t.Errorf("checkText(%q) = %q, %q; want %q, %q", tc.rec, field, reason, tc.field, tc.reason)
		}
	}
}

func TestAmountOf(t *testing.T) {
	for _, tc := range []struct {
		q, p4 int64
		want  int64
		ok    bool
	}{
		{6, 25500, 1530, true},
		{-12, 12500, -1500, true},
		// £10bn exactly is allowed, a penny more is not.
		{1, 100_000_000_000_000, 1_000_000_000_000, true},
		{1, 100_000_000_000_100, 0, false},
		{-1, 100_000_000_000_100, 0, false},
		// 100,000 × £100,000.01 is above £10bn; would overflow int64 unchecked.
		{100_000, 1_000_000_100, 0, false},
		{1 << 62, 1 << 40, 0, false},
		{-1 << 63, 1, 0, false},
		{0, 1 << 62, 0, true},
	} {
		got, ok := amountOf(tc.q, tc.p4)
		if ok != tc.ok || (ok && int64(got) != tc.want) {
			t.Errorf("amountOf(%d, %d) = %d, %v; want %d, %v", tc.q, tc.p4, got, ok, tc.want, tc.ok)
		}
	}
}

// TestImport_BadText checks that every importer rejects the one row with
// an invalid UTF-8 byte or a NUL (PostgreSQL refuses both, failing the
// whole batch) and imports the rest.
func TestImport_BadText(t *testing.T) {
	ctx := context.Background()
	t.Run("OnlineRetail", func(t *testing.T) {
		data := "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
			"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n" +
			"536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,Ger\xffmany\n" +
			"536366,22633,HAND WARMER\x00UNION JACK,6,2010-12-01 08:28:00,1.85,17850,United Kingdom\n" +
			"536367,84879,ASSORTED COLOUR BIRD,32,2010-12-01 08:34:00,1.69,13047,United Kingdom\n"
		sink := &fakeSink{}
		rep, err := ImportOnlineRetail(ctx, strings.NewReader(data), sink, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []Reject{{Line: 3, Field: "Country", Reason: "invalid UTF-8"}, {Line: 4, Field: "Description", Reason: "NUL byte"}}
		if !slices.Equal(rep.Rejects, want) || rep.Stored != 2 || rep.Read != 4 {
			t.Errorf("read %d stored %d rejects %v; want 4, 2, %v", rep.Read, rep.Stored, rep.Rejects, want)
		}
	})
	t.Run("CDNOW", func(t *testing.T) {
		data := "masterid,sampleid,date,cds,sales\n4,1,19970101,2,29.33\n18,2,1997\xff0101,1,29.73\n21,3,19970101,1,11.77\x00\n"
		sink := &fakeSink{}
		rep, err := ImportCDNOW(ctx, strings.NewReader(data), sink, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []Reject{{Line: 3, Field: "date", Reason: "invalid UTF-8"}, {Line: 4, Field: "sales", Reason: "NUL byte"}}
		if !slices.Equal(rep.Rejects, want) || rep.Stored != 1 {
			t.Errorf("stored %d rejects %v; want 1, %v", rep.Stored, rep.Rejects, want)
		}
	})
	t.Run("Reviews", func(t *testing.T) {
		data := ",Clothing ID,Age,Title,Review Text,Rating,Recommended IND,Positive Feedback Count,Division Name,Department Name,Class Name\n" +
			"0,767,33,,Lovely and soft,4,1,0,Initmates,Intimate,Intimates\n" +
			"1,1080,34,Nice,Fits w\xe9ll,5,1,4,General,Dresses,Dresses\n" +
			"2,1077,60,,Too small\x00,3,0,0,General,Dresses,Dresses\n"
		var sink feedbackSink
		rep, err := ImportReviews(ctx, strings.NewReader(data), &sink, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []Reject{{Line: 3, Field: "Review Text", Reason: "invalid UTF-8"}, {Line: 4, Field: "Review Text", Reason: "NUL byte"}}
		if !slices.Equal(rep.Rejects, want) || rep.Stored != 1 {
			t.Errorf("stored %d rejects %v; want 1, %v", rep.Stored, rep.Rejects, want)
		}
	})
}

// TestImportOnlineRetail_Conflicts checks that lines the sink refuses
// (their invoice number is stored with another customer) are rejected with
// their line, leave the Returns and Anonymous counts, and that a repeated
// import counts every row as already stored.
func TestImportOnlineRetail_Conflicts(t *testing.T) {
	data := "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
		"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n" +
		"C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,,United Kingdom\n" +
		"536367,84879,ASSORTED COLOUR BIRD,32,2010-12-01 08:34:00,1.69,13047,United Kingdom\n" +
		"536367,22745,POPPY'S PLAYHOUSE,6,2010-12-01 08:35:00,2.10,13047,United Kingdom\n" +
		"C536380,D,Discount,1,2010-12-01 09:41:00,27.50,14527,United Kingdom\n"
	sink := &fakeSink{taken: map[string]bool{"C536379": true}}
	rep, err := ImportOnlineRetail(context.Background(), strings.NewReader(data), sink, Options{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []Reject{
		{Line: 3, Field: "InvoiceNo", Reason: "invoice C536379 already exists with another customer, currency, date or source"},
		{Line: 6, Field: "Quantity", Reason: "cancellation invoice with positive quantity"},
	}
	if !slices.Equal(rep.Rejects, want) {
		t.Errorf("rejects = %v; want %v", rep.Rejects, want)
	}
	if rep.Read != 5 || rep.Stored != 3 || rep.Skipped != 0 || rep.Rejected != 2 || rep.Returns != 0 || rep.Anonymous != 0 {
		t.Errorf("report = read %d stored %d skipped %d rejected %d returns %d anonymous %d; want 5, 3, 0, 2, 0, 0",
			rep.Read, rep.Stored, rep.Skipped, rep.Rejected, rep.Returns, rep.Anonymous)
	}
	// The second line of 536367 is a minute later; it is stored with the
	// invoice's time, the first line's.
	if got, want := sink.lines[2].At, sink.lines[1].At; !got.Equal(want) {
		t.Errorf("second line of 536367 at %v; want the first line's %v", got, want)
	}

	rep, err = ImportOnlineRetail(context.Background(), strings.NewReader(data), sink, Options{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 5 || rep.Stored != 0 || rep.Skipped != 3 || rep.Rejected != 2 || rep.Read != rep.Stored+rep.Skipped+rep.Rejected {
		t.Errorf("re-import = read %d stored %d skipped %d rejected %d; want 5, 0, 3, 2", rep.Read, rep.Stored, rep.Skipped, rep.Rejected)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !strings.Contains(out.String(), "5 rows read, 0 stored, 3 already stored, 2 rejected") {
		t.Errorf("Print() = %q; want it to say 5 rows read, 0 stored, 3 already stored, 2 rejected", out.String())
	}
}

func TestImportCDNOW_TooLarge(t *testing.T) {
	data := "masterid,sampleid,date,cds,sales\n4,1,19970101,2,29.33\n5,2,19970101,1,92233720368547758.07\n"
	sink := &fakeSink{}
	rep, err := ImportCDNOW(context.Background(), strings.NewReader(data), sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stored != 1 || rep.Rejected != 1 || rep.Rejects[0].Line != 3 || rep.Rejects[0].Field != "sales" {
		t.Errorf("stored %d rejects %v; want 1 stored, line 3 rejected on sales", rep.Stored, rep.Rejects)
	}
}

// truncatedGzip writes data gzipped to a file and cuts it, leaving the
// first part of data and no gzip trailer.
func truncatedGzip(t *testing.T, name, data string) string {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	if _, err := zw.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes()[:buf.Len()*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImport_TruncatedGzip(t *testing.T) {
	var data strings.Builder
	data.WriteString("masterid,sampleid,date,cds,sales\n")
	for range 300 {
		data.WriteString("4,1,19970101,2,29.33\n")
	}
	path := truncatedGzip(t, "cdnow.csv.gz", data.String())
	rc, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	sink := &fakeSink{}
	rep, err := ImportCDNOW(context.Background(), rc, sink, Options{File: "cdnow.csv.gz", BatchSize: 1000})
	if err == nil {
		t.Fatal("ImportCDNOW(truncated gzip) error = nil; want an error")
	}
	want := "cdnow.csv.gz: file truncated or corrupt after line " + strconv.Itoa(rep.Read+1) + " (gzip: unexpected EOF); rows up to there were stored"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q; want it to contain %q", err, want)
	}
	if rep.Read < 100 || rep.Stored != rep.Read || len(sink.lines) != rep.Read {
		t.Errorf("read %d stored %d sent %d; want the rows before the cut (≥ 100) all stored", rep.Read, rep.Stored, len(sink.lines))
	}
}

func TestPrintLimit_ByReason(t *testing.T) {
	r := &Result{File: "reviews.csv", Format: "reviews", Read: 30, Stored: 7}
	for _, l := range []int{5, 9, 12, 14, 20, 22, 25} {
		r.reject(l, "Review Text", "empty review text")
	}
	r.reject(3, "Rating", `"x" is not a number`)
	var out bytes.Buffer
	r.PrintLimit(&out, 20)
	want := "reviews.csv (reviews): 30 rows read, 7 stored, 8 rejected\n" +
		"  rejected rows by reason (2 reasons):\n" +
		"       7 × Review Text: empty review text (lines 5, 9, 12, 14, 20, … 2 more)\n" +
		"       1 × Rating: \"x\" is not a number (line 3)\n" +
		"  (add --json for every rejected row with its line, field and reason)\n"
	if out.String() != want {
		t.Errorf("PrintLimit =\n%s\nwant\n%s", out.String(), want)
	}
}
