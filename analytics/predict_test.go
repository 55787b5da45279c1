package analytics

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestFitLogistic(t *testing.T) {
	t.Run("MaximumLikelihoodClosedForm", func(t *testing.T) {
		// One binary input: the maximum-likelihood fit reproduces the
		// observed log-odds in each group (Hosmer & Lemeshow, ch. 2):
		// x=0: 1 of 3 positive → β₀ = log(1/2); x=1: 3 of 4 positive →
		// β₀+β₁ = log 3, so β₁ = log 3 − log ½ = log 6.
		X := [][]float64{{0}, {0}, {0}, {1}, {1}, {1}, {1}}
		y := []bool{true, false, false, true, true, true, false}
		m, err := FitLogistic(X, y, nil, LogisticConfig{C: 1e12})
		if err != nil {
			t.Fatal(err)
		}
		b0, b := m.Original()
		if !near(b0, math.Log(0.5), 1e-6) || !near(b[0], math.Log(6), 1e-6) {
			t.Errorf("FitLogistic = (%.8f, %.8f); want (log ½ = %.8f, log 6 = %.8f)", b0, b[0], math.Log(0.5), math.Log(6))
		}
		p := m.Prob([][]float64{{0}, {1}})
		if !near(p[0], 1.0/3, 1e-7) || !near(p[1], 0.75, 1e-7) {
			t.Errorf("Prob = %v; want [1/3 3/4]", p)
		}
	})
	t.Run("L2MatchesScikitLearn", func(t *testing.T) {
		// scikit-learn 1.9.1: LogisticRegression(C=1, tol=1e-12) on
		// StandardScaler output gives intercept ≈ 0, coef [0.94177871,
		// −0.88967197].
		X := [][]float64{{1, 0}, {2, 1}, {3, 0}, {4, 1}, {5, 0}, {6, 1}, {7, 0}, {8, 1}}
		y := []bool{false, false, true, false, true, false, true, true}
		m, err := FitLogistic(X, y, nil, LogisticConfig{C: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !near(m.Intercept, 0, 1e-7) || !near(m.Coef[0], 0.94177871, 1e-7) || !near(m.Coef[1], -0.88967197, 1e-7) {
			t.Errorf("FitLogistic = %.8f, %.8f; want 0, [0.94177871 −0.88967197]", m.Intercept, m.Coef)
		}
	})
	t.Run("OneClass", func(t *testing.T) {
		if _, err := FitLogistic([][]float64{{1}, {2}}, []bool{true, true}, nil, LogisticConfig{}); !errors.Is(err, ErrOneClass) {
			t.Errorf("err = %v; want ErrOneClass", err)
		}
	})
	t.Run("NaNNamesRow", func(t *testing.T) {
		_, err := FitLogistic([][]float64{{1}, {math.NaN()}}, []bool{true, false}, nil, LogisticConfig{})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Row != 1 {
			t.Errorf("err = %v; want an InputError at row 1", err)
		}
	})
}

// toy is the 8-row table worked by hand in TestFitTree.
func toy() ([][]float64, []bool) {
	x0 := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	x1 := []float64{1, 1, 0, 1, 0, 1, 0, 1}
	y := []bool{false, false, true, false, true, true, true, true}
	X := make([][]float64, 8)
	for i := range X {
		X[i] = []float64{x0[i], x1[i]}
	}
	return X, y
}

func TestFitTree(t *testing.T) {
	// By hand: the root (3 negative, 5 positive) has W·G = 8·(1 − 34/64) =
	// 3.75. On x0 the split after the 4th row (x0 ≤ 4.5) leaves (3−, 1+)
	// left, W·G = 4·(1 − 10/16) = 1.5, and a pure right: decrease 2.25, the
	// best of all x0 cuts; x1 ≤ 0.5 leaves (0−, 3+) and (3−, 2+), decrease
	// 3.75 − 0 − 5·(1 − 13/25) = 1.35. The left child then splits on
	// x1 ≤ 0.5 into two pure leaves (decrease 1.5).
	X, y := toy()
	tr, err := FitTree(X, y, nil, TreeConfig{})
	if err != nil {
		t.Fatal(err)
	}
	root := tr.Nodes[0]
	if root.Feature != 0 || root.Threshold != 4.5 || !near(root.Decrease, 2.25, 1e-12) {
		t.Fatalf("root = x%d ≤ %v (decrease %v); want x0 ≤ 4.5 (2.25)", root.Feature, root.Threshold, root.Decrease)
	}
	left, right := tr.Nodes[root.Left], tr.Nodes[root.Right]
	if left.Feature != 1 || left.Threshold != 0.5 || !near(left.Decrease, 1.5, 1e-12) || left.Rows != 4 {
		t.Errorf("left = x%d ≤ %v (decrease %v, %d rows); want x1 ≤ 0.5 (1.5, 4 rows)", left.Feature, left.Threshold, left.Decrease, left.Rows)
	}
	if right.Feature != -1 || right.Prob != 1 || right.Rows != 4 {
		t.Errorf("right = %+v; want a pure positive leaf of 4 rows", right)
	}
	if tr.Depth() != 2 || tr.Leaves() != 3 {
		t.Errorf("depth, leaves = %d, %d; want 2, 3", tr.Depth(), tr.Leaves())
	}
	if p := tr.Prob([][]float64{{3, 0}, {2, 1}, {9, 9}}); !slices.Equal(p, []float64{1, 0, 1}) {
		t.Errorf("Prob = %v; want [1 0 1]", p)
	}
	t.Run("DepthAndLeafLimits", func(t *testing.T) {
		tr, _ := FitTree(X, y, nil, TreeConfig{MaxDepth: 1})
		if tr.Depth() != 1 || tr.Nodes[tr.Nodes[0].Left].Prob != 0.25 {
			t.Errorf("MaxDepth 1: depth %d, left prob %v; want 1, 0.25", tr.Depth(), tr.Nodes[tr.Nodes[0].Left].Prob)
		}
		// With at least 4 rows per leaf only the 4|4 cut on x0 is allowed.
		tr, _ = FitTree(X, y, nil, TreeConfig{MinSamplesLeaf: 4})
		if tr.Leaves() != 2 || tr.Nodes[0].Threshold != 4.5 {
			t.Errorf("MinSamplesLeaf 4: %d leaves, root ≤ %v; want 2, 4.5", tr.Leaves(), tr.Nodes[0].Threshold)
		}
	})
	t.Run("Weights", func(t *testing.T) {
		// Weight 3 on row 3 (x0 = 4, negative) makes the leaf (5−, 1+) left
		// of x0 ≤ 4.5 predict 1/6 at depth 1.
		w := []float64{1, 1, 1, 3, 1, 1, 1, 1}
		tr, _ := FitTree(X, y, w, TreeConfig{MaxDepth: 1})
		if l := tr.Nodes[tr.Nodes[0].Left]; tr.Nodes[0].Threshold != 4.5 || !near(l.Prob, 1.0/6, 1e-12) {
			t.Errorf("weighted root ≤ %v, left prob %v; want 4.5, 1/6", tr.Nodes[0].Threshold, l.Prob)
		}
	})
}

func TestFitForest(t *testing.T) {
	X, y := toy()
	a, err := FitForest(X, y, nil, ForestConfig{Trees: 25, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := FitForest(X, y, nil, ForestConfig{Trees: 25, Seed: 7})
	pa, pb := a.Prob(X), b.Prob(X)
	if !slices.Equal(pa, pb) {
		t.Errorf("same seed gave %v and %v", pa, pb)
	}
	// The forest's probability is the mean of its trees'.
	var s float64
	for _, tr := range a.Trees {
		s += tr.Prob(X[:1])[0]
	}
	if !near(pa[0], s/25, 1e-15) {
		t.Errorf("forest prob %v; want mean of trees %v", pa[0], s/25)
	}
	if auc, _ := AUC(y, pa); auc < 0.9 {
		t.Errorf("training AUC = %v; want ≥ 0.9 on a separable toy", auc)
	}
}

func TestAUC(t *testing.T) {
	// Hand count over the 3×2 positive–negative pairs: the positive at 0.9
	// ties the negative at 0.9 (½) and beats 0.3 (1); 0.5 beats 0.3 (1)
	// but not 0.9; 0.2 beats neither: 2.5/6.
	y := []bool{true, false, true, false, true}
	p := []float64{0.9, 0.9, 0.5, 0.3, 0.2}
	got, err := AUC(y, p)
	if err != nil || !near(got, 2.5/6, 1e-15) {
		t.Errorf("AUC = %v, %v; want 2.5/6", got, err)
	}
	if _, err := AUC([]bool{true}, []float64{1}); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: err = %v; want ErrOneClass", err)
	}
	if got, _ := AUC([]bool{true, false}, []float64{0.5, 0.5}); got != 0.5 {
		t.Errorf("all tied: AUC = %v; want 0.5", got)
	}
}

func TestEvaluate(t *testing.T) {
	y := []bool{true, false, true, false, true, false, false, false, false, false}
	p := []float64{0.9, 0.8, 0.7, 0.6, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1}
	m, err := Evaluate(y, p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	// Predicted positive: 0.9, 0.8, 0.7, 0.6 → TP 2, FP 2; FN 1, TN 5.
	if m.Confusion != (Confusion{TP: 2, FP: 2, TN: 5, FN: 1}) {
		t.Errorf("confusion = %+v; want TP 2 FP 2 TN 5 FN 1", m.Confusion)
	}
	if !near(m.Precision, 0.5, 1e-15) || !near(m.Recall, 2.0/3, 1e-15) || !near(m.F1, 4.0/7, 1e-15) || !near(m.Accuracy, 0.7, 1e-15) {
		t.Errorf("P, R, F1, acc = %v, %v, %v, %v; want 1/2, 2/3, 4/7, 0.7", m.Precision, m.Recall, m.F1, m.Accuracy)
	}
	// Brier: (0.1² + 0.8² + 0.3² + 0.6² + 0.8² + 5·0.1²)/10 = 1.79/10.
	if !near(m.Brier, 0.179, 1e-12) {
		t.Errorf("Brier = %v; want 0.179", m.Brier)
	}
	// Top 10 % (1 row) holds 1 of 3 positives: lift (1/1)/(3/10) = 10/3;
	// top 30 % holds 2: lift (2/3)/(3/10) = 20/9.
	if g := m.Gains; len(g) != 10 || !near(g[0].Captured, 1.0/3, 1e-15) || !near(g[0].Lift, 10.0/3, 1e-12) || !near(g[2].Lift, 20.0/9, 1e-12) || g[9].Captured != 1 {
		t.Errorf("gains = %+v", g)
	}
	// F1 by threshold: 0.9 → 2/4; 0.8 → 2/5; 0.7 → 4/6; 0.6 → 4/7; 0.2 → 6/8 (best).
	if thr := BestF1Threshold(y, p); thr != 0.2 {
		t.Errorf("BestF1Threshold = %v; want 0.2", thr)
	}
}

func TestEncoder(t *testing.T) {
	tbl := ModelTable{
		Target: []bool{true, false, true, false},
		Columns: []ModelColumn{
			{Name: "age", Num: []float64{30, math.NaN(), 50, 40}},
			{Name: "job", Cat: []string{"b", "a", "", "b"}},
		},
	}
	enc, err := FitEncoder(tbl, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"age", "age=missing", "job=(missing)", "job=a", "job=b"}
	if !slices.Equal(enc.Features, want) {
		t.Fatalf("features = %v; want %v", enc.Features, want)
	}
	X, _ := enc.Transform(tbl, nil)
	// Row 1's age is imputed with the training median of {30, 50} = 40.
	if !slices.Equal(X[1], []float64{40, 1, 0, 1, 0}) || !slices.Equal(X[2], []float64{50, 0, 1, 0, 0}) {
		t.Errorf("X = %v", X)
	}
	if len(enc.Missing) != 2 || enc.Missing[0] != (MissingCount{Column: "age", Count: 1, Action: "median"}) {
		t.Errorf("missing = %+v", enc.Missing)
	}
	// An unseen level encodes as all zeros.
	tbl.Columns[1].Cat[3] = "zzz"
	X, _ = enc.Transform(tbl, []int{3})
	if !slices.Equal(X[0], []float64{40, 0, 0, 0, 0}) {
		t.Errorf("unseen level: %v", X[0])
	}
}

func TestStratifiedSplit(t *testing.T) {
	y := make([]bool, 100)
	for i := range 20 {
		y[i*5] = true
	}
	s, err := StratifiedSplit(y, 0.2, 0.2, 1)
	if err != nil {
		t.Fatal(err)
	}
	count := func(rows []int) (n, pos int) {
		for _, i := range rows {
			n++
			if y[i] {
				pos++
			}
		}
		return
	}
	for _, c := range []struct {
		rows    []int
		n, want int
	}{{s.Train, 60, 12}, {s.Validation, 20, 4}, {s.Test, 20, 4}} {
		if n, pos := count(c.rows); n != c.n || pos != c.want {
			t.Errorf("part = %d rows, %d positive; want %d, %d", n, pos, c.n, c.want)
		}
	}
	s2, _ := StratifiedSplit(y, 0.2, 0.2, 1)
	if !slices.Equal(s.Test, s2.Test) {
		t.Error("same seed, different split")
	}
	folds, err := StratifiedKFold(y, s.Train, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folds {
		if n, pos := count(f); n != 15 || pos != 3 {
			t.Errorf("fold = %d rows, %d positive; want 15, 3", n, pos)
		}
	}
}

// onlyA predicts from column "a" alone.
type onlyA struct{}

func (onlyA) PredictTable(t ModelTable) ([]float64, error) { return t.Columns[0].Num, nil }

func TestPermutationImportance(t *testing.T) {
	tbl := ModelTable{
		Target: []bool{false, false, false, true, true, true},
		Columns: []ModelColumn{
			{Name: "a", Num: []float64{1, 2, 3, 4, 5, 6}},
			{Name: "b", Num: []float64{6, 5, 4, 3, 2, 1}},
		},
	}
	imp, err := PermutationImportance(onlyA{}, tbl, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Column != "a" || imp[0].Drop <= 0 || imp[1].Column != "b" || imp[1].Drop != 0 || imp[1].StdDev != 0 {
		t.Errorf("importance = %+v; want a > 0, b exactly 0", imp)
	}
}

func TestFitModels(t *testing.T) {
	// A noisy linear rule on 400 rows: every model must rank better than
	// chance on the test rows, and the stack must carry one weight per base.
	n := 400
	tbl := ModelTable{Target: make([]bool, n), Columns: []ModelColumn{
		{Name: "x", Num: make([]float64, n)}, {Name: "g", Cat: make([]string, n)}}}
	for i := range n {
		x := float64((i*37)%100) / 100
		g := []string{"a", "b", "c"}[i%3]
		tbl.Columns[0].Num[i], tbl.Columns[1].Cat[i] = x, g
		tbl.Target[i] = x+0.3*float64(i%3)+0.4*float64((i*53)%7)/7 > 0.9
	}
	res, err := FitModels(tbl, FitConfig{Seed: 3, Forest: ForestConfig{Trees: 20}})
	if err != nil {
		t.Fatal(err)
	}
	// Each class is cut 60/20/20, rounding validation and test down.
	if len(res.Models) != 5 || res.Train+res.Validation+res.Test != n || res.Test < 78 || res.Test > 80 {
		t.Fatalf("%d models, %d train, %d test rows; want 5, about 240, 80", len(res.Models), res.Train, res.Test)
	}
	for _, m := range res.Models {
		if m.Test.AUC < 0.8 {
			t.Errorf("%s test AUC = %v; want ≥ 0.8", m.Name, m.Test.AUC)
		}
		if len(m.Importance) != 2 {
			t.Errorf("%s importance = %v; want 2 columns", m.Name, m.Importance)
		}
	}
	if st := res.Model(ModelStack); st == nil || len(st.Weights) != 3 {
		t.Errorf("stack weights = %v", st)
	}
	if res.Verdict == "" || res.Best == "" {
		t.Errorf("verdict %q, best %q", res.Verdict, res.Best)
	}
	if _, err := FitModels(tbl, FitConfig{Models: []string{"svm"}}); err == nil {
		t.Error("unknown model: no error")
	}
}

func TestOutOfFold(t *testing.T) {
	// x separates the classes perfectly: within a fold every held-out row is
	// ranked correctly; across folds the five models' calibrations differ a
	// little, so the pooled AUC is just under 1.
	n := 60
	tbl := ModelTable{Target: make([]bool, n), Columns: []ModelColumn{{Name: "x", Num: make([]float64, n)}}}
	for i := range n {
		tbl.Columns[0].Num[i] = float64(i)
		tbl.Target[i] = i >= 40
	}
	p, err := OutOfFold(tbl, ModelLogistic, nil, FitConfig{Seed: 1}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if auc, _ := AUC(tbl.Target, p); auc < 0.99 {
		t.Errorf("out-of-fold AUC = %v; want ≥ 0.99", auc)
	}
	avg, err := OutOfFold(tbl, ModelAverage, map[string]float64{ModelLogistic: 0.5, ModelTree: 0.5}, FitConfig{Seed: 1}, 5)
	if err != nil || avg[0] >= avg[59] || avg[59] > 1 {
		t.Errorf("average: %v, %v … %v", err, avg[0], avg[59])
	}
	if _, err := OutOfFold(tbl, ModelStack, nil, FitConfig{}, 5); err == nil {
		t.Error("stack: no error")
	}
}
