package ingest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
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
func ImportCDNOW(ctx context.Context, r io.Reader, sink OrderSink, opt Options) (*Report, error) {
	opt.defaults()
	rep := &Report{File: opt.File, Format: FormatCDNOW}
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
	header := strings.TrimSpace(first)
	var split func(string) []string
	var idIdx, dateIdx, qtyIdx, amtIdx, nfields int
	switch {
	case strings.HasPrefix(header, "masterid,"):
		split = func(s string) []string { return strings.Split(s, ",") }
		idIdx, dateIdx, qtyIdx, amtIdx, nfields = 0, 2, 3, 4, 5
	case strings.HasPrefix(header, "customer_id"):
		split = strings.Fields
		idIdx, dateIdx, qtyIdx, amtIdx, nfields = 0, 1, 2, 3, 4
	default:
		return rep, fmt.Errorf("cdnow: line 1: header %q is neither cdnowElog.csv (masterid,sampleid,date,cds,sales) nor CDNOW_master.txt (customer_id date number_of_cds dollar_value)", header)
	}
	defer rep.sortRejects()
	names := split(header)
	lineNos := make(map[string]int)
	bt := &orderBatch{sink: sink, source: FormatCDNOW, rep: rep, field: names[idIdx],
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
		f := split(text)
		if len(f) != nfields {
			rep.reject(line, "row", fmt.Sprintf("has %d fields; want %d", len(f), nfields))
			continue
		}
		if field, reason := checkText(f, names); reason != "" {
			rep.reject(line, field, reason)
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSpace(f[idIdx]), 10, 64)
		if err != nil {
			rep.reject(line, "customer_id", fmt.Sprintf("%q is not a whole number", f[idIdx]))
			continue
		}
		day, err := time.ParseInLocation("20060102", strings.TrimSpace(f[dateIdx]), opt.Location)
		if err != nil {
			rep.reject(line, "date", fmt.Sprintf("%q is not YYYYMMDD", f[dateIdx]))
			continue
		}
		if reason := opt.future(day); reason != "" {
			rep.reject(line, "date", reason)
			continue
		}
		qty, err := strconv.ParseInt(strings.TrimSpace(f[qtyIdx]), 10, 64)
		if err != nil || qty < 0 {
			rep.reject(line, "cds", fmt.Sprintf("%q is not a non-negative integer", f[qtyIdx]))
			continue
		}
		amt4, err := parseDecimal4(f[amtIdx])
		if err != nil || amt4 < 0 {
			rep.reject(line, "sales", fmt.Sprintf("%q is not a non-negative decimal", f[amtIdx]))
			continue
		}
		amount, ok := amountOf(1, amt4)
		if !ok {
			rep.reject(line, "sales", tooLarge(strings.TrimSpace(f[amtIdx])))
			continue
		}
		cust := "CDNOW-" + strconv.FormatUint(id, 10)
		inv := cust + "-" + day.Format("20060102")
		lineNos[inv]++
		price4 := amt4
		if qty > 0 {
			price4 = (amt4 + qty/2) / qty
		}
		bt.add(line, OrderLine{
			InvoiceNo: inv, LineNo: lineNos[inv], StockCode: "CD", Description: "CDs",
			Quantity: qty, UnitPrice4: price4, Amount: amount,
			At: day, CustomerID: cust, Currency: "USD",
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
