package demodata

import (
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// fixtureOrders makes n customers with a few purchases each, some on the
// same instant and some within a day of each other.
func fixtureOrders() []analytics.Order {
	base := time.Date(2011, 1, 3, 10, 0, 0, 0, time.UTC)
	var out []analytics.Order
	for c := 0; c < 200; c++ {
		at := base.Add(time.Duration(c) * 7 * time.Hour)
		for k := 0; k < 1+c%4; k++ {
			out = append(out, analytics.Order{OrderID: fmt.Sprintf("%d-%d", c, k), CustomerID: fmt.Sprintf("C%03d", c), At: at, Amount: analytics.Money(1000 + 37*c + 11*k)})
			switch k % 3 {
			case 0:
				at = at.Add(40 * 24 * time.Hour)
			case 1:
				at = at.Add(20 * time.Hour)
			case 2: // same instant as the previous order
			}
		}
	}
	// A return and an anonymous order are ignored.
	out = append(out, analytics.Order{OrderID: "R1", CustomerID: "C001", At: base, Amount: -500, IsReturn: true},
		analytics.Order{OrderID: "A1", At: base, Amount: 999})
	return out
}

// lastTouchRevenue recomputes last-touch revenue per channel from the
// layer's touchpoints: each order goes to its customer's latest touchpoint
// at or before it and less than LookbackDays before it.
func lastTouchRevenue(orders []analytics.Order, tps []TouchRow) map[string]analytics.Money {
	by := map[string][]TouchRow{}
	for _, t := range tps {
		by[t.CustomerID] = append(by[t.CustomerID], t)
	}
	for _, ts := range by {
		sort.SliceStable(ts, func(i, j int) bool {
			if !ts[i].At.Equal(ts[j].At) {
				return ts[i].At.Before(ts[j].At)
			}
			return ts[i].ID < ts[j].ID
		})
	}
	out := map[string]analytics.Money{}
	for _, o := range orders {
		if o.IsReturn || o.CustomerID == "" {
			continue
		}
		var best *TouchRow
		for i, t := range by[o.CustomerID] {
			if !t.At.After(o.At) && t.At.After(o.At.Add(-LookbackDays*24*time.Hour)) {
				best = &by[o.CustomerID][i]
			}
		}
		if best != nil {
			out[best.Channel] += o.Amount
		}
	}
	return out
}

func TestGenerate_GroundTruth(t *testing.T) {
	orders := fixtureOrders()
	l, err := Generate(orders, DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	got := lastTouchRevenue(orders, l.Touchpoints)
	spend := map[string]analytics.Money{}
	for _, s := range l.Spend {
		spend[s.Channel] += s.Cost
	}
	var total analytics.Money
	for _, tr := range l.Truth {
		total += tr.LastTouchRevenue
		if got[tr.Channel] != tr.LastTouchRevenue {
			t.Errorf("recomputed last-touch revenue(%s) = %d; want truth %d", tr.Channel, got[tr.Channel], tr.LastTouchRevenue)
		}
		if spend[tr.Channel] != tr.Cost {
			t.Errorf("Σ daily spend(%s) = %d; want truth cost %d", tr.Channel, spend[tr.Channel], tr.Cost)
		}
		for _, c := range Channels {
			if c.Name != tr.Channel || c.TargetROAS == 0 || tr.Cost == 0 {
				continue
			}
			roas := float64(tr.LastTouchRevenue) / float64(tr.Cost)
			if math.Abs(roas-c.TargetROAS) > c.TargetROAS*1e-4 {
				t.Errorf("ROAS(%s) = %.5f; want built-in %.2f", tr.Channel, roas, c.TargetROAS)
			}
		}
	}
	var buys analytics.Money
	for _, o := range orders {
		if !o.IsReturn && o.CustomerID != "" {
			buys += o.Amount
		}
	}
	if total != buys {
		t.Errorf("Σ truth revenue = %d; want every identified purchase attributed (%d)", total, buys)
	}
	t.Run("Deterministic", func(t *testing.T) {
		again, _ := Generate(orders, DefaultSeed)
		if len(again.Touchpoints) != len(l.Touchpoints) || again.Touchpoints[17] != l.Touchpoints[17] || again.Truth[2] != l.Truth[2] {
			t.Error("Generate with the same seed gave a different layer")
		}
	})
	t.Run("FunnelPurchases", func(t *testing.T) {
		purchases := 0
		for _, e := range l.Funnel {
			if e.Stage == "purchase" {
				purchases++
			}
		}
		conv := 0
		for _, tr := range l.Truth {
			conv += tr.Conversions
		}
		if purchases != conv {
			t.Errorf("purchase events = %d; want one per attributed order (%d)", purchases, conv)
		}
	})
	t.Run("NoOrders", func(t *testing.T) {
		if _, err := Generate(nil, 1); err == nil {
			t.Error("Generate(nil) error = nil; want ErrNoData")
		}
	})
}
