package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestSilhouette_Hand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		points [][]float64
		labels []int
		want   float64
	}{
		// s = (9.5/10.5 + 8.5/9.5 + 8.5/9.5 + 9.5/10.5) / 4.
		{"TwoPairs", [][]float64{{0}, {1}, {10}, {11}}, []int{0, 0, 1, 1}, (9.5/10.5 + 8.5/9.5) / 2},
		// Point 10 is alone (s = 0); point 0: a 1, b 10; point 1: a 1, b 9.
		{"Singleton", [][]float64{{0}, {1}, {10}}, []int{4, 4, 7}, (0.9 + 8.0/9) / 3},
		// Duplicates: a = 0, b > 0 gives s = 1.
		{"Duplicates", [][]float64{{2, 2}, {2, 2}, {5, 6}, {5, 6}}, []int{0, 0, 1, 1}, 1},
		// A bad partition: a = 10 for every point; b = 6, 5, 5, 6.
		{"Wrong", [][]float64{{0}, {10}, {1}, {11}}, []int{0, 0, 1, 1}, (-0.4 - 0.5 - 0.5 - 0.4) / 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Silhouette(tc.points, tc.labels, 0)
			if err != nil {
				t.Fatalf("Silhouette error: %v", err)
			}
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Silhouette(%v, %v) = %.12f; want %.12f", tc.points, tc.labels, got, tc.want)
			}
		})
	}
}

func TestSilhouette_Errors(t *testing.T) {
	pts := [][]float64{{0}, {1}, {2}}
	var ie *InputError
	for _, tc := range []struct {
		name   string
		points [][]float64
		labels []int
	}{
		{"OneCluster", pts, []int{0, 0, 0}},
		{"AllSingletons", pts, []int{0, 1, 2}},
		{"Lengths", pts, []int{0, 1}},
		{"Negative", pts, []int{0, -1, 1}},
		{"Empty", nil, nil},
	} {
		if _, err := Silhouette(tc.points, tc.labels, 0); !errors.As(err, &ie) {
			t.Errorf("Silhouette(%s) error = %v; want an InputError", tc.name, err)
		}
	}
}

// TestSilhouette_Sampled checks that above SilhouetteExactMax points the
// seeded sample is reproducible and close to the exact mean.
func TestSilhouette_Sampled(t *testing.T) {
	if testing.Short() {
		t.Skip("O(n²) on 12,000 points")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	n := SilhouetteExactMax + 2000
	pts := make([][]float64, n)
	labels := make([]int, n)
	for i := range pts {
		c := i % 3
		pts[i] = []float64{float64(4*c) + rng.NormFloat64(), rng.NormFloat64()}
		labels[i] = c
	}
	a, err := Silhouette(pts, labels, 11)
	if err != nil {
		t.Fatalf("Silhouette error: %v", err)
	}
	b, _ := Silhouette(pts, labels, 11)
	if a != b {
		t.Errorf("Silhouette(seed 11) twice = %v, %v; want equal", a, b)
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	exact, _ := silhouetteOf(pts, labels, all)
	if math.Abs(a-exact) > 0.01 {
		t.Errorf("sampled silhouette = %.4f; want within 0.01 of exact %.4f", a, exact)
	}
}

func TestChooseK(t *testing.T) {
	fm, blob := threeBlobs()
	for _, m := range []ClusterMethod{MethodKMeans, MethodWard} {
		t.Run(string(m), func(t *testing.T) {
			ch, err := ChooseK(fm, 2, 6, m, KMeansOptions{Seed: 1})
			if err != nil {
				t.Fatalf("ChooseK error: %v", err)
			}
			if ch.Best.K != 3 || ch.Best.Method != m {
				t.Errorf("ChooseK(3 blobs, %s) = k %d; want 3 (scores %+v)", m, ch.Best.K, ch.Scores)
			}
			if len(ch.Scores) != 5 || ch.Scores[0].K != 2 || ch.Scores[4].K != 6 {
				t.Fatalf("Scores = %+v; want k = 2..6", ch.Scores)
			}
			if !samePartition(ch.Best.Labels, blob) {
				t.Errorf("best labels = %v; want the blobs", ch.Best.Labels)
			}
			z, _, _ := Standardize(fm)
			s, _ := Silhouette(z, ch.Best.Labels, 0)
			if math.Abs(ch.Scores[1].Silhouette-s) > 1e-12 {
				t.Errorf("Scores[k=3].Silhouette = %v; want Silhouette(best) = %v", ch.Scores[1].Silhouette, s)
			}
		})
	}
	t.Run("SameAsKMeans", func(t *testing.T) {
		ch, _ := ChooseK(fm, 2, 4, MethodKMeans, KMeansOptions{Seed: 8, Restarts: 2})
		c, _ := KMeans(fm, ch.Best.K, KMeansOptions{Seed: 8, Restarts: 2})
		if !reflect.DeepEqual(ch.Best, c) {
			t.Errorf("ChooseK best differs from KMeans(k=%d) with the same options", ch.Best.K)
		}
	})
	t.Run("KmaxLowered", func(t *testing.T) {
		small := FeatureMatrix{Columns: []string{"v"}, Rows: [][]float64{{1}, {1}, {2}, {8}, {9}}}
		ch, err := ChooseK(small, 2, 10, MethodKMeans, KMeansOptions{})
		if err != nil {
			t.Fatalf("ChooseK error: %v", err)
		}
		if got := ch.Scores[len(ch.Scores)-1].K; got != 4 {
			t.Errorf("largest k tried = %d; want 4 (distinct points)", got)
		}
		_, err = ChooseK(small, 5, 10, MethodKMeans, KMeansOptions{})
		if !errors.Is(err, ErrTooManyClusters) {
			t.Errorf("ChooseK(kmin 5, 4 distinct) error = %v; want ErrTooManyClusters", err)
		}
	})
	t.Run("BadArgs", func(t *testing.T) {
		var ie *InputError
		if _, err := ChooseK(fm, 1, 4, MethodKMeans, KMeansOptions{}); !errors.As(err, &ie) || ie.Field != "kmin" {
			t.Errorf("ChooseK(kmin 1) error = %v; want InputError on kmin", err)
		}
		if _, err := ChooseK(fm, 2, 4, "dbscan", KMeansOptions{}); !errors.As(err, &ie) || ie.Field != "method" {
			t.Errorf("ChooseK(dbscan) error = %v; want InputError on method", err)
		}
	})
}

func ExampleSilhouette() {
	s, _ := Silhouette([][]float64{{0}, {1}, {10}, {11}}, []int{0, 0, 1, 1}, 0)
	fmt.Printf("%.4f\n", s)
	// Output: 0.8997
}

func ExampleChooseK() {
	fm := FeatureMatrix{
		Columns: []string{"x", "y"},
		Rows: [][]float64{
			{0, 0}, {0.5, 0.2}, {0.2, 0.4}, {10, 0}, {10.3, 0.5}, {9.8, 0.1}, {5, 9}, {5.4, 9.2}, {4.9, 8.7},
		},
	}
	ch, _ := ChooseK(fm, 2, 4, MethodKMeans, KMeansOptions{Seed: 1})
	for _, s := range ch.Scores {
		fmt.Printf("k=%d silhouette %.3f\n", s.K, s.Silhouette)
	}
	fmt.Println("chosen", ch.Best.K, ch.Best.Labels)
	// Output:
	// k=2 silhouette 0.572
	// k=3 silhouette 0.952
	// k=4 silhouette 0.775
	// chosen 3 [0 0 0 1 1 1 2 2 2]
}
