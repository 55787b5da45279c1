package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// funnelSQL counts the funnel of analytics.DefaultFunnelStages in one
// statement. Parameters: $1 period start, $2 period end, $3 channel (” =
// all), $4 campaign (” = all), $5 window in seconds (null = no limit),
// $6 time zone name.
//
// A session starts at t0, its first visit ever (ties: lowest event id);
// it is kept when t0 lies in [$1, $2) and its first visit's channel and
// campaign match. Stage k is then reached at t_k, the earliest event of
// that stage with t_{k−1} ≤ t_k ≤ t0 + window: one hash join per stage
// over the events of [$1, $2 + window]. The result has one row per local
// day of t0, one per channel, and the grand total (grouping sets), with
// one count per stage.
var funnelSQL = buildFunnelSQL(analytics.DefaultFunnelStages())

func buildFunnelSQL(stages []string) string {
	var b strings.Builder
	b.WriteString(`with firsts as (
		select distinct on (session_id) session_id, occurred_at as t0, channel, campaign
		from funnel_events
		where stage = '` + stages[0] + `' and occurred_at < $2
		order by session_id, occurred_at, event_id),
	s0 as (
		select session_id, t0, channel, t0 as t,
		       case when $5::float8 is null then 'infinity'::timestamptz else t0 + $5::float8 * interval '1 second' end as deadline
		from firsts
		where t0 >= $1 and ($3 = '' or channel = $3) and ($4 = '' or campaign = $4)),
	ev as materialized (
		select session_id, stage, occurred_at from funnel_events
		where occurred_at >= $1
		  and ($5::float8 is null or occurred_at <= $2::timestamptz + $5::float8 * interval '1 second'))`)
	for k := 1; k < len(stages); k++ {
		fmt.Fprintf(&b, `,
	s%d as (
		select s.session_id, s.deadline, min(e.occurred_at) as t
		from s%d s join ev e on e.session_id = s.session_id
		where e.stage = '%s' and e.occurred_at >= s.t and e.occurred_at <= s.deadline
		group by s.session_id, s.deadline)`, k, k-1, stages[k])
	}
	b.WriteString(`
	select grouping((s0.t0 at time zone $6)::date), grouping(s0.channel),
	       coalesce(to_char((s0.t0 at time zone $6)::date, 'YYYY-MM-DD'), ''), coalesce(s0.channel, ''), count(*)`)
	for k := 1; k < len(stages); k++ {
		fmt.Fprintf(&b, ", count(s%d.session_id)", k)
	}
	b.WriteString("\n\tfrom s0")
	for k := 1; k < len(stages); k++ {
		fmt.Fprintf(&b, " left join s%d using (session_id)", k)
	}
	b.WriteString(`
	group by grouping sets (((s0.t0 at time zone $6)::date), (s0.channel), ())
	order by 1, 2, 3, 4`)
	return b.String()
}

// FunnelCounts counts the sessions of the funnel stages visit →
// product_view → add_to_cart → checkout → purchase for q in SQL (see
// analytics.FunnelCounts for the definition, which is that of
// analytics.FunnelFromEvents). Days are the local days of q.Location (UTC
// when nil), which must be a named IANA zone. It returns an error for an
// invalid period or a negative window.
//
// Source: the seed document, section 4.4 (marketing funnel).
func (s *Store) FunnelCounts(ctx context.Context, q analytics.FunnelQuery) (analytics.FunnelCounts, error) {
	if err := q.Period.Validate(); err != nil {
		return analytics.FunnelCounts{}, fmt.Errorf("funnel counts: %w", err)
	}
	if q.Window < 0 {
		return analytics.FunnelCounts{}, fmt.Errorf("funnel counts: window %s: %w", q.Window, analytics.ErrNegative)
	}
	tz := "UTC"
	if q.Location != nil {
		tz = q.Location.String()
	}
	if tz == "Local" || tz == "" {
		return analytics.FunnelCounts{}, errors.New("funnel counts: time zone must be a named IANA zone, not Local")
	}
	var window *float64
	if q.Window > 0 {
		w := q.Window.Seconds()
		window = &w
	}
	stages := analytics.DefaultFunnelStages()
	out := analytics.FunnelCounts{Stages: stages, Total: make([]int, len(stages))}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, funnelSQL, q.Period.From, q.Period.To, q.Channel, q.Campaign, window, tz)
	if err != nil {
		return out, fmt.Errorf("funnel counts %s: %w", q.Period, translate(err))
	}
	defer rows.Close()
	counts := make([]int64, len(stages))
	dst := []any{new(int32), new(int32), new(string), new(string)}
	for i := range counts {
		dst = append(dst, &counts[i])
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return out, fmt.Errorf("funnel counts %s: %w", q.Period, translate(err))
		}
		byDay, byChannel := *dst[0].(*int32) == 0, *dst[1].(*int32) == 0
		c := make([]int, len(stages))
		for i, v := range counts {
			c[i] = int(v)
		}
		switch {
		case byDay:
			out.Daily = append(out.Daily, analytics.FunnelGroupCounts{Group: *dst[2].(*string), Counts: c})
		case byChannel:
			out.ByChannel = append(out.ByChannel, analytics.FunnelGroupCounts{Group: *dst[3].(*string), Counts: c})
		default:
			out.Total = c
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("funnel counts %s: %w", q.Period, translate(err))
	}
	return out, nil
}

// FunnelDataRange returns the first and last funnel event times, or
// ErrNotFound when there are none.
func (s *Store) FunnelDataRange(ctx context.Context) (first, last time.Time, err error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var f, l *time.Time
	if err := s.pool.QueryRow(ctx, "select min(occurred_at), max(occurred_at) from funnel_events").Scan(&f, &l); err != nil {
		return first, last, fmt.Errorf("funnel data range: %w", translate(err))
	}
	if f == nil {
		return first, last, fmt.Errorf("funnel data range: %w", ErrNotFound)
	}
	return f.UTC(), l.UTC(), nil
}
