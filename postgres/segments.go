package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// CustomerFeatures returns, in one query, one row per identified customer
// with at least one purchase invoice matching f (f.To should be asOf):
// recency and tenure in whole days from the last and first purchase to
// asOf, frequency (distinct purchase invoices), revenue (purchase lines)
// and returns (return lines, ≤ 0), the customer's country, and the mean
// feedback sentiment and feedback count where feedback rows carry the
// customer's id (sentiment unavailable otherwise). Ordered by customer id.
func (s *Store) CustomerFeatures(ctx context.Context, f analytics.OrderFilter, asOf time.Time) ([]analytics.CustomerFeatures, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	args := append(filterArgs(f), asOf)
	rows, err := s.pool.Query(ctx, `with c as (
			select o.customer_id,
				max(o.invoiced_at) filter (where not l.is_return) as last_buy,
				min(o.invoiced_at) filter (where not l.is_return) as first_buy,
				count(distinct o.invoice_no) filter (where not l.is_return) as freq,
				coalesce(sum(l.amount) filter (where not l.is_return), 0) as revenue,
				coalesce(sum(l.amount) filter (where l.is_return), 0) as returns
			from orders o join order_lines l using (invoice_no)
			where o.customer_id is not null and `+orderWhere+`
			group by o.customer_id
		), fb as (
			select customer_id, avg(sentiment) as sentiment, count(*) as n
			from feedback where customer_id is not null
			group by customer_id
		)
		select c.customer_id, coalesce(cu.country, ''),
			floor(extract(epoch from ($6::timestamptz - c.last_buy)) / 86400)::int8,
			c.freq, c.revenue::int8, c.returns::int8,
			floor(extract(epoch from ($6::timestamptz - c.first_buy)) / 86400)::int8,
			fb.sentiment, coalesce(fb.n, 0)
		from c
		left join customers cu using (customer_id)
		left join fb using (customer_id)
		where c.freq > 0
		order by c.customer_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("customer features: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.CustomerFeatures, error) {
		var c analytics.CustomerFeatures
		var rec, ten, freq, rev, ret, n int64
		var sent *float64
		if err := r.Scan(&c.CustomerID, &c.Country, &rec, &freq, &rev, &ret, &ten, &sent, &n); err != nil {
			return c, err
		}
		c.RecencyDays, c.Frequency, c.TenureDays, c.Feedback = int(rec), int(freq), int(ten), int(n)
		c.Revenue, c.Returns = analytics.Money(rev), analytics.Money(ret)
		if sent != nil {
			c.Sentiment = analytics.Float(*sent)
		} else {
			c.Sentiment = analytics.NA("no feedback")
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer features: %w", translate(err))
	}
	return out, nil
}

// TopProductsByGroup returns, for each group of customers, its limit
// products with the highest net revenue (purchase lines plus return lines
// of the same description, so a cancelled order does not count) among the
// orders matching f: customerIDs[i] belongs to group groups[i]. Quantity
// is net too; Customers counts distinct buyers; products with net revenue
// ≤ 0 are left out, as are descriptions in exclude (e.g.
// analytics.NonProductDescriptions); descriptions are trimmed. Ordered by
// group, then revenue (highest first), then name.
func (s *Store) TopProductsByGroup(ctx context.Context, f analytics.OrderFilter, customerIDs []string, groups []int, limit int, exclude []string) ([]analytics.ProductSales, error) {
	if len(customerIDs) != len(groups) {
		return nil, fmt.Errorf("top products: %d customers and %d groups", len(customerIDs), len(groups))
	}
	if len(customerIDs) == 0 || limit <= 0 {
		return nil, nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	g32 := make([]int32, len(groups))
	for i, g := range groups {
		g32[i] = int32(g)
	}
	if exclude == nil {
		exclude = []string{}
	}
	args := append(filterArgs(f), customerIDs, g32, limit, exclude)
	rows, err := s.pool.Query(ctx, `with g as (
			select * from unnest($6::text[], $7::int4[]) as u(customer_id, grp)
		), p as (
			select g.grp, btrim(l.description) as product, sum(l.amount) as revenue,
				sum(l.quantity) as quantity, count(distinct o.customer_id) filter (where not l.is_return) as customers
			from orders o join order_lines l using (invoice_no) join g on g.customer_id = o.customer_id
			where btrim(l.description) <> '' and btrim(l.description) <> all($9::text[])
				and `+orderWhere+`
			group by g.grp, btrim(l.description)
			having sum(l.amount) > 0
		), r as (
			select *, row_number() over (partition by grp order by revenue desc, product) as rn from p
		)
		select grp, product, revenue::int8, quantity::int8, customers from r
		where rn <= $8 order by grp, rn`, args...)
	if err != nil {
		return nil, fmt.Errorf("top products: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.ProductSales, error) {
		var p analytics.ProductSales
		var g int32
		var rev, cust int64
		err := r.Scan(&g, &p.Product, &rev, &p.Quantity, &cust)
		p.Group, p.Revenue, p.Customers = int(g), analytics.Money(rev), int(cust)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("top products: %w", translate(err))
	}
	return out, nil
}

// FeedbackThemes counts the themes of the feedback rows written by the
// given customers, most frequent first (ties by name), at most limit,
// with their sentiment split and mean sentiment.
func (s *Store) FeedbackThemes(ctx context.Context, customerIDs []string, limit int) ([]knowledge.ThemeCount, error) {
	if len(customerIDs) == 0 || limit <= 0 {
		return nil, nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select t.theme, count(*),
			count(*) filter (where f.sentiment_label = 'negative'),
			count(*) filter (where f.sentiment_label = 'neutral'),
			count(*) filter (where f.sentiment_label = 'positive'),
			coalesce(avg(f.sentiment), 0)
		from feedback f cross join lateral unnest(f.themes) as t(theme)
		where f.customer_id = any($1::text[])
		group by t.theme
		order by count(*) desc, t.theme
		limit $2`, customerIDs, limit)
	if err != nil {
		return nil, fmt.Errorf("feedback themes: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.ThemeCount, error) {
		var tc knowledge.ThemeCount
		var n, neg, neu, pos int64
		err := r.Scan(&tc.Theme, &n, &neg, &neu, &pos, &tc.MeanSentiment)
		tc.Count = int(n)
		tc.Sentiment = knowledge.SentimentSplit{Negative: int(neg), Neutral: int(neu), Positive: int(pos)}
		return tc, err
	})
	if err != nil {
		return nil, fmt.Errorf("feedback themes: %w", translate(err))
	}
	return out, nil
}

// BasketLines returns the invoice lines of the orders matching f (all
// invoices, anonymous and cancelled ones included: analytics.
// BasketsFromItemLines drops cancellations) with their invoices and
// descriptions numbered as the rows arrive: each row is read from the
// wire without allocating, a description or invoice number is copied once
// when first seen, and the lines come back as integer ids. Rows are not
// sorted (baskets are grouped in memory).
func (s *Store) BasketLines(ctx context.Context, f analytics.OrderFilter) (analytics.ItemLines, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select l.invoice_no, l.description, l.quantity, coalesce(o.customer_id, '')
		from orders o join order_lines l using (invoice_no)
		where `+orderWhere, filterArgs(f)...)
	if err != nil {
		return analytics.ItemLines{}, fmt.Errorf("basket lines: %w", translate(err))
	}
	defer rows.Close()
	var il analytics.ItemLines
	invoices := make(map[string]int32)
	items := make(map[string]int32)
	binaryQty := rows.FieldDescriptions()[2].Format == pgx.BinaryFormatCode
	for rows.Next() {
		raw := rows.RawValues()
		if len(raw) != 4 || raw[0] == nil || raw[1] == nil || raw[2] == nil {
			return analytics.ItemLines{}, fmt.Errorf("basket lines: row %d: unexpected null", len(il.Lines))
		}
		inv, ok := invoices[string(raw[0])]
		if !ok {
			inv = int32(len(il.Invoices))
			invoices[string(raw[0])] = inv
			il.Invoices = append(il.Invoices, string(raw[0]))
			il.Customers = append(il.Customers, string(raw[3]))
		}
		item, ok := items[string(raw[1])]
		if !ok {
			item = int32(len(il.Items))
			items[string(raw[1])] = item
			il.Items = append(il.Items, string(raw[1]))
		}
		var q int32
		if binaryQty {
			if len(raw[2]) != 4 {
				return analytics.ItemLines{}, fmt.Errorf("basket lines: row %d: quantity of %d bytes", len(il.Lines), len(raw[2]))
			}
			q = int32(binary.BigEndian.Uint32(raw[2]))
		} else {
			v, err := strconv.ParseInt(string(raw[2]), 10, 32)
			if err != nil {
				return analytics.ItemLines{}, fmt.Errorf("basket lines: row %d quantity: %w", len(il.Lines), err)
			}
			q = int32(v)
		}
		il.Lines = append(il.Lines, analytics.ItemLine{Invoice: inv, Item: item, Quantity: q})
	}
	if err := rows.Err(); err != nil {
		return analytics.ItemLines{}, fmt.Errorf("basket lines: %w", translate(err))
	}
	return il, nil
}
