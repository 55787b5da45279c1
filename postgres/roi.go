package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// ROIGroup selects what LastTouchROIInputs groups by.
type ROIGroup string

// ROI groupings.
const (
	ByChannel  ROIGroup = "channel"
	ByCampaign ROIGroup = "campaign"
)

// LastTouchROIInputs returns, per channel or campaign, the spend in period
// p and the revenue of the purchase orders in p attributed by last touch.
// Last touch follows the journey rule of analytics.BuildJourneys, which
// defines it: a touchpoint credits the customer's next purchase order (the
// first at or after it; of orders at the same instant, the first by invoice
// number) when it lies at most lookbackDays (24-hour days) before that
// order, and each order goes to the latest touchpoint it is credited with
// (ties broken by the later touchpoint id). Orders before p count as "next
// orders" too, so a touchpoint followed by an order before p credits
// nothing in p. Orders without a touchpoint are unattributed and left out.
// This is the SQL pre-aggregation of analytics' last-touch model over
// AttributionInputs' journeys, and gives the same credit
// (TestStore_LastTouchMatchesJourneys holds them to it). Revenue is the
// order's purchase lines (returns excluded), minor units. Conversions counts
// attributed orders; NewCustomers counts the customers whose first purchase
// ever (the earliest purchase order, ties by invoice number) is among them,
// each customer once. Groups with spend but no attributed order appear
// with zero revenue, and groups with revenue but no spend with zero spend.
//
// Spend is that of the local days of p (p's own time zone, the business
// zone), orders are bucketed by instant. Amounts are in the store's
// reporting currency: other currencies are converted with the latest
// fx_rates rate on or before the row's local day, and rows without one are
// left out (CurrencyCoverage names them).
//
// Source of the ROI formula: the seed document, section 4.1.
func (s *Store) LastTouchROIInputs(ctx context.Context, p analytics.Period, groupBy string, lookbackDays int) ([]analytics.ROIInput, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	group := ROIGroup(groupBy)
	if group != ByChannel && group != ByCampaign {
		return nil, fmt.Errorf("last-touch roi: group %q: want channel or campaign", group)
	}
	if lookbackDays <= 0 {
		return nil, fmt.Errorf("last-touch roi: lookback %d days: want > 0", lookbackDays)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	// group is one of two constants, never input text.
	key := string(group)
	rep := s.ReportingCurrency()
	rows, err := s.pool.Query(ctx, `with `+purchasesBefore+`,
		buys as (
			select a.invoice_no, a.customer_id, a.invoiced_at, a.prev_at, a.nth,
			       `+fxConverted("a.amount", "a.currency", "$3")+` as revenue
			from allbuys a`+fxLateral("a.currency", "(a.invoiced_at at time zone $5)::date", "$3")+`
			where a.invoiced_at >= $1 and `+fxKnown("a.currency", "$3")+`),
		attributed as (
			select t.`+key+` as grp, b.revenue, (b.nth = 1) as is_new
			from buys b
			cross join lateral (
				select tp.channel, tp.campaign from touchpoints tp
				where tp.customer_id = b.customer_id
				  and tp.touched_at <= b.invoiced_at
				  and tp.touched_at >= b.invoiced_at - make_interval(secs => $4 * 86400.0)
				  and (b.prev_at is null or tp.touched_at > b.prev_at)
				order by tp.touched_at desc, tp.touchpoint_id desc
				limit 1) t),
		rev as (
			select grp, sum(revenue) as revenue, count(*) as conversions, count(*) filter (where is_new) as new_customers
			from attributed group by grp),
		spend as (
			select a.`+key+` as grp, sum(`+fxConverted("a.cost", "a.currency", "$3")+`) as cost
			from ad_spend a`+fxLateral("a.currency", "a.day", "$3")+`
			where a.day >= $6::date and a.day < $7::date and `+fxKnown("a.currency", "$3")+`
			group by 1)
		select coalesce(r.grp, s.grp), coalesce(s.cost, 0)::int8, coalesce(r.revenue, 0)::int8,
		       coalesce(r.conversions, 0), coalesce(r.new_customers, 0)
		from rev r full join spend s on s.grp = r.grp
		where coalesce(r.grp, s.grp) <> ''
		order by 1`, p.From, p.To, rep, lookbackDays, s.zone().String(), localDay(p.From), localDay(p.To))
	if err != nil {
		return nil, fmt.Errorf("last-touch roi %s: %w", p, translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.ROIInput, error) {
		var in analytics.ROIInput
		var cost, rev, conv, newc int64
		err := r.Scan(&in.Group, &cost, &rev, &conv, &newc)
		in.Spend, in.Revenue = analytics.Money(cost), analytics.Money(rev)
		in.Conversions, in.NewCustomers = float64(conv), float64(newc)
		in.Currency = rep
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("last-touch roi %s: %w", p, translate(err))
	}
	return out, nil
}

// AttributionInputs returns the conversions (purchase orders of identified
// customers in p, revenue = purchase lines, minor units of the reporting
// currency, converted as in LastTouchROIInputs; FirstPurchase marks each
// customer's first purchase ever, earliest order then invoice number) and
// the touchpoints
// that may lead to them (from lookbackDays, as 24-hour days, before p to the
// end of p), for analytics.BuildJourneys and the attribution models. A
// touchpoint at or before the customer's last purchase order before p is
// left out: it credits that order, not one in p.
func (s *Store) AttributionInputs(ctx context.Context, p analytics.Period, lookbackDays int) ([]analytics.Touchpoint, []analytics.Conversion, error) {
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rep := s.ReportingCurrency()
	rows, err := s.pool.Query(ctx, `with `+purchasesBefore+`
		select a.invoice_no, a.customer_id, a.invoiced_at, `+fxConverted("a.amount", "a.currency", "$3")+`, a.nth = 1
		from allbuys a`+fxLateral("a.currency", "(a.invoiced_at at time zone $4)::date", "$3")+`
		where a.invoiced_at >= $1 and `+fxKnown("a.currency", "$3")+`
		order by a.customer_id, a.invoiced_at, a.invoice_no`, p.From, p.To, rep, s.zone().String())
	if err != nil {
		return nil, nil, fmt.Errorf("attribution inputs %s: %w", p, translate(err))
	}
	convs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.Conversion, error) {
		var c analytics.Conversion
		var rev int64
		err := r.Scan(&c.OrderID, &c.CustomerID, &c.At, &rev, &c.FirstPurchase)
		c.Revenue, c.At = analytics.Money(rev), c.At.In(s.zone())
		return c, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("attribution inputs %s: %w", p, translate(err))
	}
	rows, err = s.pool.Query(ctx, `with prior as (
			select customer_id, max(invoiced_at) as last_at from (
				select o.invoice_no, o.customer_id, o.invoiced_at
				from orders o join order_lines l using (invoice_no)
				where o.customer_id is not null and not l.is_return
				  and o.invoiced_at < $1
				group by o.invoice_no, o.customer_id, o.invoiced_at
				having sum(l.amount) > 0) b
			group by customer_id)
		select t.customer_id, t.channel, t.campaign, t.touched_at from touchpoints t
		left join prior p using (customer_id)
		where t.touched_at >= $1::timestamptz - make_interval(secs => $3 * 86400.0) and t.touched_at < $2
		  and (p.last_at is null or t.touched_at > p.last_at)
		order by t.customer_id, t.touched_at, t.touchpoint_id`, p.From, p.To, lookbackDays)
	if err != nil {
		return nil, nil, fmt.Errorf("attribution inputs %s: %w", p, translate(err))
	}
	tps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.Touchpoint, error) {
		var t analytics.Touchpoint
		err := r.Scan(&t.CustomerID, &t.Channel, &t.Campaign, &t.At)
		t.At = t.At.In(s.zone())
		return t, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("attribution inputs %s: %w", p, translate(err))
	}
	return tps, convs, nil
}

// SpendBy returns ad spend on the local days of p (p's time zone) per
// channel or campaign, in minor units of the reporting currency (other
// currencies converted with fx_rates; rows without a rate left out).
func (s *Store) SpendBy(ctx context.Context, p analytics.Period, groupBy string) (map[string]analytics.Money, error) {
	group := ROIGroup(groupBy)
	if group != ByChannel && group != ByCampaign {
		return nil, fmt.Errorf("spend by %q: want channel or campaign", groupBy)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select a.`+string(group)+`, sum(`+fxConverted("a.cost", "a.currency", "$3")+`)::int8
		from ad_spend a`+fxLateral("a.currency", "a.day", "$3")+`
		where a.day >= $1::date and a.day < $2::date and `+fxKnown("a.currency", "$3")+`
		group by 1`, localDay(p.From), localDay(p.To), s.ReportingCurrency())
	if err != nil {
		return nil, fmt.Errorf("spend by %s %s: %w", groupBy, p, translate(err))
	}
	out := map[string]analytics.Money{}
	var k string
	var v int64
	_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error { out[k] = analytics.Money(v); return nil })
	if err != nil {
		return nil, fmt.Errorf("spend by %s %s: %w", groupBy, p, translate(err))
	}
	return out, nil
}

// HasSyntheticMarketing reports whether marketing rows in use are synthetic.
func (s *Store) HasSyntheticMarketing(ctx context.Context) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var ok bool
	err := s.pool.QueryRow(ctx, `select exists (select 1 from touchpoints where synthetic) or exists (select 1 from ad_spend where synthetic)`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("has synthetic marketing: %w", translate(err))
	}
	return ok, nil
}

// purchasesBefore is the common table expression "allbuys": every purchase
// order of an identified customer before $2 (any currency; purchase lines,
// amount > 0, in its own currency), with the customer's previous purchase
// time (prev_at) and its rank among the customer's purchases (nth = 1 is
// the first purchase ever), orders at one instant ordered by invoice number.
const purchasesBefore = `allbuys as (
		select b.*,
		       lag(b.invoiced_at) over w as prev_at,
		       row_number() over w as nth
		from (
			select o.invoice_no, o.customer_id, o.invoiced_at, o.currency, sum(l.amount) as amount
			from orders o join order_lines l using (invoice_no)
			where o.customer_id is not null and not l.is_return and o.invoiced_at < $2
			group by o.invoice_no, o.customer_id, o.invoiced_at, o.currency
			having sum(l.amount) > 0) b
		window w as (partition by b.customer_id order by b.invoiced_at, b.invoice_no))`
