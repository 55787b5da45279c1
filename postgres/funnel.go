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
// The events of [$1, $2 + window] of sessions without a visit before $1
// (a hash anti-join decided per event, where row estimates are good) are
// sorted once by session (collation "C") and time; one pass then gives
// each session t0, its first visit (kept when before $2), the channel and
// campaign of that visit (ties: lowest event id), and per later stage the
// sorted array of its event times. The stage times then chain without
// joins: t_k = the first element ≥ t_(k−1) of stage k's array, found by
// binary search with width_bucket (timestamps have microsecond
// resolution, so "≥ t" is "> t − 1 µs"); a stage counts when t_k ≤ t0 +
// window (t_k never decreases, so one check per stage suffices). The
// result has one row per local day of t0, one per channel, and the grand
// total (grouping sets), with one count per stage.
var funnelSQL = buildFunnelSQL(analytics.DefaultFunnelStages())

func buildFunnelSQL(stages []string) string {
	var b strings.Builder
	b.WriteString(`with g as (
		select sid, min(at) filter (where stage = '` + stages[0] + `') as t0,
		       (array_agg(channel) filter (where stage = '` + stages[0] + `'))[1] as channel,
		       (array_agg(campaign) filter (where stage = '` + stages[0] + `'))[1] as campaign`)
	for k := 1; k < len(stages); k++ {
		fmt.Fprintf(&b, ",\n\t\t       array_agg(at) filter (where stage = '%s') as a%d", stages[k], k)
	}
	b.WriteString(`
		from (select session_id collate "C" as sid, stage, occurred_at as at, channel, campaign
		      from funnel_events f
		      where occurred_at >= $1
		        and ($5::float8 is null or occurred_at <= $2::timestamptz + $5::float8 * interval '1 second')
		        and not exists (select 1 from funnel_events v
		                        where v.session_id = f.session_id and v.stage = '` + stages[0] + `' and v.occurred_at < $1)
		      order by 1, occurred_at, event_id) e
		group by sid),
	s0 as (
		select t0, channel,
		       case when $5::float8 is null then 'infinity'::timestamptz else t0 + $5::float8 * interval '1 second' end as deadline`)
	for k := 1; k < len(stages); k++ {
		fmt.Fprintf(&b, ", a%d", k)
	}
	b.WriteString(`, t0 as t0_
		from g
		where t0 < $2 and ($3 = '' or channel = $3) and ($4 = '' or campaign = $4))`)
	// s_k adds t_k; t0_ is t_0 under the name the chain uses.
	prev := "t0_"
	for k := 1; k < len(stages); k++ {
		fmt.Fprintf(&b, `,
	s%d as (select s%d.*, a%d[width_bucket(%s - interval '1 microsecond', a%d) + 1] as t%d from s%d)`, k, k-1, k, prev, k, k, k-1)
		prev = fmt.Sprintf("t%d", k)
	}
	last := len(stages) - 1
	b.WriteString(`
	select grouping((t0 at time zone $6)::date), grouping(channel),
	       coalesce(to_char((t0 at time zone $6)::date, 'YYYY-MM-DD'), ''), coalesce(channel, ''), count(*)`)
	for k := 1; k < len(stages); k++ {
		fmt.Fprintf(&b, ", count(*) filter (where t%d <= deadline)", k)
	}
	fmt.Fprintf(&b, `
	from s%d
	group by grouping sets (((t0 at time zone $6)::date), (channel), ())
	order by 1, 2, 3, 4`, last)
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
