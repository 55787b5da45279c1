package analytics

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"
	"time"
)

// readMMMCSV reads one of the PyMC-Marketing example files into columns.
func readMMMCSV(t testing.TB, name, dateCol string) ([]time.Time, map[string][]float64) {
	t.Helper()
	f, err := os.Open("../data/pymc-marketing-mmm/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	cols := map[string][]float64{}
	var weeks []time.Time
	for r, row := range rows[1:] {
		for i, h := range head {
			if h == dateCol {
				d, err := time.Parse("2006-01-02", row[i])
				if err != nil {
					t.Fatalf("row %d: %v", r, err)
				}
				weeks = append(weeks, d)
				continue
			}
			v, err := strconv.ParseFloat(row[i], 64)
			if err != nil {
				continue // e.g. quarter "2021Q4"
			}
			cols[h] = append(cols[h], v)
		}
	}
	return weeks, cols
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, v := range xs {
		s += v
	}
	return s
}
