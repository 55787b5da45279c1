package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/postgres/pgtest"
)

// lastTouchFixture holds eight UK customers (30001..30008) with twelve
// purchase orders around October 2011, one line each; the touchpoints are
// inserted by the test.
const lastTouchFixture = "../testdata/attribution/lasttouch_fixture.csv"

// TestStore_LastTouchMatchesJourneys holds the SQL last touch of
// LastTouchROIInputs to the definition: analytics' last-touch model over the
// journeys BuildJourneys builds from AttributionInputs (a touchpoint credits
// the customer's next order within the lookback window). Period October
// 2011, lookback 30 days; the cases, by hand:
//
//	30001 email 10-05, paid_search 10-08 | 571001 10-10 £100 → paid_search
//	      display 10-15                  | 571002 10-20 £200 → display
//	30002 email 10-11 | 572001 and 572002 both 10-12 09:00 → email £30 (the first); £40 unattributed
//	30003 affiliate 09-25 10:00, exactly 30 days before 573001 → affiliate £50 (window inclusive)
//	30004 paid_social 09-27, order 574001 09-28 (before the period), 574002 10-05 £70 → unattributed
//	30005 email 08-01, 75 days before 575001 £80 → unattributed
//	30006 display 10-17, after 576001 10-16 £90 → unattributed
//	30007 email lt-09 and affiliate lt-10 both 10-18 08:00 | 577001 £110 → affiliate (later id)
//	30008 paid_social 10-22 15:00 at the instant of 578001 £120 → paid_social; 578002 10-23 £130 → unattributed
//
// so paid_search 1 order £100, display 1 £200, email 1 £30, affiliate 2
// £160, paid_social 1 £120; £410 of the period's £1,020 unattributed.
func TestStore_LastTouchMatchesJourneys(t *testing.T) {
	s, schema := fixtureStore(t, lastTouchFixture)
	ctx := context.Background()
	conn := pgtest.Conn(t, "")
	q := func(table string) string { return pgx.Identifier{schema, table}.Sanitize() }
	if _, err := conn.Exec(ctx, `insert into `+q("channels")+` (channel) values
		('email'), ('paid_search'), ('paid_social'), ('display'), ('affiliate')`, pgx.QueryExecModeExec); err != nil {
		t.Fatalf("insert channels: %v", err)
	}
	if _, err := conn.Exec(ctx, `insert into `+q("touchpoints")+` (touchpoint_id, customer_id, channel, touched_at) values
		('lt-01', '30001', 'email', '2011-10-05 12:00:00+00'),
		('lt-02', '30001', 'paid_search', '2011-10-08 12:00:00+00'),
		('lt-03', '30001', 'display', '2011-10-15 12:00:00+00'),
		('lt-04', '30002', 'email', '2011-10-11 09:00:00+00'),
		('lt-05', '30003', 'affiliate', '2011-09-25 10:00:00+00'),
		('lt-06', '30004', 'paid_social', '2011-09-27 10:00:00+00'),
		('lt-07', '30005', 'email', '2011-08-01 10:00:00+00'),
		('lt-08', '30006', 'display', '2011-10-17 10:00:00+00'),
		('lt-09', '30007', 'email', '2011-10-18 08:00:00+00'),
		('lt-10', '30007', 'affiliate', '2011-10-18 08:00:00+00'),
		('lt-11', '30008', 'paid_social', '2011-10-22 15:00:00+00')`, pgx.QueryExecModeExec); err != nil {
		t.Fatalf("insert touchpoints: %v", err)
	}
	october := analytics.Period{From: time.Date(2011, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2011, 11, 1, 0, 0, 0, 0, time.UTC)}
	const lookback = 30

	sqlRows, err := s.LastTouchROIInputs(ctx, october, "channel", lookback)
	if err != nil {
		t.Fatal(err)
	}
	tps, convs, err := s.AttributionInputs(ctx, october, lookback)
	if err != nil {
		t.Fatal(err)
	}
	journeys, err := analytics.BuildJourneys(tps, convs, lookback, october.To)
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := analytics.CompareJourneyAttribution(journeys, []analytics.Model{analytics.LastTouch}, analytics.AttributionOptions{}, "")
	if err != nil {
		t.Fatal(err)
	}

	type credit struct {
		conversions float64
		revenue     analytics.Money
	}
	want := map[string]credit{
		"paid_search": {1, 10000}, "display": {1, 20000}, "email": {1, 3000}, "affiliate": {2, 16000}, "paid_social": {1, 12000},
	}
	sqlCredit := map[string]credit{}
	for _, r := range sqlRows {
		if r.Revenue != 0 || r.Conversions != 0 {
			sqlCredit[r.Group] = credit{r.Conversions, r.Revenue}
		}
	}
	journeyCredit := map[string]credit{}
	for _, r := range cmp.Rows {
		if r.Conversions[0] != 0 {
			journeyCredit[r.Channel] = credit{r.Conversions[0], analytics.MoneyFromMajor(r.Value[0])}
		}
	}
	for name, got := range map[string]map[string]credit{"LastTouchROIInputs": sqlCredit, "journeys last_touch": journeyCredit} {
		if len(got) != len(want) {
			t.Errorf("%s credits %d channels %v; want %d %v", name, len(got), got, len(want), want)
		}
		for ch, w := range want {
			if got[ch] != w {
				t.Errorf("%s(%s) = %v orders, %d pence; want %v, %d", name, ch, got[ch].conversions, got[ch].revenue, w.conversions, w.revenue)
			}
		}
	}
	if got := analytics.MoneyFromMajor(cmp.UnattributedValue); cmp.UnattributedConversions != 5 || got != 41000 {
		t.Errorf("journeys unattributed = %v orders, %d pence; want 5, 41000", cmp.UnattributedConversions, got)
	}
	if got := analytics.MoneyFromMajor(cmp.Value); cmp.Conversions != 11 || got != 102000 {
		t.Errorf("journeys total = %v orders, %d pence; want 11, 102000", cmp.Conversions, got)
	}
}
