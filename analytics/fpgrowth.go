package analytics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Itemset is a set of item names (sorted by name) with the number of
// baskets containing all of them and its support, Count / number of
// baskets (a fraction).
type Itemset struct {
	Items   []string `json:"items"`
	Count   int      `json:"count"`
	Support float64  `json:"support"`
}

// FrequentItemsets is the result of FPGrowth: every itemset whose support
// is at least MinSupport, among Baskets baskets. Itemsets are ordered by
// size, then support (descending), then item names.
type FrequentItemsets struct {
	Baskets    int       `json:"baskets"`
	MinSupport float64   `json:"min_support"`
	Itemsets   []Itemset `json:"itemsets"`
}

// FPGrowth mines the frequent itemsets of baskets (each basket a set of
// item names; repeated names in a basket count once; empty baskets count in
// the denominator) with the FP-growth algorithm: items with enough support
// are ranked by count, every basket is inserted into a prefix tree (the
// FP-tree) along its ranked items, and itemsets are grown recursively from
// the conditional pattern base of each item, least frequent first.
//
// An itemset X is frequent when support(X) = count(X) / len(baskets) ≥
// minSupport, the same test as mlxtend's apriori/fpgrowth.
//
// Errors: an *InputError on "baskets" wrapping ErrNoData for no baskets,
// and one on "min_support" wrapping ErrInvalidRate unless 0 < minSupport ≤ 1.
//
// Source: Han, Pei & Yin (2000), "Mining frequent patterns without
// candidate generation", SIGMOD; seed document section 3.3.2 (association
// rules: Apriori, FP-Growth).
func FPGrowth(baskets [][]string, minSupport float64) (FrequentItemsets, error) {
	if len(baskets) == 0 {
		return FrequentItemsets{}, &InputError{Row: -1, Field: "baskets", Err: ErrNoData}
	}
	if !(minSupport > 0 && minSupport <= 1) {
		return FrequentItemsets{}, &InputError{Row: -1, Field: "min_support", Err: fmt.Errorf("%v not in (0, 1]: %w", minSupport, ErrInvalidRate)}
	}
	n := len(baskets)
	frequent := func(c int) bool { return float64(c)/float64(n) >= minSupport }
	minCount := int(math.Ceil(minSupport * float64(n)))
	for minCount > 1 && frequent(minCount-1) {
		minCount--
	}
	for !frequent(minCount) {
		minCount++
	}

	// Encode items as ids and count each once per basket.
	ids := make(map[string]int32)
	var names []string
	var counts []int
	last := []int{} // id -> last basket index + 1
	enc := make([][]int32, n)
	flat := make([]int32, 0, 4*n)
	for b, basket := range baskets {
		start := len(flat)
		for _, it := range basket {
			id, ok := ids[it]
			if !ok {
				id = int32(len(names))
				ids[it] = id
				names = append(names, it)
				counts = append(counts, 0)
				last = append(last, 0)
			}
			if last[id] != b+1 {
				last[id] = b + 1
				counts[id]++
				flat = append(flat, id)
			}
		}
		enc[b] = flat[start:len(flat):len(flat)]
	}
	// Rank frequent items by count (descending), then name.
	var order []int32
	for id, c := range counts {
		if c >= minCount {
			order = append(order, int32(id))
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return strings.Compare(names[a], names[b])
	})
	rank := make([]int32, len(names))
	for i := range rank {
		rank[i] = -1
	}
	rankNames := make([]string, len(order))
	for r, id := range order {
		rank[id] = int32(r)
		rankNames[r] = names[id]
	}

	tree := newFPTree(len(order))
	path := make([]int32, 0, 64)
	for _, basket := range enc {
		path = path[:0]
		for _, id := range basket {
			if r := rank[id]; r >= 0 {
				path = append(path, r)
			}
		}
		slices.Sort(path)
		tree.insert(path, 1)
	}

	out := FrequentItemsets{Baskets: n, MinSupport: minSupport}
	suffix := make([]int32, 0, 16)
	tree.mine(suffix, minCount, func(items []int32, count int) {
		set := make([]string, len(items))
		for i, r := range items {
			set[i] = rankNames[r]
		}
		slices.Sort(set)
		out.Itemsets = append(out.Itemsets, Itemset{Items: set, Count: count, Support: float64(count) / float64(n)})
	})
	slices.SortFunc(out.Itemsets, func(a, b Itemset) int {
		if c := cmp.Compare(len(a.Items), len(b.Items)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return slices.Compare(a.Items, b.Items)
	})
	return out, nil
}

// fpTree is an FP-tree over item ranks; node 0 is the root. Children of
// the root are indexed by item; deeper children are sibling lists.
type fpTree struct {
	item      []int32
	count     []int
	parent    []int32
	child     []int32   // first child, -1 if none
	sibling   []int32   // next sibling, -1 if none
	rootChild []int32   // item rank -> child of the root, -1 if none
	headers   [][]int32 // item rank -> nodes holding it
}

func newFPTree(items int) *fpTree {
	t := &fpTree{
		item:      []int32{-1},
		count:     []int{0},
		parent:    []int32{-1},
		child:     []int32{-1},
		sibling:   []int32{-1},
		rootChild: make([]int32, items),
		headers:   make([][]int32, items),
	}
	for i := range t.rootChild {
		t.rootChild[i] = -1
	}
	return t
}

// insert adds a path of increasing ranks with the given count.
func (t *fpTree) insert(path []int32, count int) {
	node := int32(0)
	for _, it := range path {
		var child int32 = -1
		if node == 0 {
			child = t.rootChild[it]
		} else {
			for c := t.child[node]; c >= 0; c = t.sibling[c] {
				if t.item[c] == it {
					child = c
					break
				}
			}
		}
		if child < 0 {
			child = int32(len(t.item))
			t.item = append(t.item, it)
			t.count = append(t.count, 0)
			t.parent = append(t.parent, node)
			t.child = append(t.child, -1)
			t.sibling = append(t.sibling, t.child[node])
			t.child[node] = child
			if node == 0 {
				t.rootChild[it] = child
			}
			t.headers[it] = append(t.headers[it], child)
		}
		t.count[child] += count
		node = child
	}
}

// mine emits every frequent itemset of t extended by suffix.
func (t *fpTree) mine(suffix []int32, minCount int, emit func([]int32, int)) {
	for it := len(t.headers) - 1; it >= 0; it-- {
		nodes := t.headers[it]
		support := 0
		for _, nd := range nodes {
			support += t.count[nd]
		}
		if support < minCount {
			continue
		}
		items := append(suffix, int32(it))
		emit(items, support)
		if it == 0 {
			continue
		}
		// Conditional pattern base: prefix paths of it's nodes.
		condCount := make([]int, it)
		for _, nd := range nodes {
			c := t.count[nd]
			for p := t.parent[nd]; p > 0; p = t.parent[p] {
				condCount[t.item[p]] += c
			}
		}
		grow := false
		for _, c := range condCount {
			if c >= minCount {
				grow = true
				break
			}
		}
		if !grow {
			continue
		}
		cond := newFPTree(it)
		path := make([]int32, 0, 32)
		for _, nd := range nodes {
			path = path[:0]
			for p := t.parent[nd]; p > 0; p = t.parent[p] {
				if condCount[t.item[p]] >= minCount {
					path = append(path, t.item[p])
				}
			}
			slices.Reverse(path)
			cond.insert(path, t.count[nd])
		}
		cond.mine(items, minCount, emit)
	}
}

// AssociationRule is a rule Antecedent → Consequent between disjoint
// itemsets, with measures over N baskets (all fractions except Count and
// Lift/Conviction, which are ratios):
//
//	Support           = supp(A ∪ C) = Count / N
//	AntecedentSupport = supp(A), ConsequentSupport = supp(C)
//	Confidence        = supp(A ∪ C) / supp(A)
//	Lift              = Confidence / supp(C)
//	Leverage          = supp(A ∪ C) − supp(A)·supp(C)
//	Conviction        = (1 − supp(C)) / (1 − Confidence)
//
// Conviction is nil (JSON null) when Confidence = 1, where it is infinite.
type AssociationRule struct {
	Antecedent        []string `json:"antecedent"`
	Consequent        []string `json:"consequent"`
	Count             int      `json:"count"`
	Support           float64  `json:"support"`
	AntecedentSupport float64  `json:"antecedent_support"`
	ConsequentSupport float64  `json:"consequent_support"`
	Confidence        float64  `json:"confidence"`
	Lift              float64  `json:"lift"`
	Leverage          float64  `json:"leverage"`
	Conviction        *float64 `json:"conviction"`
}

// RuleFilter keeps the rules with Support ≥ MinSupport, Confidence ≥
// MinConfidence and Lift ≥ MinLift (zero values keep everything).
type RuleFilter struct {
	MinSupport    float64
	MinConfidence float64
	MinLift       float64
}

// Rules derives every association rule A → C from the frequent itemsets
// (A ∪ C frequent, A and C non-empty and disjoint; all splits of each
// itemset: 2^m − 2 candidates for an m-item set), computes the measures of AssociationRule and keeps those
// passing f. Rules are sorted by lift (descending), then confidence
// (descending), then antecedent and consequent names, so the order is
// deterministic. With f = {MinLift: 1} this is mlxtend's
// association_rules(metric="lift", min_threshold=1).
//
// Errors: an *InputError wrapping ErrInvalidRate when MinSupport or
// MinConfidence lies outside [0, 1] or MinLift is negative.
//
// Source: Agrawal, Imieliński & Swami (1993) for support and confidence;
// Brin, Motwani, Ullman & Tsur (1997) for lift and conviction;
// Piatetsky-Shapiro (1991) for leverage.
func (fi FrequentItemsets) Rules(f RuleFilter) ([]AssociationRule, error) {
	if !(f.MinSupport >= 0 && f.MinSupport <= 1) {
		return nil, &InputError{Row: -1, Field: "min_support", Err: fmt.Errorf("%v not in [0, 1]: %w", f.MinSupport, ErrInvalidRate)}
	}
	if !(f.MinConfidence >= 0 && f.MinConfidence <= 1) {
		return nil, &InputError{Row: -1, Field: "min_confidence", Err: fmt.Errorf("%v not in [0, 1]: %w", f.MinConfidence, ErrInvalidRate)}
	}
	if !(f.MinLift >= 0) || math.IsInf(f.MinLift, 1) {
		return nil, &InputError{Row: -1, Field: "min_lift", Err: fmt.Errorf("%v is not a finite lift ≥ 0: %w", f.MinLift, ErrInvalidRate)}
	}
	n := float64(fi.Baskets)
	count := make(map[string]int, len(fi.Itemsets))
	for _, s := range fi.Itemsets {
		count[strings.Join(s.Items, "\x00")] = s.Count
	}
	rules := []AssociationRule{}
	var ante, cons []string
	for _, s := range fi.Itemsets {
		m := len(s.Items)
		if m < 2 {
			continue
		}
		if float64(s.Count)/n < f.MinSupport {
			continue
		}
		for mask := 1; mask < 1<<m-1; mask++ {
			ante, cons = ante[:0], cons[:0]
			for i, it := range s.Items {
				if mask&(1<<i) != 0 {
					ante = append(ante, it)
				} else {
					cons = append(cons, it)
				}
			}
			ca, okA := count[strings.Join(ante, "\x00")]
			cc, okC := count[strings.Join(cons, "\x00")]
			if !okA || !okC || ca == 0 || cc == 0 {
				continue // cannot happen for a complete FPGrowth result
			}
			conf := float64(s.Count) / float64(ca)
			lift := float64(s.Count) * n / (float64(ca) * float64(cc))
			if conf < f.MinConfidence || lift < f.MinLift {
				continue
			}
			sa, sc := float64(ca)/n, float64(cc)/n
			r := AssociationRule{
				Antecedent:        slices.Clone(ante),
				Consequent:        slices.Clone(cons),
				Count:             s.Count,
				Support:           float64(s.Count) / n,
				AntecedentSupport: sa,
				ConsequentSupport: sc,
				Confidence:        conf,
				Lift:              lift,
				Leverage:          float64(s.Count)/n - sa*sc,
			}
			if s.Count != ca {
				v := (1 - sc) / (1 - conf)
				r.Conviction = &v
			}
			rules = append(rules, r)
		}
	}
	slices.SortFunc(rules, func(a, b AssociationRule) int {
		if c := cmp.Compare(b.Lift, a.Lift); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		if c := slices.Compare(a.Antecedent, b.Antecedent); c != 0 {
			return c
		}
		return slices.Compare(a.Consequent, b.Consequent)
	})
	return rules, nil
}

// AssociationRules mines baskets with FPGrowth at minSupport and returns
// the rules passing f (see FrequentItemsets.Rules). It returns the errors
// of both.
func AssociationRules(baskets [][]string, minSupport float64, f RuleFilter) ([]AssociationRule, error) {
	fi, err := FPGrowth(baskets, minSupport)
	if err != nil {
		return nil, err
	}
	return fi.Rules(f)
}
