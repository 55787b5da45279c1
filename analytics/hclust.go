package analytics

import (
	"fmt"
	"math"
	"sort"
)

// WardMaxPoints is the largest number of points WardLinkage accepts. Ward
// keeps the n(n−1)/2 pairwise distances in memory (8 bytes each: about
// 100 MB at 5,000 points), which also covers the 4,339 customers of the
// Online Retail data.
const WardMaxPoints = 5000

// Merge is one step of an agglomerative clustering, numbered as SciPy's
// linkage matrix: ids below N are input points, id N+i is the cluster made
// by Merges[i]. A < B. Height is the Ward distance
//
//	Height = sqrt(2 · n_a·n_b/(n_a+n_b) · ‖c_a − c_b‖²)
//
// (for two single points, their Euclidean distance), and Size the number
// of points in the merged cluster.
type Merge struct {
	A      int     `json:"a"`
	B      int     `json:"b"`
	Height float64 `json:"height"`
	Size   int     `json:"size"`
}

// Dendrogram is the full merge history of N points: N−1 merges in
// non-decreasing Height.
type Dendrogram struct {
	N      int     `json:"n"`
	Merges []Merge `json:"merges"`
}

// WardLinkage builds the Ward minimum-variance hierarchy of points (one row
// per customer, equal lengths, usually standardized). Each step merges the
// two clusters whose union least increases the within-cluster sum of
// squares. Distances are updated by the Lance–Williams formula on squared
// distances,
//
//	D(k, i∪j) = ((n_i+n_k)·D(k,i) + (n_j+n_k)·D(k,j) − n_k·D(i,j)) / (n_i+n_j+n_k)
//
// using the nearest-neighbour-chain algorithm: O(n²) time and O(n²) memory.
// Heights and merge order match scipy.cluster.hierarchy.linkage(method="ward").
// Ties are broken towards the lower index, so the output is deterministic.
//
// Errors: an *InputError for empty or ragged input or a NaN/Inf value, and
// one on "points" when there are more than WardMaxPoints rows.
//
// Source: Ward (1963), "Hierarchical grouping to optimize an objective
// function", JASA 58; Lance & Williams (1967); Murtagh & Contreras (2012)
// for the nearest-neighbour chain; seed document section 3.3.2
// (hierarchical clustering for customer segmentation).
func WardLinkage(points [][]float64) (Dendrogram, error) {
	n := len(points)
	if n == 0 {
		return Dendrogram{}, &InputError{Row: -1, Field: "points", Err: ErrNoData}
	}
	if n > WardMaxPoints {
		return Dendrogram{}, &InputError{Row: -1, Field: "points", Err: fmt.Errorf("%d points exceed the Ward limit of %d (O(n²) memory); use kmeans", n, WardMaxPoints)}
	}
	d := len(points[0])
	for i, p := range points {
		if len(p) != d {
			return Dendrogram{}, &InputError{Row: i, Field: "points", Err: fmt.Errorf("%d values; want %d", len(p), d)}
		}
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Dendrogram{}, &InputError{Row: i, Field: "points", Err: fmt.Errorf("value %v is not finite", v)}
			}
		}
	}
	if n == 1 {
		return Dendrogram{N: 1}, nil
	}
	// Condensed matrix of squared distances, i < j.
	at := func(i, j int) int {
		if i > j {
			i, j = j, i
		}
		return n*i - i*(i+1)/2 + (j - i - 1)
	}
	dist := make([]float64, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			dist[at(i, j)] = sqDist(points[i], points[j])
		}
	}
	size := make([]int, n)
	active := make([]bool, n)
	for i := range size {
		size[i], active[i] = 1, true
	}
	type rawMerge struct {
		x, y int
		d2   float64
	}
	raw := make([]rawMerge, 0, n-1)
	chain := make([]int, 0, n)
	for len(raw) < n-1 {
		if len(chain) == 0 {
			for i := 0; i < n; i++ {
				if active[i] {
					chain = append(chain, i)
					break
				}
			}
		}
		var a, b int
		for {
			a = chain[len(chain)-1]
			b = -1
			best := math.Inf(1)
			if len(chain) >= 2 {
				b = chain[len(chain)-2]
				best = dist[at(a, b)]
			}
			for i := 0; i < n; i++ {
				if i == a || !active[i] {
					continue
				}
				if v := dist[at(a, i)]; v < best {
					best, b = v, i
				}
			}
			if len(chain) >= 2 && b == chain[len(chain)-2] {
				break
			}
			chain = append(chain, b)
		}
		chain = chain[:len(chain)-2]
		if a > b {
			a, b = b, a
		}
		dab := dist[at(a, b)]
		raw = append(raw, rawMerge{a, b, dab})
		// Cluster a becomes a∪b; b is retired.
		na, nb := float64(size[a]), float64(size[b])
		for k := 0; k < n; k++ {
			if !active[k] || k == a || k == b {
				continue
			}
			nk := float64(size[k])
			dist[at(k, a)] = ((na+nk)*dist[at(k, a)] + (nb+nk)*dist[at(k, b)] - nk*dab) / (na + nb + nk)
		}
		size[a] += size[b]
		active[b] = false
	}
	sort.SliceStable(raw, func(i, j int) bool { return raw[i].d2 < raw[j].d2 })
	// Relabel with union–find to SciPy's ids.
	parent := make([]int, 2*n-1)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	csize := make([]int, 2*n-1)
	for i := 0; i < n; i++ {
		csize[i] = 1
	}
	out := Dendrogram{N: n, Merges: make([]Merge, n-1)}
	for i, m := range raw {
		x, y := find(m.x), find(m.y)
		if x > y {
			x, y = y, x
		}
		id := n + i
		parent[x], parent[y] = id, id
		csize[id] = csize[x] + csize[y]
		out.Merges[i] = Merge{A: x, B: y, Height: math.Sqrt(math.Max(m.d2, 0)), Size: csize[id]}
	}
	return out, nil
}

// Cut returns the flat clustering with k clusters obtained by applying the
// first N−k merges: one label in [0, k) per point, numbered by first
// appearance in point order. It returns an *InputError on "k" unless
// 1 ≤ k ≤ N.
func (dg Dendrogram) Cut(k int) ([]int, error) {
	if k < 1 || k > dg.N {
		return nil, &InputError{Row: -1, Field: "k", Err: fmt.Errorf("k = %d; want 1 to %d", k, dg.N)}
	}
	n := dg.N
	parent := make([]int, 2*n-1)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := 0; i < n-k; i++ {
		m := dg.Merges[i]
		id := n + i
		parent[find(m.A)], parent[find(m.B)] = id, id
	}
	labels := make([]int, n)
	ids := make(map[int]int, k)
	for i := range labels {
		r := find(i)
		l, ok := ids[r]
		if !ok {
			l = len(ids)
			ids[r] = l
		}
		labels[i] = l
	}
	return labels, nil
}

// WardClusters clusters the customers of fm into k clusters by Ward
// hierarchical clustering on z-scored features (see Standardize and
// WardLinkage), cutting the dendrogram at k clusters. The Clustering's
// centroids, sizes and inertia are computed from the cut.
//
// Errors: those of Standardize and WardLinkage, and the k errors of KMeans
// (k < 1, or more than the distinct rows: ErrTooManyClusters).
//
// Source: Ward (1963); seed document section 3.3.2.
func WardClusters(fm FeatureMatrix, k int) (Clustering, error) {
	z, scale, err := Standardize(fm)
	if err != nil {
		return Clustering{}, err
	}
	if err := checkK(z, k); err != nil {
		return Clustering{}, err
	}
	dg, err := WardLinkage(z)
	if err != nil {
		return Clustering{}, err
	}
	c := wardClustering(z, dg, k)
	c.Scale = scale
	return c, nil
}

// wardClustering cuts dg at k and fills centroids, sizes and inertia.
func wardClustering(z [][]float64, dg Dendrogram, k int) Clustering {
	labels, _ := dg.Cut(k) // k is checked by callers
	d := len(z[0])
	c := Clustering{Method: MethodWard, K: k, Labels: labels, Sizes: make([]int, k), Centroids: make([][]float64, k)}
	for i := range c.Centroids {
		c.Centroids[i] = make([]float64, d)
	}
	for i, l := range labels {
		c.Sizes[l]++
		for j, v := range z[i] {
			c.Centroids[l][j] += v
		}
	}
	for l, cc := range c.Centroids {
		for j := range cc {
			cc[j] /= float64(c.Sizes[l])
		}
	}
	for i, l := range labels {
		c.Inertia += sqDist(z[i], c.Centroids[l])
	}
	return c
}
