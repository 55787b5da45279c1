package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// ErrOneClass means a binary target (or a split of it) holds only one class,
// so no classifier can be fitted or no AUC computed.
var ErrOneClass = errors.New("target has only one class")

// ModelColumn is one input column of a ModelTable: numeric (Num, with NaN
// for a missing value) or categorical (Cat, with "" for a missing value).
// Exactly one of Num and Cat is non-nil, with one entry per row.
type ModelColumn struct {
	Name string
	Num  []float64
	Cat  []string
}

// Categorical reports whether c is a categorical column.
func (c ModelColumn) Categorical() bool { return c.Cat != nil }

// ModelTable is the input of the predictive models (seed section 3.3): one
// row per case (customer, contact, …), Columns of inputs in their own units,
// a binary Target (true = the event, e.g. churned, responded, subscribed)
// and optional IDs (one per row, carried only).
type ModelTable struct {
	Columns []ModelColumn
	Target  []bool
	IDs     []string
}

// Rows returns the number of rows of t.
func (t ModelTable) Rows() int { return len(t.Target) }

// Validate checks that every column has one value per target entry, that
// numeric values are finite or NaN (missing), that column names are unique
// and non-empty, and that IDs, when present, match the rows. It returns an
// *InputError naming the column (and row) at fault.
func (t ModelTable) Validate() error {
	n := len(t.Target)
	if n == 0 || len(t.Columns) == 0 {
		return &InputError{Row: -1, Field: "rows", Err: ErrNoData}
	}
	if len(t.IDs) != 0 && len(t.IDs) != n {
		return &InputError{Row: -1, Field: "ids", Err: fmt.Errorf("%d ids for %d rows", len(t.IDs), n)}
	}
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if c.Name == "" {
			return &InputError{Row: -1, Field: "columns", Err: errors.New("a column has no name")}
		}
		if seen[c.Name] {
			return &InputError{Row: -1, Field: c.Name, Err: errors.New("duplicate column name")}
		}
		seen[c.Name] = true
		if (c.Num == nil) == (c.Cat == nil) {
			return &InputError{Row: -1, Field: c.Name, Err: errors.New("column must be either numeric or categorical")}
		}
		if l := max(len(c.Num), len(c.Cat)); l != n {
			return &InputError{Row: -1, Field: c.Name, Err: fmt.Errorf("%d values for %d rows", l, n)}
		}
		for i, v := range c.Num {
			if math.IsInf(v, 0) {
				return &InputError{Row: i, Field: c.Name, Err: fmt.Errorf("value %v is not finite", v)}
			}
		}
	}
	return nil
}

// Subset returns the rows of t listed in rows, in that order (columns share
// no storage with t).
func (t ModelTable) Subset(rows []int) ModelTable {
	out := ModelTable{Target: make([]bool, len(rows)), Columns: make([]ModelColumn, len(t.Columns))}
	for k, i := range rows {
		out.Target[k] = t.Target[i]
	}
	if len(t.IDs) != 0 {
		out.IDs = make([]string, len(rows))
		for k, i := range rows {
			out.IDs[k] = t.IDs[i]
		}
	}
	for j, c := range t.Columns {
		nc := ModelColumn{Name: c.Name}
		if c.Cat != nil {
			nc.Cat = make([]string, len(rows))
			for k, i := range rows {
				nc.Cat[k] = c.Cat[i]
			}
		} else {
			nc.Num = make([]float64, len(rows))
			for k, i := range rows {
				nc.Num[k] = c.Num[i]
			}
		}
		out.Columns[j] = nc
	}
	return out
}

// Drop returns t without the named columns; it returns an *InputError for a
// name that is not a column.
func (t ModelTable) Drop(names ...string) (ModelTable, error) {
	out := t
	out.Columns = nil
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	for _, c := range t.Columns {
		if drop[c.Name] {
			delete(drop, c.Name)
			continue
		}
		out.Columns = append(out.Columns, c)
	}
	for n := range drop {
		return ModelTable{}, &InputError{Row: -1, Field: n, Err: errors.New("no such column")}
	}
	return out, nil
}

// MissingCount is how many values of one input column were missing in the
// rows an Encoder was fitted on, and what was done about it.
type MissingCount struct {
	Column string `json:"column"`
	Count  int    `json:"count"`
	// Action is "median" (numeric: imputed with the training median, plus a
	// 0/1 indicator column NAME=missing) or "category" (categorical: a level
	// of its own, NAME=(missing)).
	Action string `json:"action"`
}

// Encoder turns a ModelTable into a dense design matrix: numeric columns
// pass through (missing values imputed with the training median, plus an
// indicator column when the training rows had any missing), categorical
// columns are one-hot encoded with one 0/1 column per level seen in
// training (all levels kept, as scikit-learn's OneHotEncoder; a level
// unseen in training encodes as all zeros; a missing value is the level
// "(missing)"). Fit it on training rows only, so that no information from
// validation or test rows leaks into the features.
type Encoder struct {
	// Features names the design-matrix columns: the numeric column's name,
	// NAME=missing, or NAME=LEVEL for a one-hot column.
	Features []string
	// Missing lists the columns with missing values in the training rows.
	Missing []MissingCount
	cols    []encCol
	source  []int // source[f] = input column index of feature f
}

type encCol struct {
	name    string
	cat     bool
	median  float64
	missing bool           // numeric: emit an indicator
	levels  map[string]int // categorical: level → offset
	first   int            // first feature index
}

// missingLevel is the level a missing categorical value encodes as.
const missingLevel = "(missing)"

// FitEncoder learns an Encoder from the rows of t listed in rows (all rows
// when rows is nil). Levels are ordered lexically. It returns t.Validate's
// errors and an *InputError for a numeric column with no value in those rows.
func FitEncoder(t ModelTable, rows []int) (*Encoder, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if rows == nil {
		rows = allRows(t.Rows())
	}
	e := &Encoder{}
	for j, c := range t.Columns {
		ec := encCol{name: c.Name, cat: c.Categorical(), first: len(e.Features)}
		miss := 0
		if ec.cat {
			set := map[string]bool{}
			for _, i := range rows {
				v := c.Cat[i]
				if v == "" {
					miss++
					v = missingLevel
				}
				set[v] = true
			}
			levels := make([]string, 0, len(set))
			for v := range set {
				levels = append(levels, v)
			}
			sort.Strings(levels)
			ec.levels = make(map[string]int, len(levels))
			for k, v := range levels {
				ec.levels[v] = k
				e.Features = append(e.Features, c.Name+"="+v)
				e.source = append(e.source, j)
			}
			if miss > 0 {
				e.Missing = append(e.Missing, MissingCount{Column: c.Name, Count: miss, Action: "category"})
			}
		} else {
			vals := make([]float64, 0, len(rows))
			for _, i := range rows {
				if math.IsNaN(c.Num[i]) {
					miss++
					continue
				}
				vals = append(vals, c.Num[i])
			}
			if len(vals) == 0 {
				return nil, &InputError{Row: -1, Field: c.Name, Err: errors.New("no value in the training rows")}
			}
			ec.median = median(vals)
			e.Features = append(e.Features, c.Name)
			e.source = append(e.source, j)
			if miss > 0 {
				ec.missing = true
				e.Features = append(e.Features, c.Name+"=missing")
				e.source = append(e.source, j)
				e.Missing = append(e.Missing, MissingCount{Column: c.Name, Count: miss, Action: "median"})
			}
		}
		e.cols = append(e.cols, ec)
	}
	return e, nil
}

// Source returns the input column name feature f was derived from.
func (e *Encoder) Source(f int) string { return e.cols[e.source[f]].name }

// Transform encodes the rows of t listed in rows (all rows when nil) into
// a len(rows) × len(e.Features) matrix. t must have the columns e was fitted
// on, by name and kind; otherwise it returns an *InputError naming the column.
func (e *Encoder) Transform(t ModelTable, rows []int) ([][]float64, error) {
	if rows == nil {
		rows = allRows(t.Rows())
	}
	idx := make([]int, len(e.cols))
	byName := map[string]int{}
	for j, c := range t.Columns {
		byName[c.Name] = j
	}
	for k, ec := range e.cols {
		j, ok := byName[ec.name]
		if !ok {
			return nil, &InputError{Row: -1, Field: ec.name, Err: errors.New("column missing from the table")}
		}
		if t.Columns[j].Categorical() != ec.cat {
			return nil, &InputError{Row: -1, Field: ec.name, Err: errors.New("column kind differs from training")}
		}
		idx[k] = j
	}
	p := len(e.Features)
	flat := make([]float64, len(rows)*p)
	X := make([][]float64, len(rows))
	for r, i := range rows {
		x := flat[r*p : (r+1)*p : (r+1)*p]
		for k, ec := range e.cols {
			c := t.Columns[idx[k]]
			if ec.cat {
				v := c.Cat[i]
				if v == "" {
					v = missingLevel
				}
				if off, ok := ec.levels[v]; ok {
					x[ec.first+off] = 1
				}
				continue
			}
			v := c.Num[i]
			if math.IsNaN(v) {
				v = ec.median
				if ec.missing {
					x[ec.first+1] = 1
				}
			}
			x[ec.first] = v
		}
		X[r] = x
	}
	return X, nil
}

func allRows(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Split holds row indices of a stratified train/validation/test split.
type Split struct {
	Train, Validation, Test []int
}

// StratifiedSplit splits the rows of target into train, validation and test
// sets whose sizes are the fractions (1 − valFrac − testFrac, valFrac,
// testFrac) of each class, rounded down for validation and test, so each
// part keeps the class balance. Rows are shuffled with a PCG generator
// seeded with seed; the same seed gives the same split. Each part is sorted
// ascending. It returns an *InputError for fractions outside [0, 1) that
// sum to 1 or more, and ErrOneClass when target holds one class only.
func StratifiedSplit(target []bool, valFrac, testFrac float64, seed uint64) (Split, error) {
	if valFrac < 0 || testFrac < 0 || valFrac+testFrac >= 1 {
		return Split{}, &InputError{Row: -1, Field: "fractions", Err: fmt.Errorf("validation %v + test %v must be in [0, 1)", valFrac, testFrac)}
	}
	pos, neg := classRows(target)
	if len(pos) == 0 || len(neg) == 0 {
		return Split{}, ErrOneClass
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var s Split
	for _, rows := range [][]int{neg, pos} {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		nt := int(float64(len(rows)) * testFrac)
		nv := int(float64(len(rows)) * valFrac)
		s.Test = append(s.Test, rows[:nt]...)
		s.Validation = append(s.Validation, rows[nt:nt+nv]...)
		s.Train = append(s.Train, rows[nt+nv:]...)
	}
	slices.Sort(s.Train)
	slices.Sort(s.Validation)
	slices.Sort(s.Test)
	return s, nil
}

// StratifiedKFold assigns each of rows to one of k folds so that every fold
// holds (to within one row) the same share of each class of target; it
// returns folds[f] = the rows of fold f, sorted. Shuffling is seeded. It
// returns an *InputError for k < 2 or k larger than the smaller class.
func StratifiedKFold(target []bool, rows []int, k int, seed uint64) ([][]int, error) {
	var pos, neg []int
	for _, i := range rows {
		if target[i] {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	if k < 2 || k > len(pos) || k > len(neg) {
		return nil, &InputError{Row: -1, Field: "k", Err: fmt.Errorf("k = %d folds need 2 ≤ k ≤ the smaller class (%d positive, %d negative rows)", k, len(pos), len(neg))}
	}
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	folds := make([][]int, k)
	next := 0
	for _, cls := range [][]int{neg, pos} {
		rng.Shuffle(len(cls), func(a, b int) { cls[a], cls[b] = cls[b], cls[a] })
		for _, i := range cls {
			folds[next%k] = append(folds[next%k], i)
			next++
		}
	}
	for _, f := range folds {
		slices.Sort(f)
	}
	return folds, nil
}

func classRows(target []bool) (pos, neg []int) {
	for i, y := range target {
		if y {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	return pos, neg
}

// ClassWeights returns per-row weights for the given rows: 1 for all rows
// when balanced is false; otherwise n / (2·n_c) for a row of class c, the
// "balanced" heuristic of King & Zeng (2001) as scikit-learn's
// class_weight="balanced", so both classes carry equal total weight.
func ClassWeights(target []bool, rows []int, balanced bool) []float64 {
	w := make([]float64, len(rows))
	var np float64
	for _, i := range rows {
		if target[i] {
			np++
		}
	}
	n := float64(len(rows))
	for k, i := range rows {
		switch {
		case !balanced:
			w[k] = 1
		case target[i]:
			w[k] = n / (2 * np)
		default:
			w[k] = n / (2 * (n - np))
		}
	}
	return w
}

// DatasetInfo describes a stored modelling dataset (roibot model import):
// its name, the file it came from, the target and ID columns, the input
// columns, and its size.
type DatasetInfo struct {
	Name       string    `json:"name"`
	Source     string    `json:"source"`
	Target     string    `json:"target"`
	IDColumn   string    `json:"id_column,omitempty"`
	Columns    []string  `json:"columns"`
	Rows       int       `json:"rows"`
	Positives  int       `json:"positives"`
	ImportedAt time.Time `json:"imported_at"`
}
