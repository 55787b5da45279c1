package ingest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

type fakeSink struct {
	calls int
	lines []OrderLine
	// taken lists invoice numbers stored with another customer: their
	// lines are refused as conflicts.
	taken map[string]bool
	// stored holds invoice/line_no pairs already stored: storing them
	// again stores nothing.
	stored map[string]bool
}

func (f *fakeSink) StoreOrderLines(_ context.Context, _ string, lines []OrderLine) (StoreResult, error) {
	f.calls++
	var res StoreResult
	for i, l := range lines {
		key := l.InvoiceNo + "/" + strconv.Itoa(l.LineNo)
		switch {
		case f.taken[l.InvoiceNo]:
			res.Conflicts = append(res.Conflicts, i)
		case f.stored[key]:
		default:
			if f.stored == nil {
				f.stored = map[string]bool{}
			}
			f.stored[key] = true
			f.lines = append(f.lines, l)
			res.Stored++
		}
	}
	return res, nil
}

func TestParseDecimal4(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"2.55", 25500}, {"0.001", 10}, {"-11062.06", -110620600}, {"3", 30000}, {".5", 5000},
		{"1.23456", 12346}, {"1.23454", 12345}, {" 4.1 ", 41000},
	} {
		got, err := parseDecimal4(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseDecimal4(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "abc", "1.2.3", "1e5", "-"} {
		if _, err := parseDecimal4(in); err == nil {
			t.Errorf("parseDecimal4(%q) error = nil; want an error", in)
		}
	}
	// 6 × £2.55 = £15.30; 3 × £0.001 rounds to 0p; −12 × £1.25 = −£15.00.
	for _, tc := range []struct{ q, p4, want int64 }{{6, 25500, 1530}, {3, 10, 0}, {-12, 12500, -1500}, {1, 5, 0}, {1, 50, 1}, {-1, 50, -1}} {
		if got := minorFromDecimal4(tc.q, tc.p4); got != tc.want {
			t.Errorf("minorFromDecimal4(%d, %d) = %d; want %d", tc.q, tc.p4, got, tc.want)
		}
	}
}

const retailCSV = `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom
536414,22139,,56,2010-12-01 11:52:00,0.00,,United Kingdom
A563186,B,Adjust bad debt,1,2011-08-12 14:51:00,-11062.06,,United Kingdom
536999,X,"multi
line",two,2010-12-01 08:26:00,1.00,12345.0,France
536998,X,bad date,1,2010-13-01 08:26:00,1.00,12345.0,France
536997,X,bad customer,1,2010-12-01 08:26:00,1.00,12a45,France
536996,X,zero,0,2010-12-01 08:26:00,1.00,12345.0,France
536365,21730,GLASS STAR FROSTED T-LIGHT HOLDER,6,2010-12-01 08:26:00,4.25,17850.0,United Kingdom
`

func TestImportOnlineRetail(t *testing.T) {
	sink := &fakeSink{}
	rep, err := ImportOnlineRetail(context.Background(), strings.NewReader(retailCSV), sink, Options{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 10 || rep.Stored != 5 || rep.Rejected != 5 || rep.Returns != 1 || rep.Anonymous != 1 {
		t.Errorf("report = read %d stored %d rejected %d returns %d anonymous %d; want 10, 5, 5, 1, 1",
			rep.Read, rep.Stored, rep.Rejected, rep.Returns, rep.Anonymous)
	}
	want := []Reject{
		{Line: 6, Field: "UnitPrice", Reason: "-11062.06 is negative"},
		{Line: 7, Field: "Quantity", Reason: `"two" is not an integer`},
		{Line: 9, Field: "InvoiceDate", Reason: `"2010-13-01 08:26:00" is not a date-time`},
		{Line: 10, Field: "CustomerID", Reason: `"12a45" is not a whole number`},
		{Line: 11, Field: "Quantity", Reason: "is 0"},
	}
	if len(rep.Rejects) != len(want) {
		t.Fatalf("rejects = %v; want %v", rep.Rejects, want)
	}
	for i := range want {
		if rep.Rejects[i] != want[i] {
			t.Errorf("reject %d = %v; want %v", i, rep.Rejects[i], want[i])
		}
	}
	if sink.calls != 3 {
		t.Errorf("sink calls = %d; want 3 batches of at most 2", sink.calls)
	}
	first, ret, last := sink.lines[0], sink.lines[2], sink.lines[4]
	if first.CustomerID != "17850" || first.Amount != 1530 || first.LineNo != 1 || !first.At.Equal(time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC)) {
		t.Errorf("first line = %+v; want customer 17850, £15.30, line 1, 2010-12-01 08:26 UTC", first)
	}
	if !ret.IsCancellation || !ret.IsReturn || ret.Amount != -2750 {
		t.Errorf("C536379 = %+v; want a cancellation and return of -£27.50", ret)
	}
	if last.InvoiceNo != "536365" || last.LineNo != 3 {
		t.Errorf("last line = invoice %s line %d; want 536365 line 3 (third line of that invoice)", last.InvoiceNo, last.LineNo)
	}
	t.Run("BadHeader", func(t *testing.T) {
		_, err := ImportOnlineRetail(context.Background(), strings.NewReader("a,b\n1,2\n"), sink, Options{})
		if err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("error = %v; want a header error naming line 1", err)
		}
	})
}

func TestImportCDNOW(t *testing.T) {
	master := " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n 00003 1997011x  1   1.00\r\n"
	sink := &fakeSink{}
	rep, err := ImportCDNOW(context.Background(), strings.NewReader(master), sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 4 || rep.Stored != 3 || rep.Rejected != 1 || rep.Rejects[0].Line != 5 || rep.Rejects[0].Field != "date" {
		t.Fatalf("report = %+v; want 4 read, 3 stored, line 5 rejected on date", rep)
	}
	l := sink.lines[2]
	if l.CustomerID != "CDNOW-2" || l.InvoiceNo != "CDNOW-2-19970112" || l.LineNo != 2 || l.Amount != 7700 || l.Currency != "USD" {
		t.Errorf("third line = %+v; want CDNOW-2, invoice CDNOW-2-19970112 line 2, $77.00", l)
	}
	elog := "masterid,sampleid,date,cds,sales\n4,1,19970101,2,29.33\n"
	sink = &fakeSink{}
	if _, err := ImportCDNOW(context.Background(), strings.NewReader(elog), sink, Options{}); err != nil {
		t.Fatal(err)
	}
	if sink.lines[0].CustomerID != "CDNOW-4" || sink.lines[0].Amount != 2933 {
		t.Errorf("elog line = %+v; want master id 4 and $29.33", sink.lines[0])
	}
}
