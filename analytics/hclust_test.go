package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestWardLinkage_Hand: 1-D points 5, 7, 0, 1. Squared distances: (0,1) 1,
// (5,7) 4; the chain starts at 5 and merges {5,7} first, so the merges must
// be re-sorted by height. Ward distance of {0,1} and {5,7}: centroids 0.5
// and 6, sqrt(2·(2·2/4)·5.5²) = sqrt(60.5). Same as SciPy's
// linkage([[5],[7],[0],[1]], "ward"): [[2,3,1,2],[0,1,2,2],[4,5,7.778175,4]].
func TestWardLinkage_Hand(t *testing.T) {
	dg, err := WardLinkage([][]float64{{5}, {7}, {0}, {1}})
	if err != nil {
		t.Fatalf("WardLinkage error: %v", err)
	}
	want := []Merge{{2, 3, 1, 2}, {0, 1, 2, 2}, {4, 5, math.Sqrt(60.5), 4}}
	if dg.N != 4 || len(dg.Merges) != 3 {
		t.Fatalf("WardLinkage = %+v; want N 4 and 3 merges", dg)
	}
	for i, w := range want {
		g := dg.Merges[i]
		if g.A != w.A || g.B != w.B || g.Size != w.Size || math.Abs(g.Height-w.Height) > 1e-12 {
			t.Errorf("merge %d = %+v; want %+v", i, g, w)
		}
	}
	for k, want := range map[int][]int{1: {0, 0, 0, 0}, 2: {0, 0, 1, 1}, 3: {0, 1, 2, 2}, 4: {0, 1, 2, 3}} {
		got, err := dg.Cut(k)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Cut(%d) = %v, %v; want %v", k, got, err, want)
		}
	}
	if _, err := dg.Cut(5); err == nil {
		t.Errorf("Cut(5) of 4 points error = nil; want an InputError")
	}
}

// naiveWard merges, at every step, the pair with the least increase of
// the within-cluster sum of squares n_a·n_b/(n_a+n_b)·‖c_a − c_b‖²,
// computed from centroids (O(n³)); it returns the sorted heights sqrt(2Δ)
// and the labels at every k.
func naiveWard(pts [][]float64) ([]float64, map[int][]int) {
	n := len(pts)
	members := make([][]int, n)
	for i := range members {
		members[i] = []int{i}
	}
	centroid := func(m []int) []float64 {
		c := make([]float64, len(pts[0]))
		for _, i := range m {
			for j, v := range pts[i] {
				c[j] += v / float64(len(m))
			}
		}
		return c
	}
	var heights []float64
	cuts := map[int][]int{}
	for len(members) > 1 {
		labels := make([]int, n)
		for c, m := range members {
			for _, i := range m {
				labels[i] = c
			}
		}
		cuts[len(members)] = labels
		ba, bb, best := -1, -1, math.Inf(1)
		for a := range members {
			for b := a + 1; b < len(members); b++ {
				na, nb := float64(len(members[a])), float64(len(members[b]))
				if v := na * nb / (na + nb) * sqDist(centroid(members[a]), centroid(members[b])); v < best {
					ba, bb, best = a, b, v
				}
			}
		}
		heights = append(heights, math.Sqrt(2*best))
		members[ba] = append(members[ba], members[bb]...)
		members = slices.Delete(members, bb, bb+1)
	}
	return heights, cuts
}

func TestWardLinkage_MatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([][]float64, 40)
	for i := range pts {
		pts[i] = []float64{rng.NormFloat64() + float64(i%4)*3, rng.NormFloat64(), rng.Float64()}
	}
	dg, err := WardLinkage(pts)
	if err != nil {
		t.Fatalf("WardLinkage error: %v", err)
	}
	heights, cuts := naiveWard(pts)
	for i, h := range heights {
		if math.Abs(dg.Merges[i].Height-h) > 1e-9 {
			t.Errorf("merge %d height = %.12f; want %.12f (naive Ward)", i, dg.Merges[i].Height, h)
		}
	}
	for k, want := range cuts {
		got, _ := dg.Cut(k)
		if !samePartition(got, want) {
			t.Errorf("Cut(%d) = %v; want the naive partition %v", k, got, want)
		}
	}
	if last := dg.Merges[len(dg.Merges)-1]; last.Size != 40 || last.A >= last.B {
		t.Errorf("last merge = %+v; want size 40 and A < B", last)
	}
}

func TestWardLinkage_Errors(t *testing.T) {
	var ie *InputError
	if _, err := WardLinkage(nil); !errors.Is(err, ErrNoData) {
		t.Errorf("WardLinkage(nil) error = %v; want ErrNoData", err)
	}
	big := make([][]float64, WardMaxPoints+1)
	for i := range big {
		big[i] = []float64{float64(i)}
	}
	if _, err := WardLinkage(big); !errors.As(err, &ie) || ie.Field != "points" {
		t.Errorf("WardLinkage(%d points) error = %v; want InputError on points", len(big), err)
	}
	if _, err := WardLinkage([][]float64{{1}, {math.Inf(1)}}); !errors.As(err, &ie) || ie.Row != 1 {
		t.Errorf("WardLinkage(Inf) error = %v; want InputError row 1", err)
	}
}

func TestWardClusters(t *testing.T) {
	fm, blob := threeBlobs()
	c, err := WardClusters(fm, 3)
	if err != nil {
		t.Fatalf("WardClusters error: %v", err)
	}
	if !samePartition(c.Labels, blob) || !slices.Equal(c.Sizes, []int{30, 30, 30}) || c.Method != MethodWard {
		t.Errorf("WardClusters(3 blobs, 3) = %v sizes %v; want the blobs", c.Labels, c.Sizes)
	}
	dup := FeatureMatrix{Columns: []string{"v"}, Rows: [][]float64{{1}, {1}, {4}}}
	if _, err := WardClusters(dup, 3); !errors.Is(err, ErrTooManyClusters) {
		t.Errorf("WardClusters(2 distinct, k=3) error = %v; want ErrTooManyClusters", err)
	}
}

func ExampleWardLinkage() {
	dg, _ := WardLinkage([][]float64{{5}, {7}, {0}, {1}})
	for _, m := range dg.Merges {
		fmt.Printf("%d+%d height %.4f size %d\n", m.A, m.B, m.Height, m.Size)
	}
	labels, _ := dg.Cut(2)
	fmt.Println(labels)
	// Output:
	// 2+3 height 1.0000 size 2
	// 0+1 height 2.0000 size 2
	// 4+5 height 7.7782 size 4
	// [0 0 1 1]
}
