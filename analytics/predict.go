package analytics

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Model names accepted by FitConfig.Models.
const (
	ModelLogistic = "logistic"
	ModelTree     = "tree"
	ModelForest   = "forest"
	ModelAverage  = "average"
	ModelStack    = "stack"
)

// SingleModels are the base models, in report order.
var SingleModels = []string{ModelLogistic, ModelTree, ModelForest}

// Pipeline is an Encoder followed by a Classifier: it scores the rows of a
// ModelTable with the columns the encoder was fitted on.
type Pipeline struct {
	Encoder *Encoder
	Model   Classifier
}

// PredictTable encodes t and returns P(y = 1) per row.
func (p *Pipeline) PredictTable(t ModelTable) ([]float64, error) {
	X, err := p.Encoder.Transform(t, nil)
	if err != nil {
		return nil, err
	}
	return p.Model.Prob(X), nil
}

// FitConfig configures FitModels. Zero values take the defaults given.
type FitConfig struct {
	// Models to fit, from ModelLogistic, ModelTree, ModelForest,
	// ModelAverage and ModelStack (nil means all). The ensembles fit the
	// single models they combine even when those are not listed.
	Models []string
	// ValidationFraction and TestFraction of each class (0 means 0.2 each).
	ValidationFraction, TestFraction float64
	// Seed seeds the split, the folds, the forest and the permutations.
	Seed uint64
	// Balanced weights the classes n/(2·n_c) in every fit (ClassWeights);
	// false fits unweighted and relies on the validation-chosen threshold.
	Balanced bool
	// Logistic configures the logistic regression (C = 1 by default).
	Logistic LogisticConfig
	// Tree configures the single tree (MaxDepth 0 means 6, MinSamplesLeaf
	// 0 means 20).
	Tree TreeConfig
	// Forest configures the forest (Trees 0 means 300, Tree.MinSamplesLeaf
	// 0 means 5, Tree.MaxFeatures 0 means ⌊√p⌋).
	Forest ForestConfig
	// Folds is the number of stratified folds for the stacking model's
	// out-of-fold predictions (0 means 5).
	Folds int
	// ImportanceRepeats is how often each column is shuffled for
	// permutation importance (0 means 3; negative skips importance).
	ImportanceRepeats int
}

func (c *FitConfig) defaults() {
	if c.Models == nil {
		c.Models = []string{ModelLogistic, ModelTree, ModelForest, ModelAverage, ModelStack}
	}
	if c.ValidationFraction == 0 {
		c.ValidationFraction = 0.2
	}
	if c.TestFraction == 0 {
		c.TestFraction = 0.2
	}
	if c.Tree.MaxDepth == 0 {
		c.Tree.MaxDepth = 6
	}
	if c.Tree.MinSamplesLeaf == 0 {
		c.Tree.MinSamplesLeaf = 20
	}
	if c.Forest.Trees == 0 {
		c.Forest.Trees = 300
	}
	if c.Forest.Tree.MinSamplesLeaf == 0 {
		c.Forest.Tree.MinSamplesLeaf = 5
	}
	if c.Forest.Seed == 0 {
		c.Forest.Seed = c.Seed
	}
	if c.Folds == 0 {
		c.Folds = 5
	}
	if c.ImportanceRepeats == 0 {
		c.ImportanceRepeats = 3
	}
}

// ModelResult is one fitted model with its metrics on the validation rows
// (where its threshold was chosen) and on the untouched test rows.
type ModelResult struct {
	Name       string        `json:"model"`
	Params     string        `json:"params"`
	Validation BinaryMetrics `json:"validation"`
	Test       BinaryMetrics `json:"test"`
	// Importance is the permutation importance on the test rows.
	Importance []Importance `json:"importance,omitempty"`
	// Weights are the ensemble weights (average: of the probabilities;
	// stack: the meta-model's coefficients in log-odds per probability
	// unit), by model name.
	Weights map[string]float64 `json:"weights,omitempty"`
	// Predictor scores new rows.
	Predictor Predictor `json:"-"`
}

// FitResult is the output of FitModels.
type FitResult struct {
	Rows       int            `json:"rows"`
	Train      int            `json:"train_rows"`
	Validation int            `json:"validation_rows"`
	Test       int            `json:"test_rows"`
	Positives  int            `json:"positives"`
	Features   []string       `json:"features"`
	Missing    []MissingCount `json:"missing,omitempty"`
	Split      Split          `json:"-"`
	Models     []ModelResult  `json:"models"`
	// Best is the single model with the highest validation AUC, chosen
	// before the test rows are looked at.
	Best string `json:"best_single"`
	// Verdict says, on the test rows, whether each ensemble beat Best.
	Verdict string `json:"verdict,omitempty"`
	// Imbalance states how class imbalance was handled.
	Imbalance string `json:"imbalance"`
}

// Model returns the result of the named model, or nil.
func (r *FitResult) Model(name string) *ModelResult {
	for i := range r.Models {
		if r.Models[i].Name == name {
			return &r.Models[i]
		}
	}
	return nil
}

// FitModels fits and evaluates the predictive models of seed sections
// 3.3.2–3.3.3 and the ensembles of 3.4.2 on t: a stratified
// train/validation/test split (StratifiedSplit), one Encoder fitted on the
// training rows, each model fitted on the training rows, its threshold
// chosen on the validation rows (BestF1Threshold), and its metrics
// (Evaluate) and permutation importance computed on the untouched test
// rows. The ensembles are a weighted average of the single models'
// probabilities with weights (a 0.05 grid on the simplex) chosen by
// validation AUC, and stacking: a logistic meta-model (C = 1) on the
// single models' out-of-fold training predictions (Wolpert, "Stacked
// generalization", Neural Networks 5, 1992). It returns t.Validate's
// errors, an *InputError for an unknown model name and the fits' errors.
func FitModels(t ModelTable, cfg FitConfig) (*FitResult, error) {
	cfg.defaults()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, m := range cfg.Models {
		switch m {
		case ModelLogistic, ModelTree, ModelForest:
			want[m] = true
		case ModelAverage, ModelStack:
			want[m] = true
			for _, s := range SingleModels {
				want[s] = true
			}
		default:
			return nil, &InputError{Row: -1, Field: "models", Err: fmt.Errorf("unknown model %q (want %s, %s, %s, %s or %s)", m, ModelLogistic, ModelTree, ModelForest, ModelAverage, ModelStack)}
		}
	}
	split, err := StratifiedSplit(t.Target, cfg.ValidationFraction, cfg.TestFraction, cfg.Seed)
	if err != nil {
		return nil, err
	}
	enc, err := FitEncoder(t, split.Train)
	if err != nil {
		return nil, err
	}
	res := &FitResult{Rows: t.Rows(), Train: len(split.Train), Validation: len(split.Validation), Test: len(split.Test),
		Features: enc.Features, Missing: enc.Missing, Split: split}
	for _, y := range t.Target {
		if y {
			res.Positives++
		}
	}
	if cfg.Balanced {
		res.Imbalance = "class weights n/(2·n_c) in every fit; threshold maximising F1 on the validation rows"
	} else {
		res.Imbalance = "unweighted fits; threshold maximising F1 on the validation rows"
	}
	Xtr, _ := enc.Transform(t, split.Train)
	Xva, _ := enc.Transform(t, split.Validation)
	Xte, _ := enc.Transform(t, split.Test)
	ytr, yva, yte := pick(t.Target, split.Train), pick(t.Target, split.Validation), pick(t.Target, split.Test)
	wtr := ClassWeights(t.Target, split.Train, cfg.Balanced)
	testTable := t.Subset(split.Test)

	valP := map[string][]float64{}
	testP := map[string][]float64{}
	models := map[string]Classifier{}
	bestAUC := math.Inf(-1)
	for _, name := range SingleModels {
		if !want[name] {
			continue
		}
		m, params, err := fitSingle(name, Xtr, ytr, wtr, cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		models[name] = m
		valP[name], testP[name] = m.Prob(Xva), m.Prob(Xte)
		mr, err := evaluateModel(name, params, yva, yte, valP[name], testP[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		mr.Predictor = &Pipeline{Encoder: enc, Model: m}
		if mr.Validation.AUC > bestAUC {
			bestAUC, res.Best = mr.Validation.AUC, name
		}
		res.Models = append(res.Models, mr)
	}
	var bases []string
	for _, s := range SingleModels {
		if models[s] != nil {
			bases = append(bases, s)
		}
	}
	if want[ModelAverage] {
		w := averageWeights(yva, bases, valP)
		avg := &weightedAverage{names: bases, weights: w, models: models}
		mr, err := evaluateModel(ModelAverage, "weights chosen by validation AUC on a 0.05 grid", yva, yte, avg.mix(bases, valP), avg.mix(bases, testP))
		if err != nil {
			return nil, err
		}
		mr.Weights = map[string]float64{}
		for k, b := range bases {
			mr.Weights[b] = w[k]
		}
		mr.Predictor = &Pipeline{Encoder: enc, Model: avg}
		res.Models = append(res.Models, mr)
	}
	if want[ModelStack] {
		folds, err := StratifiedKFold(ytr, allRows(len(ytr)), cfg.Folds, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("stack: %w", err)
		}
		oof := make([][]float64, len(ytr))
		for i := range oof {
			oof[i] = make([]float64, len(bases))
		}
		for _, fold := range folds {
			fitRows := outsideFold(len(ytr), fold)
			Xf, yf, wf := pickRows(Xtr, fitRows), pick(ytr, fitRows), pick(wtr, fitRows)
			Xo := pickRows(Xtr, fold)
			for k, b := range bases {
				m, _, err := fitSingle(b, Xf, yf, wf, cfg)
				if err != nil {
					return nil, fmt.Errorf("stack fold %s: %w", b, err)
				}
				for r, p := range m.Prob(Xo) {
					oof[fold[r]][k] = p
				}
			}
		}
		meta, err := FitLogistic(oof, ytr, wtr, LogisticConfig{C: 1})
		if err != nil {
			return nil, fmt.Errorf("stack meta-model: %w", err)
		}
		st := &stacked{names: bases, models: models, meta: meta}
		mr, err := evaluateModel(ModelStack, fmt.Sprintf("logistic meta-model (C=1) on %d-fold out-of-fold probabilities", cfg.Folds), yva, yte, st.combine(bases, valP), st.combine(bases, testP))
		if err != nil {
			return nil, err
		}
		_, coef := meta.Original()
		mr.Weights = map[string]float64{}
		for k, b := range bases {
			mr.Weights[b] = coef[k]
		}
		mr.Predictor = &Pipeline{Encoder: enc, Model: st}
		res.Models = append(res.Models, mr)
	}
	if cfg.ImportanceRepeats > 0 {
		var avg *weightedAverage
		var st *stacked
		for _, m := range res.Models {
			pl := m.Predictor.(*Pipeline)
			switch c := pl.Model.(type) {
			case *weightedAverage:
				avg = c
			case *stacked:
				st = c
			}
		}
		// Score every model from one encoding of each permuted table: the
		// ensembles reuse the single models' probabilities.
		scoreAll := func(tt ModelTable) (map[string][]float64, error) {
			X, err := enc.Transform(tt, nil)
			if err != nil {
				return nil, err
			}
			out := map[string][]float64{}
			for _, b := range bases {
				out[b] = models[b].Prob(X)
			}
			if avg != nil {
				out[ModelAverage] = avg.mix(bases, out)
			}
			if st != nil {
				out[ModelStack] = st.combine(bases, out)
			}
			return out, nil
		}
		imps, err := permutationImportanceAll(scoreAll, testTable, cfg.ImportanceRepeats, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("importance: %w", err)
		}
		for i := range res.Models {
			res.Models[i].Importance = imps[res.Models[i].Name]
		}
	}
	// Keep only the requested models in the report.
	res.Models = slices.DeleteFunc(res.Models, func(m ModelResult) bool { return !slices.Contains(cfg.Models, m.Name) })
	res.Verdict = ensembleVerdict(res)
	return res, nil
}

func ensembleVerdict(res *FitResult) string {
	var best *ModelResult
	for i := range res.Models {
		if res.Models[i].Name == res.Best {
			best = &res.Models[i]
		}
	}
	if best == nil {
		return ""
	}
	var parts []string
	for _, m := range res.Models {
		if m.Name != ModelAverage && m.Name != ModelStack {
			continue
		}
		d := m.Test.AUC - best.Test.AUC
		switch {
		case d > 0:
			parts = append(parts, fmt.Sprintf("%s beats the best single model (%s, chosen on validation) on the test rows: AUC %.4f vs %.4f (+%.4f)", m.Name, best.Name, m.Test.AUC, best.Test.AUC, d))
		default:
			parts = append(parts, fmt.Sprintf("%s does not beat the best single model (%s, chosen on validation) on the test rows: AUC %.4f vs %.4f (%.4f)", m.Name, best.Name, m.Test.AUC, best.Test.AUC, d))
		}
	}
	return strings.Join(parts, "; ")
}

func fitSingle(name string, X [][]float64, y []bool, w []float64, cfg FitConfig) (Classifier, string, error) {
	switch name {
	case ModelLogistic:
		m, err := FitLogistic(X, y, w, cfg.Logistic)
		c := cfg.Logistic.C
		if c == 0 {
			c = 1
		}
		return m, fmt.Sprintf("L2 logistic regression, C=%g, standardised inputs", c), err
	case ModelTree:
		m, err := FitTree(X, y, w, cfg.Tree)
		return m, fmt.Sprintf("CART, gini, max_depth=%d, min_samples_leaf=%d", cfg.Tree.MaxDepth, cfg.Tree.MinSamplesLeaf), err
	case ModelForest:
		m, err := FitForest(X, y, w, cfg.Forest)
		mf := "sqrt(p)"
		if cfg.Forest.Tree.MaxFeatures > 0 {
			mf = fmt.Sprint(cfg.Forest.Tree.MaxFeatures)
		}
		depth := "none"
		if cfg.Forest.Tree.MaxDepth > 0 {
			depth = fmt.Sprint(cfg.Forest.Tree.MaxDepth)
		}
		return m, fmt.Sprintf("random forest, %d trees, max_features=%s, min_samples_leaf=%d, max_depth=%s, bootstrap", cfg.Forest.Trees, mf, cfg.Forest.Tree.MinSamplesLeaf, depth), err
	}
	return nil, "", fmt.Errorf("unknown model %q", name)
}

func evaluateModel(name, params string, yva, yte []bool, pva, pte []float64) (ModelResult, error) {
	thr := BestF1Threshold(yva, pva)
	v, err := Evaluate(yva, pva, thr)
	if err != nil {
		return ModelResult{}, fmt.Errorf("validation: %w", err)
	}
	te, err := Evaluate(yte, pte, thr)
	if err != nil {
		return ModelResult{}, fmt.Errorf("test: %w", err)
	}
	return ModelResult{Name: name, Params: params, Validation: v, Test: te}, nil
}

func pick[T any](v []T, rows []int) []T {
	out := make([]T, len(rows))
	for k, i := range rows {
		out[k] = v[i]
	}
	return out
}

func pickRows(X [][]float64, rows []int) [][]float64 { return pick(X, rows) }

// averageWeights searches the simplex on a 0.05 grid for the weights of the
// named models' probabilities with the highest AUC on (y, p); ties keep the
// first found (grid order), which favours the earlier models.
func averageWeights(y []bool, names []string, p map[string][]float64) []float64 {
	const steps = 20
	k := len(names)
	best := make([]float64, k)
	best[0] = 1
	bestAUC := math.Inf(-1)
	cur := make([]int, k)
	mix := make([]float64, len(y))
	var rec func(i, left int)
	rec = func(i, left int) {
		if i == k-1 {
			cur[i] = left
			clear(mix)
			for j, nm := range names {
				wj := float64(cur[j]) / steps
				if wj == 0 {
					continue
				}
				for r, v := range p[nm] {
					mix[r] += wj * v
				}
			}
			if a, err := AUC(y, mix); err == nil && a > bestAUC+1e-12 {
				bestAUC = a
				for j := range best {
					best[j] = float64(cur[j]) / steps
				}
			}
			return
		}
		for c := left; c >= 0; c-- {
			cur[i] = c
			rec(i+1, left-c)
		}
	}
	rec(0, steps)
	return best
}

// weightedAverage is the weighted-average ensemble over encoded rows.
type weightedAverage struct {
	names   []string
	weights []float64
	models  map[string]Classifier
}

func (a *weightedAverage) Prob(X [][]float64) []float64 {
	p := map[string][]float64{}
	for k, n := range a.names {
		if a.weights[k] > 0 {
			p[n] = a.models[n].Prob(X)
		}
	}
	return a.mix(a.names, p)
}

func (a *weightedAverage) mix(names []string, p map[string][]float64) []float64 {
	var out []float64
	for k, n := range names {
		if a.weights[k] == 0 {
			continue
		}
		if out == nil {
			out = make([]float64, len(p[n]))
		}
		for i, v := range p[n] {
			out[i] += a.weights[k] * v
		}
	}
	return out
}

// stacked is the stacking ensemble over encoded rows.
type stacked struct {
	names  []string
	models map[string]Classifier
	meta   *LogisticModel
}

func (s *stacked) Prob(X [][]float64) []float64 {
	p := map[string][]float64{}
	for _, n := range s.names {
		p[n] = s.models[n].Prob(X)
	}
	return s.combine(s.names, p)
}

func (s *stacked) combine(names []string, p map[string][]float64) []float64 {
	n := len(p[names[0]])
	Z := make([][]float64, n)
	for i := range Z {
		Z[i] = make([]float64, len(names))
		for k, nm := range names {
			Z[i][k] = p[nm][i]
		}
	}
	return s.meta.Prob(Z)
}

// OutOfFold returns, for every row of t, the probability given by the named
// model (a single model, or ModelAverage with the given weights per single
// model) fitted on the other k − 1 of k stratified folds (an encoder fitted
// on those rows too): each row is scored by a model that never saw it, so
// the probabilities rank rows honestly, training rows included
// (scikit-learn's cross_val_predict). cfg configures the fits as in
// FitModels. It returns an *InputError for ModelStack or an unknown name,
// and StratifiedKFold's and the fits' errors.
func OutOfFold(t ModelTable, model string, weights map[string]float64, cfg FitConfig, k int) ([]float64, error) {
	cfg.defaults()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	need := map[string]float64{}
	switch model {
	case ModelLogistic, ModelTree, ModelForest:
		need[model] = 1
	case ModelAverage:
		for n, w := range weights {
			if w > 0 {
				need[n] = w
			}
		}
	default:
		return nil, &InputError{Row: -1, Field: "model", Err: fmt.Errorf("out-of-fold scores for %q are not supported (want logistic, tree, forest or average)", model)}
	}
	folds, err := StratifiedKFold(t.Target, allRows(t.Rows()), k, cfg.Seed)
	if err != nil {
		return nil, err
	}
	out := make([]float64, t.Rows())
	for _, fold := range folds {
		fitRows := outsideFold(t.Rows(), fold)
		enc, err := FitEncoder(t, fitRows)
		if err != nil {
			return nil, err
		}
		Xf, _ := enc.Transform(t, fitRows)
		Xo, _ := enc.Transform(t, fold)
		yf := pick(t.Target, fitRows)
		wf := ClassWeights(t.Target, fitRows, cfg.Balanced)
		for _, name := range SingleModels {
			w, ok := need[name]
			if !ok {
				continue
			}
			m, _, err := fitSingle(name, Xf, yf, wf, cfg)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for r, p := range m.Prob(Xo) {
				out[fold[r]] += w * p
			}
		}
	}
	return out, nil
}

// outsideFold returns the rows 0..n−1 not in fold, in increasing order:
// the rows a cross-validation model is fitted on.
func outsideFold(n int, fold []int) []int {
	in := make([]bool, n)
	for _, i := range fold {
		in[i] = true
	}
	var rows []int
	for i, f := range in {
		if !f {
			rows = append(rows, i)
		}
	}
	return rows
}

// ModelMetrics are one fitted model's headline figures.
type ModelMetrics struct {
	Model         string  `json:"model"`
	ValidationAUC float64 `json:"validation_auc"`
	TestAUC       float64 `json:"test_auc"`
	Brier         float64 `json:"brier"`
	F1            float64 `json:"f1"`
	LiftTop10     float64 `json:"lift_top_10pct"`
}

// Metrics returns the headline figures of every model of r.
func (r *FitResult) Metrics() []ModelMetrics {
	out := make([]ModelMetrics, len(r.Models))
	for i, m := range r.Models {
		out[i] = ModelMetrics{Model: m.Name, ValidationAUC: m.Validation.AUC, TestAUC: m.Test.AUC, Brier: m.Test.Brier, F1: m.Test.F1}
		if len(m.Test.Gains) > 0 {
			out[i].LiftTop10 = m.Test.Gains[0].Lift
		}
	}
	return out
}

// ModelVersion is one stored version of a trained model (seed section
// 3.4.3, deployment): what was trained on which window, how it scored, and
// whether answers use it.
type ModelVersion struct {
	Name        string            `json:"name"`
	Version     int               `json:"version"`
	TrainedAt   time.Time         `json:"trained_at"`
	WindowFrom  time.Time         `json:"window_from"`
	WindowTo    time.Time         `json:"window_to"`
	DataThrough time.Time         `json:"data_through"`
	Features    []string          `json:"features"`
	Model       string            `json:"model"`
	Params      map[string]string `json:"params"`
	Metrics     []ModelMetrics    `json:"metrics"`
	// HoldoutAUC is the chosen model's AUC on the latest holdout rows.
	HoldoutAUC float64 `json:"holdout_auc"`
	Active     bool    `json:"active"`
	Note       string  `json:"note,omitempty"`
}
