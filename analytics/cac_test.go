package analytics

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// cacFixture: five customers in a period starting on day 1.
//
//	A  touches email d1, paid_search d5; FIRST purchase d10; repeat d20 after display d15
//	B  touch paid_social d11; two orders at the same instant d12 (both flagged
//	   first, as a naive "order at the first timestamp" query would), repeat d25
//	C  touch email d3; repeat purchase d4 (first purchase before the period)
//	D  FIRST purchase d6, no touchpoint
//	E  touches email d2, display d3, email d8; FIRST purchase d9
//
// Orders 8, customers with a first purchase 4 (A, B, D, E).
func cacFixture(t *testing.T) []Journey {
	t.Helper()
	day := func(d int) time.Time { return time.Date(2011, 1, d, 12, 0, 0, 0, time.UTC) }
	tps := []Touchpoint{
		{CustomerID: "A", Channel: "email", Campaign: "newsletter", At: day(1)},
		{CustomerID: "A", Channel: "paid_search", Campaign: "brand", At: day(5)},
		{CustomerID: "A", Channel: "display", Campaign: "retarget", At: day(15)},
		{CustomerID: "B", Channel: "paid_social", Campaign: "spring", At: day(11)},
		{CustomerID: "C", Channel: "email", Campaign: "newsletter", At: day(3)},
		{CustomerID: "E", Channel: "email", Campaign: "newsletter", At: day(2)},
		{CustomerID: "E", Channel: "display", Campaign: "retarget", At: day(3)},
		{CustomerID: "E", Channel: "email", Campaign: "winback", At: day(8)},
	}
	convs := []Conversion{
		{OrderID: "a1", CustomerID: "A", At: day(10), Revenue: 1000, FirstPurchase: true},
		{OrderID: "a2", CustomerID: "A", At: day(20), Revenue: 1000},
		{OrderID: "b1", CustomerID: "B", At: day(12), Revenue: 500, FirstPurchase: true},
		{OrderID: "b2", CustomerID: "B", At: day(12), Revenue: 700, FirstPurchase: true},
		{OrderID: "b3", CustomerID: "B", At: day(25), Revenue: 700},
		{OrderID: "c1", CustomerID: "C", At: day(4), Revenue: 300},
		{OrderID: "d1", CustomerID: "D", At: day(6), Revenue: 900, FirstPurchase: true},
		{OrderID: "e1", CustomerID: "E", At: day(9), Revenue: 400, FirstPurchase: true},
	}
	js, err := BuildJourneys(tps, convs, 30, day(31))
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestCreditNewCustomers_HandComputed(t *testing.T) {
	js := cacFixture(t)
	spend := map[string]Money{"email": 10000, "paid_search": 5000, "paid_social": 3000, "display": 2000}
	for _, c := range []struct {
		m          Model
		byCampaign bool
		want       map[string]float64
		cac        map[string]float64 // minor units per new customer; NaN = n/a
	}{
		// Last touch: A → paid_search, B → paid_social, E → email (its last touch).
		{LastTouch, false, map[string]float64{"paid_search": 1, "paid_social": 1, "email": 1},
			map[string]float64{"email": 10000, "paid_search": 5000, "paid_social": 3000, "display": math.NaN()}},
		// Linear: A ½ email ½ paid_search; B 1 paid_social; E ⅔ email ⅓ display.
		// CAC email = 10000 / (½ + ⅔) = 8571.43; display = 2000 / ⅓ = 6000.
		{Linear, false, map[string]float64{"email": 0.5 + 2.0/3, "paid_search": 0.5, "paid_social": 1, "display": 1.0 / 3},
			map[string]float64{"email": 10000 / (0.5 + 2.0/3), "paid_search": 10000, "paid_social": 3000, "display": 6000}},
		{FirstTouch, false, map[string]float64{"email": 2, "paid_social": 1}, nil},
		// Position-based 40/20/40: A (two touches) 50/50; E 0.4 + 0.4 email, 0.2 display.
		{PositionBased, false, map[string]float64{"email": 0.5 + 0.8, "paid_search": 0.5, "paid_social": 1, "display": 0.2}, nil},
		// By campaign, last touch: E's last touch is the winback campaign.
		{LastTouch, true, map[string]float64{"brand": 1, "spring": 1, "winback": 1}, nil},
	} {
		t.Run(fmt.Sprintf("%s/campaign=%v", c.m, c.byCampaign), func(t *testing.T) {
			got, err := CreditNewCustomers(js, c.m, AttributionOptions{}, c.byCampaign)
			if err != nil {
				t.Fatal(err)
			}
			if got.NewCustomers != 4 || got.Unattributed != 1 {
				t.Errorf("new customers %d, unattributed %d; want 4 (A, B once, D, E), 1 (D)", got.NewCustomers, got.Unattributed)
			}
			for g, w := range c.want {
				if math.Abs(got.ByGroup[g]-w) > 1e-12 {
					t.Errorf("credit[%s] = %.6f; want %.6f", g, got.ByGroup[g], w)
				}
			}
			var sum float64
			for g, v := range got.ByGroup {
				sum += v
				if _, ok := c.want[g]; !ok && v != 0 {
					t.Errorf("credit[%s] = %v; want none", g, v)
				}
			}
			if math.Abs(sum-3) > 1e-12 {
				t.Errorf("Σ credit = %v; want 3 attributed new customers", sum)
			}
			for g, want := range c.cac {
				v, ok := CAC(spend[g], got.ByGroup[g]).Get()
				if math.IsNaN(want) {
					if ok {
						t.Errorf("CAC[%s] = %v; want n/a (no new customers)", g, v)
					}
				} else if !ok || math.Abs(v-want) > 1e-6 {
					t.Errorf("CAC[%s] = %v; want %.4f", g, v, want)
				}
			}
		})
	}
	t.Run("TimeDecayAndMarkovSplitEachCustomerOnce", func(t *testing.T) {
		for _, m := range []Model{TimeDecay, Markov} {
			got, err := CreditNewCustomers(js, m, AttributionOptions{}, false)
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, v := range got.ByGroup {
				sum += v
			}
			if math.Abs(sum-3) > 1e-12 || got.ByGroup["paid_social"] != 1 {
				t.Errorf("%s: Σ credit %v, paid_social %v; want 3 and 1 (B's only touch)", m, sum, got.ByGroup["paid_social"])
			}
		}
		// Time decay, E: ages 6, 5, 0 days before the newest touch, half-life 7.
		got, _ := CreditNewCustomers(js, TimeDecay, AttributionOptions{}, false)
		w1, w2, w3 := math.Exp2(-6.0/7), math.Exp2(-5.0/7), 1.0
		wantDisplay := w2 / (w1 + w2 + w3)
		if math.Abs(got.ByGroup["display"]-wantDisplay) > 1e-12 {
			t.Errorf("time decay credit[display] = %v; want %v", got.ByGroup["display"], wantDisplay)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		var ie *InputError
		if _, err := CreditNewCustomers(js, Markov, AttributionOptions{}, true); !errors.As(err, &ie) {
			t.Errorf("Markov by campaign err = %v; want *InputError", err)
		}
		if _, err := CreditNewCustomers(js, "u_shaped", AttributionOptions{}, false); !errors.As(err, &ie) || ie.Field != "model" {
			t.Errorf("unknown model err = %v; want *InputError field model", err)
		}
	})
}

// Each new customer counts once and only their first purchase's path.
func ExampleCreditNewCustomers() {
	at := func(d int) time.Time { return time.Date(2011, 3, d, 0, 0, 0, 0, time.UTC) }
	js, _ := BuildJourneys(
		[]Touchpoint{{CustomerID: "1", Channel: "email", At: at(1)}, {CustomerID: "1", Channel: "paid_search", At: at(2)}},
		[]Conversion{{OrderID: "o1", CustomerID: "1", At: at(3), Revenue: 5000, FirstPurchase: true},
			{OrderID: "o2", CustomerID: "1", At: at(4), Revenue: 2000}}, 30, at(31))
	cr, _ := CreditNewCustomers(js, Linear, AttributionOptions{}, false)
	cac, _ := CAC(Money(12000), cr.ByGroup["email"]).Get()
	fmt.Printf("email %.1f, paid_search %.1f new customers; CAC email %.2f\n", cr.ByGroup["email"], cr.ByGroup["paid_search"], cac/100)
	// Output: email 0.5, paid_search 0.5 new customers; CAC email 240.00
}
