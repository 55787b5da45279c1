package analytics

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The BenchmarkPeer* benchmarks are roibot's side of the peer comparison
// run by scripts/bench_peers.py (make bench-peers): they read their input
// from the folder named by ROIBOT_PEER_DIR, which the script writes and
// the peer library (scikit-learn, pyfim) reads too, and write their result
// there so the script can check that both sides agree before it compares
// times. Without ROIBOT_PEER_DIR they skip.

func peerDir(b *testing.B) string {
	b.Helper()
	dir := os.Getenv("ROIBOT_PEER_DIR")
	if dir == "" {
		b.Skip("ROIBOT_PEER_DIR not set (run scripts/bench_peers.py)")
	}
	return dir
}

// reportCPU reports the process CPU time per operation since start (from
// processCPUSeconds) as "cpu-s/op": on a shared machine it is steadier
// than the wall time.
func reportCPU(b *testing.B, start float64) {
	b.ReportMetric((processCPUSeconds()-start)/float64(b.N), "cpu-s/op")
}

func writePeerResult(b *testing.B, path string, v any) {
	b.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// readMatrixCSV reads a headerless CSV of numbers, one row per line.
func readMatrixCSV(path string) (FeatureMatrix, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return FeatureMatrix{}, err
	}
	var fm FeatureMatrix
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		fields := strings.Split(line, ",")
		row := make([]float64, len(fields))
		for j, f := range fields {
			if row[j], err = strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
				return FeatureMatrix{}, fmt.Errorf("%s line %d field %d: %w", path, i+1, j+1, err)
			}
		}
		fm.Rows = append(fm.Rows, row)
	}
	for j := range fm.Rows[0] {
		fm.Columns = append(fm.Columns, fmt.Sprintf("x%d", j))
	}
	return fm, nil
}

// BenchmarkPeerKMeans clusters ROIBOT_PEER_DIR/blobs.csv with KMeans
// (10 restarts, seed ROIBOT_PEER_SEED, default 1) for k = 5…8 and writes
// kmeans_k<k>.json with the
// inertia (standardized units) and iterations of the kept restart. The
// peer is scikit-learn's KMeans(n_init=10) on one thread on the same rows,
// standardized as Standardize does.
func BenchmarkPeerKMeans(b *testing.B) {
	dir := peerDir(b)
	fm, err := readMatrixCSV(filepath.Join(dir, "blobs.csv"))
	if err != nil {
		b.Fatal(err)
	}
	seed := uint64(1)
	if v := os.Getenv("ROIBOT_PEER_SEED"); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			b.Fatal(err)
		}
	}
	for k := 5; k <= 8; k++ {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			var res Clustering
			cpu := processCPUSeconds()
			for b.Loop() {
				if res, err = KMeans(fm, k, KMeansOptions{Seed: seed, Restarts: 10}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
			writePeerResult(b, filepath.Join(dir, fmt.Sprintf("kmeans_k%d.json", k)),
				map[string]any{"inertia": res.Inertia, "iterations": res.Iterations, "sizes": res.Sizes})
		})
	}
}

// BenchmarkPeerFPGrowth mines the frequent itemsets of the Online Retail
// baskets (all invoices at support 0.01, France at 0.07) and writes the
// baskets (baskets_<case>.txt: one basket per line, items separated by
// tabs) for the peer and the itemsets (itemsets_<case>.txt: one line per
// itemset, its count then its items sorted, tab-separated, lines sorted)
// for the check. Only FPGrowth is timed, from baskets of item names in
// memory, as pyfim's fpgrowth is from Python lists of strings.
func BenchmarkPeerFPGrowth(b *testing.B) {
	dir := peerDir(b)
	for _, c := range []struct {
		name, country string
		support       float64
	}{{"all", "", 0.01}, {"france", "France", 0.07}} {
		b.Run(c.name, func(b *testing.B) {
			baskets := retailBaskets(b, c.country).Items
			writeLines(b, filepath.Join(dir, "baskets_"+c.name+".txt"), len(baskets), func(i int) string {
				return strings.Join(baskets[i], "\t")
			})
			var fi FrequentItemsets
			cpu := processCPUSeconds()
			for b.Loop() {
				var err error
				if fi, err = FPGrowth(baskets, c.support); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
			sets := make([]string, len(fi.Itemsets))
			for i, s := range fi.Itemsets {
				sets[i] = strconv.Itoa(s.Count) + "\t" + strings.Join(s.Items, "\t")
			}
			slices.Sort(sets)
			writeLines(b, filepath.Join(dir, "itemsets_"+c.name+".txt"), len(sets), func(i int) string { return sets[i] })
			b.ReportMetric(float64(len(fi.Itemsets)), "itemsets")
		})
	}
}

func writeLines(b *testing.B, path string, n int, line func(int) string) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 0; i < n; i++ {
		w.WriteString(line(i))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}
