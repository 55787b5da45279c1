package analytics

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// psiFloor replaces an empty bin's share in PSI, so that ln(a/e) stays
// finite (the usual convention; Siddiqi 2006 uses a small constant).
const psiFloor = 1e-4

// PSI returns the population stability index of one input between a
// baseline sample (the rows a model was trained on) and a current one:
//
//	PSI = Σ_b (a_b − e_b) · ln(a_b / e_b)
//
// over bins b, with e_b and a_b the baseline and current shares (an empty
// bin counts as 0.0001). A numeric column is cut at the baseline's deciles
// (fewer bins when values repeat), with missing values (NaN) a bin of
// their own; a categorical column has one bin per level ("" = missing).
// Rules of thumb (Siddiqi, Credit Risk Scorecards, 2006): below 0.1 no
// real shift, 0.1–0.25 moderate, above 0.25 a major shift. The columns
// must be of one kind; it returns an *InputError otherwise or when either
// is empty.
func PSI(baseline, current ModelColumn) (float64, error) {
	if baseline.Categorical() != current.Categorical() {
		return 0, &InputError{Row: -1, Field: baseline.Name, Err: fmt.Errorf("column kinds differ")}
	}
	nb, nc := max(len(baseline.Num), len(baseline.Cat)), max(len(current.Num), len(current.Cat))
	if nb == 0 || nc == 0 {
		return 0, &InputError{Row: -1, Field: baseline.Name, Err: ErrNoData}
	}
	var e, a map[string]float64
	if baseline.Categorical() {
		e, a = shares(baseline.Cat, func(s string) string { return s }), shares(current.Cat, func(s string) string { return s })
	} else {
		var vals []float64
		for _, v := range baseline.Num {
			if !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		var edges []float64 // upper bounds of bins 0..k−2; the last bin is open
		for q := 1; q < 10 && len(vals) > 0; q++ {
			k := q*len(vals)/10 - 1 // the q-th decile: the first q·n/10 values lie at or below it
			if k < 0 {
				continue
			}
			x := vals[k]
			if len(edges) == 0 || x > edges[len(edges)-1] {
				edges = append(edges, x)
			}
		}
		bin := func(v float64) string {
			if math.IsNaN(v) {
				return "missing"
			}
			return fmt.Sprint(sort.SearchFloat64s(edges, v)) // edges below v

		}
		e, a = shares(baseline.Num, bin), shares(current.Num, bin)
	}
	keys := map[string]bool{}
	for k := range e {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var psi float64
	for k := range keys {
		eb, ab := max(e[k], psiFloor), max(a[k], psiFloor)
		psi += (ab - eb) * math.Log(ab/eb)
	}
	return psi, nil
}

func shares[T any](v []T, bin func(T) string) map[string]float64 {
	out := map[string]float64{}
	for _, x := range v {
		out[bin(x)]++
	}
	for k := range out {
		out[k] /= float64(len(v))
	}
	return out
}
