package analytics

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Hand-checked fixture: 5 baskets, counts a 4, b 4, c 2, ab 3, ac 2, bc 1, abc 1.
var handBaskets = [][]string{{"a", "b"}, {"a", "b", "c"}, {"a", "c"}, {"b"}, {"b", "a", "a"}}

func TestFPGrowth_Hand(t *testing.T) {
	fi, err := FPGrowth(handBaskets, 0.4) // count >= 2
	if err != nil {
		t.Fatalf("FPGrowth error: %v", err)
	}
	want := []Itemset{
		{[]string{"a"}, 4, 0.8}, {[]string{"b"}, 4, 0.8}, {[]string{"c"}, 2, 0.4},
		{[]string{"a", "b"}, 3, 0.6}, {[]string{"a", "c"}, 2, 0.4},
	}
	if len(fi.Itemsets) != len(want) {
		t.Fatalf("FPGrowth(hand, 0.4) = %v; want %v", fi.Itemsets, want)
	}
	for i, w := range want {
		g := fi.Itemsets[i]
		if !slices.Equal(g.Items, w.Items) || g.Count != w.Count || math.Abs(g.Support-w.Support) > 1e-12 {
			t.Errorf("itemset %d = %v; want %v", i, g, w)
		}
	}
}

func TestFrequentItemsets_Rules_Hand(t *testing.T) {
	rules, err := AssociationRules(handBaskets, 0.4, RuleFilter{})
	if err != nil {
		t.Fatalf("AssociationRules error: %v", err)
	}
	inf := math.Inf(1)
	type want struct {
		ante, cons                    string
		supp, sa, sc, conf, lift, lev float64
		conv                          float64 // +Inf: nil
	}
	// Order: lift desc, confidence desc, names.
	wants := []want{
		{"c", "a", 0.4, 0.4, 0.8, 1, 1.25, 0.4 - 0.32, inf},
		{"a", "c", 0.4, 0.8, 0.4, 0.5, 1.25, 0.4 - 0.32, (1 - 0.4) / (1 - 0.5)},
		{"a", "b", 0.6, 0.8, 0.8, 0.75, 0.9375, 0.6 - 0.64, (1 - 0.8) / (1 - 0.75)},
		{"b", "a", 0.6, 0.8, 0.8, 0.75, 0.9375, 0.6 - 0.64, (1 - 0.8) / (1 - 0.75)},
	}
	if len(rules) != len(wants) {
		t.Fatalf("len(rules) = %d; want %d (%v)", len(rules), len(wants), rules)
	}
	const tol = 1e-12
	for i, w := range wants {
		r := rules[i]
		if r.Antecedent[0] != w.ante || r.Consequent[0] != w.cons {
			t.Errorf("rules[%d] = %v -> %v; want %s -> %s", i, r.Antecedent, r.Consequent, w.ante, w.cons)
			continue
		}
		got := []float64{r.Support, r.AntecedentSupport, r.ConsequentSupport, r.Confidence, r.Lift, r.Leverage}
		exp := []float64{w.supp, w.sa, w.sc, w.conf, w.lift, w.lev}
		for j, name := range []string{"support", "antecedent support", "consequent support", "confidence", "lift", "leverage"} {
			if math.Abs(got[j]-exp[j]) > tol {
				t.Errorf("%s(%s -> %s) = %v; want %v", name, w.ante, w.cons, got[j], exp[j])
			}
		}
		switch {
		case math.IsInf(w.conv, 1) && r.Conviction != nil:
			t.Errorf("conviction(%s -> %s) = %v; want nil (confidence 1)", w.ante, w.cons, *r.Conviction)
		case !math.IsInf(w.conv, 1) && (r.Conviction == nil || math.Abs(*r.Conviction-w.conv) > tol):
			t.Errorf("conviction(%s -> %s) = %v; want %v", w.ante, w.cons, r.Conviction, w.conv)
		}
	}
	t.Run("JSONNullConviction", func(t *testing.T) {
		b, err := json.Marshal(rules[0])
		if err != nil {
			t.Fatalf("json.Marshal(rule) error: %v", err)
		}
		if !strings.Contains(string(b), `"conviction":null`) {
			t.Errorf("json(c -> a) = %s; want \"conviction\":null", b)
		}
	})
	t.Run("Filters", func(t *testing.T) {
		for _, tc := range []struct {
			f    RuleFilter
			want int
		}{
			{RuleFilter{MinLift: 1}, 2},
			{RuleFilter{MinConfidence: 0.75}, 3},
			{RuleFilter{MinSupport: 0.5}, 2},
			{RuleFilter{MinSupport: 0.5, MinLift: 1}, 0},
		} {
			got, err := AssociationRules(handBaskets, 0.4, tc.f)
			if err != nil || len(got) != tc.want {
				t.Errorf("len(AssociationRules(%+v)) = %d, %v; want %d", tc.f, len(got), err, tc.want)
			}
		}
	})
}

func TestFPGrowth_Errors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		baskets [][]string
		min     float64
		want    error
	}{
		{"NoBaskets", nil, 0.1, ErrNoData},
		{"ZeroSupport", handBaskets, 0, ErrInvalidRate},
		{"SupportAboveOne", handBaskets, 1.5, ErrInvalidRate},
		{"NaNSupport", handBaskets, math.NaN(), ErrInvalidRate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FPGrowth(tc.baskets, tc.min)
			var ie *InputError
			if !errors.Is(err, tc.want) || !errors.As(err, &ie) {
				t.Errorf("FPGrowth(%v) error = %v; want *InputError wrapping %v", tc.min, err, tc.want)
			}
		})
	}
	fi, _ := FPGrowth(handBaskets, 0.4)
	if _, err := fi.Rules(RuleFilter{MinConfidence: 2}); !errors.Is(err, ErrInvalidRate) {
		t.Errorf("Rules(MinConfidence 2) error = %v; want ErrInvalidRate", err)
	}
	if _, err := fi.Rules(RuleFilter{MinLift: -1}); !errors.Is(err, ErrInvalidRate) {
		t.Errorf("Rules(MinLift -1) error = %v; want ErrInvalidRate", err)
	}
}

// TestFPGrowth_BruteForce compares FP-growth with counting every subset of
// a small item universe on seeded random baskets.
func TestFPGrowth_BruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const items = 9
	names := make([]string, items)
	for i := range names {
		names[i] = fmt.Sprintf("item%d", i)
	}
	baskets := make([][]string, 300)
	for b := range baskets {
		for i := 0; i < items; i++ {
			// Skewed probabilities; items 0-2 correlated through a shared draw.
			p := 0.6 / float64(i+1)
			if i < 3 && b%3 == 0 {
				p = 0.8
			}
			if rng.Float64() < p {
				baskets[b] = append(baskets[b], names[i])
			}
		}
	}
	t.Cleanup(func() { maxPairItems = 4096 })
	for _, pairs := range []int{4096, 0} { // with and without pair counts
		maxPairItems = pairs
		checkBruteForce(t, baskets, names)
	}
}

func checkBruteForce(t *testing.T, baskets [][]string, names []string) {
	t.Helper()
	items := len(names)
	for _, minSupport := range []float64{0.02, 0.05, 0.1, 0.3} {
		fi, err := FPGrowth(baskets, minSupport)
		if err != nil {
			t.Fatalf("FPGrowth error: %v", err)
		}
		got := make(map[string]int)
		for _, s := range fi.Itemsets {
			got[strings.Join(s.Items, ",")] = s.Count
		}
		want := make(map[string]int)
		for mask := 1; mask < 1<<items; mask++ {
			var set []string
			for i := 0; i < items; i++ {
				if mask&(1<<i) != 0 {
					set = append(set, names[i])
				}
			}
			c := 0
			for _, b := range baskets {
				all := true
				for _, it := range set {
					if !slices.Contains(b, it) {
						all = false
						break
					}
				}
				if all {
					c++
				}
			}
			if float64(c)/float64(len(baskets)) >= minSupport {
				want[strings.Join(set, ",")] = c
			}
		}
		if len(got) != len(want) {
			t.Errorf("FPGrowth(min %v, pair counts up to %d items) found %d itemsets; want %d", minSupport, maxPairItems, len(got), len(want))
		}
		for k, c := range want {
			if got[k] != c {
				t.Errorf("count(%s) at min %v = %d; want %d", k, minSupport, got[k], c)
			}
		}
	}
}

// TestFPGrowthItems_Limits: a support that finds more itemsets than the
// budget is refused with an error naming min_support; so is a rule count
// over budget; a closed Done channel stops mining and rule generation.
func TestFPGrowthItems_Limits(t *testing.T) {
	// 10 items always bought together: 2^10 − 1 = 1,023 frequent itemsets
	// at any support (one single-path conditional tree).
	ib := ItemBaskets{}
	all := make([]int32, 10)
	for i := range all {
		ib.Items = append(ib.Items, fmt.Sprintf("p%02d", i))
		all[i] = int32(i)
	}
	for b := 0; b < 10; b++ {
		ib.Baskets = append(ib.Baskets, all)
	}
	fi, err := FPGrowthItems(ib, 0.5, MiningLimits{MaxItemsets: 1023})
	if err != nil || len(fi.Itemsets) != 1023 {
		t.Fatalf("FPGrowthItems(10 items, cap 1023) = %d itemsets, %v; want 1023", len(fi.Itemsets), err)
	}
	_, err = FPGrowthItems(ib, 0.5, MiningLimits{MaxItemsets: 1022})
	var ie *InputError
	if !errors.Is(err, ErrTooManyItemsets) || !errors.As(err, &ie) || ie.Field != "min_support" ||
		!strings.Contains(err.Error(), "finds more than 1022 frequent itemsets; raise min_support") {
		t.Errorf("FPGrowthItems(cap 1022) error = %v; want InputError on min_support wrapping ErrTooManyItemsets", err)
	}
	// Rules: each m-itemset gives 2^m − 2 rules, Σ_m C(10,m)(2^m − 2) =
	// 3^10 − 2·2^10 + 1 = 57,002 in all.
	rules, err := fi.RulesWithin(RuleFilter{}, MiningLimits{MaxRules: 57_002})
	if err != nil || len(rules) != 57_002 {
		t.Errorf("RulesWithin(10 items) = %d rules, %v; want 57002", len(rules), err)
	}
	if _, err := fi.RulesWithin(RuleFilter{}, MiningLimits{MaxRules: 57_001}); !errors.Is(err, ErrTooManyRules) || !errors.As(err, &ie) {
		t.Errorf("RulesWithin(cap 57001) error = %v; want InputError wrapping ErrTooManyRules", err)
	}
	done := make(chan struct{})
	close(done)
	if _, err := FPGrowthItems(ib, 0.5, MiningLimits{Done: done}); !errors.Is(err, ErrStopped) {
		t.Errorf("FPGrowthItems(closed Done) error = %v; want ErrStopped", err)
	}
	if _, err := fi.RulesWithin(RuleFilter{}, MiningLimits{Done: done}); !errors.Is(err, ErrStopped) {
		t.Errorf("RulesWithin(closed Done) error = %v; want ErrStopped", err)
	}
	if _, err := FPGrowthItems(ItemBaskets{Items: []string{"a"}, Baskets: [][]int32{{0}, {1}}}, 0.5, MiningLimits{}); !errors.As(err, &ie) || ie.Row != 1 {
		t.Errorf("FPGrowthItems(id 1 of 1 item) error = %v; want InputError on basket 1", err)
	}
}

// TestFPGrowth_OnlineRetailLowSupport: at min_support 0.002 all Online
// Retail invoices have more than DefaultMaxItemsets frequent itemsets; the
// miner stops at the budget with an error instead of growing without
// bound (issue 12: it grew past 3 GB and ignored its deadline).
func TestFPGrowth_OnlineRetailLowSupport(t *testing.T) {
	if testing.Short() {
		t.Skip("mines 100,000 itemsets")
	}
	baskets := retailBaskets(t, "").Items
	_, err := FPGrowth(baskets, 0.002)
	if !errors.Is(err, ErrTooManyItemsets) || !strings.Contains(err.Error(), "raise min_support") {
		t.Errorf("FPGrowth(all invoices, 0.002) error = %v; want ErrTooManyItemsets asking to raise min_support", err)
	}
}

func ExampleAssociationRules() {
	baskets := [][]string{
		{"bread", "butter"}, {"bread", "butter", "jam"}, {"bread", "jam"}, {"butter"}, {"bread", "butter"},
	}
	rules, _ := AssociationRules(baskets, 0.4, RuleFilter{MinLift: 1})
	for _, r := range rules {
		conv := "NA"
		if r.Conviction != nil {
			conv = fmt.Sprintf("%.2f", *r.Conviction)
		}
		fmt.Printf("%v -> %v support %.2f confidence %.2f lift %.2f leverage %.2f conviction %s\n",
			r.Antecedent, r.Consequent, r.Support, r.Confidence, r.Lift, r.Leverage, conv)
	}
	// Output:
	// [jam] -> [bread] support 0.40 confidence 1.00 lift 1.25 leverage 0.08 conviction NA
	// [bread] -> [jam] support 0.40 confidence 0.50 lift 1.25 leverage 0.08 conviction 1.20
}

func ExampleFPGrowth() {
	fi, _ := FPGrowth([][]string{{"a", "b"}, {"a", "b", "c"}, {"a", "c"}, {"b"}}, 0.5)
	for _, s := range fi.Itemsets {
		fmt.Println(s.Items, s.Count, s.Support)
	}
	// Output:
	// [a] 3 0.75
	// [b] 3 0.75
	// [c] 2 0.5
	// [a b] 2 0.5
	// [a c] 2 0.5
}

// BenchmarkFPGrowthOnlineRetail mines all invoices of the Online Retail
// data (about 20,000 baskets) at min support 0.01 and derives rules with
// lift ≥ 1. Reading the file and building baskets are outside the timer.
func BenchmarkFPGrowthOnlineRetail(b *testing.B) {
	baskets := retailBaskets(b, "").Items
	var rules []AssociationRule
	for b.Loop() {
		var err error
		rules, err = AssociationRules(baskets, 0.01, RuleFilter{MinLift: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(baskets)), "baskets")
	b.ReportMetric(float64(len(rules)), "rules")
}
