package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// Tables accepted by ImportTable. Each has a documented generic CSV
// (docs/data.md); import them in this order, since campaigns, ad_spend,
// touchpoints and funnel_events refer to channels and customers.
const (
	TableCustomers    = "customers"
	TableProducts     = "products"
	TableChannels     = "channels"
	TableCampaigns    = "campaigns"
	TableAdSpend      = "ad_spend"
	TableTouchpoints  = "touchpoints"
	TableFunnelEvents = "funnel_events"
	TableOrders       = "orders"
	TableFXRates      = "fx_rates"
)

// FormatCSV is the source recorded on customers and orders imported from a
// table's generic CSV.
const FormatCSV = "csv"

// Kind says how a generic CSV column is read and what Go value it becomes
// in a Row.
type Kind int

// Column kinds.
const (
	// Text is any text, trimmed of surrounding spaces; a string.
	Text Kind = iota
	// Date is a calendar day written YYYY-MM-DD; the same string.
	Date
	// Timestamp is RFC 3339 ("2011-12-09T12:50:00Z", "…+01:00") or a naive
	// "YYYY-MM-DD HH:MM:SS" (or with a "T") read in Options.Location; a
	// time.Time.
	Timestamp
	// Money is a non-negative decimal in major units (pounds, dollars) with
	// at most 2 decimal places and at most MaxAmount; an int64 in minor
	// units (pence, cents).
	Money
	// Currency is an ISO 4217 code of 3 upper-case letters; a string.
	Currency
	// Price is a non-negative decimal in major units with at most 4 decimal
	// places (orders only); an int64 in 1/10000 units.
	Price
	// Quantity is a non-zero integer that fits in 32 bits, negative for
	// returns (orders only); an int64.
	Quantity
	// Rate is a positive decimal (an exchange rate) with at most 10
	// decimal places, below 10^10; the decimal text, normalised.
	Rate
)

var kindNames = [...]string{"text", "date", "timestamp", "money", "currency", "price", "quantity", "rate"}

// String returns the kind's name as docs/data.md writes it.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Column describes one column of a table's generic CSV.
type Column struct {
	Name string
	Kind Kind
	// Required columns must be in the header and non-empty in every row.
	Required bool
	// Default replaces an empty or absent value.
	Default string
	// OneOf, when set, lists the only values allowed.
	OneOf []string
	// References names the table (channels or customers) whose key a
	// non-empty value must be; rows naming a missing key are rejected.
	References string
}

// Row is one validated row of a table other than orders: one value per
// column of Columns(table), in that order, typed as its Kind says. It is
// an alias of []any so that a store takes []Row as [][]any without
// importing this package.
type Row = []any

// TableSink stores validated rows of the generic table CSVs.
type TableSink interface {
	OrderSink
	// KnownKeys returns those of keys that exist as the key of table
	// (TableChannels or TableCustomers).
	KnownKeys(ctx context.Context, table string, keys []string) ([]string, error)
	// StoreRows stores rows of table (any table but orders), leaving rows
	// whose key is already stored as they are, and returns how many were
	// newly stored.
	StoreRows(ctx context.Context, table string, rows []Row) (int, error)
}

type tableSpec struct {
	name    string
	columns []Column
	// key lists the columns of the primary key; rows repeating the key of an
	// earlier row of the file are rejected.
	key []string
}

var tableSpecs = []tableSpec{
	{name: TableCustomers, key: []string{"customer_id"}, columns: []Column{
		{Name: "customer_id", Required: true},
		{Name: "country"},
	}},
	{name: TableProducts, key: []string{"stock_code"}, columns: []Column{
		{Name: "stock_code", Required: true},
		{Name: "description"},
		{Name: "category"},
	}},
	{name: TableChannels, key: []string{"channel"}, columns: []Column{
		{Name: "channel", Required: true},
		{Name: "kind", Default: "paid", OneOf: []string{"paid", "owned", "earned"}},
	}},
	{name: TableCampaigns, key: []string{"campaign"}, columns: []Column{
		{Name: "campaign", Required: true},
		{Name: "channel", Required: true, References: TableChannels},
		{Name: "starts_on", Kind: Date, Required: true},
		{Name: "ends_on", Kind: Date, Required: true},
	}},
	{name: TableAdSpend, key: []string{"day", "channel", "campaign"}, columns: []Column{
		{Name: "day", Kind: Date, Required: true},
		{Name: "channel", Required: true, References: TableChannels},
		{Name: "campaign"},
		{Name: "cost", Kind: Money, Required: true},
		{Name: "currency", Kind: Currency, Default: analytics.DefaultCurrency},
	}},
	{name: TableTouchpoints, key: []string{"touchpoint_id"}, columns: []Column{
		{Name: "touchpoint_id", Required: true},
		{Name: "customer_id", Required: true, References: TableCustomers},
		{Name: "channel", Required: true, References: TableChannels},
		{Name: "campaign"},
		{Name: "touched_at", Kind: Timestamp, Required: true},
	}},
	{name: TableFunnelEvents, key: []string{"event_id"}, columns: []Column{
		{Name: "event_id", Required: true},
		{Name: "session_id", Required: true},
		{Name: "stage", Required: true, OneOf: []string{"visit", "product_view", "add_to_cart", "checkout", "purchase"}},
		{Name: "occurred_at", Kind: Timestamp, Required: true},
		{Name: "channel", Required: true, References: TableChannels},
		{Name: "campaign"},
		{Name: "customer_id", References: TableCustomers},
	}},
	{name: TableFXRates, key: []string{"day", "currency", "to_currency"}, columns: []Column{
		{Name: "day", Kind: Date, Required: true},
		{Name: "currency", Kind: Currency, Required: true},
		{Name: "rate", Kind: Rate, Required: true},
		{Name: "to_currency", Kind: Currency, Default: analytics.DefaultCurrency},
	}},
	{name: TableOrders, columns: []Column{
		{Name: "invoice_no", Required: true},
		{Name: "invoiced_at", Kind: Timestamp, Required: true},
		{Name: "customer_id"},
		{Name: "country"},
		{Name: "stock_code"},
		{Name: "description"},
		{Name: "quantity", Kind: Quantity, Required: true},
		{Name: "unit_price", Kind: Price, Required: true},
		{Name: "currency", Kind: Currency, Default: analytics.DefaultCurrency},
	}},
}

func lookupSpec(table string) (*tableSpec, bool) {
	for i := range tableSpecs {
		if tableSpecs[i].name == table {
			return &tableSpecs[i], true
		}
	}
	return nil, false
}

// Tables returns the names of the tables ImportTable accepts, in the order
// they should be imported.
func Tables() []string {
	out := make([]string, len(tableSpecs))
	for i, s := range tableSpecs {
		out[i] = s.name
	}
	return out
}

// Columns returns the generic CSV columns of table, in the order of its
// Row values, and false for an unknown table.
func Columns(table string) ([]Column, bool) {
	s, ok := lookupSpec(table)
	if !ok {
		return nil, false
	}
	return slices.Clone(s.columns), true
}

// ImportTable streams the generic CSV of table (see Tables and
// docs/data.md) into sink. The first line is a header naming columns in
// any order; an unknown or repeated column, or a missing required one, fails
// the import at line 1 before anything is stored. Absent optional columns
// take their default.
//
// Every field of every data row must be valid UTF-8 without NUL bytes, and
// every value is validated as its column's Kind says; a bad row is
// rejected with its line number (the line on which the row starts, quoted
// multi-line fields included), field and reason, and the import goes on.
// Rows are also rejected when they name a channel or customer that is not
// stored (import channels and customers first), repeat the key of an earlier
// row of the file, or, for campaigns, end before they start. Rows whose key
// is already stored are left as they are and counted in Result.Skipped, so
// importing a file twice stores nothing the second time. Rows imported this
// way are real, not synthetic. An error reading the input (a truncated gzip
// file, say) stops the import with an error naming the file and the last
// line read; the rows before it are stored.
//
// Orders have one row per invoice line and are stored through
// OrderSink.StoreOrderLines, with source FormatCSV: line_no is the line's
// position among the invoice's accepted rows in the file, an invoice_no
// starting with "C" is a cancellation, a negative quantity a return, and an
// empty customer_id an anonymous invoice (kept for basket analysis, excluded
// from customer metrics). Customers named by orders are created as needed.
// A line whose invoiced_at, customer_id, country or currency differs from
// the invoice's first line is rejected, and so is a line with a positive
// quantity on a cancellation invoice, a quantity × unit_price above
// MaxAmount, or an invoice_no already stored with another customer,
// currency, invoiced_at or source (another file's invoice: see OrderSink).
func ImportTable(ctx context.Context, table string, r io.Reader, sink TableSink, opt Options) (rep *Result, err error) {
	opt.defaults()
	rep = &Result{File: opt.File, Format: table}
	spec, ok := lookupSpec(table)
	if !ok {
		return rep, fmt.Errorf("import: unknown table %q (want one of %s)", table, strings.Join(Tables(), ", "))
	}
	defer func() {
		sort.SliceStable(rep.Rejects, func(i, j int) bool { return rep.Rejects[i].Line < rep.Rejects[j].Line })
	}()
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return rep, fmt.Errorf("%s: empty input: want a header line", table)
	}
	if err != nil {
		return rep, fmt.Errorf("%s: read header: %w", table, err)
	}
	header = slices.Clone(header) // the reader reuses its record
	pos, err := spec.mapHeader(header)
	if err != nil {
		return rep, fmt.Errorf("%s: line 1: %w", table, err)
	}
	var w tableWriter
	if table == TableOrders {
		w = &orderWriter{batch: orderBatch{sink: sink, source: FormatCSV, rep: rep, field: "invoice_no"},
			batchSize: opt.BatchSize, lineNos: map[string]int{}, invoices: map[string]invoiceHead{}}
	} else {
		rw := &rowWriter{spec: spec, sink: sink, rep: rep, batchSize: opt.BatchSize,
			seen: map[string]int{}, known: map[string]map[string]bool{}}
		for _, k := range spec.key {
			rw.keyIdx = append(rw.keyIdx, slices.IndexFunc(spec.columns, func(c Column) bool { return c.Name == k }))
		}
		w = rw
	}
	vals := make([]any, len(spec.columns))
	err = eachRow(cr, rep, opt, func() error { return w.flush(ctx) }, func(rec []string, line int) error {
		if len(rec) != len(header) {
			rep.reject(line, "row", fmt.Sprintf("has %d fields; want %d (one per header column)", len(rec), len(header)))
			return nil
		}
		if field, reason := checkText(rec, header); reason != "" {
			rep.reject(line, field, reason)
			return nil
		}
		if field, reason := spec.parseRow(rec, pos, opt.Location, vals); reason != "" {
			rep.reject(line, field, reason)
			return nil
		}
		if field, reason := spec.future(vals, &opt); reason != "" {
			rep.reject(line, field, reason)
			return nil
		}
		return w.add(ctx, line, vals)
	})
	if err != nil {
		return rep, fmt.Errorf("%s: %w", table, err)
	}
	if err := w.flush(ctx); err != nil {
		return rep, fmt.Errorf("%s: %w", table, err)
	}
	return rep, nil
}

// mapHeader returns, for each column of the spec, its index in the header
// or -1 when absent.
func (s *tableSpec) mapHeader(header []string) ([]int, error) {
	pos := make([]int, len(s.columns))
	for i := range pos {
		pos[i] = -1
	}
	var unknown []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		j := slices.IndexFunc(s.columns, func(c Column) bool { return c.Name == name })
		switch {
		case j < 0:
			unknown = append(unknown, strconv.Quote(h))
		case pos[j] >= 0:
			return nil, fmt.Errorf("column %q appears twice in the header", name)
		default:
			pos[j] = i
		}
	}
	names := make([]string, len(s.columns))
	var missing []string
	for i, c := range s.columns {
		names[i] = c.Name
		if c.Required && pos[i] < 0 {
			missing = append(missing, c.Name)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown column %s; table %s has columns %s", strings.Join(unknown, ", "), s.name, strings.Join(names, ", "))
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing required column %s", strings.Join(missing, ", "))
	}
	return pos, nil
}

// parseRow fills vals from rec, or returns the field and reason of the
// first bad value.
func (s *tableSpec) parseRow(rec []string, pos []int, loc *time.Location, vals []any) (field, reason string) {
	for i, c := range s.columns {
		raw := ""
		if pos[i] >= 0 {
			raw = strings.TrimSpace(rec[pos[i]])
		}
		if raw == "" {
			raw = c.Default
		}
		if raw == "" {
			if c.Required {
				return c.Name, "is empty"
			}
			vals[i] = emptyValue(c.Kind)
			continue
		}
		v, reason := parseValue(c, raw, loc)
		if reason != "" {
			return c.Name, reason
		}
		vals[i] = v
	}
	if s.name == TableCampaigns {
		if starts, ends := vals[2].(string), vals[3].(string); ends < starts {
			return "ends_on", fmt.Sprintf("%s is before starts_on %s", ends, starts)
		}
	}
	return "", ""
}

// future returns the first date or timestamp column of a parsed row that
// lies beyond opt's tolerance, with the reason.
func (s *tableSpec) future(vals []any, opt *Options) (string, string) {
	for i, c := range s.columns {
		var t time.Time
		switch v := vals[i].(type) {
		case time.Time:
			t = v
		case string:
			if c.Kind != Date || v == "" {
				continue
			}
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				continue
			}
			t = d
		default:
			continue
		}
		if reason := opt.future(t); reason != "" {
			return c.Name, reason
		}
	}
	return "", ""
}

func emptyValue(k Kind) any {
	switch k {
	case Timestamp:
		return time.Time{}
	case Money, Price, Quantity:
		return int64(0)
	}
	return ""
}

func parseValue(c Column, raw string, loc *time.Location) (any, string) {
	if len(c.OneOf) > 0 && !slices.Contains(c.OneOf, raw) {
		return nil, fmt.Sprintf("%q is not one of %s", raw, strings.Join(c.OneOf, ", "))
	}
	switch c.Kind {
	case Date:
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a date YYYY-MM-DD", raw)
		}
		return d.Format(time.DateOnly), ""
	case Timestamp:
		t, err := parseTimestamp(raw, loc)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a timestamp (RFC 3339 or YYYY-MM-DD HH:MM:SS)", raw)
		}
		return t, ""
	case Money, Price:
		scale := 2
		if c.Kind == Price {
			scale = 4
		}
		v, err := parseFixed(raw, scale)
		if err != nil {
			return nil, fmt.Sprintf("%q: %v", raw, err)
		}
		if v < 0 {
			return nil, fmt.Sprintf("%s is negative", raw)
		}
		if c.Kind == Money && v > int64(MaxAmount) {
			return nil, tooLarge(raw)
		}
		// order_lines.unit_price is numeric(14, 4).
		if c.Kind == Price && v >= 1e14 {
			return nil, fmt.Sprintf("%s is too large (want < 10000000000)", raw)
		}
		return v, ""
	case Quantity:
		q, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a 32-bit integer", raw)
		}
		if q == 0 {
			return nil, "is 0"
		}
		return q, ""
	case Rate:
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || strings.ContainsAny(raw, "eExXnNiI") {
			return nil, fmt.Sprintf("%q is not a decimal number", raw)
		}
		if !(v > 0) || v >= 1e10 {
			return nil, fmt.Sprintf("%s is not a rate above 0 and below 10000000000", raw)
		}
		if i := strings.IndexByte(raw, '.'); i >= 0 && len(raw)-i-1 > 10 {
			return nil, fmt.Sprintf("%s has more than 10 decimal places", raw)
		}
		return raw, ""
	case Currency:
		if len(raw) != 3 || strings.Trim(raw, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, fmt.Sprintf("%q is not a currency code of 3 upper-case letters", raw)
		}
		return raw, ""
	}
	return raw, ""
}

var naiveLayouts = []string{time.DateTime, "2006-01-02T15:04:05"}

func parseTimestamp(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range naiveLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad timestamp")
}

// tableWriter batches accepted rows and stores them.
type tableWriter interface {
	// add takes one parsed row (vals is reused by the caller).
	add(ctx context.Context, line int, vals []any) error
	flush(ctx context.Context) error
}

// rowWriter writes every table but orders. Reference and duplicate checks
// run when a batch is flushed, in line order, so that one lookup per batch
// and referenced table suffices.
type rowWriter struct {
	spec      *tableSpec
	keyIdx    []int // positions of spec.key in spec.columns
	sink      TableSink
	rep       *Result
	batchSize int
	pending   []pendingRow
	// seen maps the key of each accepted row to its line.
	seen map[string]int
	// known caches, per referenced table, whether a key exists.
	known map[string]map[string]bool
}

type pendingRow struct {
	line int
	row  Row
}

func (w *rowWriter) add(ctx context.Context, line int, vals []any) error {
	w.pending = append(w.pending, pendingRow{line: line, row: slices.Clone(Row(vals))})
	if len(w.pending) >= w.batchSize {
		return w.flush(ctx)
	}
	return nil
}

func (w *rowWriter) flush(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	if err := w.resolve(ctx); err != nil {
		return err
	}
	rows := make([]Row, 0, len(w.pending))
	var key strings.Builder
pending:
	for _, p := range w.pending {
		for i, c := range w.spec.columns {
			v, _ := p.row[i].(string)
			if c.References != "" && v != "" && !w.known[c.References][v] {
				w.rep.reject(p.line, c.Name, fmt.Sprintf("%s %q does not exist (import %s first)", singular(c.References), v, c.References))
				continue pending
			}
		}
		key.Reset()
		for _, i := range w.keyIdx {
			key.WriteString(fmt.Sprint(p.row[i]))
			key.WriteByte(0)
		}
		if first, dup := w.seen[key.String()]; dup {
			w.rep.reject(p.line, strings.Join(w.spec.key, "+"), fmt.Sprintf("repeats the key of line %d", first))
			continue
		}
		w.seen[key.String()] = p.line
		rows = append(rows, p.row)
	}
	last := w.pending[len(w.pending)-1].line
	w.pending = w.pending[:0]
	if len(rows) == 0 {
		return nil
	}
	n, err := w.sink.StoreRows(ctx, w.spec.name, rows)
	if err != nil {
		return fmt.Errorf("store batch ending at line %d: %w", last, err)
	}
	w.rep.Stored += n
	w.rep.Skipped += len(rows) - n
	return nil
}

// resolve looks up, per referenced table, the keys of the pending rows not
// yet known.
func (w *rowWriter) resolve(ctx context.Context) error {
	ask := map[string][]string{}
	for i, c := range w.spec.columns {
		if c.References == "" {
			continue
		}
		if w.known[c.References] == nil {
			w.known[c.References] = map[string]bool{}
		}
		cache := w.known[c.References]
		for _, p := range w.pending {
			v, _ := p.row[i].(string)
			if _, done := cache[v]; v != "" && !done {
				cache[v] = false
				ask[c.References] = append(ask[c.References], v)
			}
		}
	}
	for table, keys := range ask {
		found, err := w.sink.KnownKeys(ctx, table, keys)
		if err != nil {
			return fmt.Errorf("look up %s: %w", table, err)
		}
		for _, k := range found {
			w.known[table][k] = true
		}
	}
	return nil
}

func singular(table string) string {
	switch table {
	case TableChannels:
		return "channel"
	case TableCustomers:
		return "customer"
	}
	return table
}

// orderWriter turns order rows into OrderLines.
type orderWriter struct {
	batch     orderBatch
	batchSize int
	lineNos   map[string]int
	invoices  map[string]invoiceHead
}

// invoiceHead is what every line of an invoice must agree on.
type invoiceHead struct {
	line                        int
	at                          time.Time
	customer, country, currency string
}

func (w *orderWriter) add(ctx context.Context, line int, vals []any) error {
	ol := OrderLine{
		InvoiceNo:   vals[0].(string),
		At:          vals[1].(time.Time),
		CustomerID:  vals[2].(string),
		Country:     vals[3].(string),
		StockCode:   vals[4].(string),
		Description: vals[5].(string),
		Quantity:    vals[6].(int64),
		UnitPrice4:  vals[7].(int64),
		Currency:    vals[8].(string),
	}
	rep := w.batch.rep
	amount, ok := amountOf(ol.Quantity, ol.UnitPrice4)
	if !ok {
		rep.reject(line, "unit_price", tooLarge("quantity × unit_price"))
		return nil
	}
	ol.IsCancellation = strings.HasPrefix(ol.InvoiceNo, "C")
	if ol.IsCancellation && ol.Quantity > 0 {
		rep.reject(line, "quantity", "cancellation invoice with positive quantity")
		return nil
	}
	head := invoiceHead{line: line, at: ol.At, customer: ol.CustomerID, country: ol.Country, currency: ol.Currency}
	if first, ok := w.invoices[ol.InvoiceNo]; ok {
		field, got, want := "", "", ""
		switch {
		case !head.at.Equal(first.at):
			field, got, want = "invoiced_at", head.at.Format(time.RFC3339), first.at.Format(time.RFC3339)
		case head.customer != first.customer:
			field, got, want = "customer_id", head.customer, first.customer
		case head.country != first.country:
			field, got, want = "country", head.country, first.country
		case head.currency != first.currency:
			field, got, want = "currency", head.currency, first.currency
		}
		if field != "" {
			rep.reject(line, field, fmt.Sprintf("%q differs from %q on line %d of invoice %s", got, want, first.line, ol.InvoiceNo))
			return nil
		}
	} else {
		w.invoices[ol.InvoiceNo] = head
	}
	w.lineNos[ol.InvoiceNo]++
	ol.LineNo = w.lineNos[ol.InvoiceNo]
	ol.Amount = amount
	ol.IsReturn = ol.IsCancellation || ol.Quantity < 0
	if ol.IsReturn {
		rep.Returns++
	}
	if ol.CustomerID == "" {
		rep.Anonymous++
	}
	w.batch.add(line, ol)
	if len(w.batch.lines) >= w.batchSize {
		return w.flush(ctx)
	}
	return nil
}

func (w *orderWriter) flush(ctx context.Context) error { return w.batch.flush(ctx) }
