package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// ImportCDNOW streams a CDNOW transaction log (Fader & Hardie's CDNOW data,
// in US dollars) into sink. Two layouts are accepted, detected from the
// header: the full master file (whitespace-separated "customer_id date
// number_of_cds dollar_value") and BTYD's 1/10th sample cdnowElog.csv
// ("masterid,sampleid,date,cds,sales"). Customers are stored as
// "CDNOW-<master id>" so they never collide with other sources; each
// (customer, day) is one invoice "CDNOW-<id>-<YYYYMMDD>" whose lines keep the
// file's order. A row is rejected, with its line number, when a field is
// missing, the date is not YYYYMMDD, the CD count is not a non-negative
// integer, the amount is not a non-negative decimal or is above MaxAmount,
// or a field is not valid UTF-8 or holds a NUL byte. Zero-value rows are
// kept (they are real records in the source). An error reading the input
// (a truncated gzip file, say) stops the import with an error naming the
// file and the last line read; the rows before it are stored.
func ImportCDNOW(ctx context.Context, r io.Reader, sink OrderSink, opt Options) (*Result, error) {
	opt.defaults()
	rep := &Result{File: opt.File, Format: FormatCDNOW}
	br := bufio.NewReaderSize(r, 1<<16)
	// readLine returns the next line; a last line without a newline counts
	// only at a clean end of input (a truncated file's cut line does not).
	readLine := func() (string, error) {
		s, err := br.ReadString('\n')
		if err == io.EOF && s != "" {
			err = nil
		}
		return s, err
	}
	first, err := readLine()
	if err != nil {
		return rep, fmt.Errorf("cdnow: empty input: %w", err)
	}
	lay, err := cdnowLayoutOf(first)
	if err != nil {
		return rep, fmt.Errorf("cdnow: line 1: %w", err)
	}
	defer rep.sortRejects()
	lineNos := make(map[string]int)
	bt := &orderBatch{sink: sink, source: FormatCDNOW, rep: rep, field: lay.names[lay.id],
		lines: make([]OrderLine, 0, opt.BatchSize), from: make([]int, 0, opt.BatchSize)}
	line := 1
	for {
		raw, err := readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := bt.flush(ctx); ferr != nil {
				return rep, fmt.Errorf("cdnow: %w", ferr)
			}
			return rep, fmt.Errorf("cdnow: %w", readError(fileName(opt.File), line, err))
		}
		line++
		text := strings.TrimSpace(raw)
		if text == "" {
			continue
		}
		rep.Read++
		if opt.Progress != nil && rep.Read%ProgressEvery == 0 {
			opt.Progress(rep.Read)
		}
		row, field, reason := lay.parse(text, opt.Location)
		if reason != "" {
			rep.reject(line, field, reason)
			continue
		}
		if reason := opt.future(row.day); reason != "" {
			rep.reject(line, "date", reason)
			continue
		}
		cust := "CDNOW-" + strconv.FormatUint(row.master, 10)
		inv := cust + "-" + row.day.Format("20060102")
		lineNos[inv]++
		price4 := row.sales4
		if row.cds > 0 {
			price4 = (row.sales4 + row.cds/2) / row.cds
		}
		bt.add(line, OrderLine{
			InvoiceNo: inv, LineNo: lineNos[inv], StockCode: "CD", Description: "CDs",
			Quantity: row.cds, UnitPrice4: price4, Amount: row.amount,
			At: row.day, CustomerID: cust, Currency: "USD",
		})
		if len(bt.lines) >= opt.BatchSize {
			if err := bt.flush(ctx); err != nil {
				return rep, fmt.Errorf("cdnow: %w", err)
			}
		}
	}
	if err := bt.flush(ctx); err != nil {
		return rep, fmt.Errorf("cdnow: %w", err)
	}
	return rep, nil
}

// cdnowLayout is one of the two CDNOW file layouts, told apart by the
// header: BTYD's cdnowElog.csv ("masterid,sampleid,date,cds,sales") or the
// full CDNOW_master.txt (whitespace-separated "customer_id date
// number_of_cds dollar_value").
type cdnowLayout struct {
	name                              string // "elog" or "master"
	split                             func(string) []string
	names                             []string // the header's column names
	id, sample, date, qty, amt, width int      // column indexes (sample −1 for master) and field count
}

// cdnowLayoutOf detects the layout from the header line.
func cdnowLayoutOf(header string) (cdnowLayout, error) {
	h := strings.TrimSpace(header)
	var l cdnowLayout
	switch {
	case strings.HasPrefix(h, "masterid,"):
		l = cdnowLayout{name: "elog", split: func(s string) []string { return strings.Split(s, ",") }, id: 0, sample: 1, date: 2, qty: 3, amt: 4, width: 5}
	case strings.HasPrefix(h, "customer_id"):
		l = cdnowLayout{name: "master", split: strings.Fields, id: 0, sample: -1, date: 1, qty: 2, amt: 3, width: 4}
	default:
		return l, fmt.Errorf("header %q is neither cdnowElog.csv (masterid,sampleid,date,cds,sales) nor CDNOW_master.txt (customer_id date number_of_cds dollar_value)", h)
	}
	l.names = l.split(h)
	return l, nil
}

// cdnowRow is one parsed CDNOW transaction.
type cdnowRow struct {
	master uint64 // the customer's master id
	sample string // the elog's sampleid ("" for the master layout)
	day    time.Time
	cds    int64
	sales4 int64 // dollars in units of 1/10,000
	amount analytics.Money
}

// parse reads one non-empty line; for a bad row it returns the field and
// the reason instead. This is the one CDNOW row parser: ImportCDNOW rejects
// such rows and goes on, ReadCDNOW stops at the first.
func (l cdnowLayout) parse(text string, loc *time.Location) (cdnowRow, string, string) {
	f := l.split(text)
	if len(f) != l.width {
		return cdnowRow{}, "row", fmt.Sprintf("has %d fields; want %d", len(f), l.width)
	}
	if field, reason := checkText(f, l.names); reason != "" {
		return cdnowRow{}, field, reason
	}
	var r cdnowRow
	var err error
	if r.master, err = strconv.ParseUint(strings.TrimSpace(f[l.id]), 10, 64); err != nil {
		return r, "customer_id", fmt.Sprintf("%q is not a whole number", f[l.id])
	}
	if l.sample >= 0 {
		r.sample = strings.TrimSpace(f[l.sample])
	}
	if r.day, err = time.ParseInLocation("20060102", strings.TrimSpace(f[l.date]), loc); err != nil {
		return r, "date", fmt.Sprintf("%q is not YYYYMMDD", f[l.date])
	}
	if r.cds, err = strconv.ParseInt(strings.TrimSpace(f[l.qty]), 10, 64); err != nil || r.cds < 0 {
		return r, "cds", fmt.Sprintf("%q is not a non-negative integer", f[l.qty])
	}
	if r.sales4, err = parseDecimal4(f[l.amt]); err != nil || r.sales4 < 0 {
		return r, "sales", fmt.Sprintf("%q is not a non-negative decimal", f[l.amt])
	}
	amount, ok := amountOf(1, r.sales4)
	if !ok {
		return r, "sales", tooLarge(strings.TrimSpace(f[l.amt]))
	}
	r.amount = amount
	return r, "", ""
}

// ReadCDNOW reads a whole CDNOW transaction log (either layout, detected
// from the header as ImportCDNOW does) into orders, for fitting models on a
// file without a database (roibot clv fit --file). Each line is an Order
// with CustomerID = the elog's sampleid (1..2357, the ids of the published
// summaries) or the master file's id without leading zeros (the elog's
// masterid), At = the date at midnight UTC, Amount = dollars in cents, and
// OrderID = "L<line number>". It also returns the layout, "elog" or
// "master".
//
// The first bad row stops it with an error naming its 1-based line that
// wraps an *analytics.InputError naming the field (the rules of
// ImportCDNOW, plus an empty sampleid); an input without rows wraps
// analytics.ErrNoData.
//
// Source: Fader, Hardie & Lee (2005); data from BTYD and lifetimes, see
// data/cdnow/PROVENANCE.md.
func ReadCDNOW(r io.Reader) ([]analytics.Order, string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	var lay cdnowLayout
	var orders []analytics.Order
	line := 0
	fail := func(field string, err error) error {
		return fmt.Errorf("read cdnow line %d: %w", line, &analytics.InputError{Row: -1, Field: field, Err: err})
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			var err error
			if lay, err = cdnowLayoutOf(text); err != nil {
				return nil, "", fail("header", err)
			}
			continue
		}
		if text == "" {
			continue
		}
		row, field, reason := lay.parse(text, time.UTC)
		if reason != "" {
			return nil, lay.name, fail(field, errors.New(reason))
		}
		id := strconv.FormatUint(row.master, 10)
		if lay.sample >= 0 {
			if id = row.sample; id == "" {
				return nil, lay.name, fail("sampleid", errors.New("empty"))
			}
		}
		orders = append(orders, analytics.Order{OrderID: "L" + strconv.Itoa(line), CustomerID: id, At: row.day, Amount: row.amount})
	}
	if err := sc.Err(); err != nil {
		return nil, lay.name, fmt.Errorf("read cdnow line %d: %w", line+1, err)
	}
	if len(orders) == 0 {
		return nil, lay.name, fmt.Errorf("read cdnow: %w", analytics.ErrNoData)
	}
	return orders, lay.name, nil
}
