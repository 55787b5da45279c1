package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/ingest"
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
// StoreResult.Conflicts, with the number of lines newly stored. Bulk
// inserts use INSERT ... SELECT FROM unnest(...), which PGlite supports
// (COPY does not).
func (s *Store) StoreOrderLines(ctx context.Context, source string, lines []ingest.OrderLine) (ingest.StoreResult, error) {
	var res ingest.StoreResult
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
		return ingest.StoreResult{}, fmt.Errorf("store order lines: %w", translate(err))
	}
	return res, nil
}

// invoiceHead is what every line of an invoice must share with its row.
type invoiceHead struct {
	customer, currency, source string
	at                         time.Time
}

func headOf(source string, l ingest.OrderLine) invoiceHead {
	return invoiceHead{customer: l.CustomerID, currency: l.Currency, source: source, at: l.At}
}

// matches compares times as stored: timestamptz keeps microseconds.
func (h invoiceHead) matches(o invoiceHead) bool {
	return h.customer == o.customer && h.currency == o.currency && h.source == o.source &&
		h.at.Truncate(time.Microsecond).Equal(o.at.Truncate(time.Microsecond))
}

func storeOrderLines(ctx context.Context, tx pgx.Tx, source string, lines []ingest.OrderLine) (ingest.StoreResult, error) {
	var res ingest.StoreResult
	// The invoice rows the lines will meet: those already stored, else the
	// one the batch's first line of the invoice creates. Lines that do not
	// match are left out of every insert; the final check in SQL decides.
	var nos []string
	seen := map[string]bool{}
	for _, l := range lines {
		if !seen[l.InvoiceNo] {
			seen[l.InvoiceNo] = true
			nos = append(nos, l.InvoiceNo)
		}
	}
	rows, err := tx.Query(ctx, `select invoice_no, coalesce(customer_id, ''), currency, source, invoiced_at
		from orders where invoice_no = any($1::text[])`, nos)
	if err != nil {
		return res, fmt.Errorf("existing invoices: %w", err)
	}
	heads := map[string]invoiceHead{}
	var (
		no string
		h  invoiceHead
	)
	_, err = pgx.ForEachRow(rows, []any{&no, &h.customer, &h.currency, &h.source, &h.at}, func() error {
		heads[no] = h
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("existing invoices: %w", err)
	}

	var (
		custIDs, custCountries                        []string
		prodCodes, prodDescs                          []string
		invNos, invCusts, invCountries, invCurrencies []string
		invAts                                        []time.Time
		invCancels                                    []bool
		lInv, lCode, lDesc                            []string
		lNo                                           []int32
		lQty, lPrice4, lAmount                        []int64
		lReturn                                       []bool
		lCust, lCurrency                              []string
		lAt                                           []time.Time
	)
	seenCust := map[string]bool{}
	seenProd := map[string]bool{}
	for _, l := range lines {
		// Every line goes to the final insert (and its check), in order.
		lInv = append(lInv, l.InvoiceNo)
		lNo = append(lNo, int32(l.LineNo))
		lCode = append(lCode, l.StockCode)
		lDesc = append(lDesc, l.Description)
		lQty = append(lQty, l.Quantity)
		lPrice4 = append(lPrice4, l.UnitPrice4)
		lAmount = append(lAmount, int64(l.Amount))
		lReturn = append(lReturn, l.IsReturn)
		lCust = append(lCust, l.CustomerID)
		lCurrency = append(lCurrency, l.Currency)
		lAt = append(lAt, l.At.UTC())

		head, ok := heads[l.InvoiceNo]
		if !ok {
			head = headOf(source, l)
			heads[l.InvoiceNo] = head
			invNos = append(invNos, l.InvoiceNo)
			invCusts = append(invCusts, l.CustomerID)
			invCountries = append(invCountries, l.Country)
			invCurrencies = append(invCurrencies, l.Currency)
			invAts = append(invAts, l.At.UTC())
			invCancels = append(invCancels, l.IsCancellation)
		}
		if !head.matches(headOf(source, l)) {
			continue
		}
		if l.CustomerID != "" && !seenCust[l.CustomerID] {
			seenCust[l.CustomerID] = true
			custIDs = append(custIDs, l.CustomerID)
			custCountries = append(custCountries, l.Country)
		}
		if l.StockCode != "" && !seenProd[l.StockCode] {
			seenProd[l.StockCode] = true
			prodCodes = append(prodCodes, l.StockCode)
			prodDescs = append(prodDescs, l.Description)
		}
	}
	if len(custIDs) > 0 {
		if _, err := tx.Exec(ctx, `insert into customers (customer_id, country, source)
			select u.id, nullif(u.country, ''), $3
			from unnest($1::text[], $2::text[]) as u(id, country)
			on conflict (customer_id) do nothing`, custIDs, custCountries, source); err != nil {
			return res, fmt.Errorf("customers: %w", err)
		}
	}
	if len(prodCodes) > 0 {
		if _, err := tx.Exec(ctx, `insert into products (stock_code, description)
			select u.code, u.descr from unnest($1::text[], $2::text[]) as u(code, descr)
			on conflict (stock_code) do nothing`, prodCodes, prodDescs); err != nil {
			return res, fmt.Errorf("products: %w", err)
		}
	}
	if len(invNos) > 0 {
		if _, err := tx.Exec(ctx, `insert into orders (invoice_no, customer_id, country, invoiced_at, is_cancellation, currency, source)
			select u.inv, nullif(u.cust, ''), u.country, u.at, u.cancel, u.currency, $7
			from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::boolean[], $6::text[])
				as u(inv, cust, country, at, cancel, currency)
			on conflict (invoice_no) do nothing`,
			invNos, invCusts, invCountries, invAts, invCancels, invCurrencies, source); err != nil {
			return res, fmt.Errorf("orders: %w", err)
		}
	}
	// A line belongs to its invoice row when the row has the line's
	// customer, currency, time and source.
	const matches = `o.invoice_no = u.inv and o.customer_id is not distinct from nullif(u.cust, '')
		and o.currency = u.currency and o.invoiced_at = u.at and o.source = $1`
	rows, err = tx.Query(ctx, `select u.idx - 1
		from unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) with ordinality as u(inv, cust, currency, at, idx)
		where not exists (select 1 from orders o where `+matches+`)
		order by u.idx`, source, lInv, lCust, lCurrency, lAt)
	if err != nil {
		return res, fmt.Errorf("invoice conflicts: %w", err)
	}
	res.Conflicts, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return res, fmt.Errorf("invoice conflicts: %w", err)
	}
	err = tx.QueryRow(ctx, `with ins as (
			insert into order_lines (invoice_no, line_no, stock_code, description, quantity, unit_price, amount, is_return)
			select u.inv, u.no, u.code, u.descr, u.qty, u.price4::numeric / 10000, u.amount, u.ret
			from unnest($2::text[], $3::int4[], $4::text[], $5::text[], $6::int8[], $7::int8[], $8::int8[], $9::boolean[],
				$10::text[], $11::text[], $12::timestamptz[])
				as u(inv, no, code, descr, qty, price4, amount, ret, cust, currency, at)
			where exists (select 1 from orders o where `+matches+`)
			on conflict (invoice_no, line_no) do nothing
			returning 1)
		select count(*) from ins`,
		source, lInv, lNo, lCode, lDesc, lQty, lPrice4, lAmount, lReturn, lCust, lCurrency, lAt).Scan(&res.Stored)
	return res, err
}
