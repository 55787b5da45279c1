package analytics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SilhouetteExactMax is the largest number of points whose silhouette is
// computed exactly (all n² pairwise distances). Above it, Silhouette scores
// a seeded random sample of SilhouetteSampleSize points drawn without
// replacement, using distances within the sample only (as scikit-learn's
// silhouette_score with sample_size).
const (
	SilhouetteExactMax   = 10000
	SilhouetteSampleSize = 10000
)

// Silhouette returns the mean silhouette coefficient of a partition:
//
//	s(i) = (b(i) − a(i)) / max(a(i), b(i))
//
// where a(i) is the mean Euclidean distance from point i to the other
// points of its cluster and b(i) the smallest mean distance from i to the
// points of another cluster; s(i) = 0 for a point alone in its cluster or
// when a(i) = b(i) = 0. The result lies in [−1, 1]; higher is better.
//
// points has one row per customer (usually standardized features, as
// KMeans uses); labels has one cluster index ≥ 0 per row. For more than
// SilhouetteExactMax points the mean is taken on a sample of
// SilhouetteSampleSize points drawn with a PCG generator seeded by seed;
// seed is unused otherwise.
//
// Errors: an *InputError for empty or ragged input, mismatched lengths or a
// negative label, and one on "labels" unless 2 ≤ clusters ≤ n − 1 (in the
// sample, when sampling).
//
// Source: Rousseeuw (1987), "Silhouettes: a graphical aid to the
// interpretation and validation of cluster analysis", J. Comput. Appl. Math. 20.
func Silhouette(points [][]float64, labels []int, seed uint64) (float64, error) {
	if len(points) == 0 {
		return 0, &InputError{Row: -1, Field: "points", Err: ErrNoData}
	}
	if len(labels) != len(points) {
		return 0, &InputError{Row: -1, Field: "labels", Err: fmt.Errorf("%d labels for %d points", len(labels), len(points))}
	}
	d := len(points[0])
	for i, p := range points {
		if len(p) != d {
			return 0, &InputError{Row: i, Field: "points", Err: fmt.Errorf("%d values; want %d", len(p), d)}
		}
		if labels[i] < 0 {
			return 0, &InputError{Row: i, Field: "labels", Err: fmt.Errorf("label %d is negative", labels[i])}
		}
	}
	idx := make([]int, len(points))
	for i := range idx {
		idx[i] = i
	}
	if len(points) > SilhouetteExactMax {
		rng := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
		for i := 0; i < SilhouetteSampleSize; i++ { // partial Fisher–Yates
			j := i + rng.IntN(len(idx)-i)
			idx[i], idx[j] = idx[j], idx[i]
		}
		idx = idx[:SilhouetteSampleSize]
	}
	return silhouetteOf(points, labels, idx)
}

// silhouetteOf computes the mean silhouette of the points listed in idx,
// using distances among those points only.
func silhouetteOf(points [][]float64, labels []int, idx []int) (float64, error) {
	n := len(idx)
	// Compact labels to 0..k-1.
	lab := make([]int, n)
	mapTo := make(map[int]int)
	for a, i := range idx {
		l, ok := mapTo[labels[i]]
		if !ok {
			l = len(mapTo)
			mapTo[labels[i]] = l
		}
		lab[a] = l
	}
	k := len(mapTo)
	if k < 2 || k > n-1 {
		return 0, &InputError{Row: -1, Field: "labels", Err: fmt.Errorf("%d clusters among %d points; want 2 to n−1", k, n)}
	}
	size := make([]int, k)
	for _, l := range lab {
		size[l]++
	}
	// sums[a*k+c] = Σ distance from point a to the points of cluster c.
	sums := make([]float64, n*k)
	for a := 0; a < n; a++ {
		pa := points[idx[a]]
		ra := sums[a*k : (a+1)*k]
		la := lab[a]
		for b := a + 1; b < n; b++ {
			dist := math.Sqrt(sqDist(pa, points[idx[b]]))
			ra[lab[b]] += dist
			sums[b*k+la] += dist
		}
	}
	total := 0.0
	for a := 0; a < n; a++ {
		la := lab[a]
		if size[la] == 1 {
			continue // s = 0
		}
		ai := sums[a*k+la] / float64(size[la]-1)
		bi := math.Inf(1)
		for c := 0; c < k; c++ {
			if c != la {
				if m := sums[a*k+c] / float64(size[c]); m < bi {
					bi = m
				}
			}
		}
		if m := math.Max(ai, bi); m > 0 {
			total += (bi - ai) / m
		}
	}
	return total / float64(n), nil
}

// KScore is the quality of one candidate number of clusters.
type KScore struct {
	K          int     `json:"k"`
	Silhouette float64 `json:"silhouette"`
	Inertia    float64 `json:"inertia"` // standardized units, see Clustering
}

// KChoice is the result of ChooseK: the clustering at the chosen K and the
// score of every K tried, in increasing K.
type KChoice struct {
	Best   Clustering
	Scores []KScore
}

// ChooseK clusters fm (z-scored, see Standardize) for every k in
// [kmin, kmax] with the given method and keeps the k with the highest mean
// silhouette (ties: the smaller k). For MethodKMeans each k is a KMeans run
// with opt; for MethodWard the Ward dendrogram is built once and cut at
// each k (opt is used only for the silhouette sample seed). kmax is lowered
// to the number of distinct rows and to n − 1 (the silhouette needs at
// least one cluster with two points).
//
// Errors: an *InputError (see Standardize) for bad input; an *InputError on
// "kmin" when kmin < 2 or kmin > kmax after lowering kmax (wrapping
// ErrTooManyClusters when it was lowered); one on "method" for an unknown
// method; WardLinkage's error above WardMaxPoints customers.
//
// Source: Rousseeuw (1987) for the silhouette; seed document section 3.3.2.
func ChooseK(fm FeatureMatrix, kmin, kmax int, method ClusterMethod, opt KMeansOptions) (KChoice, error) {
	z, scale, err := Standardize(fm)
	if err != nil {
		return KChoice{}, err
	}
	if method == "" {
		method = MethodKMeans
	}
	if method != MethodKMeans && method != MethodWard {
		return KChoice{}, &InputError{Row: -1, Field: "method", Err: fmt.Errorf("unknown clustering method %q; want kmeans or ward", method)}
	}
	if kmin < 2 {
		return KChoice{}, &InputError{Row: -1, Field: "kmin", Err: fmt.Errorf("kmin = %d; want at least 2", kmin)}
	}
	limit := min(kmax, len(z)-1)
	limit = min(limit, distinctRows(z, limit))
	if kmin > limit {
		err := fmt.Errorf("kmin = %d exceeds kmax = %d", kmin, kmax)
		if limit < kmax {
			err = fmt.Errorf("kmin = %d for at most %d separable clusters: %w", kmin, limit, ErrTooManyClusters)
		}
		return KChoice{}, &InputError{Row: -1, Field: "kmin", Err: err}
	}
	opt = opt.withDefaults()
	var dendro Dendrogram
	if method == MethodWard {
		if dendro, err = WardLinkage(z); err != nil {
			return KChoice{}, err
		}
	}
	var out KChoice
	bestScore := math.Inf(-1)
	for k := kmin; k <= limit; k++ {
		var c Clustering
		if method == MethodWard {
			c = wardClustering(z, dendro, k)
		} else {
			c = kmeansZ(z, k, opt, newPCG(opt.Seed)) // same as KMeans(fm, k, opt)
		}
		c.Scale = scale
		s, err := Silhouette(z, c.Labels, opt.Seed)
		if err != nil {
			return KChoice{}, fmt.Errorf("silhouette at k = %d: %w", k, err)
		}
		out.Scores = append(out.Scores, KScore{K: k, Silhouette: s, Inertia: c.Inertia})
		if s > bestScore {
			bestScore = s
			out.Best = c
		}
	}
	return out, nil
}
