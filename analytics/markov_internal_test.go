package analytics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFirstOrderRemoval checks the one-factorization removal formula
// P_c = P − (G_0c / G_cc) h_c against solving each reduced system
// directly, on random chains with self-loops.
func TestFirstOrderRemoval(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 20 {
		m := 1 + rng.IntN(15)
		s := m + 3
		probs := make([]float64, s*s)
		for i := 0; i <= m; i++ {
			row := probs[i*s : (i+1)*s]
			var sum float64
			for j := 1; j < s; j++ {
				if rng.Float64() < 0.5 || j == m+2 { // always some way to null
					row[j] = rng.Float64()
					sum += row[j]
				}
			}
			for j := range row {
				row[j] /= sum
			}
		}
		base, removal, err := firstOrderRemoval(probs, s, m)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := absorption(probs, s, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(base-direct) > 1e-12 {
			t.Errorf("trial %d: firstOrderRemoval base = %v; want %v", trial, base, direct)
		}
		removed := make([]bool, m+1)
		for c := 1; c <= m; c++ {
			clear(removed)
			removed[c] = true
			want, err := absorption(probs, s, m, removed)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(removal[c-1]-want) > 1e-12 {
				t.Errorf("trial %d: P(conversion | state %d removed) = %.15f; want %.15f", trial, c, removal[c-1], want)
			}
		}
	}
}
