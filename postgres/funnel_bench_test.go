package postgres

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// benchFunnelEvents is the size of BenchmarkFunnelSQL's table.
const benchFunnelEvents = 5_000_000

// BenchmarkFunnelSQL counts the funnel over 5,000,000 events (2,000,000
// sessions over 347 days, seven channels) in SQL, for the whole range and
// for one channel in one quarter. PGlite cannot hold that volume quickly,
// so it runs on a native PostgreSQL named by ROIBOT_BENCH_DATABASE_URL and
// is skipped without it:
//
//	pg_ctlcluster 15 main start
//	su postgres -c "psql -c \"create role roibot_bench login password 'bench'\""
//	su postgres -c "psql -c 'create database roibot_bench owner roibot_bench'"
//	ROIBOT_BENCH_DATABASE_URL='postgres://roibot_bench:bench@127.0.0.1:5432/roibot_bench?sslmode=disable' \
//	  go test ./postgres -run '^$' -bench BenchmarkFunnelSQL -benchtime 3x
//
// The rows live in schema roibot_bench_funnel and are generated once with
// generate_series (a few minutes); later runs reuse them. Measured on a
// shared 2-core VM, PostgreSQL 15 defaults: AllEvents 10.8 s/op,
// PaidSearchQ3 5.5 s/op.
func BenchmarkFunnelSQL(b *testing.B) {
	url := os.Getenv("ROIBOT_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("ROIBOT_BENCH_DATABASE_URL not set; see the comment for the command")
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{URL: url, Schema: "roibot_bench_funnel", QueryTimeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var n int64
	if err := s.pool.QueryRow(ctx, "select count(*) from funnel_events").Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n != benchFunnelEvents {
		start := time.Now()
		for _, q := range []string{
			"truncate funnel_events",
			`insert into channels (channel, kind, synthetic)
			 select c, 'paid', true from unnest(array['email','paid_search','paid_social','display','affiliate','organic_search','direct']) c
			 on conflict do nothing`,
			// Per 20 sessions: 8 stop at visit, 4 at product_view, 2 at
			// add_to_cart, 2 at checkout, 4 purchase: 50 events, so
			// 2,000,000 sessions make 5,000,000 events; a session starts
			// every 15 s from 2011-01-01 and its stages are 2 min apart.
			`insert into funnel_events (event_id, session_id, stage, occurred_at, channel, campaign, synthetic)
			 select 'b' || s || '-' || k, 's' || s,
			        (array['visit','product_view','add_to_cart','checkout','purchase'])[k],
			        timestamptz '2011-01-01 00:00:00+00' + s * interval '15 seconds' + (k - 1) * interval '2 minutes',
			        (array['email','paid_search','paid_social','display','affiliate','organic_search','direct'])[1 + s % 7],
			        '', true
			 from generate_series(0, 1999999) s
			 cross join lateral generate_series(1, (array[1,1,1,1,1,1,1,1,2,2,2,2,3,3,4,4,5,5,5,5])[1 + s % 20]) k`,
			"analyze funnel_events",
		} {
			if _, err := s.pool.Exec(ctx, q); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
		}
		b.Logf("generated %d funnel events in %s", benchFunnelEvents, time.Since(start).Round(time.Second))
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		b.Fatal(err)
	}
	all := analytics.Period{From: time.Date(2011, 1, 1, 0, 0, 0, 0, london), To: time.Date(2012, 1, 1, 0, 0, 0, 0, london)}
	q3, err := analytics.ParsePeriod("2011-Q3", london)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		q    analytics.FunnelQuery
		want []int // nil: not checked
	}{
		{"AllEvents", analytics.FunnelQuery{Period: all, Window: 24 * time.Hour, Location: london},
			[]int{2_000_000, 1_200_000, 800_000, 600_000, 400_000}},
		{"PaidSearchQ3", analytics.FunnelQuery{Period: q3, Channel: "paid_search", Window: 24 * time.Hour, Location: london}, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.FunnelCounts(ctx, bc.q)
				if err != nil {
					b.Fatal(err)
				}
				if bc.want != nil && !slices.Equal(got.Total, bc.want) {
					b.Fatalf("FunnelCounts(%s).Total = %v; want %v", bc.name, got.Total, bc.want)
				}
				sum := make([]int, len(got.Total))
				for _, d := range got.Daily {
					for i, c := range d.Counts {
						sum[i] += c
					}
				}
				if !slices.Equal(sum, got.Total) {
					b.Fatalf("FunnelCounts(%s): Σ daily = %v; want total %v", bc.name, sum, got.Total)
				}
			}
		})
	}
}
