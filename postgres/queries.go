package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

func filterArgs(f analytics.OrderFilter) []any {
	cur := f.Currency
	if cur == "" {
		cur = analytics.DefaultCurrency
	}
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.To.IsZero() {
		to = &f.To
	}
	return []any{cur, f.Country, f.CustomerID, from, to}
}

// orderWhere filters orders o by the five filterArgs parameters.
const orderWhere = `o.currency = $1
	and ($2 = '' or lower(o.country) = lower($2))
	and ($3 = '' or o.customer_id = $3)
	and ($4::timestamptz is null or o.invoiced_at >= $4)
	and ($5::timestamptz is null or o.invoiced_at < $5)`

// PurchaseOrders returns the orders of identified customers matching f as
// analytics orders: per invoice, the purchase part (lines that are not
// returns, summed, Amount > 0) and, separately, the return part (IsReturn,
// Amount ≤ 0). Anonymous invoices are left out. Ordered by customer, time;
// times are in the store's business time zone (Config.Location).
func (s *Store) PurchaseOrders(ctx context.Context, f analytics.OrderFilter) ([]analytics.Order, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select o.invoice_no, o.customer_id, o.invoiced_at, l.is_return, sum(l.amount)
		from orders o join order_lines l using (invoice_no)
		where o.customer_id is not null and `+orderWhere+`
		group by o.invoice_no, o.customer_id, o.invoiced_at, l.is_return
		order by o.customer_id, o.invoiced_at, o.invoice_no, l.is_return`, filterArgs(f)...)
	if err != nil {
		return nil, fmt.Errorf("purchase orders: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.Order, error) {
		var o analytics.Order
		var amt int64
		err := r.Scan(&o.OrderID, &o.CustomerID, &o.At, &o.IsReturn, &amt)
		o.Amount = analytics.Money(amt)
		o.At = o.At.In(s.zone())
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("purchase orders: %w", translate(err))
	}
	return out, nil
}

// RevenueSummary returns revenue and counts for f.
func (s *Store) RevenueSummary(ctx context.Context, f analytics.OrderFilter) (analytics.RevenueSummary, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rs := analytics.RevenueSummary{Currency: filterArgs(f)[0].(string)}
	var first, last *time.Time
	var rev, ret int64
	err := s.pool.QueryRow(ctx, `select
			coalesce(sum(l.amount) filter (where not l.is_return), 0),
			coalesce(sum(l.amount) filter (where l.is_return), 0),
			count(distinct o.invoice_no) filter (where not l.is_return),
			count(distinct o.customer_id) filter (where not l.is_return),
			count(distinct o.invoice_no) filter (where not l.is_return and o.customer_id is null),
			count(distinct o.country) filter (where not l.is_return),
			min(o.invoiced_at), max(o.invoiced_at)
		from orders o join order_lines l using (invoice_no)
		where `+orderWhere, filterArgs(f)...).Scan(&rev, &ret, &rs.Orders, &rs.Customers, &rs.AnonymousOrders, &rs.Countries, &first, &last)
	if err != nil {
		return rs, fmt.Errorf("revenue summary: %w", translate(err))
	}
	rs.Revenue, rs.Returns = analytics.Money(rev), analytics.Money(ret)
	rs.Net = rs.Revenue + rs.Returns
	if rs.NewCustomers, err = s.newCustomers(ctx, f); err != nil {
		return rs, err
	}
	if first != nil {
		rs.First, rs.Last = first.UTC(), last.UTC()
	}
	return rs, nil
}

// DataRange returns the first and last invoice time of currency's orders,
// or ErrNotFound when there are none. The last one is the data's as-of date
// that relative periods ("last quarter") resolve against.
func (s *Store) DataRange(ctx context.Context, currency string) (first, last time.Time, err error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var f, l *time.Time
	if err := s.pool.QueryRow(ctx, "select min(invoiced_at), max(invoiced_at) from orders where currency = $1", currency).Scan(&f, &l); err != nil {
		return first, last, fmt.Errorf("data range: %w", translate(err))
	}
	if f == nil {
		return first, last, fmt.Errorf("data range %s: %w", currency, ErrNotFound)
	}
	return f.UTC(), l.UTC(), nil
}

// Names returns the distinct values the planner matches questions
// against: countries of orders, channels, campaigns and feedback categories.
func (s *Store) Names(ctx context.Context) (countries, channels, campaigns, categories []string, err error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	for _, q := range []struct {
		sql string
		dst *[]string
	}{
		{"select distinct country from orders where country <> '' order by 1", &countries},
		{"select channel from channels order by 1", &channels},
		{"select campaign from campaigns order by 1", &campaigns},
		{"select distinct category from feedback where category <> '' order by 1", &categories},
	} {
		rows, err := s.pool.Query(ctx, q.sql)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("names: %w", translate(err))
		}
		*q.dst, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("names: %w", translate(err))
		}
	}
	return countries, channels, campaigns, categories, nil
}
