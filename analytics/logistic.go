package analytics

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// ErrNotConverged means an iterative fit stopped at its iteration limit
// before meeting its tolerance.
var ErrNotConverged = errors.New("did not converge")

// Classifier is a fitted binary classifier over encoded rows (the output of
// Encoder.Transform): Prob returns P(y = 1 | x) for each row of X.
type Classifier interface {
	Prob(X [][]float64) []float64
}

// LogisticConfig configures FitLogistic.
type LogisticConfig struct {
	// C is the inverse L2 regularisation strength, as scikit-learn's
	// LogisticRegression(C=…): the objective is ½‖β‖² + C·Σ wᵢ·logloss.
	// Zero means 1.
	C float64
	// MaxIter bounds the Newton iterations (0 means 100).
	MaxIter int
	// Tol is the convergence tolerance on the largest absolute gradient
	// entry, relative to max(1, C)·n (0 means 1e-8); the fit also stops when a
	// step no longer lowers the objective beyond rounding.
	Tol float64
}

// LogisticModel is an L2-penalised logistic regression fitted on
// standardised inputs: z_j = (x_j − Mean[j]) / Scale[j] (Scale is the
// population standard deviation, 1 for a constant column, as scikit-learn's
// StandardScaler), and P(y = 1 | x) = σ(Intercept + Σ_j Coef[j]·z_j) with
// σ(v) = 1 / (1 + e^−v). Coef is in standardised units (log-odds per
// standard deviation); Original converts it back.
type LogisticModel struct {
	Mean, Scale []float64
	Coef        []float64
	Intercept   float64
	C           float64
	Iterations  int
}

// FitLogistic fits an L2-penalised logistic regression to the rows of X
// (n × p) with labels y and optional per-row weights w (nil = all 1), by
// Newton's method (iteratively reweighted least squares) with step halving,
// minimising
//
//	½·Σ_{j≥1} β_j² + C·Σ_i w_i·[log(1 + e^{η_i}) − y_i·η_i],  η_i = β_0 + Σ_j β_j·z_ij
//
// on standardised inputs z; the intercept β_0 is not penalised. This is
// scikit-learn's LogisticRegression(penalty="l2", C=C) objective, and with
// C → ∞ the maximum-likelihood fit of Hosmer & Lemeshow, Applied Logistic
// Regression, ch. 1. It returns an *InputError for a ragged X, a
// non-finite value or a negative weight, ErrOneClass when y has one class,
// and an error wrapping ErrNotConverged after MaxIter iterations.
func FitLogistic(X [][]float64, y []bool, w []float64, cfg LogisticConfig) (*LogisticModel, error) {
	n, p, err := checkXY(X, y, w)
	if err != nil {
		return nil, err
	}
	if cfg.C == 0 {
		cfg.C = 1
	}
	if cfg.C < 0 || math.IsNaN(cfg.C) {
		return nil, &InputError{Row: -1, Field: "C", Err: fmt.Errorf("C = %v must be positive", cfg.C)}
	}
	if cfg.MaxIter == 0 {
		cfg.MaxIter = 100
	}
	if cfg.Tol == 0 {
		cfg.Tol = 1e-8
	}
	tol := cfg.Tol * max(1, cfg.C) * float64(n)
	m := &LogisticModel{Mean: make([]float64, p), Scale: make([]float64, p), Coef: make([]float64, p), C: cfg.C}
	// Standardise (population standard deviation, as StandardScaler).
	for j := 0; j < p; j++ {
		var s float64
		for i := 0; i < n; i++ {
			s += X[i][j]
		}
		mean := s / float64(n)
		var ss float64
		for i := 0; i < n; i++ {
			d := X[i][j] - mean
			ss += d * d
		}
		sd := math.Sqrt(ss / float64(n))
		if sd == 0 {
			sd = 1
		}
		m.Mean[j], m.Scale[j] = mean, sd
	}
	// The fit runs in standardised units β (z = A·x with x augmented by a
	// leading 1: z₀ = 1, z_j = (x_j − Mean_j)/Scale_j), but sums run over
	// the sparse raw rows: η = β·z = (Aᵀβ)·x, the gradient is A·Σ rᵢxᵢ and
	// the Hessian A·(Σ hᵢxᵢxᵢᵀ)·Aᵀ. One-hot columns make x mostly zeros.
	d := p + 1
	colIdx := make([]int32, 0, n*(1+min(p, 16)))
	colVal := make([]float64, 0, n*(1+min(p, 16)))
	rowStart := make([]int, n+1)
	for i := 0; i < n; i++ {
		colIdx = append(colIdx, 0)
		colVal = append(colVal, 1)
		for j, v := range X[i] {
			if v != 0 {
				colIdx = append(colIdx, int32(j+1))
				colVal = append(colVal, v)
			}
		}
		rowStart[i+1] = len(colIdx)
	}
	wt := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	beta := make([]float64, d)
	bx := make([]float64, d) // Aᵀβ
	toRaw := func(b []float64) {
		bx[0] = b[0]
		for j := 1; j < d; j++ {
			bx[j] = b[j] / m.Scale[j-1]
			bx[0] -= bx[j] * m.Mean[j-1]
		}
	}
	eta := make([]float64, n)
	objective := func(b []float64) float64 {
		toRaw(b)
		var pen, loss float64
		for j := 1; j < d; j++ {
			pen += b[j] * b[j]
		}
		for i := 0; i < n; i++ {
			var e float64
			for k := rowStart[i]; k < rowStart[i+1]; k++ {
				e += bx[colIdx[k]] * colVal[k]
			}
			eta[i] = e
			l := softplus(e)
			if y[i] {
				l -= e
			}
			loss += wt(i) * l
		}
		return 0.5*pen + cfg.C*loss
	}
	// A as a dense d × d matrix.
	A := mat.NewDense(d, d, nil)
	A.Set(0, 0, 1)
	for j := 1; j < d; j++ {
		A.Set(j, 0, -m.Mean[j-1]/m.Scale[j-1])
		A.Set(j, j, 1/m.Scale[j-1])
	}
	f := objective(beta)
	H := mat.NewSymDense(d, nil)
	gx := make([]float64, d)
	g := make([]float64, d)
	hraw := make([]float64, d*d)
	hw := make([]float64, n) // Newton weights wᵢ·C·μᵢ(1 − μᵢ)
	var AH, Hz mat.Dense
	gz := mat.NewVecDense(d, nil)
	step := mat.NewVecDense(d, nil)
	next := make([]float64, d)
	// Near the optimum the Hessian barely changes: below refresh the last
	// factorisation is reused (the chord method) while each step cuts the
	// gradient at least fourfold, which saves the O(n·nnz²) Hessian pass; a
	// failed line search forces a fresh Hessian.
	refresh := 1e-4 * max(1, cfg.C) * float64(n)
	var ch mat.Cholesky
	haveH := false
	prevGmax := math.Inf(1)
	for it := 1; it <= cfg.MaxIter; it++ {
		m.Iterations = it
		clear(gx)
		for i := 0; i < n; i++ {
			mu := sigmoid(eta[i])
			r := mu
			if y[i] {
				r -= 1
			}
			wi := wt(i) * cfg.C
			hw[i] = wi * mu * (1 - mu)
			ri := wi * r
			for k := rowStart[i]; k < rowStart[i+1]; k++ {
				gx[colIdx[k]] += ri * colVal[k]
			}
		}
		gz.MulVec(A, mat.NewVecDense(d, gx))
		var gmax float64
		for j := 0; j < d; j++ {
			g[j] = gz.AtVec(j)
			if j > 0 {
				g[j] += beta[j]
			}
			gmax = max(gmax, math.Abs(g[j]))
		}
		if gmax <= tol {
			break
		}
		if !haveH || gmax > refresh || gmax > prevGmax/4 {
			clear(hraw)
			for i := 0; i < n; i++ {
				hi := hw[i]
				lo, up := rowStart[i], rowStart[i+1]
				for k := lo; k < up; k++ {
					ha := hi * colVal[k]
					row := hraw[int(colIdx[k])*d:]
					for q := lo; q <= k; q++ {
						row[colIdx[q]] += ha * colVal[q]
					}
				}
			}
			for a := 0; a < d; a++ {
				for b := a + 1; b < d; b++ {
					hraw[a*d+b] = hraw[b*d+a]
				}
			}
			AH.Mul(A, mat.NewDense(d, d, hraw))
			Hz.Mul(&AH, A.T())
			for a := 0; a < d; a++ {
				for b := 0; b <= a; b++ {
					v := (Hz.At(a, b) + Hz.At(b, a)) / 2
					if a == b && a > 0 {
						v++
					}
					H.SetSym(a, b, v)
				}
			}
			haveH = ch.Factorize(H)
		}
		prevGmax = gmax
		ok := haveH
		if ok {
			// A mat.Condition error still leaves the solution in step.
			var cond mat.Condition
			if err := ch.SolveVecTo(step, mat.NewVecDense(d, g)); err != nil && !errors.As(err, &cond) {
				ok = false
			}
		}
		if !ok {
			// Singular Hessian: fall back to a scaled gradient step.
			for j := range g {
				step.SetVec(j, g[j]/(1+math.Abs(H.At(j, j))))
			}
		}
		t := 1.0
		improved, stalled := false, false
		for range 50 {
			for j := range beta {
				next[j] = beta[j] - t*step.AtVec(j)
			}
			if fn := objective(next); fn <= f {
				stalled = f-fn <= 1e-14*math.Abs(f)
				f = fn
				copy(beta, next)
				improved = true
				break
			}
			t /= 2
		}
		if !improved {
			objective(beta) // restore eta
			if haveH && gmax <= refresh {
				haveH = false // retry with a fresh Hessian
				continue
			}
			break
		}
		if stalled {
			break // converged to rounding
		}
		if it == cfg.MaxIter {
			return nil, fmt.Errorf("logistic regression after %d iterations (largest gradient %.3g): %w", it, gmax, ErrNotConverged)
		}
	}
	m.Intercept = beta[0]
	copy(m.Coef, beta[1:])
	return m, nil
}

// softplus returns log(1 + e^v) without overflow.
func softplus(v float64) float64 {
	if v > 0 {
		return v + math.Log1p(math.Exp(-v))
	}
	return math.Log1p(math.Exp(v))
}

// Prob returns σ(Intercept + Σ Coef_j·z_j) for each row of X.
func (m *LogisticModel) Prob(X [][]float64) []float64 {
	out := make([]float64, len(X))
	for i, x := range X {
		e := m.Intercept
		for j, c := range m.Coef {
			e += c * (x[j] - m.Mean[j]) / m.Scale[j]
		}
		out[i] = sigmoid(e)
	}
	return out
}

// Original returns the intercept and coefficients in the inputs' own units:
// b_j = Coef[j] / Scale[j], b_0 = Intercept − Σ_j b_j·Mean[j].
func (m *LogisticModel) Original() (intercept float64, coef []float64) {
	coef = make([]float64, len(m.Coef))
	intercept = m.Intercept
	for j, c := range m.Coef {
		coef[j] = c / m.Scale[j]
		intercept -= coef[j] * m.Mean[j]
	}
	return intercept, coef
}

// checkXY validates a design matrix, labels and optional weights and
// returns n and p.
func checkXY(X [][]float64, y []bool, w []float64) (n, p int, err error) {
	n = len(X)
	if n == 0 {
		return 0, 0, &InputError{Row: -1, Field: "X", Err: ErrNoData}
	}
	if len(y) != n {
		return 0, 0, &InputError{Row: -1, Field: "y", Err: fmt.Errorf("%d labels for %d rows", len(y), n)}
	}
	if w != nil && len(w) != n {
		return 0, 0, &InputError{Row: -1, Field: "weights", Err: fmt.Errorf("%d weights for %d rows", len(w), n)}
	}
	p = len(X[0])
	var pos, neg bool
	for i, x := range X {
		if len(x) != p {
			return 0, 0, &InputError{Row: i, Field: "X", Err: fmt.Errorf("%d values; want %d", len(x), p)}
		}
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, &InputError{Row: i, Field: fmt.Sprintf("X[%d]", j), Err: fmt.Errorf("value %v is not finite", v)}
			}
		}
		if w != nil && (w[i] < 0 || math.IsNaN(w[i])) {
			return 0, 0, &InputError{Row: i, Field: "weights", Err: ErrNegative}
		}
		if y[i] {
			pos = true
		} else {
			neg = true
		}
	}
	if !pos || !neg {
		return 0, 0, ErrOneClass
	}
	return n, p, nil
}
