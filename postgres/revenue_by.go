package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// newCustomers counts the identified customers whose first purchase
// (earliest invoice with a purchase line, over all orders of f's
// currency) matches f: in its period and, when set, its country.
func (s *Store) newCustomers(ctx context.Context, f analytics.OrderFilter) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `with first_purchase as (
			select o.customer_id, min(o.invoiced_at) as at
			from orders o join order_lines l using (invoice_no)
			where not l.is_return and o.customer_id is not null and o.currency = $1
			group by o.customer_id)
		select count(distinct o.customer_id)
		from orders o join order_lines l using (invoice_no)
		join first_purchase fp on fp.customer_id = o.customer_id and fp.at = o.invoiced_at
		where not l.is_return and `+orderWhere, filterArgs(f)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("new customers: %w", translate(err))
	}
	return n, nil
}

// RevenueBy returns the revenue of the orders matching f per country or
// per product (by is "country" or "product"), largest revenue first.
// Products are keyed "stock code description"; a product's orders and
// customers count the invoices with one of its lines.
func (s *Store) RevenueBy(ctx context.Context, f analytics.OrderFilter, by string) ([]analytics.RevenueGroup, error) {
	var key string
	switch by {
	case "country":
		key = "o.country"
	case "product":
		key = "trim(l.stock_code || ' ' || l.description)"
	default:
		return nil, fmt.Errorf("revenue by %q: want country or product", by)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select `+key+` as k,
			coalesce(sum(l.amount) filter (where not l.is_return), 0),
			coalesce(sum(l.amount) filter (where l.is_return), 0),
			count(distinct o.invoice_no) filter (where not l.is_return),
			count(distinct o.customer_id) filter (where not l.is_return)
		from orders o join order_lines l using (invoice_no)
		where `+orderWhere+`
		group by k
		order by 2 desc, 1`, filterArgs(f)...)
	if err != nil {
		return nil, fmt.Errorf("revenue by %s: %w", by, translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.RevenueGroup, error) {
		var g analytics.RevenueGroup
		var rev, ret int64
		err := r.Scan(&g.Key, &rev, &ret, &g.Orders, &g.Customers)
		g.Revenue, g.Returns = analytics.Money(rev), analytics.Money(ret)
		g.Net = g.Revenue + g.Returns
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("revenue by %s: %w", by, translate(err))
	}
	return out, nil
}
