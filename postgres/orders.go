package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// StoreOrderLines stores a batch of validated order lines in one
// transaction: customers, products and orders are created from the lines
// where missing (existing rows are left as they are) and lines already
// stored are skipped, so importing a file twice stores nothing the second
// time. A line is stored only when its invoice row (already stored or just
// created from the batch's first line of that invoice) has the line's
// customer (both empty counts as the same), currency, invoiced_at and
// source: an invoice number reused by another file or source never gains
// lines that are not its own, nor creates customers or products for them.
// The indexes of the lines refused that way are returned in
// StoreResult.Conflicts, with the number of lines newly stored.
//
// The lines travel by COPY (pgx CopyFrom) into a temporary staging table
// dropped at commit, and are merged from there with set-based INSERT ...
// SELECT ... ON CONFLICT DO NOTHING statements.
func (s *Store) StoreOrderLines(ctx context.Context, source string, lines []analytics.OrderLine) (analytics.StoreResult, error) {
	var res analytics.StoreResult
	if len(lines) == 0 {
		return res, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.timeout)
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		res, err = storeOrderLines(ctx, tx, source, lines)
		return err
	})
	if err != nil {
		return analytics.StoreResult{}, fmt.Errorf("store order lines: %w", translate(err))
	}
	return res, nil
}

// orderStageColumns are the columns of the staging table of
// StoreOrderLines, in CopyFrom order; idx is the line's 0-based index in
// the batch.
var orderStageColumns = []string{"idx", "inv", "no", "code", "descr", "qty", "price4", "amount", "ret",
	"cust", "country", "currency", "at", "cancel"}

func storeOrderLines(ctx context.Context, tx pgx.Tx, source string, lines []analytics.OrderLine) (analytics.StoreResult, error) {
	var res analytics.StoreResult
	if _, err := tx.Exec(ctx, `create temporary table order_lines_stage (
			idx int4 not null, inv text not null, no int4 not null, code text not null, descr text not null,
			qty int8 not null, price4 int8 not null, amount int8 not null, ret boolean not null,
			cust text not null, country text not null, currency text not null, at timestamptz not null,
			cancel boolean not null, ok boolean not null default false
		) on commit drop`); err != nil {
		return res, fmt.Errorf("staging table: %w", err)
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"order_lines_stage"}, orderStageColumns,
		pgx.CopyFromSlice(len(lines), func(i int) ([]any, error) {
			l := &lines[i]
			return []any{int32(i), l.InvoiceNo, int32(l.LineNo), l.StockCode, l.Description, l.Quantity, l.UnitPrice4,
				int64(l.Amount), l.IsReturn, l.CustomerID, l.Country, l.Currency, l.At.UTC(), l.IsCancellation}, nil
		}))
	if err != nil {
		return res, fmt.Errorf("copy into staging table: %w", err)
	}
	if int(n) != len(lines) {
		return res, fmt.Errorf("copy into staging table: %d of %d lines", n, len(lines))
	}
	// Statistics let the planner join the staging table by hash.
	if _, err := tx.Exec(ctx, "analyze order_lines_stage (inv, cust, currency, at)"); err != nil {
		return res, fmt.Errorf("analyze staging table: %w", err)
	}
	// The invoice row a line meets is the one already stored, else the one
	// the batch's first line of that invoice creates. Only lines that match
	// it (same customer, both empty counting as the same, currency,
	// invoiced_at and source) create customers and products.
	const headMatch = `s.cust = h.cust and s.currency = h.currency and s.at = h.at`
	for _, q := range []struct {
		sql    string
		source bool // takes the source as $1
	}{
		{`update order_lines_stage s set ok = true from orders o
			where o.invoice_no = s.inv and o.customer_id is not distinct from nullif(s.cust, '')
				and o.currency = s.currency and o.invoiced_at = s.at and o.source = $1`, true},
		{`update order_lines_stage s set ok = true
			from (select distinct on (inv) inv, cust, currency, at from order_lines_stage n
				where not exists (select 1 from orders o where o.invoice_no = n.inv)
				order by inv, idx) h
			where s.inv = h.inv and ` + headMatch, false},
		{`insert into customers (customer_id, country, source)
			select distinct on (cust) cust, nullif(country, ''), $1 from order_lines_stage
			where ok and cust <> '' order by cust, idx
			on conflict (customer_id) do nothing`, true},
		{`insert into orders (invoice_no, customer_id, country, invoiced_at, is_cancellation, currency, source)
			select distinct on (inv) inv, nullif(cust, ''), country, at, cancel, currency, $1 from order_lines_stage
			where ok order by inv, idx
			on conflict (invoice_no) do nothing`, true},
	} {
		var args []any
		if q.source {
			args = []any{source}
		}
		if _, err := tx.Exec(ctx, q.sql, args...); err != nil {
			return res, fmt.Errorf("merge order lines: %w", err)
		}
	}
	// A line belongs to its invoice row when the row has the line's
	// customer, currency, time and source; this check, after the inserts,
	// decides (a concurrent import may have created the invoice first).
	const matches = `o.invoice_no = s.inv and o.customer_id is not distinct from nullif(s.cust, '')
		and o.currency = s.currency and o.invoiced_at = s.at and o.source = $1`
	rows, err := tx.Query(ctx, `select s.idx from order_lines_stage s
		where not exists (select 1 from orders o where `+matches+`)
		order by s.idx`, source)
	if err != nil {
		return res, fmt.Errorf("invoice conflicts: %w", err)
	}
	res.Conflicts, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return res, fmt.Errorf("invoice conflicts: %w", err)
	}
	tag, err := tx.Exec(ctx, `insert into order_lines (invoice_no, line_no, stock_code, description, quantity, unit_price, amount, is_return)
		select s.inv, s.no, s.code, s.descr, s.qty, s.price4::numeric / 10000, s.amount, s.ret
		from order_lines_stage s join orders o on `+matches+`
		on conflict (invoice_no, line_no) do nothing`, source)
	if err != nil {
		return res, fmt.Errorf("order lines: %w", err)
	}
	res.Stored = int(tag.RowsAffected())
	// Products last: order_lines do not refer to them, and a concurrent
	// import of another part of the file that inserts the same stock codes
	// then waits only for this transaction's commit (keys in sorted order,
	// so two such transactions cannot deadlock).
	if _, err := tx.Exec(ctx, `insert into products (stock_code, description)
			select distinct on (code) code, descr from order_lines_stage
			where ok and code <> '' order by code, idx
			on conflict (stock_code) do nothing`); err != nil {
		return res, fmt.Errorf("products: %w", err)
	}
	return res, nil
}
