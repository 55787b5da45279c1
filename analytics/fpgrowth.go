package analytics

import (
	"cmp"
	"errors"
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

// ItemBaskets holds baskets over a dictionary of items: Items[id] names
// item id, and each basket lists item ids in [0, len(Items)) in any order
// (an id repeated in a basket counts once). Names should be distinct: they
// break ties in the ranking and name the items of the result.
type ItemBaskets struct {
	Items   []string
	Baskets [][]int32
}

// Limits on the work of FPGrowthItems and FrequentItemsets.RulesWithin.
const (
	// DefaultMaxItemsets is the frequent-itemset cap when MiningLimits
	// gives none.
	DefaultMaxItemsets = 100_000
	// DefaultMaxRules is the rule cap when MiningLimits gives none.
	DefaultMaxRules = 200_000
)

// ErrTooManyItemsets means a support threshold finds more frequent
// itemsets than the caller's budget; a higher threshold finds fewer.
var ErrTooManyItemsets = errors.New("too many frequent itemsets")

// ErrTooManyRules means more rules pass the thresholds than the caller's
// budget; higher thresholds pass fewer.
var ErrTooManyRules = errors.New("too many association rules")

// ErrStopped means the caller asked a long computation to stop (its Done
// channel closed) before it finished.
var ErrStopped = errors.New("stopped before the end")

// MiningLimits bounds the work and memory of FP-Growth and rule
// generation. Zero values take the defaults.
type MiningLimits struct {
	// MaxItemsets caps the frequent itemsets (default DefaultMaxItemsets).
	MaxItemsets int
	// MaxRules caps the rules that pass the filter (default
	// DefaultMaxRules).
	MaxRules int
	// Done, when not nil, is polled while mining; once it is closed the
	// computation returns ErrStopped. Pass ctx.Done() to honour a deadline.
	Done <-chan struct{}
}

func (l MiningLimits) withDefaults() MiningLimits {
	if l.MaxItemsets <= 0 {
		l.MaxItemsets = DefaultMaxItemsets
	}
	if l.MaxRules <= 0 {
		l.MaxRules = DefaultMaxRules
	}
	return l
}

func (l MiningLimits) stopped() bool {
	if l.Done == nil {
		return false
	}
	select {
	case <-l.Done:
		return true
	default:
		return false
	}
}

// FPGrowth mines the frequent itemsets of baskets (each basket a set of
// item names; repeated names in a basket count once; empty baskets count in
// the denominator): it numbers the items (NumberItems) and calls
// FPGrowthItems with the default MiningLimits. The result and errors are FPGrowthItems'.
func FPGrowth(baskets [][]string, minSupport float64) (FrequentItemsets, error) {
	return FPGrowthItems(NumberItems(baskets), minSupport, MiningLimits{})
}

// NumberItems numbers the item names of baskets in order of first
// appearance: the same baskets as ItemBaskets.
func NumberItems(baskets [][]string) ItemBaskets {
	ids := make(map[string]int32)
	var ib ItemBaskets
	ib.Baskets = make([][]int32, len(baskets))
	size := 0
	for _, b := range baskets {
		size += len(b)
	}
	flat := make([]int32, 0, size)
	for b, basket := range baskets {
		start := len(flat)
		for _, it := range basket {
			id, ok := ids[it]
			if !ok {
				id = int32(len(ib.Items))
				ids[it] = id
				ib.Items = append(ib.Items, it)
			}
			flat = append(flat, id)
		}
		ib.Baskets[b] = flat[start:len(flat):len(flat)]
	}
	return ib
}

// FPGrowthItems mines the frequent itemsets of b with the FP-growth
// algorithm: items with enough support are ranked by count (ties: name),
// every basket is inserted into a prefix tree (the FP-tree) along its
// ranked items, and itemsets are grown recursively from the conditional
// pattern base of each item, least frequent first; a conditional tree that
// is a single path yields all its combinations at once. The trees are flat
// arrays reused across the recursion.
//
// An itemset X is frequent when support(X) = count(X) / len(b.Baskets) ≥
// minSupport, the same test as mlxtend's apriori/fpgrowth.
//
// Errors: an *InputError on "baskets" wrapping ErrNoData for no baskets,
// and one naming the basket for an item id outside b.Items; one on
// "min_support" wrapping ErrInvalidRate unless 0 < minSupport ≤ 1, and one
// wrapping ErrTooManyItemsets when more than lim.MaxItemsets itemsets are
// frequent; ErrStopped once lim.Done is closed.
//
// Source: Han, Pei & Yin (2000), "Mining frequent patterns without
// candidate generation", SIGMOD; seed document section 3.3.2 (association
// rules: Apriori, FP-Growth).
func FPGrowthItems(b ItemBaskets, minSupport float64, lim MiningLimits) (FrequentItemsets, error) {
	lim = lim.withDefaults()
	n := len(b.Baskets)
	if n == 0 {
		return FrequentItemsets{}, &InputError{Row: -1, Field: "baskets", Err: ErrNoData}
	}
	if !(minSupport > 0 && minSupport <= 1) {
		return FrequentItemsets{}, &InputError{Row: -1, Field: "min_support", Err: fmt.Errorf("%v not in (0, 1]: %w", minSupport, ErrInvalidRate)}
	}
	frequent := func(c int) bool { return float64(c)/float64(n) >= minSupport }
	minCount := int(math.Ceil(minSupport * float64(n)))
	for minCount > 1 && frequent(minCount-1) {
		minCount--
	}
	for !frequent(minCount) {
		minCount++
	}

	// Count each item once per basket.
	m := len(b.Items)
	counts := make([]int32, m)
	last := make([]int32, m) // basket index + 1 of the item's last count
	for bi, basket := range b.Baskets {
		for _, id := range basket {
			if id < 0 || int(id) >= m {
				return FrequentItemsets{}, &InputError{Row: bi, Field: "baskets", Err: fmt.Errorf("item id %d outside [0, %d)", id, m)}
			}
			if last[id] != int32(bi+1) {
				last[id] = int32(bi + 1)
				counts[id]++
			}
		}
	}
	// Rank frequent items by count (descending), then name.
	var order []int32
	for id, c := range counts {
		if int(c) >= minCount {
			order = append(order, int32(id))
		}
	}
	slices.SortFunc(order, func(x, y int32) int {
		if c := cmp.Compare(counts[y], counts[x]); c != 0 {
			return c
		}
		return strings.Compare(b.Items[x], b.Items[y])
	})
	rank := last // reuse: item id -> rank, -1 when infrequent
	for i := range rank {
		rank[i] = -1
	}
	for r, id := range order {
		rank[id] = int32(r)
	}

	// Each basket as its increasing ranks, all in one array, built rank by
	// rank (no sorting): first the length of each basket's path, then, for
	// rank r = 0, 1, …, r appended to the path of every basket holding it.
	plen := make([]int32, n+1)
	clear(counts)
	for bi, basket := range b.Baskets {
		for _, id := range basket {
			if rank[id] >= 0 && counts[id] != int32(bi+1) { // counts: last basket + 1
				counts[id] = int32(bi + 1)
				plen[bi+1]++
			}
		}
	}
	for bi := 1; bi <= n; bi++ {
		plen[bi] += plen[bi-1] // start of basket bi's path
	}
	flat := make([]int32, plen[n])
	byRank := make([][]int32, len(order)) // baskets holding each rank
	clear(counts)
	for bi, basket := range b.Baskets {
		if bi&4095 == 4095 && lim.stopped() {
			return FrequentItemsets{}, ErrStopped
		}
		for _, id := range basket {
			if r := rank[id]; r >= 0 && counts[id] != int32(bi+1) {
				counts[id] = int32(bi + 1)
				byRank[r] = append(byRank[r], int32(bi))
			}
		}
	}
	fill := slices.Clone(plen[:n])
	for r, bs := range byRank {
		for _, bi := range bs {
			flat[fill[bi]] = int32(r)
			fill[bi]++
		}
	}
	bounds := plen
	paths := make([][]int32, 0, n)
	for i := 0; i < n; i++ {
		if bounds[i+1] > bounds[i] {
			paths = append(paths, flat[bounds[i]:bounds[i+1]:bounds[i+1]])
		}
	}
	slices.SortFunc(paths, slices.Compare[[]int32])
	mn := &fpMiner{minCount: int32(minCount), lim: lim, nItems: len(order)}
	tree := mn.tree(0, len(order))
	tree.reserve(len(flat) + 1)
	tree.insertSorted(paths)
	if nf := len(order); nf >= 2 && nf <= maxPairItems {
		// Count the pairs of ranks of each basket: cheaper than walking the
		// tree for items that have no frequent pair.
		mn.pairs = make([]int32, nf*(nf-1)/2)
		for pi, p := range paths {
			if pi&1023 == 1023 && lim.stopped() {
				return FrequentItemsets{}, ErrStopped
			}
			for j := 1; j < len(p); j++ {
				b := int(p[j])
				row := mn.pairs[b*(b-1)/2:][:b]
				for _, a := range p[:j] {
					row[a]++
				}
			}
		}
	}
	if err := mn.mine(tree, 0, len(order)); err != nil {
		if errors.Is(err, ErrTooManyItemsets) {
			return FrequentItemsets{}, &InputError{Row: -1, Field: "min_support", Err: fmt.Errorf(
				"min_support %g finds more than %d frequent itemsets; raise min_support: %w", minSupport, lim.MaxItemsets, err)}
		}
		return FrequentItemsets{}, err
	}

	out := FrequentItemsets{Baskets: n, MinSupport: minSupport, Itemsets: make([]Itemset, len(mn.sizes))}
	names := make([]string, len(mn.items))
	for i, r := range mn.items {
		names[i] = b.Items[order[r]]
	}
	at := 0
	for i, size := range mn.sizes {
		set := names[at : at+int(size) : at+int(size)]
		at += int(size)
		slices.Sort(set)
		out.Itemsets[i] = Itemset{Items: set, Count: int(mn.counts[i]), Support: float64(mn.counts[i]) / float64(n)}
	}
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

// maxPairItems bounds the frequent items for which FPGrowthItems counts
// all pairs (a triangle of int32: 4,096 items take 34 MB). A variable for
// the tests of the path without pair counts.
var maxPairItems = 4096

// fpTree is an FP-tree over item ranks in flat arrays; node 0 is the root.
// Children are sibling lists (the root's also indexed by rank); next links
// the nodes of one rank, starting at head[rank]; support[rank] sums their
// counts. single stays true while no node has two children.
type fpTree struct {
	node                     []fpNode
	count, child, sibling    []int32
	next                     []int32
	head, support, rootChild []int32
	single                   bool
}

// fpNode is what a walk from a node to the root reads: its rank and parent.
type fpNode struct {
	item, parent int32
}

// reset empties t for ranks [0, items), keeping its memory.
func (t *fpTree) reset(items int) {
	t.node = append(t.node[:0], fpNode{item: -1, parent: -1})
	t.count = append(t.count[:0], 0)
	t.child = append(t.child[:0], -1)
	t.sibling = append(t.sibling[:0], -1)
	t.next = append(t.next[:0], -1)
	if cap(t.head) < items {
		t.head = make([]int32, items)
		t.support = make([]int32, items)
		t.rootChild = make([]int32, items)
	}
	t.head, t.support, t.rootChild = t.head[:items], t.support[:items], t.rootChild[:items]
	for i := range t.head {
		t.head[i], t.rootChild[i] = -1, -1
	}
	clear(t.support)
	t.single = true
}

// reserve makes room for nodes nodes.
func (t *fpTree) reserve(nodes int) {
	t.node = slices.Grow(t.node, nodes-len(t.node))
	t.count = slices.Grow(t.count, nodes-len(t.count))
	t.child = slices.Grow(t.child, nodes-len(t.child))
	t.sibling = slices.Grow(t.sibling, nodes-len(t.sibling))
	t.next = slices.Grow(t.next, nodes-len(t.next))
}

// insertSorted adds paths of increasing ranks, each with count 1, to an
// empty tree. The paths must be in lexicographic order: then a path shares
// with the tree exactly its common prefix with the previous path (a node
// that an earlier path created below that prefix would lie between them),
// so no child is ever looked up, and each new branch is laid out in
// consecutive nodes.
func (t *fpTree) insertSorted(paths [][]int32) {
	var prev []int32
	var stack []int32 // nodes of prev, root side first
	for _, p := range paths {
		l := 0
		for l < len(p) && l < len(prev) && p[l] == prev[l] {
			l++
		}
		stack = stack[:l]
		for _, nd := range stack {
			t.count[nd]++
		}
		for _, it := range p[:l] {
			t.support[it]++
		}
		node := int32(0)
		if l > 0 {
			node = stack[l-1]
		}
		for _, it := range p[l:] {
			c := t.addChild(node, it, 1)
			t.support[it]++
			stack = append(stack, c)
			node = c
		}
		prev = p
	}
}

// addChild appends a node for item it under parent with the given count,
// links it into parent's children, it's node list and (under the root)
// rootChild, and returns its index.
func (t *fpTree) addChild(parent, it, count int32) int32 {
	c := int32(len(t.node))
	t.node = append(t.node, fpNode{item: it, parent: parent})
	t.count = append(t.count, count)
	t.child = append(t.child, -1)
	t.sibling = append(t.sibling, t.child[parent])
	t.next = append(t.next, t.head[it])
	if t.child[parent] >= 0 {
		t.single = false
	}
	t.child[parent] = c
	t.head[it] = c
	if parent == 0 {
		t.rootChild[it] = c
	}
	return c
}

// insert adds a path of increasing ranks with the given count.
func (t *fpTree) insert(path []int32, count int32) {
	node := int32(0)
	for _, it := range path {
		var c int32
		if node == 0 {
			c = t.rootChild[it]
		} else {
			for c = t.child[node]; c >= 0 && t.node[c].item != it; c = t.sibling[c] {
			}
		}
		if c < 0 {
			c = t.addChild(node, it, 0)
		}
		t.count[c] += count
		t.support[it] += count
		node = c
	}
}

// fpMiner grows itemsets from FP-trees, reusing one tree and one count
// buffer per recursion depth. Found itemsets are stored flat: items holds
// their ranks one set after another, sizes and counts one entry per set.
type fpMiner struct {
	minCount int32
	lim      MiningLimits
	nItems   int
	trees    []*fpTree
	cond     [][]int32
	suffix   []int32
	path     []int32
	// pairs[b(b−1)/2 + a] counts the baskets holding ranks a < b (nil
	// when there are too many items to count pairs).
	pairs []int32
	// buf, ends and pathCount hold one conditional pattern base at a time.
	buf, ends, pathCount []int32
	items                []int32
	sizes                []int32
	counts               []int32
}

// tree returns the reusable tree of a depth, reset for ranks [0, items).
func (mn *fpMiner) tree(depth, items int) *fpTree {
	for len(mn.trees) <= depth {
		mn.trees = append(mn.trees, &fpTree{})
		mn.cond = append(mn.cond, make([]int32, mn.nItems))
	}
	t := mn.trees[depth]
	t.reset(items)
	return t
}

// emit records suffix (ranks) with its count.
func (mn *fpMiner) emit(set []int32, count int32) error {
	if len(mn.sizes) >= mn.lim.MaxItemsets {
		return ErrTooManyItemsets
	}
	mn.items = append(mn.items, set...)
	mn.sizes = append(mn.sizes, int32(len(set)))
	mn.counts = append(mn.counts, count)
	return nil
}

// mine emits every frequent itemset of t (ranks below items) extended by
// the suffix of this depth.
func (mn *fpMiner) mine(t *fpTree, depth, items int) error {
	for it := items - 1; it >= 0; it-- {
		support := t.support[it]
		if support < mn.minCount {
			continue
		}
		if mn.lim.stopped() {
			return ErrStopped
		}
		mn.suffix = append(mn.suffix[:depth], int32(it))
		if err := mn.emit(mn.suffix, support); err != nil {
			return err
		}
		if it == 0 {
			continue
		}
		var cond *fpTree
		if depth == 0 && mn.pairs != nil {
			cond = mn.condFromPairs(t, it)
		} else {
			cond = mn.condFromWalk(t, depth, it)
		}
		if cond == nil {
			continue
		}
		var err error
		if cond.single {
			err = mn.emitPath(cond, depth+1)
		} else {
			err = mn.mine(cond, depth+1, it)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// condFromWalk builds the conditional FP-tree of rank it from its
// conditional pattern base (the prefix paths of its nodes), or returns nil
// when no item is frequent in it. The paths are walked once, into a
// buffer (leaf side first) with their counts.
func (mn *fpMiner) condFromWalk(t *fpTree, depth, it int) *fpTree {
	// Conditional pattern base: the prefix paths of it's nodes, read
	// once into buf (leaf side first), with their counts.
	cc := mn.cond[depth][:it]
	clear(cc)
	buf, ends, pc := mn.buf[:0], mn.ends[:0], mn.pathCount[:0]
	for nd := t.head[it]; nd >= 0; nd = t.next[nd] {
		c := t.count[nd]
		for p := t.node[nd].parent; p > 0; {
			np := t.node[p]
			cc[np.item] += c
			buf = append(buf, np.item)
			p = np.parent
		}
		ends = append(ends, int32(len(buf)))
		pc = append(pc, c)
	}
	mn.buf, mn.ends, mn.pathCount = buf, ends, pc
	grow := false
	for _, c := range cc {
		if c >= mn.minCount {
			grow = true
			break
		}
	}
	if !grow {
		return nil
	}
	cond := mn.tree(depth+1, it)
	start := int32(0)
	for k, end := range ends {
		path := mn.path[:0]
		for q := end - 1; q >= start; q-- { // root side first
			if r := buf[q]; cc[r] >= mn.minCount {
				path = append(path, r)
			}
		}
		start = end
		cond.insert(path, pc[k])
		mn.path = path
	}
	return cond
}

// condFromPairs is condFromWalk for the initial tree, whose conditional
// item counts are the pair counts: an item with no frequent pair is never
// walked, and the others in one pass.
func (mn *fpMiner) condFromPairs(t *fpTree, it int) *fpTree {
	row := mn.pairs[it*(it-1)/2:][:it]
	grow := false
	for _, c := range row {
		if c >= mn.minCount {
			grow = true
			break
		}
	}
	if !grow {
		return nil
	}
	cond := mn.tree(1, it)
	for nd := t.head[it]; nd >= 0; nd = t.next[nd] {
		path := mn.path[:0]
		for p := t.node[nd].parent; p > 0; {
			np := t.node[p]
			if row[np.item] >= mn.minCount {
				path = append(path, np.item)
			}
			p = np.parent
		}
		slices.Reverse(path)
		cond.insert(path, t.count[nd])
		mn.path = path
	}
	return cond
}

// emitPath emits, for a tree that is a single path, every non-empty
// combination of its nodes extended by the current suffix (mn.suffix up to
// depth); the count of a combination is that of its deepest node.
func (mn *fpMiner) emitPath(t *fpTree, depth int) error {
	var nodes []int32 // the path, root side first
	for nd := t.child[0]; nd >= 0; nd = t.child[nd] {
		nodes = append(nodes, nd)
	}
	if len(nodes) >= 31 || len(mn.sizes)+(1<<len(nodes))-1 > mn.lim.MaxItemsets {
		return ErrTooManyItemsets
	}
	base := mn.suffix[:depth]
	var rec func(i int, set []int32) error
	rec = func(i int, set []int32) error {
		// set already holds the chosen nodes above i; choose node i last.
		for j := i; j < len(nodes); j++ {
			nd := nodes[j]
			next := append(set, t.node[nd].item)
			if err := mn.emit(next, t.count[nd]); err != nil {
				return err
			}
			if err := rec(j+1, next); err != nil {
				return err
			}
		}
		return nil
	}
	set := make([]int32, len(base), len(base)+len(nodes))
	copy(set, base)
	return rec(0, set)
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
	return fi.RulesWithin(f, MiningLimits{})
}

// RulesWithin is Rules under limits: it returns ErrStopped once lim.Done
// is closed, and an *InputError on "min_support" wrapping ErrTooManyRules
// when more than lim.MaxRules rules pass f.
func (fi FrequentItemsets) RulesWithin(f RuleFilter, lim MiningLimits) ([]AssociationRule, error) {
	lim = lim.withDefaults()
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
	// Number the items in name order; an itemset's key is its numbers
	// (increasing, as its names are sorted), 4 bytes each.
	var names []string
	for _, s := range fi.Itemsets {
		names = append(names, s.Items...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	num := make(map[string]uint32, len(names))
	for i, nm := range names {
		num[nm] = uint32(i)
	}
	var key []byte
	keyOf := func(items []string) []byte {
		key = key[:0]
		for _, it := range items {
			v := num[it]
			key = append(key, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
		}
		return key
	}
	count := make(map[string]int, len(fi.Itemsets))
	for _, s := range fi.Itemsets {
		count[string(keyOf(s.Items))] = s.Count
	}
	rules := []AssociationRule{}
	var ante, cons []string
	steps := 0
	for _, s := range fi.Itemsets {
		m := len(s.Items)
		if m < 2 {
			continue
		}
		if float64(s.Count)/n < f.MinSupport {
			continue
		}
		if m > 30 {
			return nil, &InputError{Row: -1, Field: "min_support", Err: fmt.Errorf(
				"an itemset of %d items has 2^%d rules; raise min_support: %w", m, m, ErrTooManyRules)}
		}
		for mask := 1; mask < 1<<m-1; mask++ {
			if steps++; steps&4095 == 0 && lim.stopped() {
				return nil, ErrStopped
			}
			ante, cons = ante[:0], cons[:0]
			for i, it := range s.Items {
				if mask&(1<<i) != 0 {
					ante = append(ante, it)
				} else {
					cons = append(cons, it)
				}
			}
			ca, okA := count[string(keyOf(ante))]
			cc, okC := count[string(keyOf(cons))]
			if !okA || !okC || ca == 0 || cc == 0 {
				continue // cannot happen for a complete FPGrowth result
			}
			conf := float64(s.Count) / float64(ca)
			lift := float64(s.Count) * n / (float64(ca) * float64(cc))
			if conf < f.MinConfidence || lift < f.MinLift {
				continue
			}
			if len(rules) >= lim.MaxRules {
				return nil, &InputError{Row: -1, Field: "min_support", Err: fmt.Errorf(
					"more than %d rules pass the thresholds; raise min_support, min_confidence or min_lift: %w", lim.MaxRules, ErrTooManyRules)}
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
