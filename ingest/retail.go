package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// Formats accepted by the importers.
const (
	FormatOnlineRetail = "online-retail"
	FormatCDNOW        = "cdnow"
)

// OrderLine is one validated invoice line ready to store; the type lives
// in analytics so that stores take it without importing this package.
type OrderLine = analytics.OrderLine

// OrderSink stores batches of order lines: customers and orders are created
// from the lines as needed and existing rows are left alone, so a repeated
// import stores nothing. A line is stored only when its invoice (already
// stored or just created) has the line's customer, currency, invoiced_at
// and source; the others are refused and listed in StoreResult.Conflicts.
type OrderSink interface {
	StoreOrderLines(ctx context.Context, source string, lines []OrderLine) (StoreResult, error)
}

// StoreResult is what OrderSink.StoreOrderLines did with a batch
// (analytics.StoreResult).
type StoreResult = analytics.StoreResult

// orderBatch is the batch of an order importer: the lines and the input
// line each came from.
type orderBatch struct {
	sink   OrderSink
	source string
	rep    *Result
	// field names the invoice number in the rejects of refused lines.
	field string
	lines []OrderLine
	from  []int
}

func (b *orderBatch) add(line int, ol OrderLine) {
	b.lines = append(b.lines, ol)
	b.from = append(b.from, line)
}

// flush stores the batch and accounts for it in the report: refused lines
// become rejects (and leave the Returns and Anonymous counts), lines
// neither stored nor refused count as Skipped.
func (b *orderBatch) flush(ctx context.Context) error {
	if len(b.lines) == 0 {
		return nil
	}
	res, err := b.sink.StoreOrderLines(ctx, b.source, b.lines)
	if err != nil {
		return fmt.Errorf("store batch ending at line %d: %w", b.from[len(b.from)-1], err)
	}
	b.rep.Stored += res.Stored
	b.rep.Skipped += len(b.lines) - res.Stored - len(res.Conflicts)
	for _, i := range res.Conflicts {
		if i < 0 || i >= len(b.lines) {
			return fmt.Errorf("store batch ending at line %d: conflict index %d out of range", b.from[len(b.from)-1], i)
		}
		l := b.lines[i]
		if l.IsReturn {
			b.rep.Returns--
		}
		if l.CustomerID == "" {
			b.rep.Anonymous--
		}
		b.rep.reject(b.from[i], b.field, fmt.Sprintf("invoice %s already exists with another customer, currency, date or source", l.InvoiceNo))
	}
	b.lines, b.from = b.lines[:0], b.from[:0]
	return nil
}

// Options tunes an import.
type Options struct {
	// File names the input in the report.
	File string
	// BatchSize is the number of lines per Sink call (default 50,000: a
	// store merges each batch with a few set-based statements).
	BatchSize int
	// Progress, when set, is called every ProgressEvery rows.
	Progress Progress
	// Location is the business time zone in which naive timestamps of the
	// file are read (default UTC).
	Location *time.Location
	// MaxRows, when positive, stops after that many data rows (reviews
	// only: a deterministic prefix for the demo).
	MaxRows int
	// Now returns the current time (default time.Now); dates later than
	// Now + MaxFuture are rejected.
	Now func() time.Time
	// MaxFuture is how far past now a date may lie (default
	// DefaultMaxFuture): a date far in the future (9999-12-31) is a typo or
	// an attack, and would become the data's as-of date.
	MaxFuture time.Duration

	latest time.Time // Now() + MaxFuture, set by defaults
}

// DefaultMaxFuture is the default tolerance for dates after now: two days
// cover every time zone and a clock a little behind.
const DefaultMaxFuture = 48 * time.Hour

// future returns a reject reason when t lies after the latest accepted
// date, else "".
func (o *Options) future(t time.Time) string {
	if t.After(o.latest) {
		return fmt.Sprintf("%s is in the future (more than %s after now)", t.Format(time.DateOnly), o.MaxFuture)
	}
	return ""
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxFuture <= 0 {
		o.MaxFuture = DefaultMaxFuture
	}
	o.latest = o.Now().Add(o.MaxFuture)
	if o.BatchSize <= 0 {
		o.BatchSize = 50000
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
}

var onlineRetailHeader = []string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"}

// ImportOnlineRetail streams the UCI Online Retail CSV (Chen, Sain & Guo
// 2012; header InvoiceNo,StockCode,Description,Quantity,InvoiceDate,
// UnitPrice,CustomerID,Country) into sink, in GBP.
//
// Rules: an InvoiceNo starting with "C" is a cancellation and every line with
// a negative quantity is a return — both are kept and marked, and purchase
// metrics exclude them. Rows without a CustomerID are kept (basket analysis)
// but excluded from customer metrics. A row is rejected, with its line number,
// when it has the wrong number of fields, an empty InvoiceNo, a Quantity that
// is not an integer or is 0, an InvoiceDate not in "2006-01-02 15:04:05" (or
// "1/2/2006 15:04"), a UnitPrice that is not a decimal or is negative (the
// "Adjust bad debt" rows), a CustomerID that is not a whole number, a
// field that is not valid UTF-8 or holds a NUL byte, a Quantity × UnitPrice
// above MaxAmount, or a positive Quantity on a cancellation ("C") invoice
// (the published file has none). Every line of an invoice is stored with
// the InvoiceDate of its first line (some invoices span a minute boundary).
// A line whose invoice number is already stored with another customer,
// currency, date or source is rejected too (see OrderSink).
//
// An error reading the input (a truncated gzip file, say) stops the import
// with an error naming the file and the last line read; the rows before it
// are stored.
func ImportOnlineRetail(ctx context.Context, r io.Reader, sink OrderSink, opt Options) (*Result, error) {
	opt.defaults()
	rep := &Result{File: opt.File, Format: FormatOnlineRetail}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return rep, fmt.Errorf("online retail: read header: %w", err)
	}
	if err := checkHeader(header, onlineRetailHeader); err != nil {
		return rep, fmt.Errorf("online retail: line 1: %w", err)
	}
	defer rep.sortRejects()
	lineNos := make(map[string]int)
	// firstAt holds the InvoiceDate of each invoice's first line: some
	// invoices span a minute boundary, and the stored invoice has one time.
	firstAt := make(map[string]time.Time)
	b := &orderBatch{sink: sink, source: FormatOnlineRetail, rep: rep, field: "InvoiceNo",
		lines: make([]OrderLine, 0, opt.BatchSize), from: make([]int, 0, opt.BatchSize)}
	err = eachRow(cr, rep, opt, func() error { return b.flush(ctx) }, func(rec []string, line int) error {
		ol, field, reason := parseRetailRow(rec, opt.Location)
		if reason == "" {
			field, reason = "InvoiceDate", opt.future(ol.At)
		}
		if reason != "" {
			rep.reject(line, field, reason)
			return nil
		}
		if at, ok := firstAt[ol.InvoiceNo]; ok {
			ol.At = at
		} else {
			firstAt[ol.InvoiceNo] = ol.At
		}
		lineNos[ol.InvoiceNo]++
		ol.LineNo = lineNos[ol.InvoiceNo]
		if ol.IsReturn {
			rep.Returns++
		}
		if ol.CustomerID == "" {
			rep.Anonymous++
		}
		b.add(line, ol)
		if len(b.lines) >= opt.BatchSize {
			return b.flush(ctx)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("online retail: %w", err)
	}
	if err := b.flush(ctx); err != nil {
		return rep, fmt.Errorf("online retail: %w", err)
	}
	return rep, nil
}

// fileName names the input in errors.
func fileName(file string) string {
	if file == "" {
		return "input"
	}
	return file
}

func parseRetailRow(rec []string, loc *time.Location) (OrderLine, string, string) {
	if len(rec) != len(onlineRetailHeader) {
		return OrderLine{}, "row", fmt.Sprintf("has %d fields; want %d", len(rec), len(onlineRetailHeader))
	}
	if field, reason := checkText(rec, onlineRetailHeader); reason != "" {
		return OrderLine{}, field, reason
	}
	ol := OrderLine{
		InvoiceNo:   strings.TrimSpace(rec[0]),
		StockCode:   strings.TrimSpace(rec[1]),
		Description: strings.TrimSpace(rec[2]),
		Country:     strings.TrimSpace(rec[7]),
		Currency:    "GBP",
	}
	if ol.InvoiceNo == "" {
		return ol, "InvoiceNo", "empty"
	}
	q, err := strconv.ParseInt(strings.TrimSpace(rec[3]), 10, 64)
	if err != nil {
		return ol, "Quantity", fmt.Sprintf("%q is not an integer", rec[3])
	}
	if q == 0 {
		return ol, "Quantity", "is 0"
	}
	ol.Quantity = q
	at, err := parseRetailTime(strings.TrimSpace(rec[4]), loc)
	if err != nil {
		return ol, "InvoiceDate", fmt.Sprintf("%q is not a date-time", rec[4])
	}
	ol.At = at
	p, err := parseDecimal4(rec[5])
	if err != nil {
		return ol, "UnitPrice", fmt.Sprintf("%q is not a decimal", rec[5])
	}
	if p < 0 {
		return ol, "UnitPrice", fmt.Sprintf("%s is negative", strings.TrimSpace(rec[5]))
	}
	ol.UnitPrice4 = p
	amount, ok := amountOf(q, p)
	if !ok {
		return ol, "UnitPrice", tooLarge("Quantity × UnitPrice")
	}
	ol.Amount = amount
	if c := strings.TrimSpace(rec[6]); c != "" {
		id, err := normalizeCustomerID(c)
		if err != nil {
			return ol, "CustomerID", fmt.Sprintf("%q is not a whole number", c)
		}
		ol.CustomerID = id
	}
	ol.IsCancellation = strings.HasPrefix(ol.InvoiceNo, "C")
	if ol.IsCancellation && q > 0 {
		return ol, "Quantity", "cancellation invoice with positive quantity"
	}
	ol.IsReturn = ol.IsCancellation || q < 0
	return ol, "", ""
}

// normalizeCustomerID turns "17850.0" (pandas' float export) into "17850".
func normalizeCustomerID(s string) (string, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && strings.Trim(frac, "0") != "" {
		return "", errors.New("fractional")
	}
	if _, err := strconv.ParseUint(whole, 10, 64); err != nil {
		return "", err
	}
	return whole, nil
}

func parseRetailTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "1/2/2006 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

func checkHeader(got, want []string) error {
	if len(got) != len(want) {
		return fmt.Errorf("header has %d columns %v; want %v", len(got), got, want)
	}
	for i := range want {
		if strings.TrimSpace(strings.TrimPrefix(got[i], "\ufeff")) != want[i] {
			return fmt.Errorf("header column %d is %q; want %q", i+1, got[i], want[i])
		}
	}
	return nil
}
