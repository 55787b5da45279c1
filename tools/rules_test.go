package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/roibot/roibot/analytics"
)

// ruleLines: baskets {A, B}, {A, B}, {A, C}, {B}; the POSTAGE and Manual
// lines and the cancellation C4 are not products or purchases, and
// invoices 6 (postage only) and 7 (manual only) are not baskets at all:
// they would lower every support from x/4 to x/6.
var ruleLines = []analytics.BasketLine{
	{InvoiceNo: "1", Description: "A", Quantity: 1}, {InvoiceNo: "1", Description: "B", Quantity: 1},
	{InvoiceNo: "1", Description: "POSTAGE", Quantity: 1},
	{InvoiceNo: "2", Description: "A", Quantity: 2}, {InvoiceNo: "2", Description: "B ", Quantity: 1},
	{InvoiceNo: "3", Description: "A", Quantity: 1}, {InvoiceNo: "3", Description: "C", Quantity: 1},
	{InvoiceNo: "C4", Description: "A", Quantity: -1}, {InvoiceNo: "C4", Description: "C", Quantity: -1},
	{InvoiceNo: "5", Description: "B", Quantity: 1}, {InvoiceNo: "5", Description: "Manual", Quantity: 1},
	{InvoiceNo: "6", Description: "POSTAGE", Quantity: 1},
	{InvoiceNo: "7", Description: "Manual", Quantity: 1}, {InvoiceNo: "7", Description: "DOTCOM POSTAGE", Quantity: 1},
}

func TestRules(t *testing.T) {
	store := &fakeStore{BasketLinesFn: func(_ context.Context, f analytics.OrderFilter) ([]analytics.BasketLine, error) {
		if f.Country != "France" {
			return nil, nil
		}
		return ruleLines, nil
	}}
	call := func(t *testing.T, input string) RulesResult {
		t.Helper()
		out, err := Rules{Store: store}.Call(context.Background(), input)
		if err != nil {
			t.Fatal(err)
		}
		var res RulesResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Rules == nil {
			t.Fatalf("Call(%s) = %s; want rules", input, out)
		}
		return res
	}

	t.Run("Defaults", func(t *testing.T) {
		res := call(t, `{"country": "France"}`)
		// supp A = B = 3/4, C = 1/4, AB = 2/4, AC = 1/4. A→B has lift
		// (2/3)/(3/4) = 0.889 < 1 and is dropped by the default min lift 1;
		// C→A: confidence 1, lift 1/(3/4) = 4/3; A→C: confidence 1/3, lift
		// (1/3)/(1/4) = 4/3, leverage 1/4 − 3/4·1/4 = 0.0625, conviction
		// (1 − 1/4)/(1 − 1/3) = 1.125.
		if res.Baskets != 4 || res.MinSupport != 0.05 || res.MinLift != 1 || res.RulesFound != 2 {
			t.Fatalf("defaults = %d baskets, support %v, lift %v, %d rules; want 4, 0.05, 1, 2", res.Baskets, res.MinSupport, res.MinLift, res.RulesFound)
		}
		ca, ac := res.Rules[0], res.Rules[1]
		if ca.Antecedent[0] != "C" || ca.Consequent[0] != "A" || ca.Confidence != 1 || ca.Lift != 1.333 || ca.Conviction != nil {
			t.Errorf("rules[0] = %+v; want C→A confidence 1, lift 1.333, conviction null", ca)
		}
		if ac.Antecedent[0] != "A" || ac.Confidence != 0.3333 || ac.Support != 0.25 || ac.Leverage != 0.0625 || ac.Conviction == nil || *ac.Conviction != 1.125 {
			t.Errorf("rules[1] = %+v; want A→C support 0.25, confidence 0.3333, leverage 0.0625, conviction 1.125", ac)
		}
		if len(res.Display.Tables) != 1 || res.Display.Tables[0].Rows[0][4] != "1.33" {
			t.Errorf("display = %+v; want one table with lift 1.33", res.Display.Tables)
		}
	})
	t.Run("MinLiftZeroAndLimit", func(t *testing.T) {
		res := call(t, `{"country": "France", "min_lift": 0, "min_confidence": 0.6, "limit": 1}`)
		// Confidence ≥ 0.6: C→A 1, A→B and B→A 2/3.
		if res.RulesFound != 3 || len(res.Rules) != 1 || res.Rules[0].Antecedent[0] != "C" {
			t.Errorf("min_lift 0, min_confidence 0.6, limit 1 = %d found, %v listed; want 3 found, C→A listed", res.RulesFound, res.Rules)
		}
		if !strings.Contains(strings.Join(res.Caveats, "|"), "3 rules found; the 1 with the highest lift are listed") {
			t.Errorf("caveats = %q; want the listing limit said", res.Caveats)
		}
	})
	t.Run("HighSupport", func(t *testing.T) {
		res := call(t, `{"country": "France", "min_support": 0.9}`)
		if res.RulesFound != 0 || !strings.Contains(strings.Join(res.Caveats, "|"), "no rule passes the thresholds") {
			t.Errorf("min_support 0.9 = %d rules, caveats %q; want none and a caveat", res.RulesFound, res.Caveats)
		}
	})
	t.Run("RelaxesWhenNothingPasses", func(t *testing.T) {
		// 100 baskets: X and Y together in 3, 97 single-item baskets. At
		// the default min_support 5% nothing passes; halving stops at the
		// floor of 3 baskets (3%), where the pair gives X→Y and Y→X,
		// confidence 1, lift 1/0.03 = 33.333.
		var lines []analytics.BasketLine
		for i := 0; i < 100; i++ {
			inv := strconv.Itoa(1000 + i)
			if i < 3 {
				lines = append(lines, analytics.BasketLine{InvoiceNo: inv, Description: "X", Quantity: 1}, analytics.BasketLine{InvoiceNo: inv, Description: "Y", Quantity: 1})
			} else {
				lines = append(lines, analytics.BasketLine{InvoiceNo: inv, Description: "Z" + inv, Quantity: 1})
			}
		}
		res, err := AssociationRulesFromLines(context.Background(), lines, RulesArgs{})
		if err != nil {
			t.Fatal(err)
		}
		if res.RulesFound != 2 || res.MinSupport != 0.03 || res.Rules[0].Lift != 33.333 || res.Rules[0].Support != 0.03 {
			t.Fatalf("relaxed = %d rules at support %v (%+v); want 2 at 0.03 (3 baskets, the floor), lift 33.333", res.RulesFound, res.MinSupport, res.Rules)
		}
		if c := strings.Join(res.Caveats, "|"); !strings.Contains(c, "relaxed stepwise (min_support from 0.05 to 0.03)") || strings.Contains(c, "no rule passes") {
			t.Errorf("caveats = %q; want the relaxation said, no 'no rule passes'", res.Caveats)
		}
	})
	t.Run("BoundedWork", func(t *testing.T) {
		// 20 invoices of the same 18 products: every one of the 2^18 − 1 =
		// 262,143 combinations is frequent, more than
		// analytics.DefaultMaxItemsets, so mining stops with a hint instead
		// of growing without bound.
		var lines []analytics.BasketLine
		for i := 0; i < 20; i++ {
			for p := 0; p < 18; p++ {
				lines = append(lines, analytics.BasketLine{InvoiceNo: strconv.Itoa(500 + i), Description: fmt.Sprintf("P%02d", p), Quantity: 1})
			}
		}
		_, err := AssociationRulesFromLines(context.Background(), lines, RulesArgs{})
		if !errors.Is(err, analytics.ErrTooManyItemsets) || !strings.Contains(err.Error(), "raise min_support") {
			t.Errorf("AssociationRulesFromLines(18 products always together) error = %v; want ErrTooManyItemsets asking to raise min_support", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := AssociationRulesFromLines(ctx, lines[:36], RulesArgs{}); !errors.Is(err, context.Canceled) {
			t.Errorf("AssociationRulesFromLines(cancelled) error = %v; want context.Canceled", err)
		}
	})
	t.Run("NoInvoices", func(t *testing.T) {
		out, err := Rules{Store: store}.Call(context.Background(), `{"country": "Atlantis"}`)
		var p problem
		if err != nil || json.Unmarshal([]byte(out), &p) != nil || !strings.Contains(p.Error, "no invoices in Atlantis") {
			t.Errorf("Call(Atlantis) = %s, %v; want a no-invoices hint", out, err)
		}
	})
	t.Run("BadSupport", func(t *testing.T) {
		out, _ := Rules{Store: store}.Call(context.Background(), `{"min_support": 0}`)
		if !strings.Contains(out, "arguments do not match the schema") {
			t.Errorf("Call(min_support 0) = %s; want a schema hint", out)
		}
	})
}
