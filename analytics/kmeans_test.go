package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// threeBlobs returns 3 well-separated blobs of 30 points each around
// (0,0), (10,0) and (5,9) (seeded normal noise, SD 0.6) with their blob
// index per row.
func threeBlobs() (FeatureMatrix, []int) {
	centers := [][2]float64{{0, 0}, {10, 0}, {5, 9}}
	rng := rand.New(rand.NewPCG(42, 1))
	fm := FeatureMatrix{Columns: []string{"x", "y"}}
	var blob []int
	for i := 0; i < 90; i++ {
		c := centers[i%3]
		fm.Rows = append(fm.Rows, []float64{c[0] + 0.6*rng.NormFloat64(), c[1] + 0.6*rng.NormFloat64()})
		blob = append(blob, i%3)
	}
	return fm, blob
}

// samePartition reports whether two labelings group rows identically.
func samePartition(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	ab, ba := map[int]int{}, map[int]int{}
	for i := range a {
		if x, ok := ab[a[i]]; ok && x != b[i] {
			return false
		}
		if y, ok := ba[b[i]]; ok && y != a[i] {
			return false
		}
		ab[a[i]], ba[b[i]] = b[i], a[i]
	}
	return true
}

func TestStandardize(t *testing.T) {
	fm := FeatureMatrix{
		Columns: []string{"frequency", "country_uk", "monetary"},
		Rows:    [][]float64{{1, 1, 10}, {2, 1, 10}, {3, 1, 40}, {4, 1, 40}},
	}
	z, s, err := Standardize(fm)
	if err != nil {
		t.Fatalf("Standardize error: %v", err)
	}
	if !slices.Equal(s.Constant, []string{"country_uk"}) {
		t.Errorf("Constant = %v; want [country_uk]", s.Constant)
	}
	// frequency: mean 2.5, population SD sqrt(1.25); monetary: mean 25, SD 15.
	wantMean, wantSD := []float64{2.5, 1, 25}, []float64{math.Sqrt(1.25), 0, 15}
	for j := range wantMean {
		if math.Abs(s.Mean[j]-wantMean[j]) > 1e-12 || math.Abs(s.StdDev[j]-wantSD[j]) > 1e-12 {
			t.Errorf("column %s mean, SD = %v, %v; want %v, %v", fm.Columns[j], s.Mean[j], s.StdDev[j], wantMean[j], wantSD[j])
		}
	}
	want := [][]float64{{-1.5 / math.Sqrt(1.25), 0, -1}, {-0.5 / math.Sqrt(1.25), 0, -1}, {0.5 / math.Sqrt(1.25), 0, 1}, {1.5 / math.Sqrt(1.25), 0, 1}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(z[i][j]-want[i][j]) > 1e-12 {
				t.Errorf("z[%d][%d] = %v; want %v", i, j, z[i][j], want[i][j])
			}
		}
	}
	if got := s.Unscale(z[2]); math.Abs(got[0]-3) > 1e-12 || got[1] != 1 || math.Abs(got[2]-40) > 1e-12 {
		t.Errorf("Unscale(z[2]) = %v; want [3 1 40]", got)
	}
	t.Run("NaN", func(t *testing.T) {
		_, _, err := Standardize(FeatureMatrix{Columns: []string{"a"}, Rows: [][]float64{{1}, {math.NaN()}}})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Row != 1 || ie.Field != "a" {
			t.Errorf("Standardize(NaN) error = %v; want InputError row 1 field a", err)
		}
	})
	t.Run("Ragged", func(t *testing.T) {
		_, _, err := Standardize(FeatureMatrix{Columns: []string{"a", "b"}, Rows: [][]float64{{1, 2}, {3}}})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Row != 1 {
			t.Errorf("Standardize(ragged) error = %v; want InputError row 1", err)
		}
	})
}

func TestKMeans(t *testing.T) {
	t.Run("ThreeBlobs", func(t *testing.T) {
		fm, blob := threeBlobs()
		c, err := KMeans(fm, 3, KMeansOptions{Seed: 1})
		if err != nil {
			t.Fatalf("KMeans error: %v", err)
		}
		if !samePartition(c.Labels, blob) {
			t.Errorf("KMeans(3 blobs, k=3) labels = %v; want the blobs %v", c.Labels, blob)
		}
		if !slices.Equal(c.Sizes, []int{30, 30, 30}) {
			t.Errorf("Sizes = %v; want [30 30 30]", c.Sizes)
		}
		// Inertia recomputed from the labels and centroids.
		z, _, _ := Standardize(fm)
		in := 0.0
		for i, l := range c.Labels {
			in += sqDist(z[i], c.Centroids[l])
		}
		if math.Abs(in-c.Inertia) > 1e-9 {
			t.Errorf("Inertia = %v; want Σ‖z−c‖² = %v", c.Inertia, in)
		}
		// Centroid of blob 0 in original units is near (0,0).
		x := c.Scale.Unscale(c.Centroids[c.Labels[0]])
		if math.Hypot(x[0], x[1]) > 0.5 {
			t.Errorf("centroid of blob (0,0) = %v; want within 0.5 of (0,0)", x)
		}
	})
	t.Run("SameSeedSameOutput", func(t *testing.T) {
		fm, _ := threeBlobs()
		a, err1 := KMeans(fm, 4, KMeansOptions{Seed: 99, Restarts: 3})
		b, err2 := KMeans(fm, 4, KMeansOptions{Seed: 99, Restarts: 3})
		if err1 != nil || err2 != nil {
			t.Fatalf("KMeans errors: %v, %v", err1, err2)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("KMeans(seed 99) twice differ:\n%+v\n%+v", a, b)
		}
	})
	t.Run("Duplicates", func(t *testing.T) {
		// 3 distinct points, each repeated; k = 3 puts each value in its own cluster.
		fm := FeatureMatrix{Columns: []string{"v"}, Rows: [][]float64{{1}, {1}, {1}, {5}, {5}, {9}, {1}, {9}}}
		c, err := KMeans(fm, 3, KMeansOptions{Seed: 3})
		if err != nil {
			t.Fatalf("KMeans(duplicates, k=3) error: %v", err)
		}
		if want := []int{0, 0, 0, 1, 1, 2, 0, 2}; !slices.Equal(c.Labels, want) {
			t.Errorf("labels = %v; want %v", c.Labels, want)
		}
		if c.Inertia > 1e-12 {
			t.Errorf("Inertia = %v; want 0", c.Inertia)
		}
		_, err = KMeans(fm, 4, KMeansOptions{Seed: 3})
		var ie *InputError
		if !errors.Is(err, ErrTooManyClusters) || !errors.As(err, &ie) || ie.Field != "k" {
			t.Errorf("KMeans(3 distinct points, k=4) error = %v; want InputError on k wrapping ErrTooManyClusters", err)
		}
	})
	t.Run("ConstantColumn", func(t *testing.T) {
		fm, blob := threeBlobs()
		withConst := FeatureMatrix{Columns: []string{"x", "const", "y"}}
		for _, r := range fm.Rows {
			withConst.Rows = append(withConst.Rows, []float64{r[0], 7, r[1]})
		}
		c, err := KMeans(withConst, 3, KMeansOptions{Seed: 1})
		if err != nil {
			t.Fatalf("KMeans(constant column) error: %v", err)
		}
		if !slices.Equal(c.Scale.Constant, []string{"const"}) {
			t.Errorf("Scale.Constant = %v; want [const]", c.Scale.Constant)
		}
		if !samePartition(c.Labels, blob) {
			t.Errorf("labels with a constant column = %v; want the blobs", c.Labels)
		}
		for _, cent := range c.Centroids {
			if cent[1] != 0 {
				t.Errorf("centroid %v has z(const) = %v; want 0", cent, cent[1])
			}
		}
	})
	t.Run("KAboveN", func(t *testing.T) {
		fm := FeatureMatrix{Columns: []string{"v"}, Rows: [][]float64{{1}, {2}}}
		_, err := KMeans(fm, 3, KMeansOptions{})
		var ie *InputError
		if !errors.Is(err, ErrTooManyClusters) || !errors.As(err, &ie) || ie.Field != "k" {
			t.Errorf("KMeans(n=2, k=3) error = %v; want InputError on k wrapping ErrTooManyClusters", err)
		}
		if _, err := KMeans(fm, 0, KMeansOptions{}); !errors.As(err, &ie) || ie.Field != "k" {
			t.Errorf("KMeans(k=0) error = %v; want InputError on k", err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if _, err := KMeans(FeatureMatrix{Columns: []string{"v"}}, 2, KMeansOptions{}); !errors.Is(err, ErrNoData) {
			t.Errorf("KMeans(no rows) error = %v; want ErrNoData", err)
		}
	})
}

// TestLloyd_EmptyClusterRepair starts Lloyd from centres 0, 100, 1 on the
// points 0, 1, 2, 10: the centre at 100 attracts nobody, so the point
// farthest from its centre (10, at distance 9 from 1) is moved into it.
func TestLloyd_EmptyClusterRepair(t *testing.T) {
	labels, centers, inertia, _ := lloyd([]float64{0, 1, 2, 10}, 4, 1, 3, 100, 0, []float64{0, 100, 1})
	if want := []int{0, 2, 2, 1}; !slices.Equal(labels, want) {
		t.Errorf("labels = %v; want %v", labels, want)
	}
	if want := []float64{0, 10, 1.5}; !slices.Equal(centers, want) {
		t.Errorf("centres = %v; want %v", centers, want)
	}
	if math.Abs(inertia-0.5) > 1e-12 {
		t.Errorf("inertia = %v; want 0.5", inertia)
	}
}

func TestProfileClusters(t *testing.T) {
	values := FeatureMatrix{
		Columns: []string{"recency_days", "frequency", "monetary"},
		Rows:    [][]float64{{10, 10, 1000}, {300, 1, 50}, {20, 8, 800}, {280, 2, 70}},
	}
	p, err := ProfileClusters(values, []int{0, 1, 0, 1}, nil)
	if err != nil {
		t.Fatalf("ProfileClusters error: %v", err)
	}
	wantMean := []float64{152.5, 5.25, 480}
	wantSD := []float64{math.Sqrt(18968.75), math.Sqrt(14.6875), math.Sqrt(181450)}
	for j := range wantMean {
		if math.Abs(p.Mean[j]-wantMean[j]) > 1e-9 || math.Abs(p.StdDev[j]-wantSD[j]) > 1e-9 {
			t.Errorf("overall %s = %v ± %v; want %v ± %v", p.Columns[j], p.Mean[j], p.StdDev[j], wantMean[j], wantSD[j])
		}
	}
	want := []struct {
		name     string
		centroid []float64
	}{
		// Relative: recency −0.998, monetary +0.986, frequency +0.979.
		{"recent high-value", []float64{15, 9, 900}},
		{"lapsed low-spend", []float64{290, 1.5, 60}},
	}
	for c, w := range want {
		cp := p.Clusters[c]
		if cp.Name != w.name || cp.Size != 2 || cp.Share != 0.5 {
			t.Errorf("cluster %d = %q size %d share %v; want %q size 2 share 0.5", c, cp.Name, cp.Size, cp.Share, w.name)
		}
		for j := range w.centroid {
			if math.Abs(cp.Centroid[j]-w.centroid[j]) > 1e-9 {
				t.Errorf("centroid[%d] %s = %v; want %v", c, p.Columns[j], cp.Centroid[j], w.centroid[j])
			}
		}
	}
	if r := p.Clusters[0].Relative[0]; math.Abs(r-(15-152.5)/math.Sqrt(18968.75)) > 1e-12 {
		t.Errorf("relative recency of cluster 0 = %v; want %v", r, (15-152.5)/math.Sqrt(18968.75))
	}
	t.Run("Errors", func(t *testing.T) {
		if _, err := ProfileClusters(values, []int{0, 2, 0, 2}, nil); err == nil {
			t.Errorf("ProfileClusters(empty cluster 1) error = nil; want an InputError")
		}
		if _, err := ProfileClusters(values, []int{0, 1}, nil); err == nil {
			t.Errorf("ProfileClusters(2 labels, 4 rows) error = nil; want an InputError")
		}
	})
}

func TestNameClusters(t *testing.T) {
	p := SegmentProfile{
		Columns: []string{"tenure_days", "orders", "frequency"},
		Clusters: []ClusterProfile{
			{Relative: []float64{0.1, -0.2, 0.24}},  // nothing above 0.25
			{Relative: []float64{-0.3, 1.5, 0.9}},   // strongest: orders, frequency
			{Relative: []float64{-0.3, 0.9, 1.5}},   // strongest: frequency, orders
			{Relative: []float64{0.3, -0.1, 0.0}},   // one term
			{Relative: []float64{-0.25, 2, 1.0}},    // same words as cluster 1
			{Relative: []float64{0.05, -0.1, 0.01}}, // average again
		},
	}
	got := NameClusters(p, nil)
	want := []string{"average", "high orders frequent", "frequent high orders", "long-standing", "high orders frequent (2)", "average (2)"}
	if !slices.Equal(got, want) {
		t.Errorf("NameClusters = %q; want %q", got, want)
	}
	custom := NameClusters(p, map[string]FeatureTerms{"orders": {High: "busy", Low: "quiet"}})
	if custom[1] != "busy high frequency" {
		t.Errorf("NameClusters(custom)[1] = %q; want %q", custom[1], "busy high frequency")
	}
}

func ExampleKMeans() {
	fm := FeatureMatrix{
		Columns: []string{"frequency", "monetary"},
		Rows:    [][]float64{{1, 20}, {2, 25}, {1, 22}, {12, 900}, {14, 1000}, {13, 950}},
	}
	c, _ := KMeans(fm, 2, KMeansOptions{Seed: 1})
	fmt.Println(c.Labels, c.Sizes)
	for _, z := range c.Centroids {
		fmt.Printf("%.1f\n", c.Scale.Unscale(z))
	}
	// Output:
	// [0 0 0 1 1 1] [3 3]
	// [1.3 22.3]
	// [13.0 950.0]
}

func ExampleProfileClusters() {
	values := FeatureMatrix{
		Columns: []string{"recency_days", "frequency", "monetary"},
		Rows:    [][]float64{{10, 10, 1000}, {300, 1, 50}, {20, 8, 800}, {280, 2, 70}},
	}
	p, _ := ProfileClusters(values, []int{0, 1, 0, 1}, nil)
	for _, c := range p.Clusters {
		fmt.Printf("%d %q size %d share %.2f centroid %v\n", c.Cluster, c.Name, c.Size, c.Share, c.Centroid)
	}
	// Output:
	// 0 "recent high-value" size 2 share 0.50 centroid [15 9 900]
	// 1 "lapsed low-spend" size 2 share 0.50 centroid [290 1.5 60]
}

// BenchmarkKMeans100kx8 clusters 100,000 seeded points in 8 dimensions
// (8 Gaussian blobs) into k = 8 with 3 restarts; data generation is
// outside the timer.
func BenchmarkKMeans100kx8(b *testing.B) {
	const n, d, k = 100_000, 8, 8
	rng := rand.New(rand.NewPCG(2026, 8))
	centers := make([][]float64, k)
	for c := range centers {
		centers[c] = make([]float64, d)
		for j := range centers[c] {
			centers[c][j] = 10 * rng.Float64()
		}
	}
	fm := FeatureMatrix{Columns: make([]string, d), Rows: make([][]float64, n)}
	for j := range fm.Columns {
		fm.Columns[j] = fmt.Sprintf("f%d", j)
	}
	for i := range fm.Rows {
		c := centers[rng.IntN(k)]
		r := make([]float64, d)
		for j := range r {
			r[j] = c[j] + rng.NormFloat64()
		}
		fm.Rows[i] = r
	}
	var res Clustering
	for b.Loop() {
		var err error
		res, err = KMeans(fm, k, KMeansOptions{Seed: 1, Restarts: 3})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Iterations), "iterations")
}

// blobPoints returns n seeded points in d dimensions around g Gaussian
// centres (coordinates uniform in [0, spread), unit noise), flat n × d.
func blobPoints(n, d, g int, spread float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	centers := make([]float64, g*d)
	for i := range centers {
		centers[i] = spread * rng.Float64()
	}
	x := make([]float64, n*d)
	for i := 0; i < n; i++ {
		c := rng.IntN(g)
		for j := 0; j < d; j++ {
			x[i*d+j] = centers[c*d+j] + rng.NormFloat64()
		}
	}
	return x
}

// plainLloyd is the textbook Lloyd algorithm with the stopping rules of
// lloyd (labels unchanged, or summed squared centre shift ≤ tol), without
// bounds: the reference the Hamerly-accelerated lloyd must reproduce.
func plainLloyd(x []float64, n, d, k, maxIter int, tol float64, centers []float64) ([]int, []float64, float64, int) {
	labels := make([]int, n)
	assign := func() (bool, float64) {
		changed, in := false, 0.0
		for i := 0; i < n; i++ {
			bl, bd := 0, math.Inf(1)
			for c := 0; c < k; c++ {
				if v := sqDist(x[i*d:(i+1)*d], centers[c*d:(c+1)*d]); v < bd {
					bl, bd = c, v
				}
			}
			if labels[i] != bl {
				changed = true
			}
			labels[i] = bl
			in += bd
		}
		return changed, in
	}
	assign()
	iters := 0
	for iters < maxIter {
		iters++
		prev := slices.Clone(centers)
		sums, counts := make([]float64, k*d), make([]int, k)
		for i, l := range labels {
			counts[l]++
			for j := 0; j < d; j++ {
				sums[l*d+j] += x[i*d+j]
			}
		}
		for c := 0; c < k; c++ {
			for j := 0; j < d; j++ {
				centers[c*d+j] = sums[c*d+j] / float64(counts[c])
			}
		}
		if sqDist(centers, prev) <= tol {
			break
		}
		if changed, _ := assign(); !changed {
			break
		}
	}
	_, in := assign()
	return labels, centers, in, iters
}

// TestLloyd_HamerlyMatchesPlain checks that the bounds never change a
// label: lloyd and the textbook plainLloyd, from the same seeding, reach
// the same labels, centres, inertia and iteration count on overlapping
// blobs, where points do change clusters for many iterations.
func TestLloyd_HamerlyMatchesPlain(t *testing.T) {
	const n, d = 3000, 4
	x := blobPoints(n, d, 6, 4, 11)
	for _, k := range []int{2, 5, 9} {
		for seed := uint64(1); seed <= 3; seed++ {
			init := kmeansPP(x, n, d, k, newPCG(seed)).centers
			gl, gc, gi, git := lloyd(x, n, d, k, 300, 0, slices.Clone(init))
			wl, wc, wi, wit := plainLloyd(x, n, d, k, 300, 0, slices.Clone(init))
			// From the seeding's own bounds, as KMeans runs it.
			fl, fc, fi, fit := lloydFrom(x, n, d, k, 300, 0, kmeansPP(x, n, d, k, newPCG(seed)))
			if !slices.Equal(fl, wl) || fit != wit || fi != gi || !slices.Equal(fc, gc) {
				t.Errorf("k=%d seed %d: lloydFrom(seeding) differs from plain Lloyd (iterations %d vs %d, inertia %v vs %v)", k, seed, fit, wit, fi, wi)
			}
			if !slices.Equal(gl, wl) || git != wit {
				t.Errorf("k=%d seed %d: lloyd labels differ from plain Lloyd (iterations %d vs %d)", k, seed, git, wit)
			}
			if math.Abs(gi-wi) > 1e-9*wi || sqDist(gc, wc) > 1e-18*float64(k) {
				t.Errorf("k=%d seed %d: lloyd inertia %v centres %v; plain Lloyd %v %v", k, seed, gi, gc, wi, wc)
			}
			if git < 3 {
				t.Errorf("k=%d seed %d: converged in %d iterations; the test wants points that move", k, seed, git)
			}
		}
	}
}

// TestKMeansPP_Greedy checks the greedy seeding against a direct
// transcription of scikit-learn's _kmeans_plusplus (every candidate's
// potential computed from all distances, no pruning), drawing the same
// random numbers: the centres must be identical.
func TestKMeansPP_Greedy(t *testing.T) {
	const n, d = 2000, 3
	x := blobPoints(n, d, 5, 6, 3)
	for _, k := range []int{1, 2, 7, 20} {
		seed := kmeansPP(x, n, d, k, newPCG(5))
		got := seed.centers
		rng := newPCG(5)
		want := make([]float64, 0, k*d)
		first := rng.IntN(n)
		want = append(want, x[first*d:(first+1)*d]...)
		closest := make([]float64, n)
		for i := range closest {
			closest[i] = sqDist(x[i*d:(i+1)*d], want[:d])
		}
		trials := 2 + int(math.Log(float64(k)))
		for c := 1; c < k; c++ {
			pot := 0.0
			cum := make([]float64, n)
			for i, v := range closest {
				pot += v
				cum[i] = pot
			}
			bestPot, bestID, bestD := math.Inf(1), -1, []float64(nil)
			ids := make([]int, trials)
			for t := range ids {
				r := rng.Float64() * pot
				i := 0
				for i < n-1 && (cum[i] <= r || closest[i] == 0) {
					i++
				}
				ids[t] = i
			}
			for _, id := range ids {
				dd := make([]float64, n)
				p := 0.0
				for i := range dd {
					dd[i] = min(closest[i], sqDist(x[i*d:(i+1)*d], x[id*d:(id+1)*d]))
					p += dd[i]
				}
				if p < bestPot {
					bestPot, bestID, bestD = p, id, dd
				}
			}
			want = append(want, x[bestID*d:(bestID+1)*d]...)
			closest = bestD
		}
		if !slices.Equal(got, want) {
			t.Errorf("kmeansPP(k=%d) = %v; want %v", k, got, want)
		}
		// The returned nearest centres and bounds are those of a full scan.
		full := seedFromCenters(x, n, d, k, got)
		for i := 0; i < n; i++ {
			if seed.nearest[i] != full.nearest[i] || seed.dist[i] != full.dist[i] || seed.second[i] > full.second[i] {
				t.Fatalf("kmeansPP(k=%d) point %d: nearest %d at %v, second ≥ %v; full scan %d at %v, second %v",
					k, i, seed.nearest[i], seed.dist[i], seed.second[i], full.nearest[i], full.dist[i], full.second[i])
			}
		}
	}
}

// TestKMeans_GreedySeedingConverges: on 8 overlapping blobs the greedy
// k-means++ seeding (best of 2 + ⌊ln k⌋ candidates per centre) starts
// closer to the optimum than drawing a single candidate: over 10 seedings
// its mean potential Σ min ‖x − c‖² is lower.
func TestKMeans_GreedySeedingConverges(t *testing.T) {
	const n, d, k = 4000, 4, 8
	x := blobPoints(n, d, 8, 5, 21)
	var greedyPot, singlePot float64
	rng := newPCG(9)
	for r := 0; r < 10; r++ {
		greedyPot += potential(x, n, d, kmeansPP(x, n, d, k, rng).centers)
	}
	rng = newPCG(9)
	for r := 0; r < 10; r++ {
		singlePot += potential(x, n, d, singleCandidatePP(x, n, d, k, rng))
	}
	if greedyPot >= singlePot {
		t.Errorf("mean seeding potential greedy %v; want below single-candidate %v", greedyPot/10, singlePot/10)
	}
}

// potential is Σ_i min_c ‖x_i − c‖² for flat centres.
func potential(x []float64, n, d int, centers []float64) float64 {
	p := 0.0
	for i := 0; i < n; i++ {
		b := math.Inf(1)
		for c := 0; c < len(centers)/d; c++ {
			b = min(b, sqDist(x[i*d:(i+1)*d], centers[c*d:(c+1)*d]))
		}
		p += b
	}
	return p
}

// singleCandidatePP is plain k-means++ (one D² draw per centre).
func singleCandidatePP(x []float64, n, d, k int, rng *rand.Rand) []float64 {
	centers := append([]float64(nil), x[rng.IntN(n)*d:][:d]...)
	for c := 1; c < k; c++ {
		dist := make([]float64, n)
		sum := 0.0
		for i := range dist {
			dist[i] = math.Inf(1)
			for m := 0; m < c; m++ {
				dist[i] = min(dist[i], sqDist(x[i*d:(i+1)*d], centers[m*d:(m+1)*d]))
			}
			sum += dist[i]
		}
		r, acc, pick := rng.Float64()*sum, 0.0, n-1
		for i, v := range dist {
			if acc += v; acc > r {
				pick = i
				break
			}
		}
		centers = append(centers, x[pick*d:(pick+1)*d]...)
	}
	return centers
}
