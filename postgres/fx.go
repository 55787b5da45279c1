package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// localDay returns the calendar day of t in t's own location as
// YYYY-MM-DD, for comparing with date columns (ad_spend.day): a period
// built in the business time zone starts on its local day, not on the UTC
// date of its local midnight.
func localDay(t time.Time) string { return t.Format(time.DateOnly) }

// fxRatedRows is the common table expression "rated": every spend row of
// the local days [$1, $2) and every purchase order of identified customers
// in [$5, $6) (purchase lines, Amount > 0, its day the local day in time
// zone $4), each with the rate to reporting currency $3 on or before its
// day (rate_day, rate; null for the reporting currency itself and where no
// rate exists).
const fxRatedRows = `rows_ as (
		select 'spend'::text as source, a.currency, a.day, a.cost as amount
		from ad_spend a where a.day >= $1::date and a.day < $2::date
		union all
		select 'orders', o.currency, (o.invoiced_at at time zone $4)::date, sum(l.amount)
		from orders o join order_lines l using (invoice_no)
		where o.customer_id is not null and not l.is_return and o.invoiced_at >= $5 and o.invoiced_at < $6
		group by o.invoice_no, o.currency, o.invoiced_at
		having sum(l.amount) > 0),
	rated as (
		select r.source, r.currency, r.day, r.amount, fx.day as rate_day, fx.rate::float8 as rate
		from rows_ r left join lateral (
			select f.day, f.rate from fx_rates f
			where f.to_currency = $3 and f.currency = r.currency and f.day <= r.day
			order by f.day desc limit 1) fx on r.currency <> $3)`

// CurrencyCoverage returns, per source ("orders", then "spend") and
// currency, the rows of period p (spend on the local days of p, orders of
// identified customers in p) and, for currencies other than reporting, the
// rows without a rate to reporting on or before their day and the rates
// that apply to the others (fx_rates, imported with roibot import
// fx_rates). Days are local days in the store's business time zone.
func (s *Store) CurrencyCoverage(ctx context.Context, p analytics.Period, reporting string) ([]analytics.CurrencyCoverage, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	args := []any{localDay(p.From), localDay(p.To), reporting, s.zone().String(), p.From, p.To}
	rows, err := s.pool.Query(ctx, `with `+fxRatedRows+`
		select source, currency, count(*), sum(amount)::int8,
		       count(*) filter (where currency <> $3 and rate is null),
		       coalesce(sum(amount) filter (where currency <> $3 and rate is null), 0)::int8,
		       min(day) filter (where currency <> $3 and rate is null),
		       max(day) filter (where currency <> $3 and rate is null)
		from rated group by source, currency order by source, currency`, args...)
	if err != nil {
		return nil, fmt.Errorf("currency coverage %s: %w", p, translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.CurrencyCoverage, error) {
		var c analytics.CurrencyCoverage
		var amount, left int64
		var from, to *time.Time
		err := r.Scan(&c.Source, &c.Currency, &c.Rows, &amount, &c.LeftOutRows, &left, &from, &to)
		c.Amount, c.LeftOutAmount = analytics.Money(amount), analytics.Money(left)
		if from != nil {
			c.LeftOutFrom, c.LeftOutTo = *from, *to
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("currency coverage %s: %w", p, translate(err))
	}
	rows, err = s.pool.Query(ctx, `with `+fxRatedRows+`
		select distinct source, currency, rate_day, rate from rated
		where rate is not null order by 1, 2, 3`, args...)
	if err != nil {
		return nil, fmt.Errorf("currency coverage %s: %w", p, translate(err))
	}
	var src, cur string
	var fx analytics.FXRate
	_, err = pgx.ForEachRow(rows, []any{&src, &cur, &fx.Day, &fx.Rate}, func() error {
		for i := range out {
			if out[i].Source == src && out[i].Currency == cur {
				out[i].Rates = append(out[i].Rates, analytics.FXRate{Day: fx.Day, Currency: cur, To: reporting, Rate: fx.Rate})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("currency coverage %s: %w", p, translate(err))
	}
	return out, nil
}

// fxLateral returns a "left join lateral" giving fx.rate, the rate on or
// before local day dayExpr of an amount in currency column curExpr to the
// reporting currency parameter repParam; fx.rate is null for the reporting
// currency itself and where no rate exists. Arguments are fixed SQL
// fragments of this package, never input.
func fxLateral(curExpr, dayExpr, repParam string) string {
	return ` left join lateral (
			select f.rate from fx_rates f
			where f.to_currency = ` + repParam + ` and f.currency = ` + curExpr + ` and f.day <= ` + dayExpr + `
			order by f.day desc limit 1) fx on ` + curExpr + ` <> ` + repParam
}

// fxConverted returns the SQL expression of amountExpr (minor units in
// currency curExpr) in the reporting currency, rounded to minor units,
// for rows joined with fxLateral; fxKnown is the matching filter keeping
// only rows that can be converted.
func fxConverted(amountExpr, curExpr, repParam string) string {
	return `(case when ` + curExpr + ` = ` + repParam + ` then ` + amountExpr + ` else round(` + amountExpr + ` * fx.rate)::int8 end)`
}

func fxKnown(curExpr, repParam string) string {
	return `(` + curExpr + ` = ` + repParam + ` or fx.rate is not null)`
}
