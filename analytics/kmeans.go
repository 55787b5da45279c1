package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// ErrTooManyClusters means the requested number of clusters k exceeds the
// number of distinct points (customers) that can be separated.
var ErrTooManyClusters = errors.New("more clusters than distinct points")

// FeatureMatrix is the input of customer segmentation: Rows has one row per
// customer and one column per feature named in Columns (e.g. recency_days,
// frequency, monetary), in the feature's own units. IDs, when not empty,
// has one customer ID per row; the clustering functions only carry it.
type FeatureMatrix struct {
	Columns []string
	IDs     []string
	Rows    [][]float64
}

// validate checks the shape of fm and that every value is finite.
func (fm FeatureMatrix) validate() error {
	if len(fm.Rows) == 0 || len(fm.Columns) == 0 {
		return &InputError{Row: -1, Field: "rows", Err: ErrNoData}
	}
	if len(fm.IDs) != 0 && len(fm.IDs) != len(fm.Rows) {
		return &InputError{Row: -1, Field: "ids", Err: fmt.Errorf("%d ids for %d rows", len(fm.IDs), len(fm.Rows))}
	}
	d := len(fm.Columns)
	for i, r := range fm.Rows {
		if len(r) != d {
			return &InputError{Row: i, Field: "rows", Err: fmt.Errorf("%d values; want %d (one per column)", len(r), d)}
		}
		for j, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return &InputError{Row: i, Field: fm.Columns[j], Err: fmt.Errorf("value %v is not finite", v)}
			}
		}
	}
	return nil
}

// Standardization records how a FeatureMatrix was z-scored: for column j,
// z = (x − Mean[j]) / StdDev[j], with StdDev the population standard
// deviation (divisor n, as scikit-learn's StandardScaler). A column whose
// values are all equal has StdDev 0, z = 0 for every row, and its name in
// Constant: it is dropped from the distances in effect.
type Standardization struct {
	Columns  []string
	Mean     []float64
	StdDev   []float64
	Constant []string
}

// Unscale converts a point in standardized units back to original units:
// x_j = Mean[j] + z_j·StdDev[j] (constant columns return their Mean).
func (s Standardization) Unscale(z []float64) []float64 {
	x := make([]float64, len(s.Mean))
	for j := range x {
		if j < len(z) {
			x[j] = s.Mean[j] + z[j]*s.StdDev[j]
		} else {
			x[j] = s.Mean[j]
		}
	}
	return x
}

// Standardize z-scores every column of fm (see Standardization) and returns
// the standardized rows (n × d, same order as fm.Rows) with the scaling.
// It returns an *InputError wrapping ErrNoData for an empty matrix, and an
// *InputError naming the row and column for a ragged row or a NaN/Inf value.
func Standardize(fm FeatureMatrix) ([][]float64, Standardization, error) {
	if err := fm.validate(); err != nil {
		return nil, Standardization{}, err
	}
	n, d := len(fm.Rows), len(fm.Columns)
	s := Standardization{
		Columns: append([]string(nil), fm.Columns...),
		Mean:    make([]float64, d),
		StdDev:  make([]float64, d),
	}
	// Row by row (the rows are separate slices): sums and whether each
	// column differs from the first row, then the squared deviations.
	constant := make([]bool, d)
	first := fm.Rows[0]
	sum := make([]float64, d)
	same := make([]bool, d)
	for j := range same {
		same[j] = true
	}
	for _, r := range fm.Rows {
		r = r[:d]
		for j, v := range r {
			sum[j] += v
			if v != first[j] {
				same[j] = false
			}
		}
	}
	mean := make([]float64, d)
	for j := range mean {
		mean[j] = sum[j] / float64(n)
	}
	ss := make([]float64, d)
	for _, r := range fm.Rows {
		r = r[:d]
		for j, v := range r {
			dv := v - mean[j]
			ss[j] += dv * dv
		}
	}
	for j := 0; j < d; j++ {
		if same[j] {
			s.Mean[j] = first[j]
			constant[j] = true
			s.Constant = append(s.Constant, fm.Columns[j])
			continue
		}
		s.Mean[j] = mean[j]
		s.StdDev[j] = math.Sqrt(ss[j] / float64(n))
	}
	flat := make([]float64, n*d)
	z := make([][]float64, n)
	for i, r := range fm.Rows {
		zi := flat[i*d : (i+1)*d : (i+1)*d]
		for j, v := range r {
			if !constant[j] {
				zi[j] = (v - s.Mean[j]) / s.StdDev[j]
			}
		}
		z[i] = zi
	}
	return z, s, nil
}

// Clustering is a partition of the customers of a FeatureMatrix.
//
// Labels has one cluster index in [0, K) per row of the input; clusters are
// numbered in order of first appearance in the rows, so equal partitions
// give equal labels. Sizes[c] counts the rows of cluster c. Centroids (K × d)
// are cluster means in standardized units (use Scale.Unscale, or
// ProfileClusters, for original units). Inertia is the within-cluster sum
// of squared Euclidean distances Σ_i ‖z_i − c_{label(i)}‖² in standardized
// units. Iterations is the number of Lloyd iterations of the kept restart
// (0 for Ward).
type Clustering struct {
	Method     ClusterMethod
	K          int
	Labels     []int
	Sizes      []int
	Centroids  [][]float64
	Inertia    float64
	Iterations int
	Scale      Standardization
}

// ClusterMethod names a clustering algorithm.
type ClusterMethod string

// Clustering methods accepted by ChooseK.
const (
	MethodKMeans ClusterMethod = "kmeans"
	MethodWard   ClusterMethod = "ward"
)

// KMeansOptions tunes KMeans. Zero values take the defaults.
type KMeansOptions struct {
	// Seed seeds the PCG generator (math/rand/v2) used for k-means++
	// initialisation and silhouette sampling; equal seeds give equal output.
	Seed uint64
	// Restarts is the number of k-means++ initialisations; the run with the
	// smallest inertia is kept (default 10, as scikit-learn's n_init).
	Restarts int
	// MaxIter bounds the Lloyd iterations of each restart (default 300).
	MaxIter int
	// Tol stops a restart early when the summed squared shift of the
	// centroids in one iteration is at most Tol × the mean variance of the
	// standardized columns, as scikit-learn's tol (default 1e-4).
	Tol float64
}

func (o KMeansOptions) withDefaults() KMeansOptions {
	if o.Restarts <= 0 {
		o.Restarts = 10
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 300
	}
	if !(o.Tol > 0) {
		o.Tol = 1e-4
	}
	return o
}

// KMeans partitions the customers of fm into k clusters by Lloyd's
// algorithm on z-scored features (see Standardize), minimising the inertia
//
//	Σ_i ‖z_i − c_{label(i)}‖²
//
// Each of opt.Restarts runs starts from greedy k-means++ seeding (Arthur &
// Vassilvitskii 2007: first centre uniform, each next centre the best of
// 2 + ⌊ln k⌋ candidates drawn with probability ∝ D(x)², the squared
// distance to the nearest chosen centre, as scikit-learn's KMeans),
// iterates assignment and mean update until no label changes, the
// centroids move less than opt.Tol (see KMeansOptions) or MaxIter,
// and repairs an empty cluster by moving into it the point farthest from
// its centroid. The assignment uses Hamerly's (2010) distance bounds to
// skip points whose label cannot change; the labels are those of plain
// Lloyd. The restart with the least inertia is kept (ties: the
// earliest). Duplicate rows are allowed; ties in assignment go to the lower
// cluster index. All randomness comes from opt.Seed.
//
// Errors: an *InputError (see Standardize) for bad input; an *InputError
// with Field "k" for k < 1, and one wrapping ErrTooManyClusters when k
// exceeds the number of customers or of distinct rows.
//
// Source: seed document sections 3.3.2 (K-Means for customer segmentation)
// and 5.4 (standardize, then K-Means); Lloyd (1982); Arthur & Vassilvitskii
// (2007), "k-means++: the advantages of careful seeding"; Hamerly (2010),
// "Making k-means even faster", SIAM SDM.
func KMeans(fm FeatureMatrix, k int, opt KMeansOptions) (Clustering, error) {
	z, scale, err := Standardize(fm)
	if err != nil {
		return Clustering{}, err
	}
	if err := checkK(z, k); err != nil {
		return Clustering{}, err
	}
	c := kmeansZ(z, k, opt.withDefaults(), newPCG(opt.Seed))
	c.Scale = scale
	return c, nil
}

// newPCG returns the generator KMeans uses for a seed.
func newPCG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// checkK returns an *InputError on "k" when k < 1 or k exceeds the number
// of distinct rows of z.
func checkK(z [][]float64, k int) error {
	if k < 1 {
		return &InputError{Row: -1, Field: "k", Err: fmt.Errorf("k = %d; want at least 1", k)}
	}
	if k > len(z) {
		return &InputError{Row: -1, Field: "k", Err: fmt.Errorf("k = %d for %d customers: %w", k, len(z), ErrTooManyClusters)}
	}
	if dn := distinctRows(z, k); dn < k {
		return &InputError{Row: -1, Field: "k", Err: fmt.Errorf("k = %d for %d distinct points: %w", k, dn, ErrTooManyClusters)}
	}
	return nil
}

// distinctRows counts the distinct rows of z, stopping once it reaches limit.
func distinctRows(z [][]float64, limit int) int {
	seen := make(map[string]struct{})
	buf := make([]byte, 0, 8*len(z[0]))
	for _, r := range z {
		buf = buf[:0]
		for _, v := range r {
			if v == 0 {
				v = 0 // fold -0 into +0
			}
			b := math.Float64bits(v)
			buf = append(buf, byte(b), byte(b>>8), byte(b>>16), byte(b>>24), byte(b>>32), byte(b>>40), byte(b>>48), byte(b>>56))
		}
		seen[string(buf)] = struct{}{}
		if len(seen) >= limit {
			break
		}
	}
	return len(seen)
}

// kmeansZ runs the restarts on standardized rows; k is already checked.
func kmeansZ(z [][]float64, k int, opt KMeansOptions, rng *rand.Rand) Clustering {
	n, d := len(z), len(z[0])
	x := make([]float64, n*d)
	for i, r := range z {
		copy(x[i*d:], r)
	}
	// Standardized columns have variance 1, constant ones 0.
	meanVar := 0.0
	for j := 0; j < d; j++ {
		for _, r := range z {
			if r[j] != 0 {
				meanVar++
				break
			}
		}
	}
	tol := opt.Tol * meanVar / float64(d)
	best := Clustering{Inertia: math.Inf(1)}
	for r := 0; r < opt.Restarts; r++ {
		labels, centers, inertia, iters := lloydFrom(x, n, d, k, opt.MaxIter, tol, kmeansPP(x, n, d, k, rng))
		if inertia < best.Inertia {
			best = Clustering{Labels: labels, Inertia: inertia, Iterations: iters}
			best.Centroids = make([][]float64, k)
			for c := 0; c < k; c++ {
				best.Centroids[c] = centers[c*d : (c+1)*d : (c+1)*d]
			}
		}
	}
	best.Method = MethodKMeans
	best.K = k
	canonicalize(&best)
	return best
}

// canonicalize renumbers clusters by first appearance in row order and
// fills Sizes.
func canonicalize(c *Clustering) {
	old := make([]int, 0, c.K)
	mapTo := make(map[int]int, c.K)
	for i, l := range c.Labels {
		nl, ok := mapTo[l]
		if !ok {
			nl = len(old)
			mapTo[l] = nl
			old = append(old, l)
		}
		c.Labels[i] = nl
	}
	sizes := make([]int, len(old))
	for _, l := range c.Labels {
		sizes[l]++
	}
	c.Sizes = sizes
	if c.Centroids != nil {
		cent := make([][]float64, len(old))
		for nl, ol := range old {
			cent[nl] = c.Centroids[ol]
		}
		c.Centroids = cent
	}
	c.K = len(old)
}

// sqDist is the squared Euclidean distance of two equal-length vectors.
func sqDist(a, b []float64) float64 {
	s := 0.0
	b = b[:len(a)]
	for j, v := range a {
		dv := v - b[j]
		s += dv * dv
	}
	return s
}

// kmeansPP returns k initial centres (k × d, flat) by greedy k-means++
// seeding (Arthur & Vassilvitskii 2007, section 6; scikit-learn's
// _kmeans_plusplus): the first centre is a uniformly drawn point; each next
// centre is the best of 2 + ⌊ln k⌋ candidates drawn with probability ∝
// D(x)², the squared distance to the nearest chosen centre, "best" meaning
// the candidate that leaves the least potential Σ_i min(D(x_i)², ‖x_i − c‖²).
//
// The potential of a candidate c skips a point whose nearest chosen centre
// m satisfies ‖c − m‖ ≥ 2·D(x): then ‖x − c‖ ≥ ‖c − m‖ − ‖x − m‖ ≥ D(x), so
// the point keeps D(x)² (Elkan 2003, lemma 1). The result is the same as
// computing every distance.
//
// Besides the centres it returns what Lloyd's first assignment needs: each
// point's nearest centre and squared distance to it, and a lower bound on
// its squared distance to every other centre.
func kmeansPP(x []float64, n, d, k int, rng *rand.Rand) seeding {
	centers := make([]float64, k*d)
	first := rng.IntN(n)
	copy(centers, x[first*d:(first+1)*d])
	dist := make([]float64, n)  // D(x)²
	nearest := make([]int32, n) // index of the nearest chosen centre
	second := make([]float64, n)
	pot := 0.0
	for i := 0; i < n; i++ {
		dist[i] = sqDist(x[i*d:(i+1)*d], centers[:d])
		pot += dist[i]
		second[i] = math.Inf(1)
	}
	trials := 2 + int(math.Log(float64(k)))
	cum := make([]float64, n)
	candDist := make([][]float64, trials)
	for t := range candDist {
		candDist[t] = make([]float64, n)
	}
	cand := make([]int, trials)
	candPot := make([]float64, trials)
	half := make([]float64, trials*k) // (‖candidate t − centre m‖ / 2)² at t·k + m
	for c := 1; c < k; c++ {
		acc := 0.0
		for i, v := range dist {
			acc += v
			cum[i] = acc
		}
		pot = acc
		if !(pot > 0) { // unreachable when k ≤ distinct points
			cand[0] = rng.IntN(n)
			copy(centers[c*d:(c+1)*d], x[cand[0]*d:(cand[0]+1)*d])
			clear(second)
			continue
		}
		for t := range cand {
			r := rng.Float64() * pot
			// First i with cum[i] > r (searchsorted), skipping points at
			// distance 0, which cannot be drawn.
			i := sort.SearchFloat64s(cum, r)
			for i < n && (cum[i] <= r || dist[i] == 0) {
				i++
			}
			if i >= n {
				for i = n - 1; i > 0 && dist[i] == 0; i-- {
				}
			}
			cand[t] = i
		}
		// Potential of every candidate, four at a time: each point is
		// compared with a group of candidates in one pass, four
		// independent sums (the same additions, in the same order, as
		// sqDist).
		for t, ci := range cand {
			xc := x[ci*d : (ci+1)*d]
			h := half[t*k : (t+1)*k]
			for m := 0; m < c; m++ {
				hm := math.Sqrt(sqDist(xc, centers[m*d:(m+1)*d])) / 2
				h[m] = hm * hm
			}
			candPot[t] = 0
		}
		for g := 0; g < trials; g += 4 {
			if trials-g == 3 { // k = 3…7: three candidates, no padding
				c0, c1, c2 := x[cand[g]*d:][:d:d], x[cand[g+1]*d:][:d:d], x[cand[g+2]*d:][:d:d]
				h0, h1, h2 := half[g*k:][:k:k], half[(g+1)*k:][:k:k], half[(g+2)*k:][:k:k]
				cd0, cd1, cd2 := candDist[g][:n:n], candDist[g+1][:n:n], candDist[g+2][:n:n]
				var p0, p1, p2 float64
				for i := 0; i < n; i++ {
					di, m := dist[i], nearest[i]
					v0, v1, v2 := di, di, di
					if h0[m] < di || h1[m] < di || h2[m] < di {
						xi := x[i*d : (i+1)*d : (i+1)*d]
						var s0, s1, s2 float64
						for j, xv := range xi {
							e0, e1, e2 := xv-c0[j], xv-c1[j], xv-c2[j]
							s0 += e0 * e0
							s1 += e1 * e1
							s2 += e2 * e2
						}
						v0, v1, v2 = s0, s1, s2
					}
					cd0[i], cd1[i], cd2[i] = v0, v1, v2
					p0 += min(di, v0)
					p1 += min(di, v1)
					p2 += min(di, v2)
				}
				candPot[g], candPot[g+1], candPot[g+2] = p0, p1, p2
				continue
			}
			var t4 [4]int
			for u := range t4 {
				t4[u] = min(g+u, trials-1) // a short group repeats its last candidate
			}
			c0, c1 := x[cand[t4[0]]*d:][:d:d], x[cand[t4[1]]*d:][:d:d]
			c2, c3 := x[cand[t4[2]]*d:][:d:d], x[cand[t4[3]]*d:][:d:d]
			h0, h1 := half[t4[0]*k:][:k:k], half[t4[1]*k:][:k:k]
			h2, h3 := half[t4[2]*k:][:k:k], half[t4[3]*k:][:k:k]
			cd0, cd1 := candDist[t4[0]][:n:n], candDist[t4[1]][:n:n]
			cd2, cd3 := candDist[t4[2]][:n:n], candDist[t4[3]][:n:n]
			var p0, p1, p2, p3 float64
			for i := 0; i < n; i++ {
				di, m := dist[i], nearest[i]
				// A candidate at ≥ 2·D(x) from x's nearest centre is at
				// least D(x) from x: D(x)² is then a lower bound on its
				// squared distance, kept instead of the distance.
				v0, v1, v2, v3 := di, di, di, di
				if h0[m] < di || h1[m] < di || h2[m] < di || h3[m] < di {
					xi := x[i*d : (i+1)*d : (i+1)*d]
					var s0, s1, s2, s3 float64
					for j, xv := range xi {
						e0, e1, e2, e3 := xv-c0[j], xv-c1[j], xv-c2[j], xv-c3[j]
						s0 += e0 * e0
						s1 += e1 * e1
						s2 += e2 * e2
						s3 += e3 * e3
					}
					v0, v1, v2, v3 = s0, s1, s2, s3
				}
				cd0[i], cd1[i], cd2[i], cd3[i] = v0, v1, v2, v3
				p0 += min(di, v0)
				p1 += min(di, v1)
				p2 += min(di, v2)
				p3 += min(di, v3)
			}
			candPot[t4[0]], candPot[t4[1]], candPot[t4[2]], candPot[t4[3]] = p0, p1, p2, p3
		}
		best := 0
		for t, p := range candPot {
			if p < candPot[best] {
				best = t
			}
		}
		ci := cand[best]
		copy(centers[c*d:(c+1)*d], x[ci*d:(ci+1)*d])
		for i, v := range candDist[best] {
			if v < dist[i] {
				second[i] = dist[i]
				dist[i] = v
				nearest[i] = int32(c)
			} else if v < second[i] {
				second[i] = v
			}
		}
	}
	return seeding{centers: centers, nearest: nearest, dist: dist, second: second}
}

// seeding is the result of kmeansPP: the k × d centres (flat) and, per
// point, its nearest centre, the squared distance to it and a lower bound
// on the squared distance to every other centre.
type seeding struct {
	centers []float64
	nearest []int32
	dist    []float64
	second  []float64
}

// seedFromCenters makes the seeding of given centres by comparing every
// point with every centre.
func seedFromCenters(x []float64, n, d, k int, centers []float64) seeding {
	s := seeding{centers: centers, nearest: make([]int32, n), dist: make([]float64, n), second: make([]float64, n)}
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d : (i+1)*d]
		bl, b1, b2 := 0, math.Inf(1), math.Inf(1)
		for c := 0; c < k; c++ {
			v := sqDist(xi, centers[c*d:(c+1)*d])
			if v < b1 {
				bl, b2, b1 = c, b1, v
			} else if v < b2 {
				b2 = v
			}
		}
		s.nearest[i], s.dist[i], s.second[i] = int32(bl), b1, b2
	}
	return s
}

// lloyd runs Lloyd iterations from the given flat k × d centres (which it
// updates) until labels settle, the summed squared centre shift is at most
// tol, or maxIter. It returns labels, centres, inertia and the iteration
// count; labels and inertia belong to a final assignment to the centres.
//
// The assignment step uses Hamerly's bounds (Hamerly 2010, "Making k-means
// even faster"): per point an upper bound on the distance to its centre and
// a lower bound on the distance to every other centre, loosened by the
// centre moves of each update; a point is compared with all centres only
// when the bounds cannot prove its label unchanged. The labels are those of
// plain Lloyd (ties to the lower index); per-cluster sums are updated
// incrementally as points move.
func lloyd(x []float64, n, d, k, maxIter int, tol float64, centers []float64) ([]int, []float64, float64, int) {
	return lloydFrom(x, n, d, k, maxIter, tol, seedFromCenters(x, n, d, k, centers))
}

// lloydFrom is lloyd starting from a seeding, whose nearest centres are
// the first labels and whose distances are the first bounds.
func lloydFrom(x []float64, n, d, k, maxIter int, tol float64, seed seeding) ([]int, []float64, float64, int) {
	centers := seed.centers
	pts := make([]hamerlyPoint, n)
	sums := make([]float64, k*d)
	counts := make([]int, k)
	prev := make([]float64, k*d)
	move := make([]float64, k)
	other := make([]float64, k) // the largest move of any other centre
	s := make([]float64, k)     // half the distance to the nearest other centre

	// scan compares x_i with every centre: nearest index, its distance and
	// the second-nearest distance.
	scan := func(xi []float64) (int, float64, float64) {
		bl, b1, b2 := 0, math.Inf(1), math.Inf(1)
		keep := func(c int, v float64) {
			if v < b1 {
				bl, b2, b1 = c, b1, v
			} else if v < b2 {
				b2 = v
			}
		}
		c := 0
		for ; c+4 <= k; c += 4 { // four centres per pass: independent sums
			c0, c1 := centers[c*d:][:d:d], centers[(c+1)*d:][:d:d]
			c2, c3 := centers[(c+2)*d:][:d:d], centers[(c+3)*d:][:d:d]
			var s0, s1, s2, s3 float64
			for j, xv := range xi {
				e0, e1, e2, e3 := xv-c0[j], xv-c1[j], xv-c2[j], xv-c3[j]
				s0 += e0 * e0
				s1 += e1 * e1
				s2 += e2 * e2
				s3 += e3 * e3
			}
			keep(c, s0)
			keep(c+1, s1)
			keep(c+2, s2)
			keep(c+3, s3)
		}
		for ; c < k; c++ {
			keep(c, sqDist(xi, centers[c*d:(c+1)*d]))
		}
		return bl, math.Sqrt(b1), math.Sqrt(b2)
	}
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d : (i+1)*d]
		l := seed.nearest[i]
		pts[i] = hamerlyPoint{u: math.Sqrt(seed.dist[i]), l: math.Sqrt(seed.second[i]), a: l}
		counts[l]++
		sc := sums[int(l)*d : int(l+1)*d]
		for j, v := range xi {
			sc[j] += v
		}
	}
	iters := 0
	for iters < maxIter {
		iters++
		// Update step: centres are the means of their points.
		copy(prev, centers)
		for c := 0; c < k; c++ {
			if counts[c] == 0 {
				repairEmpty(x, d, c, pts, counts, sums, centers)
			}
		}
		shift := 0.0
		clear(move)
		for c := 0; c < k; c++ {
			if counts[c] == 0 {
				continue // only when every cluster has one point
			}
			cc := centers[c*d : (c+1)*d]
			inv := 1 / float64(counts[c])
			for j, v := range sums[c*d : (c+1)*d] {
				cc[j] = v * inv
			}
			m := sqDist(cc, prev[c*d:(c+1)*d])
			shift += m
			move[c] = math.Sqrt(m)
		}
		// Assignment step (also the final one when the centres have
		// converged): loosen the bounds by the moves, then check them.
		m1, m2, arg := 0.0, 0.0, -1
		for c, v := range move {
			if v > m1 {
				m1, m2, arg = v, m1, c
			} else if v > m2 {
				m2 = v
			}
		}
		for c := range other {
			other[c] = m1
			if c == arg {
				other[c] = m2
			}
		}
		for c := 0; c < k; c++ {
			sc := math.Inf(1)
			for o := 0; o < k; o++ {
				if o != c {
					sc = min(sc, sqDist(centers[c*d:(c+1)*d], centers[o*d:(o+1)*d]))
				}
			}
			s[c] = math.Sqrt(sc) / 2
		}
		changed := false
		for i := range pts {
			p := &pts[i]
			a := p.a
			u := p.u + move[a]
			lo := p.l - other[a]
			p.l = lo
			bound := max(s[a], lo)
			if u < bound {
				p.u = u
				continue
			}
			xi := x[i*d : (i+1)*d : (i+1)*d]
			u = math.Sqrt(sqDist(xi, centers[int(a)*d:int(a+1)*d]))
			p.u = u
			if u < bound {
				continue
			}
			bc, bu, blo := scan(xi)
			b := int32(bc)
			p.u, p.l = bu, blo
			if b != a {
				changed = true
				p.a = b
				counts[a]--
				counts[b]++
				sa, sb := sums[int(a)*d:int(a+1)*d], sums[int(b)*d:int(b+1)*d]
				for j, v := range xi {
					sa[j] -= v
					sb[j] += v
				}
			}
		}
		if shift <= tol || !changed {
			break
		}
	}
	// The labels are those of an assignment to the final centres.
	labels := make([]int, n)
	inertia := 0.0
	for i, p := range pts {
		l := int(p.a)
		labels[i] = l
		inertia += sqDist(x[i*d:(i+1)*d], centers[l*d:(l+1)*d])
	}
	return labels, centers, inertia, iters
}

// hamerlyPoint is a point's state in lloydFrom: u ≥ the distance to its
// centre a, l ≤ the distance to every other centre.
type hamerlyPoint struct {
	u, l float64
	a    int32
}

// repairEmpty moves into the empty cluster c the point farthest from its
// own centre among clusters with more than one point, making it the
// centre of c, and resets that point's bounds.
func repairEmpty(x []float64, d, c int, pts []hamerlyPoint, counts []int, sums, centers []float64) {
	far, fd := -1, -1.0
	for i, p := range pts {
		l := int(p.a)
		if counts[l] <= 1 {
			continue
		}
		if v := sqDist(x[i*d:(i+1)*d], centers[l*d:(l+1)*d]); v > fd {
			far, fd = i, v
		}
	}
	if far < 0 {
		return
	}
	from := int(pts[far].a)
	xf := x[far*d : (far+1)*d]
	sf, sc := sums[from*d:(from+1)*d], sums[c*d:(c+1)*d]
	for j, v := range xf {
		sf[j] -= v
		sc[j] = v
	}
	counts[from]--
	counts[c] = 1
	pts[far] = hamerlyPoint{a: int32(c)}
}

// ClusterProfile describes one cluster in original units. Centroid and
// Relative follow the column order of the profiled FeatureMatrix;
// Relative[j] = (Centroid[j] − overall mean_j) / overall SD_j (population
// SD; 0 for a constant column) says how far the cluster sits from the
// average customer. Share is Size / n, a fraction.
type ClusterProfile struct {
	Cluster  int       `json:"cluster"`
	Name     string    `json:"name"`
	Size     int       `json:"size"`
	Share    float64   `json:"share"`
	Centroid []float64 `json:"centroid"`
	Relative []float64 `json:"relative"`
}

// SegmentProfile is the result of ProfileClusters: the overall mean and
// population SD of every column and one ClusterProfile per cluster, in
// cluster order.
type SegmentProfile struct {
	Columns  []string         `json:"columns"`
	Mean     []float64        `json:"mean"`
	StdDev   []float64        `json:"std_dev"`
	Clusters []ClusterProfile `json:"clusters"`
}

// FeatureTerms are the words a cluster name uses for a feature whose
// cluster mean lies above (High) or below (Low) the overall mean.
type FeatureTerms struct {
	High string
	Low  string
}

// DefaultSegmentTerms names the usual RFM features: a high recency (days
// since the last order) reads "lapsed", a high frequency "frequent" and a
// high monetary value "high-value".
var DefaultSegmentTerms = map[string]FeatureTerms{
	"recency":      {High: "lapsed", Low: "recent"},
	"recency_days": {High: "lapsed", Low: "recent"},
	"frequency":    {High: "frequent", Low: "infrequent"},
	"monetary":     {High: "high-value", Low: "low-spend"},
	"tenure_days":  {High: "long-standing", Low: "new"},
}

// Cluster naming constants: a feature enters a cluster's name when its
// Relative value is at least NameThreshold in absolute value; at most
// NameMaxTerms features are used, strongest first.
const (
	NameThreshold = 0.25
	NameMaxTerms  = 2
)

// ProfileClusters summarises each cluster of labels over per-customer
// business values (one row per customer, same order as labels; the columns
// need not be the clustering features): size, share, centroid (column
// means) in original units, the centroid relative to the overall mean, and
// a name from NameClusters with terms (nil: DefaultSegmentTerms).
//
// Errors: an *InputError for bad values (see Standardize), a length
// mismatch, or labels that are negative or leave a cluster in [0, max]
// empty.
func ProfileClusters(values FeatureMatrix, labels []int, terms map[string]FeatureTerms) (SegmentProfile, error) {
	if err := values.validate(); err != nil {
		return SegmentProfile{}, err
	}
	n, d := len(values.Rows), len(values.Columns)
	if len(labels) != n {
		return SegmentProfile{}, &InputError{Row: -1, Field: "labels", Err: fmt.Errorf("%d labels for %d rows", len(labels), n)}
	}
	k := 0
	for i, l := range labels {
		if l < 0 {
			return SegmentProfile{}, &InputError{Row: i, Field: "labels", Err: fmt.Errorf("label %d is negative", l)}
		}
		k = max(k, l+1)
	}
	p := SegmentProfile{
		Columns:  append([]string(nil), values.Columns...),
		Mean:     make([]float64, d),
		StdDev:   make([]float64, d),
		Clusters: make([]ClusterProfile, k),
	}
	for c := range p.Clusters {
		p.Clusters[c] = ClusterProfile{Cluster: c, Centroid: make([]float64, d), Relative: make([]float64, d)}
	}
	for i, r := range values.Rows {
		cp := &p.Clusters[labels[i]]
		cp.Size++
		for j, v := range r {
			p.Mean[j] += v
			cp.Centroid[j] += v
		}
	}
	for j := range p.Mean {
		p.Mean[j] /= float64(n)
	}
	for _, r := range values.Rows {
		for j, v := range r {
			dv := v - p.Mean[j]
			p.StdDev[j] += dv * dv
		}
	}
	for j := range p.StdDev {
		p.StdDev[j] = math.Sqrt(p.StdDev[j] / float64(n))
	}
	for c := range p.Clusters {
		cp := &p.Clusters[c]
		if cp.Size == 0 {
			return SegmentProfile{}, &InputError{Row: -1, Field: "labels", Err: fmt.Errorf("cluster %d has no rows; labels must cover 0..%d", c, k-1)}
		}
		cp.Share = float64(cp.Size) / float64(n)
		for j := range cp.Centroid {
			cp.Centroid[j] /= float64(cp.Size)
			if p.StdDev[j] > 0 {
				cp.Relative[j] = (cp.Centroid[j] - p.Mean[j]) / p.StdDev[j]
			}
		}
	}
	for c, name := range NameClusters(p, terms) {
		p.Clusters[c].Name = name
	}
	return p, nil
}

// NameClusters gives each cluster of p a short descriptive name from its
// Relative values: the features with |Relative| ≥ NameThreshold, strongest
// first (ties: column order), at most NameMaxTerms of them, each written as
// terms[column].High or .Low (default "high <column>" / "low <column>"),
// joined by spaces — e.g. "high-value frequent" or "lapsed low-spend".
// A cluster with no such feature is "average". Repeated names get " (2)",
// " (3)", … in cluster order. terms nil means DefaultSegmentTerms. The
// result is deterministic and has one name per cluster.
func NameClusters(p SegmentProfile, terms map[string]FeatureTerms) []string {
	if terms == nil {
		terms = DefaultSegmentTerms
	}
	names := make([]string, len(p.Clusters))
	seen := make(map[string]int)
	for c, cp := range p.Clusters {
		var cols []int
		for j, r := range cp.Relative {
			if math.Abs(r) >= NameThreshold {
				cols = append(cols, j)
			}
		}
		sort.SliceStable(cols, func(a, b int) bool {
			return math.Abs(cp.Relative[cols[a]]) > math.Abs(cp.Relative[cols[b]])
		})
		if len(cols) > NameMaxTerms {
			cols = cols[:NameMaxTerms]
		}
		words := make([]string, 0, len(cols))
		for _, j := range cols {
			col := p.Columns[j]
			t, ok := terms[col]
			if cp.Relative[j] > 0 {
				if ok && t.High != "" {
					words = append(words, t.High)
				} else {
					words = append(words, "high "+col)
				}
			} else {
				if ok && t.Low != "" {
					words = append(words, t.Low)
				} else {
					words = append(words, "low "+col)
				}
			}
		}
		name := strings.Join(words, " ")
		if name == "" {
			name = "average"
		}
		seen[name]++
		if seen[name] > 1 {
			name = fmt.Sprintf("%s (%d)", name, seen[name])
		}
		names[c] = name
	}
	return names
}
