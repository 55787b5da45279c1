package analytics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// AUC returns the area under the ROC curve of scores p for labels y: the
// probability that a random positive scores above a random negative, ties
// counting one half, computed from mid-ranks as the Mann–Whitney statistic
//
//	AUC = (Σ_{i positive} rank_i − n₁(n₁+1)/2) / (n₁·n₀)
//
// (Hanley & McNeil, Radiology 143, 1982). It returns an *InputError for
// mismatched lengths or a NaN score, and ErrOneClass when y holds one class.
func AUC(y []bool, p []float64) (float64, error) {
	if len(y) != len(p) {
		return 0, &InputError{Row: -1, Field: "scores", Err: fmt.Errorf("%d scores for %d labels", len(p), len(y))}
	}
	idx := make([]int, len(p))
	for i := range idx {
		if math.IsNaN(p[i]) {
			return 0, &InputError{Row: i, Field: "scores", Err: fmt.Errorf("score is NaN")}
		}
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	var n1, n0, rankSum float64
	for a := 0; a < len(idx); {
		b := a
		for b < len(idx) && p[idx[b]] == p[idx[a]] {
			b++
		}
		mid := float64(a+b+1) / 2 // mean of ranks a+1 … b
		for _, i := range idx[a:b] {
			if y[i] {
				n1++
				rankSum += mid
			} else {
				n0++
			}
		}
		a = b
	}
	if n1 == 0 || n0 == 0 {
		return 0, ErrOneClass
	}
	return (rankSum - n1*(n1+1)/2) / (n1 * n0), nil
}

// Confusion is a confusion matrix at a threshold: a row is predicted
// positive when its probability is ≥ the threshold.
type Confusion struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	TN int `json:"tn"`
	FN int `json:"fn"`
}

// GainsRow is one row of a cumulative gains table: the top Fraction of
// rows by score hold Captured (a fraction) of all positives; Lift is the
// positive rate among them over the overall positive rate.
type GainsRow struct {
	Fraction float64 `json:"fraction"`
	Rows     int     `json:"rows"`
	Captured float64 `json:"captured"`
	Lift     float64 `json:"lift"`
}

// BinaryMetrics evaluates probabilities against binary labels.
type BinaryMetrics struct {
	Rows      int     `json:"rows"`
	Positives int     `json:"positives"`
	BaseRate  float64 `json:"base_rate"`
	AUC       float64 `json:"auc"`
	// Brier is the mean squared error of the probabilities (Brier, Monthly
	// Weather Review 78, 1950): lower is better calibrated; the base-rate
	// forecast scores BaseRate·(1 − BaseRate).
	Brier     float64   `json:"brier"`
	Threshold float64   `json:"threshold"`
	Confusion Confusion `json:"confusion"`
	Precision float64   `json:"precision"`
	Recall    float64   `json:"recall"`
	F1        float64   `json:"f1"`
	Accuracy  float64   `json:"accuracy"`
	// Gains is the cumulative gains table at the top 10 %, 20 %, … 100 %.
	Gains []GainsRow `json:"gains"`
}

// Evaluate computes BinaryMetrics of probabilities p against labels y at
// threshold: ROC AUC (see AUC), the Brier score, the confusion matrix,
// precision TP/(TP+FP), recall TP/(TP+FN), F1 = 2PR/(P+R) (0 when
// undefined), accuracy, and cumulative gains and lift by decile (rows
// ranked by p descending, ties kept in row order). It returns AUC's errors.
func Evaluate(y []bool, p []float64, threshold float64) (BinaryMetrics, error) {
	auc, err := AUC(y, p)
	if err != nil {
		return BinaryMetrics{}, err
	}
	m := BinaryMetrics{Rows: len(y), AUC: auc, Threshold: threshold}
	for i, yi := range y {
		d := p[i]
		if yi {
			m.Positives++
			d = 1 - p[i]
		}
		m.Brier += d * d
		switch pred := p[i] >= threshold; {
		case pred && yi:
			m.Confusion.TP++
		case pred:
			m.Confusion.FP++
		case yi:
			m.Confusion.FN++
		default:
			m.Confusion.TN++
		}
	}
	n := float64(len(y))
	m.Brier /= n
	m.BaseRate = float64(m.Positives) / n
	c := m.Confusion
	m.Precision = ratio(c.TP, c.TP+c.FP)
	m.Recall = ratio(c.TP, c.TP+c.FN)
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	m.Accuracy = float64(c.TP+c.TN) / n
	m.Gains = Gains(y, p, 10)
	return m, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Gains returns the cumulative gains table at k equal steps: row s covers
// the top ⌈s·n/k⌉ rows by p (descending, ties in row order). Lengths must
// match and y must hold a positive; otherwise it returns nil.
func Gains(y []bool, p []float64, k int) []GainsRow {
	if len(y) != len(p) || len(y) == 0 || k < 1 {
		return nil
	}
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	total := 0
	for _, v := range y {
		if v {
			total++
		}
	}
	if total == 0 {
		return nil
	}
	n := len(y)
	base := float64(total) / float64(n)
	out := make([]GainsRow, 0, k)
	hit, at := 0, 0
	for s := 1; s <= k; s++ {
		top := (s*n + k - 1) / k
		for ; at < top; at++ {
			if y[idx[at]] {
				hit++
			}
		}
		out = append(out, GainsRow{
			Fraction: float64(s) / float64(k),
			Rows:     top,
			Captured: float64(hit) / float64(total),
			Lift:     float64(hit) / float64(top) / base,
		})
	}
	return out
}

// BestF1Threshold returns the probability threshold that maximises F1 on
// (y, p): a row is positive when p ≥ threshold, and every distinct p is a
// candidate. It is chosen on validation rows, never on the test rows the
// threshold is then evaluated on; it is how the models handle class
// imbalance (a rare positive class gets a threshold below ½). It returns
// 0.5 when y has no positive.
func BestF1Threshold(y []bool, p []float64) float64 {
	idx := make([]int, len(p))
	total := 0
	for i := range idx {
		idx[i] = i
		if y[i] {
			total++
		}
	}
	if total == 0 {
		return 0.5
	}
	sort.Slice(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	bestF1, bestT := -1.0, 0.5
	tp, k := 0, 0
	for k < len(idx) {
		t := p[idx[k]]
		for k < len(idx) && p[idx[k]] == t {
			if y[idx[k]] {
				tp++
			}
			k++
		}
		f1 := 2 * float64(tp) / float64(k+total) // 2TP / (2TP + FP + FN)
		if f1 > bestF1 {
			bestF1, bestT = f1, t
		}
	}
	return bestT
}

// Predictor scores the rows of a ModelTable (an encoder plus a classifier,
// or an ensemble of them).
type Predictor interface {
	PredictTable(t ModelTable) ([]float64, error)
}

// Importance is the permutation importance of one input column: the mean
// drop in test AUC when its values are shuffled among the rows (Breiman
// 2001; scikit-learn's permutation_importance with scoring="roc_auc"), with
// the standard deviation over the repeats.
type Importance struct {
	Column string  `json:"column"`
	Drop   float64 `json:"auc_drop"`
	StdDev float64 `json:"std"`
}

// PermutationImportance returns the permutation importance of every column
// of t for model, each column shuffled repeats times (seeded PCG stream per
// column and repeat), sorted by Drop descending. t should hold rows the
// model was not fitted on (the test split). It returns the model's and
// AUC's errors.
func PermutationImportance(model Predictor, t ModelTable, repeats int, seed uint64) ([]Importance, error) {
	imp, err := permutationImportanceAll(func(tt ModelTable) (map[string][]float64, error) {
		p, err := model.PredictTable(tt)
		return map[string][]float64{"": p}, err
	}, t, repeats, seed)
	return imp[""], err
}

// permutationImportanceAll computes PermutationImportance for several
// models at once: score returns each model's probabilities for a table, so
// each column is shuffled (and the table encoded) once per repeat for all.
func permutationImportanceAll(score func(ModelTable) (map[string][]float64, error), t ModelTable, repeats int, seed uint64) (map[string][]Importance, error) {
	if repeats < 1 {
		repeats = 1
	}
	p, err := score(t)
	if err != nil {
		return nil, err
	}
	base := map[string]float64{}
	for name, pp := range p {
		if base[name], err = AUC(t.Target, pp); err != nil {
			return nil, err
		}
	}
	out := map[string][]Importance{}
	drops := map[string][]float64{}
	for j, c := range t.Columns {
		clear(drops)
		for r := range repeats {
			rng := rand.New(rand.NewPCG(seed+uint64(j), uint64(r)))
			pc := ModelColumn{Name: c.Name}
			perm := rng.Perm(t.Rows())
			if c.Cat != nil {
				pc.Cat = make([]string, len(c.Cat))
				for i, k := range perm {
					pc.Cat[i] = c.Cat[k]
				}
			} else {
				pc.Num = make([]float64, len(c.Num))
				for i, k := range perm {
					pc.Num[i] = c.Num[k]
				}
			}
			tt := t
			tt.Columns = slices.Clone(t.Columns)
			tt.Columns[j] = pc
			pp, err := score(tt)
			if err != nil {
				return nil, err
			}
			for name, v := range pp {
				a, err := AUC(t.Target, v)
				if err != nil {
					return nil, err
				}
				drops[name] = append(drops[name], base[name]-a)
			}
		}
		for name, ds := range drops {
			var mean, ss float64
			for _, d := range ds {
				mean += d
			}
			mean /= float64(len(ds))
			for _, d := range ds {
				ss += (d - mean) * (d - mean)
			}
			out[name] = append(out[name], Importance{Column: c.Name, Drop: mean, StdDev: math.Sqrt(ss / float64(len(ds)))})
		}
	}
	for _, imp := range out {
		sort.SliceStable(imp, func(a, b int) bool { return imp[a].Drop > imp[b].Drop })
	}
	return out, nil
}
