package tools

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// cacStore is an ROIReader and CurrencyReader over fixed attribution
// inputs, spend and currency coverage.
type cacStore struct {
	stubStore
	tps   []analytics.Touchpoint
	convs []analytics.Conversion
	spend map[string]analytics.Money
	cov   []analytics.CurrencyCoverage
}

func (s cacStore) AttributionInputs(context.Context, analytics.Period, int) ([]analytics.Touchpoint, []analytics.Conversion, error) {
	return s.tps, s.convs, nil
}
func (s cacStore) SpendBy(context.Context, analytics.Period, string) (map[string]analytics.Money, error) {
	return s.spend, nil
}
func (s cacStore) ReportingCurrency() string { return "GBP" }
func (s cacStore) CurrencyCoverage(context.Context, analytics.Period, string) ([]analytics.CurrencyCoverage, error) {
	return s.cov, nil
}

// TestROI_CACLinear: compute_roi under linear attribution splits each new
// customer over the touches of their first purchase, counts them once, and
// shows CAC in the JSON and the table (hand-computed):
//
//	A: email, paid_search → first purchase a1 (a2 later, after display: not an acquisition)
//	B: paid_social → first purchase b1
//	E: email, display, email → first purchase e1
//
// new customers: email ½ + ⅔ = 1.1667, paid_search ½, paid_social 1,
// display ⅓; CAC = spend / that: email 100/1.1667 = 85.71, paid_search
// 50/½ = 100, paid_social 30, display 20/⅓ = 60.
func TestROI_CACLinear(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	day := func(d int) time.Time { return time.Date(2011, 3, d, 12, 0, 0, 0, tokyo) }
	store := cacStore{
		stubStore: stubStore{dataRange: dataRange},
		tps: []analytics.Touchpoint{
			{CustomerID: "A", Channel: "email", At: day(1)}, {CustomerID: "A", Channel: "paid_search", At: day(5)},
			{CustomerID: "A", Channel: "display", At: day(15)}, {CustomerID: "B", Channel: "paid_social", At: day(11)},
			{CustomerID: "E", Channel: "email", At: day(2)}, {CustomerID: "E", Channel: "display", At: day(3)}, {CustomerID: "E", Channel: "email", At: day(8)},
		},
		convs: []analytics.Conversion{
			{OrderID: "a1", CustomerID: "A", At: day(10), Revenue: 1000, FirstPurchase: true},
			{OrderID: "a2", CustomerID: "A", At: day(20), Revenue: 1000},
			{OrderID: "b1", CustomerID: "B", At: day(12), Revenue: 500, FirstPurchase: true},
			{OrderID: "e1", CustomerID: "E", At: day(9), Revenue: 400, FirstPurchase: true},
		},
		spend: map[string]analytics.Money{"email": 10000, "paid_search": 5000, "paid_social": 3000, "display": 2000},
		cov: []analytics.CurrencyCoverage{
			{Source: "orders", Currency: "EUR", Rows: 2, Amount: 7000, Rates: []analytics.FXRate{{Day: time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC), Currency: "EUR", To: "GBP", Rate: 0.85}}},
			{Source: "orders", Currency: "GBP", Rows: 4, Amount: 2900},
			{Source: "spend", Currency: "CHF", Rows: 1, Amount: 500, LeftOutRows: 1, LeftOutAmount: 500,
				LeftOutFrom: time.Date(2011, 3, 4, 0, 0, 0, 0, time.UTC), LeftOutTo: time.Date(2011, 3, 4, 0, 0, 0, 0, time.UTC)},
		},
	}
	res, err := ROI{Store: store, Location: tokyo}.Compute(context.Background(), ROIArgs{PeriodArgs: PeriodArgs{Period: "2011-03"}, Attribution: "linear"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]any{
		"email": {1.166667, 85.71}, "paid_search": {0.5, 100.0}, "paid_social": {1.0, 30.0}, "display": {0.333333, 60.0},
	}
	for _, r := range res.Rows {
		w := want[r.Group]
		if r.NewCustomers != w[0] || r.CAC != w[1] {
			t.Errorf("%s: new customers %v, CAC %v; want %v, %v", r.Group, r.NewCustomers, r.CAC, w[0], w[1])
		}
	}
	// Total: 200.00 / 3 new customers.
	if res.Total.NewCustomers != 3 || res.Total.CAC != 66.67 {
		t.Errorf("total new customers %v, CAC %v; want 3, 66.67", res.Total.NewCustomers, res.Total.CAC)
	}
	tab := res.Display.Tables[0]
	if n := len(tab.Columns); tab.Columns[n-1] != "CAC" || tab.Columns[n-2] != "new customers" {
		t.Errorf("table columns = %v; want new customers and CAC last", tab.Columns)
	}
	if !strings.Contains(res.Definition, "counts once") || !strings.Contains(res.Definition, "fractional under linear") {
		t.Errorf("definition = %q; want the CAC definition", res.Definition)
	}
	if res.TimeZone != "Asia/Tokyo" || !strings.Contains(res.Summary, "local days in Asia/Tokyo") {
		t.Errorf("time_zone %q, summary %q; want Asia/Tokyo stated", res.TimeZone, res.Summary)
	}
	c := strings.Join(res.Caveats, " | ")
	if !strings.Contains(c, "2 orders in EUR (EUR 70.00) converted to GBP") {
		t.Errorf("caveats = %q; want the EUR conversion and its rate", c)
	}
	if !strings.Contains(c, "1 EUR = 0.85 GBP from 2011-03-01") || !strings.Contains(c, "LEFT OUT: 1 of 1 spend row in CHF") || !strings.Contains(c, "2011-03-04") {
		t.Errorf("caveats = %q; want the rate used and the CHF spend row left out with its day", c)
	}
}

// TestTypedCores_SchemaBounds checks that the typed cores, which callers
// such as the CLI reach without the schema, refuse integer arguments
// outside the schema's bounds (lookback_days 1..365, k 2..20, limit
// 1..500) with an error naming the field, before touching the store.
func TestTypedCores_SchemaBounds(t *testing.T) {
	for _, n := range []int{-1, 366} {
		_, err := ROI{}.Compute(context.Background(), ROIArgs{LookbackDays: n})
		var ie *analytics.InputError
		if !errors.As(err, &ie) || ie.Field != "lookback_days" {
			t.Errorf("ROI.Compute(lookback_days %d) error = %v; want an InputError for lookback_days", n, err)
		}
		_, err = Attribution{}.Compare(context.Background(), AttributionArgs{LookbackDays: n})
		if !errors.As(err, &ie) || ie.Field != "lookback_days" {
			t.Errorf("Attribution.Compare(lookback_days %d) error = %v; want an InputError for lookback_days", n, err)
		}
	}
	for _, k := range []int{-3, 1, 21} {
		_, err := Segment{}.Cluster(context.Background(), SegmentArgs{K: k})
		var ie *analytics.InputError
		if !errors.As(err, &ie) || ie.Field != "k" || !strings.Contains(err.Error(), "outside 2 to 20") {
			t.Errorf("Segment.Cluster(k %d) error = %v; want an InputError for k outside 2 to 20", k, err)
		}
	}
	for _, n := range []int{-1, 501} {
		_, err := AssociationRulesFromItemLines(context.Background(), analytics.ItemLines{}, RulesArgs{Limit: n})
		var ie *analytics.InputError
		if !errors.As(err, &ie) || ie.Field != "limit" || !strings.Contains(err.Error(), "outside 1 to 500") {
			t.Errorf("AssociationRulesFromItemLines(limit %d) error = %v; want an InputError for limit outside 1 to 500", n, err)
		}
	}
	for n, want := range map[int]int{0: DefaultLookbackDays, 1: 1, 365: 365} {
		if got, err := roiSchema.intArg(ArgLookbackDays, n, DefaultLookbackDays); err != nil || got != want {
			t.Errorf("roiSchema.intArg(lookback_days, %d) = %d, %v; want %d", n, got, err, want)
		}
	}
}
