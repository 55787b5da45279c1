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
	constant := make([]bool, d)
	for j := 0; j < d; j++ {
		first := fm.Rows[0][j]
		same := true
		sum := 0.0
		for _, r := range fm.Rows {
			sum += r[j]
			if r[j] != first {
				same = false
			}
		}
		mean := sum / float64(n)
		if same {
			s.Mean[j] = first
			constant[j] = true
			s.Constant = append(s.Constant, fm.Columns[j])
			continue
		}
		ss := 0.0
		for _, r := range fm.Rows {
			dv := r[j] - mean
			ss += dv * dv
		}
		s.Mean[j] = mean
		s.StdDev[j] = math.Sqrt(ss / float64(n))
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
// Each of opt.Restarts runs starts from k-means++ seeding (Arthur &
// Vassilvitskii 2007: first centre uniform, each next centre drawn with
// probability ∝ D(x)², the squared distance to the nearest chosen centre),
// iterates assignment and mean update until no label changes, the
// centroids move less than opt.Tol (see KMeansOptions) or MaxIter,
// and repairs an empty cluster by moving into it the point farthest from
// its centroid. The restart with the least inertia is kept (ties: the
// earliest). Duplicate rows are allowed; ties in assignment go to the lower
// cluster index. All randomness comes from opt.Seed.
//
// Errors: an *InputError (see Standardize) for bad input; an *InputError
// with Field "k" for k < 1, and one wrapping ErrTooManyClusters when k
// exceeds the number of customers or of distinct rows.
//
// Source: seed document sections 3.3.2 (K-Means for customer segmentation)
// and 5.4 (standardize, then K-Means); Lloyd (1982); Arthur & Vassilvitskii
// (2007), "k-means++: the advantages of careful seeding".
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
		labels, centers, inertia, iters := lloyd(x, n, d, k, opt.MaxIter, tol, kmeansPP(x, n, d, k, rng))
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

// kmeansPP returns k initial centres (k × d, flat) by k-means++ seeding.
func kmeansPP(x []float64, n, d, k int, rng *rand.Rand) []float64 {
	centers := make([]float64, k*d)
	first := rng.IntN(n)
	copy(centers, x[first*d:(first+1)*d])
	dist := make([]float64, n)
	for i := 0; i < n; i++ {
		dist[i] = sqDist(x[i*d:(i+1)*d], centers[:d])
	}
	for c := 1; c < k; c++ {
		sum := 0.0
		for _, v := range dist {
			sum += v
		}
		pick := -1
		if sum > 0 {
			r := rng.Float64() * sum
			acc := 0.0
			for i, v := range dist {
				acc += v
				if v > 0 && acc > r {
					pick = i
					break
				}
			}
			if pick < 0 { // rounding at the end of the cumulative sum
				for i := n - 1; i >= 0; i-- {
					if dist[i] > 0 {
						pick = i
						break
					}
				}
			}
		} else {
			pick = rng.IntN(n) // unreachable when k ≤ distinct points
		}
		cc := centers[c*d : (c+1)*d]
		copy(cc, x[pick*d:(pick+1)*d])
		for i := 0; i < n; i++ {
			if v := sqDist(x[i*d:(i+1)*d], cc); v < dist[i] {
				dist[i] = v
			}
		}
	}
	return centers
}

// lloyd runs Lloyd iterations from the given flat k × d centres (which it
// updates) until labels settle, the summed squared centre shift is at most
// tol, or maxIter. It returns labels, centres, inertia and the iteration
// count; labels and inertia belong to a final assignment to the centres.
func lloyd(x []float64, n, d, k, maxIter int, tol float64, centers []float64) ([]int, []float64, float64, int) {
	prev := make([]float64, len(centers))
	labels := make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	dist := make([]float64, n)
	counts := make([]int, k)
	assign := func() bool {
		changed := false
		for i := 0; i < n; i++ {
			xi := x[i*d : (i+1)*d : (i+1)*d]
			bl, bd := 0, math.Inf(1)
			for c := 0; c < k; c++ {
				cc := centers[c*d : (c+1)*d : (c+1)*d]
				cc = cc[:len(xi)]
				v := 0.0
				for j, xv := range xi {
					dv := xv - cc[j]
					v += dv * dv
				}
				if v < bd {
					bl, bd = c, v
				}
			}
			dist[i] = bd
			if labels[i] != bl {
				labels[i] = bl
				changed = true
			}
		}
		return changed
	}
	iters := 0
	for iters < maxIter {
		iters++
		if !assign() && iters > 1 {
			break
		}
		// Mean update.
		copy(prev, centers)
		clear(centers)
		clear(counts)
		for i := 0; i < n; i++ {
			c := labels[i]
			counts[c]++
			cc := centers[c*d : (c+1)*d]
			for j, v := range x[i*d : (i+1)*d] {
				cc[j] += v
			}
		}
		// Empty-cluster repair: move the farthest point into the empty cluster.
		for c := 0; c < k; c++ {
			if counts[c] > 0 {
				continue
			}
			far, fd := -1, -1.0
			for i := 0; i < n; i++ {
				if counts[labels[i]] > 1 && dist[i] > fd {
					far, fd = i, dist[i]
				}
			}
			if far < 0 {
				continue
			}
			from := labels[far]
			fc := centers[from*d : (from+1)*d]
			for j, v := range x[far*d : (far+1)*d] {
				fc[j] -= v
			}
			counts[from]--
			copy(centers[c*d:(c+1)*d], x[far*d:(far+1)*d])
			counts[c] = 1
			labels[far] = c
			dist[far] = 0
		}
		for c := 0; c < k; c++ {
			if counts[c] > 0 {
				inv := 1 / float64(counts[c])
				cc := centers[c*d : (c+1)*d]
				for j := range cc {
					cc[j] *= inv
				}
			}
		}
		if sqDist(centers, prev) <= tol {
			break
		}
	}
	assign()
	inertia := 0.0
	for _, v := range dist {
		inertia += v
	}
	return labels, centers, inertia, iters
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
