package analytics

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// retailLine is one Online Retail row as the basket tests need it.
type retailLine struct {
	BasketLine
	Country string
}

var retailLines = sync.OnceValues(func() ([]retailLine, error) {
	f, err := os.Open("../data/online-retail/online_retail.csv.gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(zr)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	want := []string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"}
	if !slices.Equal(head, want) {
		return nil, fmt.Errorf("header %v; want %v", head, want)
	}
	var out []retailLine
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		q, err := strconv.Atoi(rec[3])
		if err != nil {
			return nil, fmt.Errorf("line %d quantity: %w", len(out)+2, err)
		}
		out = append(out, retailLine{
			BasketLine: BasketLine{InvoiceNo: rec[0], Description: rec[2], Quantity: q},
			Country:    rec[7],
		})
	}
	return out, nil
})

// retailBaskets returns the baskets of one country ("" for all).
func retailBaskets(tb testing.TB, country string) Baskets {
	tb.Helper()
	all, err := retailLines()
	if err != nil {
		tb.Fatalf("read online retail: %v", err)
	}
	var lines []BasketLine
	for _, l := range all {
		if country == "" || l.Country == country {
			lines = append(lines, l.BasketLine)
		}
	}
	b, err := BasketsFromLines(lines, DefaultBasketOptions())
	if err != nil {
		tb.Fatalf("BasketsFromLines(%s) error: %v", country, err)
	}
	return b
}

// publishedRule is a rule printed in the pbpython notebook (PROVENANCE.md):
// the notebook's "support" column is the antecedent support.
type publishedRule struct {
	ante, cons        string // items joined by "|"
	anteSupport, conf float64
	lift              float64
}

func findRule(rules []AssociationRule, ante, cons string) (AssociationRule, bool) {
	a, c := strings.Split(ante, "|"), strings.Split(cons, "|")
	slices.Sort(a)
	slices.Sort(c)
	for _, r := range rules {
		if slices.Equal(r.Antecedent, a) && slices.Equal(r.Consequent, c) {
			return r, true
		}
	}
	return AssociationRule{}, false
}

func checkPublished(t *testing.T, rules []AssociationRule, want []publishedRule) {
	t.Helper()
	const tol = 1e-6 // the notebook prints 6 decimals
	for _, w := range want {
		r, ok := findRule(rules, w.ante, w.cons)
		if !ok {
			t.Errorf("rule %s -> %s missing", w.ante, w.cons)
			continue
		}
		if math.Abs(r.AntecedentSupport-w.anteSupport) > tol {
			t.Errorf("antecedent support(%s -> %s) = %.6f; want %.6f", w.ante, w.cons, r.AntecedentSupport, w.anteSupport)
		}
		if math.Abs(r.Confidence-w.conf) > tol {
			t.Errorf("confidence(%s -> %s) = %.6f; want %.6f", w.ante, w.cons, r.Confidence, w.conf)
		}
		if math.Abs(r.Lift-w.lift) > tol {
			t.Errorf("lift(%s -> %s) = %.6f; want %.6f", w.ante, w.cons, r.Lift, w.lift)
		}
	}
}

const (
	plates  = "SET/6 RED SPOTTY PAPER PLATES"
	cups    = "SET/6 RED SPOTTY PAPER CUPS"
	napkins = "SET/20 RED RETROSPOT PAPER NAPKINS"
)

// TestAssociationRules_OnlineRetailFrance reproduces the France analysis of
// Moffitt's "Introduction to Market Basket Analysis in Python" (values in
// data/online-retail/PROVENANCE.md).
func TestAssociationRules_OnlineRetailFrance(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the 48 MB Online Retail file")
	}
	b := retailBaskets(t, "France")
	if got := len(b.Items); got != 392 {
		t.Fatalf("France baskets = %d; want 392", got)
	}
	fi, err := FPGrowth(b.Items, 0.07)
	if err != nil {
		t.Fatalf("FPGrowth(France, 0.07) error: %v", err)
	}
	single := map[string]float64{
		"4 TRADITIONAL SPINNING TOPS":  0.071429,
		"ALARM CLOCK BAKELIKE GREEN":   0.096939,
		"ALARM CLOCK BAKELIKE PINK":    0.102041,
		"ALARM CLOCK BAKELIKE RED":     0.094388,
		"BAKING SET 9 PIECE RETROSPOT": 0.081633,
	}
	for _, s := range fi.Itemsets {
		if w, ok := single[s.Items[0]]; ok && len(s.Items) == 1 {
			if math.Abs(s.Support-w) > 1e-6 {
				t.Errorf("support(%s) = %.6f; want %.6f", s.Items[0], s.Support, w)
			}
			delete(single, s.Items[0])
		}
	}
	for it := range single {
		t.Errorf("itemset {%s} missing from frequent itemsets", it)
	}

	rules, err := fi.Rules(RuleFilter{MinLift: 1})
	if err != nil {
		t.Fatalf("Rules(lift>=1) error: %v", err)
	}
	if len(rules) != 26 {
		t.Errorf("len(rules France, support 0.07, lift>=1) = %d; want 26", len(rules))
	}
	checkPublished(t, rules, []publishedRule{
		{"ALARM CLOCK BAKELIKE GREEN", "ALARM CLOCK BAKELIKE RED", 0.096939, 0.815789, 8.642959},
		{"ALARM CLOCK BAKELIKE RED", "ALARM CLOCK BAKELIKE GREEN", 0.094388, 0.837838, 8.642959},
		{"ALARM CLOCK BAKELIKE PINK", "ALARM CLOCK BAKELIKE RED", 0.102041, 0.725000, 7.681081},
		{"ALARM CLOCK BAKELIKE RED", "ALARM CLOCK BAKELIKE PINK", 0.094388, 0.783784, 7.681081},
		{"ALARM CLOCK BAKELIKE PINK", "ALARM CLOCK BAKELIKE GREEN", 0.102041, 0.725000, 7.478947},
		{"ALARM CLOCK BAKELIKE GREEN", "ALARM CLOCK BAKELIKE PINK", 0.096939, 0.763158, 7.478947},
		{plates, cups, 0.127551, 0.960000, 6.968889},
		{cups, plates, 0.137755, 0.888889, 6.968889},
		{plates, napkins, 0.127551, 0.800000, 6.030769},
		{napkins, plates, 0.132653, 0.769231, 6.030769},
		{cups, napkins, 0.137755, 0.740741, 5.584046},
		{napkins, cups, 0.132653, 0.769231, 5.584046},
		{"SPACEBOY LUNCH BOX", "DOLLY GIRL LUNCH BOX", 0.125000, 0.571429, 5.743590},
		{"DOLLY GIRL LUNCH BOX", "SPACEBOY LUNCH BOX", 0.099490, 0.717949, 5.743590},
		{"PLASTERS IN TIN WOODLAND ANIMALS", "PLASTERS IN TIN SPACEBOY", 0.170918, 0.611940, 4.442233},
		{"PLASTERS IN TIN SPACEBOY", "PLASTERS IN TIN WOODLAND ANIMALS", 0.137755, 0.759259, 4.442233},
		{"PLASTERS IN TIN CIRCUS PARADE", "PLASTERS IN TIN SPACEBOY", 0.168367, 0.530303, 3.849607},
		{"PLASTERS IN TIN SPACEBOY", "PLASTERS IN TIN CIRCUS PARADE", 0.137755, 0.648148, 3.849607},
		{"PLASTERS IN TIN CIRCUS PARADE", "PLASTERS IN TIN WOODLAND ANIMALS", 0.168367, 0.606061, 3.545907},
		{"PLASTERS IN TIN WOODLAND ANIMALS", "PLASTERS IN TIN CIRCUS PARADE", 0.170918, 0.597015, 3.545907},
		{cups + "|" + napkins, plates, 0.102041, 0.975000, 7.644000},
		{plates + "|" + cups, napkins, 0.122449, 0.812500, 6.125000},
		{plates + "|" + napkins, cups, 0.102041, 0.975000, 7.077778},
		{cups, plates + "|" + napkins, 0.137755, 0.722222, 7.077778},
		{napkins, plates + "|" + cups, 0.132653, 0.750000, 6.125000},
		{plates, cups + "|" + napkins, 0.127551, 0.780000, 7.644000},
	})
	// The first rule in the output order is the highest lift.
	if r := rules[0]; r.Antecedent[0] != "ALARM CLOCK BAKELIKE RED" || r.Consequent[0] != "ALARM CLOCK BAKELIKE GREEN" {
		t.Errorf("rules[0] = %v -> %v; want ALARM CLOCK BAKELIKE RED -> GREEN (lift 8.642959, higher confidence)", r.Antecedent, r.Consequent)
	}
	strong, err := fi.Rules(RuleFilter{MinLift: 6, MinConfidence: 0.8})
	if err != nil {
		t.Fatalf("Rules(lift>=6, confidence>=0.8) error: %v", err)
	}
	if len(strong) != 8 {
		t.Errorf("len(rules lift>=6 & confidence>=0.8) = %d; want 8", len(strong))
	}
	// Rule support and leverage of GREEN -> RED: 31 of 392 baskets hold both
	// (confidence 0.815789 = 31/38).
	r, _ := findRule(rules, "ALARM CLOCK BAKELIKE GREEN", "ALARM CLOCK BAKELIKE RED")
	if r.Count != 31 || math.Abs(r.Support-31.0/392) > 1e-12 {
		t.Errorf("support(GREEN -> RED) = %d baskets, %.6f; want 31, %.6f", r.Count, r.Support, 31.0/392)
	}
	if want := 31.0/392 - (38.0/392)*r.ConsequentSupport; math.Abs(r.Leverage-want) > 1e-12 {
		t.Errorf("leverage(GREEN -> RED) = %.6f; want %.6f", r.Leverage, want)
	}
}

// TestAssociationRules_OnlineRetailGermany reproduces the Germany analysis
// (min support 0.05) of the same tutorial.
func TestAssociationRules_OnlineRetailGermany(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the 48 MB Online Retail file")
	}
	b := retailBaskets(t, "Germany")
	if got := len(b.Items); got != 457 {
		t.Fatalf("Germany baskets = %d; want 457", got)
	}
	rules, err := AssociationRules(b.Items, 0.05, RuleFilter{MinLift: 1})
	if err != nil {
		t.Fatalf("AssociationRules(Germany, 0.05) error: %v", err)
	}
	if len(rules) != 18 {
		t.Errorf("len(rules Germany, support 0.05, lift>=1) = %d; want 18", len(rules))
	}
	checkPublished(t, rules, []publishedRule{
		{"RED RETROSPOT CHARLOTTE BAG", "WOODLAND CHARLOTTE BAG", 0.070022, 0.843750, 6.648168},
		{"ROUND SNACK BOXES SET OF 4 FRUITS", "ROUND SNACK BOXES SET OF4 WOODLAND", 0.157549, 0.833333, 3.400298},
	})
	found := false
	for _, r := range rules {
		if len(r.Antecedent) == 1 && r.Antecedent[0] == "ROUND SNACK BOXES SET OF4 WOODLAND" {
			found = true
			if math.Abs(r.AntecedentSupport-0.245077) > 1e-6 {
				t.Errorf("support(ROUND SNACK BOXES SET OF4 WOODLAND) = %.6f; want 0.245077", r.AntecedentSupport)
			}
		}
	}
	if !found {
		t.Errorf("no rule with antecedent ROUND SNACK BOXES SET OF4 WOODLAND")
	}
}

func TestBasketsFromLines(t *testing.T) {
	lines := []BasketLine{
		{"536365", "WHITE METAL LANTERN ", 6, ""},
		{"536365", "POSTAGE", 1, ""},
		{"536365", "RED MUG", 2, ""},
		{"536365", "RED MUG", -2, ""}, // sums to 0: absent
		{"C536379", "WHITE METAL LANTERN", -1, ""},
		{"536366", "POSTAGE", 3, ""}, // postage only: empty basket, still counted
		{"536367", "", 5, ""},        // no description: ignored
		{"536364", "CARRIAGE", 1, ""},
		{"536364", "BLUE BOWL", 1, ""},
		{"536364", "BLUE BOWL", 1, ""},
		{"536364", "WHITE METAL LANTERN", 2, ""},
	}
	t.Run("Default", func(t *testing.T) {
		b, err := BasketsFromLines(lines, DefaultBasketOptions())
		if err != nil {
			t.Fatalf("BasketsFromLines error: %v", err)
		}
		wantInv := []string{"536364", "536365", "536366"}
		if !slices.Equal(b.Invoices, wantInv) {
			t.Errorf("invoices = %v; want %v", b.Invoices, wantInv)
		}
		want := [][]string{{"BLUE BOWL", "CARRIAGE", "WHITE METAL LANTERN"}, {"WHITE METAL LANTERN"}, nil}
		for i := range want {
			if !slices.Equal(b.Items[i], want[i]) {
				t.Errorf("basket %s = %q; want %q", b.Invoices[i], b.Items[i], want[i])
			}
		}
	})
	t.Run("NonProduct", func(t *testing.T) {
		b, err := BasketsFromLines(lines, BasketOptions{Drop: NonProductDescriptions})
		if err != nil {
			t.Fatalf("BasketsFromLines error: %v", err)
		}
		if want := []string{"BLUE BOWL", "WHITE METAL LANTERN"}; !slices.Equal(b.Items[0], want) {
			t.Errorf("basket 536364 = %q; want %q", b.Items[0], want)
		}
	})
	t.Run("OnlyCancellations", func(t *testing.T) {
		_, err := BasketsFromLines(lines[4:5], DefaultBasketOptions())
		if !errors.Is(err, ErrNoData) {
			t.Errorf("BasketsFromLines(cancellations only) error = %v; want ErrNoData", err)
		}
	})
}

func ExampleBasketsFromLines() {
	b, _ := BasketsFromLines([]BasketLine{
		{InvoiceNo: "536370", Description: "ALARM CLOCK BAKELIKE PINK", Quantity: 24},
		{InvoiceNo: "536370", Description: "POSTAGE", Quantity: 3},
		{InvoiceNo: "C536371", Description: "ALARM CLOCK BAKELIKE PINK", Quantity: -24},
		{InvoiceNo: "536372", Description: "ALARM CLOCK BAKELIKE RED ", Quantity: 2},
	}, DefaultBasketOptions())
	for i, inv := range b.Invoices {
		fmt.Println(inv, b.Items[i])
	}
	// Output:
	// 536370 [ALARM CLOCK BAKELIKE PINK]
	// 536372 [ALARM CLOCK BAKELIKE RED]
}

// TestBasketsFromItemLines: numbered lines give the same baskets as the
// tutorial's method, whatever the order of the lines; out-of-range ids
// are an error naming the line; KeepInvoices selects invoices.
func TestBasketsFromItemLines(t *testing.T) {
	il := ItemLines{
		Invoices:  []string{"537", "C538", "536", ""},
		Customers: []string{"c1", "c2", "", "c3"},
		Items:     []string{" MUG ", "MUG", "POSTAGE", "  ", "TEAPOT"},
		Lines: []ItemLine{
			{Invoice: 0, Item: 0, Quantity: 1}, {Invoice: 2, Item: 4, Quantity: 2}, {Invoice: 0, Item: 1, Quantity: 2},
			{Invoice: 1, Item: 4, Quantity: 1}, {Invoice: 2, Item: 1, Quantity: -1}, {Invoice: 0, Item: 2, Quantity: 1},
			{Invoice: 2, Item: 3, Quantity: 5}, {Invoice: 3, Item: 4, Quantity: 1}, {Invoice: 2, Item: 1, Quantity: 1},
		},
	}
	b, err := BasketsFromItemLines(il, BasketOptions{Drop: []string{"POSTAGE"}})
	if err != nil {
		t.Fatal(err)
	}
	// 536: TEAPOT 2, MUG −1+1 = 0 (out); 537: MUG 1+2 (" MUG " and "MUG" are one item), POSTAGE dropped.
	got := map[string][]string{}
	for i, inv := range b.Invoices {
		for _, id := range b.Baskets.Baskets[i] {
			got[inv] = append(got[inv], b.Baskets.Items[id])
		}
	}
	if !slices.Equal(b.Invoices, []string{"536", "537"}) || !slices.Equal(got["536"], []string{"TEAPOT"}) || !slices.Equal(got["537"], []string{"MUG"}) {
		t.Errorf("BasketsFromItemLines = %v %v; want 536 [TEAPOT], 537 [MUG]", b.Invoices, got)
	}
	kept := il.KeepInvoices(func(i int) bool { return il.Customers[i] == "c1" })
	if b, err := BasketsFromItemLines(kept, BasketOptions{}); err != nil || !slices.Equal(b.Invoices, []string{"537"}) {
		t.Errorf("baskets of customer c1 = %v, %v; want [537]", b.Invoices, err)
	}
	il.Lines = append(il.Lines, ItemLine{Invoice: 0, Item: 9, Quantity: 1})
	var ie *InputError
	if _, err := BasketsFromItemLines(il, BasketOptions{}); !errors.As(err, &ie) || ie.Row != 9 {
		t.Errorf("BasketsFromItemLines(item 9 of 5) error = %v; want InputError on line 9", err)
	}
}
