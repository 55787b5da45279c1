package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/roibot/roibot/analytics"
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

// SyntheticLayer is a generated marketing layer as the store keeps it:
// channels, campaigns, daily spend, touchpoints, funnel events and the
// generator's ground truth per channel (cmd converts demodata's layer).
type SyntheticLayer struct {
	Seed        uint64
	Channels    []SyntheticChannel
	Campaigns   []SyntheticCampaign
	Spend       []analytics.Spend // Day is a UTC midnight; Currency an ISO 4217 code
	Touchpoints []SyntheticTouchpoint
	Funnel      []SyntheticFunnelEvent
	Truth       []ChannelTruth
}

// SyntheticChannel is a channel of the layer; Kind is paid, owned or earned.
type SyntheticChannel struct {
	Name, Kind string
}

// SyntheticCampaign is a campaign of a channel, active on the days
// [Start, End] (UTC midnights).
type SyntheticCampaign struct {
	Name, Channel string
	Start, End    time.Time
}

// SyntheticTouchpoint is a touchpoint with its ID.
type SyntheticTouchpoint struct {
	ID string
	analytics.Touchpoint
}

// SyntheticFunnelEvent is a funnel event with its ID, channel, campaign
// and customer (empty when the session never bought).
type SyntheticFunnelEvent struct {
	ID                            string
	Channel, Campaign, CustomerID string
	analytics.FunnelEvent
}

// ChannelTruth is what the generator built into one channel: last-touch
// revenue and cost in minor units, and the orders last-touched.
type ChannelTruth struct {
	Channel          string
	LastTouchRevenue analytics.Money
	Cost             analytics.Money
	Conversions      int
}

// StoreSyntheticLayer replaces the synthetic marketing layer (rows marked
// synthetic) with l, in one transaction: a failure leaves the previous layer
// as it was. Real marketing rows are never touched. Spend, touchpoints and
// funnel events travel by COPY (pgx CopyFrom) straight into their tables
// (the synthetic rows were just deleted, so nothing can conflict).
func (s *Store) StoreSyntheticLayer(ctx context.Context, l SyntheticLayer) error {
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
			select u.n, u.c, (u.s at time zone 'UTC')::date, (u.e at time zone 'UTC')::date, true
			from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) as u(n, c, s, e)`,
			cn, cc, cs, ce); err != nil {
			return fmt.Errorf("campaigns: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ad_spend"}, []string{"day", "channel", "campaign", "cost", "currency", "synthetic"},
			pgx.CopyFromSlice(len(l.Spend), func(i int) ([]any, error) {
				r := &l.Spend[i]
				d := r.Day.UTC()
				return []any{pgtype.Date{Time: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), Valid: true},
					r.Channel, r.Campaign, int64(r.Cost), r.Currency, true}, nil
			})); err != nil {
			return fmt.Errorf("ad_spend: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"touchpoints"}, []string{"touchpoint_id", "customer_id", "channel", "campaign", "touched_at", "synthetic"},
			pgx.CopyFromSlice(len(l.Touchpoints), func(i int) ([]any, error) {
				r := &l.Touchpoints[i]
				return []any{r.ID, r.CustomerID, r.Channel, r.Campaign, r.At, true}, nil
			})); err != nil {
			return fmt.Errorf("touchpoints: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"funnel_events"}, []string{"event_id", "session_id", "stage", "occurred_at", "channel", "campaign", "customer_id", "synthetic"},
			pgx.CopyFromSlice(len(l.Funnel), func(i int) ([]any, error) {
				r := &l.Funnel[i]
				var cust *string
				if r.CustomerID != "" {
					cust = &r.CustomerID
				}
				return []any{r.ID, r.SessionID, r.Stage, r.At, r.Channel, r.Campaign, cust, true}, nil
			})); err != nil {
			return fmt.Errorf("funnel_events: %w", err)
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

// SyntheticTruth returns the ground truth the generator stored, by channel.
func (s *Store) SyntheticTruth(ctx context.Context) ([]ChannelTruth, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, "select channel, last_touch_revenue, cost, conversions from synthetic_truth order by channel")
	if err != nil {
		return nil, fmt.Errorf("synthetic truth: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChannelTruth, error) {
		var t ChannelTruth
		err := r.Scan(&t.Channel, &t.LastTouchRevenue, &t.Cost, &t.Conversions)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("synthetic truth: %w", translate(err))
	}
	return out, nil
}
