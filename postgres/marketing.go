package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/demodata"
)

// HasSyntheticLayer reports whether a synthetic marketing layer is stored.
func (s *Store) HasSyntheticLayer(ctx context.Context) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var ok bool
	if err := s.pool.QueryRow(ctx, "select exists (select 1 from synthetic_truth)").Scan(&ok); err != nil {
		return false, fmt.Errorf("has synthetic layer: %w", translate(err))
	}
	return ok, nil
}

// StoreSyntheticLayer replaces the synthetic marketing layer (rows marked
// synthetic) with l, in one transaction: a failure leaves the previous layer
// as it was. Real marketing rows are never touched.
func (s *Store) StoreSyntheticLayer(ctx context.Context, l *demodata.Layer) error {
	ctx, cancel := context.WithTimeout(ctx, 10*s.timeout)
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			"delete from synthetic_truth",
			"delete from funnel_events where synthetic",
			"delete from touchpoints where synthetic",
			"delete from ad_spend where synthetic",
			"delete from campaigns where synthetic",
			"delete from channels where synthetic and channel not in (select channel from touchpoints union select channel from ad_spend union select channel from funnel_events)",
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		var names, kinds []string
		for _, c := range l.Channels {
			names = append(names, c.Name)
			kinds = append(kinds, c.Kind)
		}
		if _, err := tx.Exec(ctx, `insert into channels (channel, kind, synthetic)
			select u.n, u.k, true from unnest($1::text[], $2::text[]) as u(n, k)
			on conflict (channel) do nothing`, names, kinds); err != nil {
			return fmt.Errorf("channels: %w", err)
		}
		var cn, cc []string
		var cs, ce []time.Time
		for _, c := range l.Campaigns {
			cn, cc, cs, ce = append(cn, c.Name), append(cc, c.Channel), append(cs, c.Start), append(ce, c.End)
		}
		if _, err := tx.Exec(ctx, `insert into campaigns (campaign, channel, starts_on, ends_on, synthetic)
			select u.n, u.c, u.s::date, u.e::date, true
			from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) as u(n, c, s, e)`,
			cn, cc, cs, ce); err != nil {
			return fmt.Errorf("campaigns: %w", err)
		}
		for start := 0; start < len(l.Spend); start += batchRows {
			b := l.Spend[start:min(start+batchRows, len(l.Spend))]
			days, chans, camps, costs := make([]time.Time, len(b)), make([]string, len(b)), make([]string, len(b)), make([]int64, len(b))
			for i, r := range b {
				days[i], chans[i], camps[i], costs[i] = r.Day, r.Channel, r.Campaign, int64(r.Cost)
			}
			if _, err := tx.Exec(ctx, `insert into ad_spend (day, channel, campaign, cost, currency, synthetic)
				select (u.d at time zone 'UTC')::date, u.ch, u.ca, u.c, 'GBP', true
				from unnest($1::timestamptz[], $2::text[], $3::text[], $4::int8[]) as u(d, ch, ca, c)`,
				days, chans, camps, costs); err != nil {
				return fmt.Errorf("ad_spend: %w", err)
			}
		}
		for start := 0; start < len(l.Touchpoints); start += batchRows {
			b := l.Touchpoints[start:min(start+batchRows, len(l.Touchpoints))]
			ids, custs, chans, camps, ats := make([]string, len(b)), make([]string, len(b)), make([]string, len(b)), make([]string, len(b)), make([]time.Time, len(b))
			for i, r := range b {
				ids[i], custs[i], chans[i], camps[i], ats[i] = r.ID, r.CustomerID, r.Channel, r.Campaign, r.At
			}
			if _, err := tx.Exec(ctx, `insert into touchpoints (touchpoint_id, customer_id, channel, campaign, touched_at, synthetic)
				select u.i, u.cu, u.ch, u.ca, u.a, true
				from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) as u(i, cu, ch, ca, a)`,
				ids, custs, chans, camps, ats); err != nil {
				return fmt.Errorf("touchpoints: %w", err)
			}
		}
		for start := 0; start < len(l.Funnel); start += batchRows {
			b := l.Funnel[start:min(start+batchRows, len(l.Funnel))]
			ids, sess, stages, chans, camps, custs := make([]string, len(b)), make([]string, len(b)), make([]string, len(b)), make([]string, len(b)), make([]string, len(b)), make([]string, len(b))
			ats := make([]time.Time, len(b))
			for i, r := range b {
				ids[i], sess[i], stages[i], chans[i], camps[i], custs[i], ats[i] = r.ID, r.SessionID, r.Stage, r.Channel, r.Campaign, r.CustomerID, r.At
			}
			if _, err := tx.Exec(ctx, `insert into funnel_events (event_id, session_id, stage, occurred_at, channel, campaign, customer_id, synthetic)
				select u.i, u.s, u.st, u.a, u.ch, u.ca, nullif(u.cu, ''), true
				from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[]) as u(i, s, st, a, ch, ca, cu)`,
				ids, sess, stages, ats, chans, camps, custs); err != nil {
				return fmt.Errorf("funnel_events: %w", err)
			}
		}
		var tc []string
		var tr, tcost []int64
		var tconv []int32
		for _, t := range l.Truth {
			tc, tr, tcost, tconv = append(tc, t.Channel), append(tr, int64(t.LastTouchRevenue)), append(tcost, int64(t.Cost)), append(tconv, int32(t.Conversions))
		}
		if _, err := tx.Exec(ctx, `insert into synthetic_truth (channel, last_touch_revenue, cost, conversions, seed)
			select u.c, u.r, u.k, u.n, $5 from unnest($1::text[], $2::int8[], $3::int8[], $4::int4[]) as u(c, r, k, n)`,
			tc, tr, tcost, tconv, int64(l.Seed)); err != nil {
			return fmt.Errorf("synthetic_truth: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store synthetic layer: %w", translate(err))
	}
	return nil
}

// batchRows is the number of rows per unnest insert.
const batchRows = 10000

// SyntheticTruth returns the ground truth the generator stored, by channel.
func (s *Store) SyntheticTruth(ctx context.Context) ([]demodata.Truth, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, "select channel, last_touch_revenue, cost, conversions from synthetic_truth order by channel")
	if err != nil {
		return nil, fmt.Errorf("synthetic truth: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (demodata.Truth, error) {
		var t demodata.Truth
		err := r.Scan(&t.Channel, &t.LastTouchRevenue, &t.Cost, &t.Conversions)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("synthetic truth: %w", translate(err))
	}
	return out, nil
}
