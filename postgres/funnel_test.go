package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/demodata"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// funnelLayer stores funnel events (and the channels they name) as a
// marketing layer.
func funnelLayer(t *testing.T, s *postgres.Store, events []demodata.FunnelRow) {
	t.Helper()
	l := &demodata.Layer{Seed: 1, Funnel: events}
	seen := map[string]bool{}
	for _, e := range events {
		if !seen[e.Channel] {
			seen[e.Channel] = true
			l.Channels = append(l.Channels, demodata.Channel{Name: e.Channel, Kind: "paid"})
		}
	}
	if err := s.StoreSyntheticLayer(context.Background(), storedLayer(l)); err != nil {
		t.Fatal(err)
	}
}

// storedLayer converts the generator's layer to the store's type, as
// cmd/roibot does (postgres does not import demodata).
func storedLayer(l *demodata.Layer) postgres.SyntheticLayer {
	out := postgres.SyntheticLayer{Seed: l.Seed}
	for _, c := range l.Channels {
		out.Channels = append(out.Channels, postgres.SyntheticChannel{Name: c.Name, Kind: c.Kind})
	}
	for _, c := range l.Campaigns {
		out.Campaigns = append(out.Campaigns, postgres.SyntheticCampaign{Name: c.Name, Channel: c.Channel, Start: c.Start, End: c.End})
	}
	for _, r := range l.Spend {
		out.Spend = append(out.Spend, analytics.Spend{Day: r.Day, Channel: r.Channel, Campaign: r.Campaign, Cost: r.Cost, Currency: "GBP"})
	}
	for _, r := range l.Touchpoints {
		out.Touchpoints = append(out.Touchpoints, postgres.SyntheticTouchpoint{ID: r.ID,
			Touchpoint: analytics.Touchpoint{CustomerID: r.CustomerID, Channel: r.Channel, Campaign: r.Campaign, At: r.At}})
	}
	for _, r := range l.Funnel {
		out.Funnel = append(out.Funnel, postgres.SyntheticFunnelEvent{ID: r.ID, Channel: r.Channel, Campaign: r.Campaign,
			CustomerID: r.CustomerID, FunnelEvent: analytics.FunnelEvent{SessionID: r.SessionID, Stage: r.Stage, At: r.At}})
	}
	for _, t := range l.Truth {
		out.Truth = append(out.Truth, postgres.ChannelTruth{Channel: t.Channel, LastTouchRevenue: t.LastTouchRevenue,
			Cost: t.Cost, Conversions: t.Conversions})
	}
	return out
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// handFunnel is a hand-made fixture in Europe/London summer time
// (BST = UTC+1); the comments give each session's expected stages.
func handFunnel() []demodata.FunnelRow {
	var out []demodata.FunnelRow
	n := 0
	add := func(session, channel, stage, at string) {
		n++
		out = append(out, demodata.FunnelRow{ID: fmt.Sprintf("e%03d", n), SessionID: session, Stage: stage,
			At: utc(at), Channel: channel, Campaign: channel + "-camp"})
	}
	// s1: all five stages within an hour; local day 2011-07-01.
	add("s1", "paid_search", "visit", "2011-07-01 10:00")
	add("s1", "paid_search", "product_view", "2011-07-01 10:05")
	add("s1", "paid_search", "add_to_cart", "2011-07-01 10:10")
	add("s1", "paid_search", "checkout", "2011-07-01 10:15")
	add("s1", "paid_search", "purchase", "2011-07-01 10:20")
	// s2: crosses the 1-hour window after product_view: visit, product_view.
	add("s2", "paid_search", "visit", "2011-07-01 12:00")
	add("s2", "paid_search", "product_view", "2011-07-01 12:10")
	add("s2", "paid_search", "add_to_cart", "2011-07-01 13:30")
	add("s2", "paid_search", "checkout", "2011-07-01 13:35")
	add("s2", "paid_search", "purchase", "2011-07-01 13:40")
	// s3: visit at 00:30 BST on 2011-07-01 (23:30 UTC the day before).
	add("s3", "email", "visit", "2011-06-30 23:30")
	add("s3", "email", "product_view", "2011-06-30 23:40")
	// s4: 23:30 BST on 2011-07-02; add_to_cart before product_view does not count.
	add("s4", "email", "visit", "2011-07-02 22:30")
	add("s4", "email", "add_to_cart", "2011-07-02 22:35")
	add("s4", "email", "product_view", "2011-07-02 22:40")
	// s5: 23:30 BST on 2011-06-30, before the period.
	add("s5", "display", "visit", "2011-06-30 22:30")
	add("s5", "display", "product_view", "2011-06-30 22:35")
	// s6: 23:59 BST on 2011-07-03, the last minute of the period; purchase
	// without product_view: visit only.
	add("s6", "paid_search", "visit", "2011-07-03 22:59")
	add("s6", "paid_search", "purchase", "2011-07-03 23:05")
	// s7: 00:00 BST on 2011-07-04, after the period.
	add("s7", "paid_search", "visit", "2011-07-03 23:00")
	// s8: first visit before the period, a second one inside it: not counted.
	add("s8", "email", "visit", "2011-06-29 09:00")
	add("s8", "email", "visit", "2011-07-01 09:00")
	add("s8", "email", "product_view", "2011-07-01 09:01")
	// s9: no visit at all.
	add("s9", "email", "product_view", "2011-07-01 09:00")
	return out
}

func TestStore_FunnelCounts(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	funnelLayer(t, s, handFunnel())
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	p, err := analytics.DateRange("2011-07-01", "2011-07-03", london)
	if err != nil {
		t.Fatal(err)
	}
	count := func(t *testing.T, q analytics.FunnelQuery) analytics.FunnelCounts {
		t.Helper()
		got, err := s.FunnelCounts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	group := func(gs []analytics.FunnelGroupCounts) map[string][]int {
		m := map[string][]int{}
		for _, g := range gs {
			m[g.Group] = g.Counts
		}
		return m
	}
	t.Run("LondonOneHourWindow", func(t *testing.T) {
		got := count(t, analytics.FunnelQuery{Period: p, Window: time.Hour, Location: london})
		if want := []int{5, 4, 1, 1, 1}; !slices.Equal(got.Total, want) {
			t.Errorf("FunnelCounts(all).Total = %v; want %v", got.Total, want)
		}
		wantDaily := map[string][]int{
			"2011-07-01": {3, 3, 1, 1, 1}, // s1, s2, s3 (00:30 local)
			"2011-07-02": {1, 1, 0, 0, 0}, // s4
			"2011-07-03": {1, 0, 0, 0, 0}, // s6
		}
		daily := group(got.Daily)
		if fmt.Sprint(daily) != fmt.Sprint(wantDaily) {
			t.Errorf("FunnelCounts(all).Daily = %v; want %v", daily, wantDaily)
		}
		sum := make([]int, 5)
		for _, d := range got.Daily {
			for i, c := range d.Counts {
				sum[i] += c
			}
		}
		if !slices.Equal(sum, got.Total) {
			t.Errorf("Σ daily = %v; want total %v", sum, got.Total)
		}
		wantCh := map[string][]int{"email": {2, 2, 0, 0, 0}, "paid_search": {3, 2, 1, 1, 1}}
		if byCh := group(got.ByChannel); fmt.Sprint(byCh) != fmt.Sprint(wantCh) {
			t.Errorf("FunnelCounts(all).ByChannel = %v; want %v", byCh, wantCh)
		}
	})
	t.Run("Channel", func(t *testing.T) {
		got := count(t, analytics.FunnelQuery{Period: p, Channel: "paid_search", Window: time.Hour, Location: london})
		if want := []int{3, 2, 1, 1, 1}; !slices.Equal(got.Total, want) {
			t.Errorf("FunnelCounts(paid_search).Total = %v; want %v", got.Total, want)
		}
	})
	t.Run("Campaign", func(t *testing.T) {
		got := count(t, analytics.FunnelQuery{Period: p, Campaign: "email-camp", Window: time.Hour, Location: london})
		if want := []int{2, 2, 0, 0, 0}; !slices.Equal(got.Total, want) {
			t.Errorf("FunnelCounts(email-camp).Total = %v; want %v", got.Total, want)
		}
	})
	t.Run("NoWindow", func(t *testing.T) {
		got := count(t, analytics.FunnelQuery{Period: p, Location: london})
		// s2 now reaches add_to_cart, checkout and purchase.
		if want := []int{5, 4, 2, 2, 2}; !slices.Equal(got.Total, want) {
			t.Errorf("FunnelCounts(no window).Total = %v; want %v", got.Total, want)
		}
	})
	t.Run("UTCDays", func(t *testing.T) {
		got := count(t, analytics.FunnelQuery{Period: p, Window: time.Hour, Location: time.UTC})
		// Same sessions; s3 (23:30 UTC) falls on 2011-06-30 in UTC.
		if d := group(got.Daily)["2011-06-30"]; !slices.Equal(d, []int{1, 1, 0, 0, 0}) {
			t.Errorf("FunnelCounts(UTC).Daily[2011-06-30] = %v; want [1 1 0 0 0]", d)
		}
	})
	t.Run("NoEntrants", func(t *testing.T) {
		got := count(t, analytics.FunnelQuery{Period: p, Channel: "display", Window: time.Hour, Location: london})
		if want := []int{0, 0, 0, 0, 0}; !slices.Equal(got.Total, want) || len(got.Daily) != 0 {
			t.Errorf("FunnelCounts(display) = %v, %d days; want %v, 0 days", got.Total, len(got.Daily), want)
		}
	})
}

// TestStore_FunnelCountsMatchesAnalytics checks the SQL against
// analytics.FunnelFromEvents on random sessions with events out of order
// and beyond the window.
func TestStore_FunnelCountsMatchesAnalytics(t *testing.T) {
	s := pgtest.Store(t)
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC)
	stages := analytics.DefaultFunnelStages()
	var rows []demodata.FunnelRow
	var events []analytics.FunnelEvent
	for i := range 400 {
		sid := fmt.Sprintf("r%04d", i)
		t0 := start.Add(time.Duration(rng.IntN(20*24*60)) * time.Minute)
		for k := range 1 + rng.IntN(8) {
			st := stages[rng.IntN(len(stages))]
			if k == 0 {
				st = stages[0]
			}
			at := t0.Add(time.Duration(rng.IntN(90)) * time.Minute)
			if k == 0 {
				at = t0
			}
			rows = append(rows, demodata.FunnelRow{ID: fmt.Sprintf("%s-%d", sid, k), SessionID: sid, Stage: st, At: at, Channel: "email"})
			events = append(events, analytics.FunnelEvent{SessionID: sid, Stage: st, At: at})
		}
	}
	funnelLayer(t, s, rows)
	p := analytics.Period{From: start, To: start.AddDate(0, 0, 30)}
	for _, w := range []time.Duration{45 * time.Minute, 10 * time.Minute, 0} {
		want, err := analytics.FunnelFromEvents(events, stages, w)
		if err != nil {
			t.Fatal(err)
		}
		if w != 10*time.Minute && want[3].Count == 0 {
			t.Fatalf("fixture too weak: FunnelFromEvents = %v", want)
		}
		got, err := s.FunnelCounts(context.Background(), analytics.FunnelQuery{Period: p, Window: w})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range want {
			if got.Total[i] != c.Count {
				t.Errorf("FunnelCounts(window %s).Total[%s] = %d; want %d (FunnelFromEvents)", w, c.Stage, got.Total[i], c.Count)
			}
		}
	}
}
