package analytics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
)

// TreeConfig configures FitTree and the trees of FitForest.
type TreeConfig struct {
	// MaxDepth bounds the depth (the root is depth 0); 0 means unlimited.
	MaxDepth int
	// MinSamplesLeaf is the fewest rows a leaf may hold (0 means 1).
	MinSamplesLeaf int
	// MinSamplesSplit is the fewest rows a node needs to be split
	// (0 means 2).
	MinSamplesSplit int
	// MaxFeatures is how many features are drawn at random as split
	// candidates at each node (0 means all, no randomness).
	MaxFeatures int
	// Seed seeds the feature draws.
	Seed uint64
}

func (c *TreeConfig) defaults() {
	if c.MinSamplesLeaf < 1 {
		c.MinSamplesLeaf = 1
	}
	if c.MinSamplesSplit < 2 {
		c.MinSamplesSplit = 2
	}
}

// TreeNode is one node of a Tree. An internal node sends a row x to Left
// when x[Feature] ≤ Threshold and to Right otherwise; a leaf has Feature −1.
// Prob is the weighted share of positive rows in the node (the leaf's
// prediction), Rows the number of training rows in it, Weight their total
// weight, and Decrease the weighted Gini decrease of its split.
type TreeNode struct {
	Feature     int
	Threshold   float64
	Left, Right int
	Prob        float64
	Rows        int
	Weight      float64
	Decrease    float64
}

// Tree is a fitted CART classification tree; Nodes[0] is the root.
type Tree struct {
	Nodes []TreeNode
	// Features is the number of input columns it was fitted on.
	Features int
}

// Prob returns each row's leaf probability.
func (t *Tree) Prob(X [][]float64) []float64 {
	out := make([]float64, len(X))
	for i, x := range X {
		out[i] = t.prob1(x)
	}
	return out
}

func (t *Tree) prob1(x []float64) float64 {
	k := 0
	for {
		nd := &t.Nodes[k]
		if nd.Feature < 0 {
			return nd.Prob
		}
		if x[nd.Feature] <= nd.Threshold {
			k = nd.Left
		} else {
			k = nd.Right
		}
	}
}

// Depth returns the depth of the deepest leaf (0 for a single leaf).
func (t *Tree) Depth() int {
	var walk func(k, d int) int
	walk = func(k, d int) int {
		nd := t.Nodes[k]
		if nd.Feature < 0 {
			return d
		}
		return max(walk(nd.Left, d+1), walk(nd.Right, d+1))
	}
	return walk(0, 0)
}

// Leaves returns the number of leaves.
func (t *Tree) Leaves() int {
	n := 0
	for _, nd := range t.Nodes {
		if nd.Feature < 0 {
			n++
		}
	}
	return n
}

// binned is a design matrix stored column by column as ranks into each
// column's sorted distinct values, so that a node's best split on a column
// is found by one pass over its rows into per-rank class weights (exactly
// the splits that sorting would give: thresholds lie between consecutive
// distinct values).
type binned struct {
	n, p int
	vals [][]float64 // vals[f] = sorted distinct values of column f
	rank [][]int32   // rank[f][i] = index of X[i][f] in vals[f]
}

func newBinned(X [][]float64) *binned {
	n, p := len(X), len(X[0])
	b := &binned{n: n, p: p, vals: make([][]float64, p), rank: make([][]int32, p)}
	// Transpose once, row by row (reading X column by column strides
	// across every row for each feature).
	cols := make([][]float64, p)
	flat := make([]float64, n*p)
	for f := range cols {
		cols[f] = flat[f*n : (f+1)*n : (f+1)*n]
	}
	for i, row := range X {
		for f, v := range row[:p] {
			cols[f][i] = v
		}
	}
	for f := 0; f < p; f++ {
		col := cols[f]
		if s, r, ok := smallBins(col); ok {
			b.vals[f], b.rank[f] = s, r
			continue
		}
		s := slices.Clone(col)
		slices.Sort(s)
		s = slices.Compact(s)
		b.vals[f] = s
		r := make([]int32, n)
		for i, v := range col {
			r[i] = int32(sort.SearchFloat64s(s, v))
		}
		b.rank[f] = r
	}
	return b
}

// maxSmallBins is the most distinct values smallBins handles by a linear
// scan (one-hot and other coded columns); larger columns are sorted.
const maxSmallBins = 16

// smallBins returns the sorted distinct values of col and each entry's
// rank, found by scanning a short list of distinct values instead of
// sorting the whole column; ok is false when col has more than
// maxSmallBins distinct values. Ranks equal newBinned's sorted ones.
func smallBins(col []float64) ([]float64, []int32, bool) {
	var seen [maxSmallBins]float64
	k := 0
	for _, v := range col {
		found := false
		for _, u := range seen[:k] {
			if u == v {
				found = true
				break
			}
		}
		if !found {
			if k == maxSmallBins {
				return nil, nil, false
			}
			seen[k] = v
			k++
		}
	}
	vals := slices.Clone(seen[:k])
	slices.Sort(vals)
	r := make([]int32, len(col))
	for i, v := range col {
		j := int32(0)
		for vals[j] != v {
			j++
		}
		r[i] = j
	}
	return vals, r, true
}

// bin accumulates the rows of one rank: their count, total weight and
// positive weight.
type bin struct {
	w, wp float64
	n     int32
}

// grower holds the scratch space of one tree fit.
type grower struct {
	b       *binned
	y       []bool
	w       []float64
	cfg     TreeConfig
	rng     *rand.Rand
	nodes   []TreeNode
	wy      []float64 // w[i]·y[i]
	bins    []bin     // per-rank weights, all zero between uses
	feats   []int
	sortBuf []int32
}

// FitTree fits a CART classification tree (Breiman, Friedman, Olshen &
// Stone, Classification and Regression Trees, 1984) to X (n × p) with
// labels y and optional row weights w (nil = 1): each node takes the split
// x_f ≤ t that most decreases the weighted Gini impurity
//
//	W·G(node) − W_L·G(left) − W_R·G(right),  G = 1 − Σ_c (W_c / W)²
//
// over the candidate features (all, or MaxFeatures drawn at random per node,
// as scikit-learn's DecisionTreeClassifier), with t the midpoint between
// two consecutive distinct values, subject to MaxDepth and MinSamplesLeaf;
// a pure node is a leaf. It returns checkXY's errors.
func FitTree(X [][]float64, y []bool, w []float64, cfg TreeConfig) (*Tree, error) {
	if _, _, err := checkXY(X, y, w); err != nil {
		return nil, err
	}
	if w == nil {
		w = make([]float64, len(X))
		for i := range w {
			w[i] = 1
		}
	}
	b := newBinned(X)
	rows := make([]int32, len(X))
	for i := range rows {
		rows[i] = int32(i)
	}
	return growTree(b, y, w, rows, cfg), nil
}

func growTree(b *binned, y []bool, w []float64, rows []int32, cfg TreeConfig) *Tree {
	cfg.defaults()
	maxK := 0
	for _, v := range b.vals {
		maxK = max(maxK, len(v))
	}
	g := &grower{b: b, y: y, w: w, cfg: cfg,
		rng:  rand.New(rand.NewPCG(cfg.Seed, 0x7bee)),
		bins: make([]bin, maxK), wy: make([]float64, len(w)), feats: make([]int, b.p)}
	for i, yi := range y {
		if yi {
			g.wy[i] = w[i]
		}
	}
	for f := range g.feats {
		g.feats[f] = f
	}
	g.node(rows, 0)
	return &Tree{Nodes: g.nodes, Features: b.p}
}

// node grows the subtree over rows at depth and returns its index.
func (g *grower) node(rows []int32, depth int) int {
	var w0, w1 float64
	for _, i := range rows {
		if g.y[i] {
			w1 += g.w[i]
		} else {
			w0 += g.w[i]
		}
	}
	k := len(g.nodes)
	W := w0 + w1
	prob := 0.0
	if W > 0 {
		prob = w1 / W
	}
	g.nodes = append(g.nodes, TreeNode{Feature: -1, Prob: prob, Rows: len(rows), Weight: W})
	n := len(rows)
	if (g.cfg.MaxDepth > 0 && depth >= g.cfg.MaxDepth) || n < g.cfg.MinSamplesSplit || n < 2*g.cfg.MinSamplesLeaf || w0 == 0 || w1 == 0 {
		return k
	}
	f, rk, dec, ok := g.bestSplit(rows, w0, w1)
	if !ok {
		return k
	}
	// Partition rows in place: rank ≤ rk to the left.
	r := g.b.rank[f]
	lo, hi := 0, n-1
	for lo <= hi {
		if r[rows[lo]] <= rk {
			lo++
		} else {
			rows[lo], rows[hi] = rows[hi], rows[lo]
			hi--
		}
	}
	vals := g.b.vals[f]
	// The next distinct value present on the right is the smallest rank > rk
	// among the right rows.
	next := int32(len(vals))
	for _, i := range rows[lo:] {
		next = min(next, r[i])
	}
	thr := (vals[rk] + vals[next]) / 2
	if thr >= vals[next] { // rounding, as scikit-learn guards against
		thr = vals[rk]
	}
	left := g.node(rows[:lo], depth+1)
	right := g.node(rows[lo:], depth+1)
	g.nodes[k].Feature, g.nodes[k].Threshold, g.nodes[k].Left, g.nodes[k].Right, g.nodes[k].Decrease = f, thr, left, right, dec
	return k
}

// bestSplit returns the feature and the largest left rank of the best
// split of rows, with its weighted Gini decrease; ok is false when no
// candidate feature can be split within MinSamplesLeaf.
func (g *grower) bestSplit(rows []int32, w0, w1 float64) (bf int, brk int32, bdec float64, ok bool) {
	W := w0 + w1
	parent := (w0*w0 + w1*w1) / W // W − W·G(node)
	best := parent + 1e-12*W      // a split must improve by more than rounding
	minLeaf := int32(g.cfg.MinSamplesLeaf)
	n := int32(len(rows))
	mf := g.cfg.MaxFeatures
	if mf <= 0 || mf > g.b.p {
		mf = g.b.p
	}
	// Draw features without replacement until mf non-constant ones have
	// been evaluated (scikit-learn's rule) or all have been drawn.
	visited := 0
	for d := 0; d < g.b.p && visited < mf; d++ {
		if mf < g.b.p {
			j := d + g.rng.IntN(g.b.p-d)
			g.feats[d], g.feats[j] = g.feats[j], g.feats[d]
		}
		f := g.feats[d]
		r := g.b.rank[f]
		// One pass: per-rank weights, and the distinct ranks in first-seen
		// order.
		lo, hi := int32(1<<30), int32(-1)
		ranks := g.sortBuf[:0]
		bins := g.bins
		for _, i := range rows {
			k := r[i]
			bn := &bins[k]
			if bn.n == 0 {
				ranks = append(ranks, k)
			}
			bn.n++
			bn.w += g.w[i]
			bn.wp += g.wy[i]
			lo = min(lo, k)
			hi = max(hi, k)
		}
		if lo == hi {
			bins[lo] = bin{}
			g.sortBuf = ranks[:0]
			continue // constant in this node
		}
		visited++
		if span := int(hi - lo + 1); span <= 4*len(ranks)+32 {
			ranks = ranks[:0]
			for k := lo; k <= hi; k++ {
				if bins[k].n > 0 {
					ranks = append(ranks, k)
				}
			}
		} else {
			slices.Sort(ranks)
		}
		var l0, l1 float64
		var ln int32
		for _, k := range ranks[:len(ranks)-1] {
			bn := bins[k]
			l1 += bn.wp
			l0 += bn.w - bn.wp
			ln += bn.n
			if ln < minLeaf {
				continue
			}
			if n-ln < minLeaf {
				break
			}
			L := l0 + l1
			r0, r1 := w0-l0, w1-l1
			R := r0 + r1
			if L <= 0 || R <= 0 {
				continue
			}
			score := (l0*l0+l1*l1)/L + (r0*r0+r1*r1)/R
			if score > best {
				best, bf, brk, ok = score, f, k, true
			}
		}
		for _, k := range ranks {
			bins[k] = bin{}
		}
		g.sortBuf = ranks[:0]
	}
	return bf, brk, best - parent, ok
}

// ForestConfig configures FitForest.
type ForestConfig struct {
	// Trees is the number of trees (0 means 100).
	Trees int
	// Tree configures each tree; Tree.MaxFeatures 0 means ⌊√p⌋ here.
	Tree TreeConfig
	// Seed seeds the bootstrap samples and feature draws; tree t uses the
	// PCG stream (Seed, t), so results do not depend on scheduling.
	Seed uint64
}

// Forest is a random forest: the average of its trees' probabilities.
type Forest struct {
	Trees []*Tree
}

// Prob returns the mean of the trees' leaf probabilities for each row (as
// scikit-learn's RandomForestClassifier.predict_proba).
func (f *Forest) Prob(X [][]float64) []float64 {
	out := make([]float64, len(X))
	for i, x := range X {
		var s float64
		for _, t := range f.Trees {
			s += t.prob1(x)
		}
		out[i] = s / float64(len(f.Trees))
	}
	return out
}

// FitForest fits a random forest (Breiman, "Random Forests", Machine
// Learning 45, 2001): each tree is a CART tree (FitTree) grown on a
// bootstrap sample of the rows (n draws with replacement; a row drawn k
// times carries weight k·w_i) with MaxFeatures features drawn at each
// node (default ⌊√p⌋, scikit-learn's max_features="sqrt"). Trees are grown
// one after another on one goroutine; each has its own seeded stream, so
// the forest is deterministic. It returns checkXY's errors.
func FitForest(X [][]float64, y []bool, w []float64, cfg ForestConfig) (*Forest, error) {
	n, p, err := checkXY(X, y, w)
	if err != nil {
		return nil, err
	}
	if cfg.Trees == 0 {
		cfg.Trees = 100
	}
	if cfg.Trees < 0 {
		return nil, &InputError{Row: -1, Field: "trees", Err: fmt.Errorf("%d trees", cfg.Trees)}
	}
	if cfg.Tree.MaxFeatures == 0 {
		cfg.Tree.MaxFeatures = max(1, isqrt(p))
	}
	b := newBinned(X)
	counts := make([]int32, n)
	bw := make([]float64, n)
	rows := make([]int32, 0, n)
	f := &Forest{Trees: make([]*Tree, cfg.Trees)}
	for t := range f.Trees {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(t)))
		clear(counts)
		for range n {
			counts[rng.IntN(n)]++
		}
		rows = rows[:0]
		for i, c := range counts {
			if c == 0 {
				bw[i] = 0
				continue
			}
			rows = append(rows, int32(i))
			bw[i] = float64(c)
			if w != nil {
				bw[i] *= w[i]
			}
		}
		tc := cfg.Tree
		tc.Seed = rng.Uint64()
		f.Trees[t] = growTree(b, y, bw, rows, tc)
	}
	return f, nil
}

func isqrt(p int) int {
	r := 0
	for (r+1)*(r+1) <= p {
		r++
	}
	return r
}
