package analytics

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/optimize"
)

// ErrFitFailed means a maximum-likelihood fit did not reach a usable
// optimum: the optimiser did not converge, or the log-likelihood was not
// finite. The wrapping error says which.
var ErrFitFailed = errors.New("model fit failed")

// errNoConvergence means a hypergeometric series needed more than
// maxSeriesTerms terms (a horizon or parameters far outside the data).
var errNoConvergence = errors.New("series did not converge")

// RepeatPurchaseModel is what predictive CLV and holdout validation need
// from a fitted buy-till-you-die model (BGNBDParams, ParetoNBDParams).
// Times are in the unit of the customer summaries the model was fitted on.
type RepeatPurchaseModel interface {
	// ConditionalExpectedTransactions is E[Y(t) | x, t_x, T]: the expected
	// number of transactions in (T, T+t] of a customer with history x, t_x, T.
	ConditionalExpectedTransactions(x int, tx, T, t float64) (float64, error)
	// PAlive is the probability that the customer is still active at T.
	PAlive(x int, tx, T float64) (float64, error)
}

// BGNBDParams are the four parameters of the BG/NBD model: while active a
// customer buys at Poisson rate λ ~ Gamma(shape R, rate Alpha) per time unit
// and after each purchase drops out with probability p ~ Beta(A, B).
// Alpha is in time units (it scales with the unit: weeks vs days).
type BGNBDParams struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	A     float64 `json:"a"`
	B     float64 `json:"b"`
}

// BGNBDFit is the result of FitBGNBD.
type BGNBDFit struct {
	Params BGNBDParams `json:"params"`
	// StdErr holds the asymptotic standard errors, the square roots of the
	// diagonal of the inverse Hessian of the negative log-likelihood at the
	// optimum (numerical Hessian). All zero, and meaningless, when
	// StdErrUnavailable is set.
	StdErr BGNBDParams `json:"std_err"`
	// StdErrUnavailable gives the reason the standard errors could not be
	// computed (Hessian not positive definite); empty when they could.
	StdErrUnavailable string  `json:"std_err_unavailable,omitempty"`
	LogLikelihood     float64 `json:"log_likelihood"`
	Customers         int     `json:"customers"`
	// UniqueRows is the number of distinct (x, t_x, T) rows the
	// likelihood was evaluated on (each weighted by its count).
	UniqueRows int `json:"unique_rows"`
	Iterations int `json:"iterations"`
	// AtBoundary names the parameters whose estimates sit at a boundary
	// of the parameter space (see BoundaryLogParam); a fit with any is
	// degenerate.
	AtBoundary []string `json:"at_boundary,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

// Degenerate reports whether the fit's estimates sit at a boundary of the
// parameter space or its standard errors could not be computed.
func (f BGNBDFit) Degenerate() bool { return len(f.AtBoundary) > 0 || f.StdErrUnavailable != "" }

// btydRow is one distinct (x, t_x, T) with the number of customers sharing
// it; txi and Ti index the distinct time values of btydData.times.
type btydRow struct {
	x       int
	tx, T   float64
	txi, Ti int
	weight  float64
}

// btydData is validated customer summaries collapsed into weighted rows,
// sorted by x, with the distinct time values (t_x and T) the rows index,
// so that per-evaluation logarithms such as log(α+τ) are computed once per
// distinct τ (a few hundred for day-level data) rather than per row.
type btydData struct {
	rows      []btydRow
	times     []float64
	customers int
	sumX      float64 // Σ x over customers
	sumT      float64 // Σ T over customers
	// scratch tables, one entry per time value
	la, lb, ia, ib []float64 // log(α+τ), log(β+τ), 1/(α+τ), 1/(β+τ)
}

// newBTYDData validates the summaries and collapses identical (x, t_x, T)
// triples into weighted rows.
func newBTYDData(customers []CustomerSummary) (*btydData, error) {
	if len(customers) == 0 {
		return nil, ErrNoData
	}
	type key struct {
		x     int
		tx, T float64
	}
	idx := make(map[key]int)
	timeIdx := make(map[float64]int)
	d := &btydData{customers: len(customers)}
	timeOf := func(v float64) int {
		j, ok := timeIdx[v]
		if !ok {
			j = len(d.times)
			timeIdx[v] = j
			d.times = append(d.times, v)
		}
		return j
	}
	for i, c := range customers {
		if err := checkXTxT(c.Frequency, c.Recency, c.T); err != nil {
			err.Row = i
			return nil, err
		}
		k := key{c.Frequency, c.Recency, c.T}
		j, ok := idx[k]
		if !ok {
			j = len(d.rows)
			idx[k] = j
			d.rows = append(d.rows, btydRow{x: c.Frequency, tx: c.Recency, T: c.T, txi: timeOf(c.Recency), Ti: timeOf(c.T)})
		}
		d.rows[j].weight++
		d.sumX += float64(c.Frequency)
		d.sumT += c.T
	}
	sort.Slice(d.rows, func(i, j int) bool { return d.rows[i].x < d.rows[j].x })
	n := len(d.times)
	d.la, d.lb, d.ia, d.ib = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	return d, nil
}

// checkXTxT validates one customer's (x, t_x, T).
func checkXTxT(x int, tx, T float64) *InputError {
	switch {
	case x < 0:
		return &InputError{Row: -1, Field: "Frequency", Err: ErrNegative}
	case !(tx >= 0) || math.IsInf(tx, 0):
		return &InputError{Row: -1, Field: "Recency", Err: fmt.Errorf("recency %v must be finite and >= 0", tx)}
	case !(T >= tx) || math.IsInf(T, 0):
		return &InputError{Row: -1, Field: "T", Err: fmt.Errorf("T %v must be finite and >= recency %v", T, tx)}
	case x == 0 && tx != 0:
		return &InputError{Row: -1, Field: "Recency", Err: fmt.Errorf("recency %v with frequency 0, want 0", tx)}
	}
	return nil
}

func checkHorizon(t float64) error {
	if !(t >= 0) || math.IsInf(t, 0) {
		return &InputError{Row: -1, Field: "t", Err: fmt.Errorf("horizon %v must be finite and >= 0", t)}
	}
	return nil
}

func (p BGNBDParams) validate() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"r", p.R}, {"alpha", p.Alpha}, {"a", p.A}, {"b", p.B}} {
		if !(v.v > 0) || math.IsInf(v.v, 0) {
			return &InputError{Row: -1, Field: v.name, Err: fmt.Errorf("BG/NBD parameter %s = %v, want finite > 0", v.name, v.v)}
		}
	}
	return nil
}

// logSumExp returns log(e^a + e^b) without overflow.
func logSumExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// bgnbdXTerms holds the parts of the BG/NBD log-likelihood that depend on
// x and the parameters only, with their derivatives in r, a, b.
type bgnbdXTerms struct {
	c, dr, da, db float64
}

func bgnbdX(p BGNBDParams, x int) bgnbdXTerms {
	fx := float64(x)
	lr := math.Log(p.Alpha)
	// log Γ(r+x) − log Γ(r) + r log α + log B(a, b+x) − log B(a, b)
	c := lgamma(p.R+fx) - lgamma(p.R) + p.R*lr +
		lgamma(p.A+p.B) + lgamma(p.B+fx) - lgamma(p.B) - lgamma(p.A+p.B+fx)
	t := bgnbdXTerms{c: c}
	if x == 0 {
		t.dr = lr
		return t
	}
	t.dr = mathext.Digamma(p.R+fx) - mathext.Digamma(p.R) + lr
	dab := mathext.Digamma(p.A+p.B) - mathext.Digamma(p.A+p.B+fx)
	t.da = dab
	t.db = dab + mathext.Digamma(p.B+fx) - mathext.Digamma(p.B)
	return t
}

// bgnbdLL returns the log-likelihood of one row and, when grad is not nil,
// adds weight × its gradient in (r, α, a, b) to grad.
//
//	L = Γ(r+x)α^r/Γ(r) · B(a,b+x)/B(a,b) · [ (α+T)^−(r+x) + δ_{x>0} a/(b+x−1) (α+t_x)^−(r+x) ]
func bgnbdLL(p BGNBDParams, xt bgnbdXTerms, row btydRow, grad []float64) float64 {
	rx := p.R + float64(row.x)
	la3 := math.Log(p.Alpha + row.T)
	a3 := -rx * la3
	if row.x == 0 {
		if grad != nil {
			w := row.weight
			grad[0] += w * (xt.dr - la3)
			grad[1] += w * (p.R/p.Alpha - rx/(p.Alpha+row.T))
		}
		return xt.c + a3
	}
	la4 := math.Log(p.Alpha + row.tx)
	lbx := math.Log(p.B + float64(row.x) - 1)
	a4 := math.Log(p.A) - lbx - rx*la4
	lse := logSumExp(a3, a4)
	if grad != nil {
		w3 := math.Exp(a3 - lse)
		w4 := math.Exp(a4 - lse)
		w := row.weight
		grad[0] += w * (xt.dr - w3*la3 - w4*la4)
		grad[1] += w * (p.R/p.Alpha - w3*rx/(p.Alpha+row.T) - w4*rx/(p.Alpha+row.tx))
		grad[2] += w * (xt.da + w4/p.A)
		grad[3] += w * (xt.db - w4/(p.B+float64(row.x)-1))
	}
	return xt.c + lse
}

// bgnbdTotalLL is Σ weight × LL over the rows of d, the same sum as
// bgnbdLL row by row but with log(α+τ) and 1/(α+τ) tabulated per distinct
// τ and the x-only terms computed once per x. grad (len 4, may be nil) gets
// the gradient in the natural parameters (r, α, a, b).
func bgnbdTotalLL(p BGNBDParams, d *btydData, grad []float64) float64 {
	for i, t := range d.times {
		d.la[i] = math.Log(p.Alpha + t)
		d.ia[i] = 1 / (p.Alpha + t)
	}
	var g0, g1, g2, g3 float64
	var ll float64
	lastX := -1
	var xt bgnbdXTerms
	var rx, c4, ib float64
	ra := p.R / p.Alpha
	for _, row := range d.rows {
		if row.x != lastX {
			xt = bgnbdX(p, row.x)
			lastX = row.x
			rx = p.R + float64(row.x)
			if row.x > 0 {
				ib = 1 / (p.B + float64(row.x) - 1)
				c4 = math.Log(p.A) + math.Log(ib)
			}
		}
		w := row.weight
		laT := d.la[row.Ti]
		a3 := -rx * laT
		if row.x == 0 {
			ll += w * (xt.c + a3)
			if grad != nil {
				g0 += w * (xt.dr - laT)
				g1 += w * (ra - rx*d.ia[row.Ti])
			}
			continue
		}
		laTx := d.la[row.txi]
		dd := c4 - rx*laTx - a3 // a4 − a3
		sp, w4, w3 := softplusSigmoid(dd)
		ll += w * (xt.c + a3 + sp)
		if grad != nil {
			g0 += w * (xt.dr - w3*laT - w4*laTx)
			g1 += w * (ra - rx*(w3*d.ia[row.Ti]+w4*d.ia[row.txi]))
			g2 += w * (xt.da + w4/p.A)
			g3 += w * (xt.db - w4*ib)
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2], grad[3] = g0, g1, g2, g3
	}
	return ll
}

// LogLikelihood returns the BG/NBD log-likelihood of one customer with x
// repeat purchases, recency t_x and age T (Fader, Hardie & Lee 2005, eq. 6),
// computed in log space. It returns an *InputError for invalid parameters
// or an inconsistent (x, t_x, T).
func (p BGNBDParams) LogLikelihood(x int, tx, T float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	return bgnbdLL(p, bgnbdX(p, x), btydRow{x: x, tx: tx, T: T, weight: 1}, nil), nil
}

// PAlive returns the BG/NBD probability that a customer with history
// (x, t_x, T) is still active at T (Fader, Hardie & Lee 2005, eq. 11):
//
//	P(alive) = 1 / (1 + δ_{x>0} a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
//
// It is exactly 1 for x = 0 (BG/NBD customers can only drop out right
// after a purchase). It returns an *InputError for invalid inputs.
func (p BGNBDParams) PAlive(x int, tx, T float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	return p.pAlive(x, tx, T), nil
}

func (p BGNBDParams) pAlive(x int, tx, T float64) float64 {
	if x == 0 {
		return 1
	}
	fx := float64(x)
	q := math.Log(p.A) - math.Log(p.B+fx-1) + (p.R+fx)*(math.Log(p.Alpha+T)-math.Log(p.Alpha+tx))
	return sigmoid(-q)
}

// sigmoid returns 1/(1+e^−v) without overflow.
func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// softplusSigmoid returns softplus(v) = log(1 + e^v), σ(v) and σ(−v)
// without overflow: the log-sum-exp of a two-term likelihood and the
// weights of its terms in the gradient (BG/NBD and MBG/NBD).
func softplusSigmoid(v float64) (sp, s, sNeg float64) {
	if v > 0 {
		e := math.Exp(-v)
		return v + math.Log1p(e), 1 / (1 + e), e / (1 + e)
	}
	e := math.Exp(v)
	return math.Log1p(e), e / (1 + e), 1 / (1 + e)
}

// expm1Ratio returns (1 − e^(k·L)) / k for L ≤ 0, and its limit −L at k = 0,
// without cancellation.
func expm1Ratio(k, L float64) float64 {
	if k == 0 {
		return -L
	}
	return -math.Expm1(k*L) / k
}

// bgnbdNumerator returns (C/(a−1)) · [1 − (1−z)^(a−1) · 2F1(A, a−1; C; z)]
// with C = a+b+x−1, A = a+b−1−r and log(1−z) = L ≤ 0, z = 1 − e^L. This is
// the bracket of the BG/NBD conditional expectation after Euler's
// transformation 2F1(r+x, b+x; C; z) = (1−z)^(a−1−r−x) 2F1(A, a−1; C; z),
// rewritten with 2F1 = 1 + (A(a−1)z/C)·S,
// S = Σ_n (A+1)_n (a)_n / ((C+1)_n (n+1)!) z^n, so that neither a = 1 nor
// C → 0 (one-time buyers with a+b < 1) divides by zero:
//
//	= C·(1 − e^((a−1)L))/(a−1) − e^((a−1)L)·A·z·S.
func bgnbdNumerator(p BGNBDParams, x int, L float64) (float64, error) {
	if L == 0 {
		return 0, nil
	}
	C := p.A + p.B + float64(x) - 1
	A := p.A + p.B - 1 - p.R
	z := -math.Expm1(L)
	// S: terms t_0 = 1, t_{n+1} = t_n (A+1+n)(a+n) z / ((C+1+n)(n+2)).
	s, term := 1.0, 1.0
	converged := false
	for n := 0; n < maxSeriesTerms; n++ {
		fn := float64(n)
		term *= (A + 1 + fn) * (p.A + fn) * z / ((C + 1 + fn) * (fn + 2))
		s += term
		// Beyond n ≈ |A|+a the ratio is below z, so the tail is at most
		// |term|·z/(1−z).
		if fn > math.Abs(A)+p.A+2 && math.Abs(term)*z <= 1e-16*math.Abs(s)*(1-z) {
			converged = true
			break
		}
	}
	if !converged || math.IsNaN(s) || math.IsInf(s, 0) {
		return 0, fmt.Errorf("hypergeometric series for x=%d, z=%v (BG/NBD expectation): %w", x, z, errNoConvergence)
	}
	k := p.A - 1
	return C*expm1Ratio(k, L) - math.Exp(k*L)*A*z*s, nil
}

const maxSeriesTerms = 2_000_000

// maxLogParam bounds |log θ| of a fitted parameter: beyond e^16 ≈ 8.9e6
// (or below its inverse) the fit has run off to a boundary of the
// parameter space and is reported as failed.
const maxLogParam = 16

// ExpectedTransactions returns E[X(t)], the expected number of repeat
// transactions in (0, t] of a randomly chosen new customer (Fader, Hardie &
// Lee 2005, eq. 9):
//
//	E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]
//
// evaluated through the cancellation-free form of bgnbdNumerator, valid
// also for a = 1 and a+b ≤ 1. t is in the model's time unit. It returns an
// *InputError for invalid inputs and an error if the series does not
// converge (only for horizons far beyond the data).
func (p BGNBDParams) ExpectedTransactions(t float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkHorizon(t); err != nil {
		return 0, err
	}
	return bgnbdNumerator(p, 0, math.Log(p.Alpha)-math.Log(p.Alpha+t))
}

// ConditionalExpectedTransactions returns the expected number of
// transactions in (T, T+t] of a customer with history (x, t_x, T) (Fader,
// Hardie & Lee 2005, eq. 10):
//
//	E[Y(t)|x,t_x,T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive)
//
// The bracket is evaluated after Euler's transformation (see
// bgnbdNumerator), so it stays finite for x = 300, for a = 1 and for
// one-time buyers with a+b < 1. It returns an *InputError for invalid
// inputs and an error if the series does not converge (only for horizons
// far beyond the data).
func (p BGNBDParams) ConditionalExpectedTransactions(x int, tx, T, t float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	if err := checkHorizon(t); err != nil {
		return 0, err
	}
	num, err := bgnbdNumerator(p, x, math.Log(p.Alpha+T)-math.Log(p.Alpha+T+t))
	if err != nil {
		return 0, err
	}
	return num * p.pAlive(x, tx, T), nil
}

// FitBGNBD fits the BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your
// Customers the Easy Way") to customer summaries by maximum likelihood.
//
// The log-likelihood (eq. 6) is computed in log space with log-gamma and
// log-sum-exp, summed over distinct (x, t_x, T) rows weighted by their
// counts, and maximised over log r, log α, log a, log b with BFGS
// (gonum/optimize) using the analytic gradient. Standard errors come from a
// central-difference Hessian of the negative log-likelihood. Recency and T
// are in the summaries' time unit; Alpha is in that unit too.
//
// It returns ErrNoData for no customers, an *InputError naming the row of
// an inconsistent summary, and an error wrapping ErrFitFailed when the
// optimiser does not converge or the log-likelihood is not finite.
func FitBGNBD(customers []CustomerSummary) (BGNBDFit, error) {
	d, err := newBTYDData(customers)
	if err != nil {
		return BGNBDFit{}, fmt.Errorf("fit BG/NBD: %w", err)
	}
	if d.sumX == 0 {
		return BGNBDFit{}, fmt.Errorf("fit BG/NBD: no repeat purchases, the model is not identified: %w", ErrNoData)
	}
	ll := func(v, grad []float64) float64 {
		return bgnbdTotalLL(BGNBDParams{R: v[0], Alpha: v[1], A: v[2], B: v[3]}, d, grad)
	}
	// Start: r = 1 and α matching the mean purchase rate Σx/ΣT; a = 1, b = 3.
	x0 := []float64{0, math.Log(d.sumT / d.sumX), 0, math.Log(3)}
	r, err := fitLogLik([]string{"r", "alpha", "a", "b"}, float64(d.customers), x0, ll)
	if err != nil {
		return BGNBDFit{}, fmt.Errorf("fit BG/NBD: %w", err)
	}
	fit := BGNBDFit{
		Params:            BGNBDParams{R: r.est[0], Alpha: r.est[1], A: r.est[2], B: r.est[3]},
		StdErrUnavailable: r.seUnavailable,
		LogLikelihood:     r.logLik,
		Customers:         d.customers,
		UniqueRows:        len(d.rows),
		Iterations:        r.iters,
		AtBoundary:        r.atBoundary,
		Warnings:          r.warnings(),
	}
	if r.se != nil {
		fit.StdErr = BGNBDParams{R: r.se[0], Alpha: r.se[1], A: r.se[2], B: r.se[3]}
	}
	return fit, nil
}

// logLikFit is a maximum-likelihood estimate over log parameters (see
// fitLogLik), in natural units.
type logLikFit struct {
	est []float64 // estimates exp(θ̂)
	// se are the delta-method standard errors of est; nil, with the
	// reason in seUnavailable, when the Hessian is not positive definite.
	se            []float64
	seUnavailable string
	logLik        float64 // total log-likelihood at est
	iters         int
	atBoundary    []string // see fitBoundary
}

// warnings returns the fit's warnings: the reason the standard errors are
// unavailable, if any.
func (f logLikFit) warnings() []string {
	if f.seUnavailable == "" {
		return nil
	}
	return []string{f.seUnavailable}
}

// fitLogLik maximises a total log-likelihood over n customers by BFGS on
// θ = log(params) from x0 (logScaleObjective.minimize), then names the
// estimates at a boundary (fitBoundary) and computes standard errors
// (logScaleObjective.stdErr). ll(nat, grad) returns the log-likelihood at
// the natural parameters nat (one per name) and, when grad is not nil,
// writes its gradient in nat; the chain rule ∂/∂θ_i = nat_i·∂/∂nat_i turns
// it into the gradient in θ. It is the fit shared by FitBGNBD, FitMBGNBD,
// FitParetoNBD and FitGammaGamma; it returns minimize's errors.
func fitLogLik(names []string, n float64, x0 []float64, ll func(nat, grad []float64) float64) (logLikFit, error) {
	nat := make([]float64, len(names))
	g := make([]float64, len(names))
	obj := &logScaleObjective{
		names:    names,
		analytic: true,
		f: func(th, grad []float64) float64 {
			for i, v := range th {
				nat[i] = math.Exp(v)
			}
			if grad == nil {
				return -ll(nat, nil) / n
			}
			v := ll(nat, g)
			for i := range grad {
				grad[i] = -g[i] * nat[i] / n
			}
			return -v / n
		},
	}
	th, iters, err := obj.minimize(x0)
	if err != nil {
		return logLikFit{}, err
	}
	f := logLikFit{est: make([]float64, len(th)), iters: iters, atBoundary: fitBoundary(names, th)}
	for i, v := range th {
		f.est[i] = math.Exp(v)
	}
	f.logLik = ll(f.est, nil)
	f.se, f.seUnavailable = obj.stdErr(th, n)
	return f, nil
}

// logScaleObjective is a mean negative log-likelihood over log parameters
// θ = log(params). With analytic set, f also writes the gradient in θ when
// grad is not nil, and the last value and gradient are cached because
// gonum asks for them separately at the same point; otherwise gradients
// are central differences of f.
type logScaleObjective struct {
	names    []string // parameter names, for errors
	f        func(th, grad []float64) float64
	analytic bool

	cacheX, cacheG []float64
	cacheF         float64
}

func tooLarge(th []float64) bool {
	for _, v := range th {
		if math.Abs(v) > 30 {
			return true
		}
	}
	return false
}

// eval returns f(θ) (+Inf where it is NaN or θ is absurd) and, for an
// analytic objective, caches the gradient.
func (o *logScaleObjective) eval(th []float64) float64 {
	if tooLarge(th) {
		return math.Inf(1)
	}
	if !o.analytic {
		v := o.f(th, nil)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	if o.cacheX != nil && floatsEqual(o.cacheX, th) {
		return o.cacheF
	}
	if o.cacheG == nil {
		o.cacheG = make([]float64, len(th))
	}
	v := o.f(th, o.cacheG)
	if math.IsNaN(v) {
		v = math.Inf(1)
	}
	o.cacheX = append(o.cacheX[:0], th...)
	o.cacheF = v
	return v
}

func floatsEqual(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func (o *logScaleObjective) safeF(th []float64) float64 { return o.eval(th) }

func (o *logScaleObjective) gradient(dst, th []float64) {
	if o.analytic {
		o.eval(th)
		copy(dst, o.cacheG)
		return
	}
	const h = 1e-6
	x := append([]float64(nil), th...)
	for i := range th {
		x[i] = th[i] + h
		fp := o.eval(x)
		x[i] = th[i] - h
		fm := o.eval(x)
		x[i] = th[i]
		dst[i] = (fp - fm) / (2 * h)
	}
}

// minimize runs BFGS from x0 and checks that the result is a finite optimum
// with a small gradient; a stalled line search close to the optimum counts
// as converged.
func (o *logScaleObjective) minimize(x0 []float64) ([]float64, int, error) {
	prob := optimize.Problem{
		Func: o.safeF,
		Grad: func(dst, th []float64) {
			o.gradient(dst, th)
			for i, v := range dst {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					dst[i] = 0
				}
			}
		},
	}
	if v := o.safeF(x0); math.IsInf(v, 0) {
		return nil, 0, fmt.Errorf("log-likelihood not finite at the start %v: %w", x0, ErrFitFailed)
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-9,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-13, Relative: 1e-13, Iterations: 20},
		MajorIterations:   2000,
	}
	res, err := optimize.Minimize(prob, x0, settings, &optimize.BFGS{})
	if res == nil {
		return nil, 0, fmt.Errorf("optimizer: %v: %w", err, ErrFitFailed)
	}
	th := res.X
	if math.IsNaN(res.F) || math.IsInf(res.F, 0) {
		return nil, res.MajorIterations, fmt.Errorf("log-likelihood not finite at the optimum (%v): %w", res.Status, ErrFitFailed)
	}
	g := make([]float64, len(th))
	o.gradient(g, th)
	var gmax float64
	for _, v := range g {
		gmax = math.Max(gmax, math.Abs(v))
	}
	if !(gmax < 1e-4) {
		return nil, res.MajorIterations, fmt.Errorf("no convergence after %d iterations (status %v, max |gradient| %.3g per customer, err %v): %w",
			res.MajorIterations, res.Status, gmax, err, ErrFitFailed)
	}
	for i, v := range th {
		if math.Abs(v) > maxLogParam {
			return nil, res.MajorIterations, fmt.Errorf("parameter %s ran to the boundary (%.3g): the data do not identify the model: %w", o.names[i], math.Exp(v), ErrFitFailed)
		}
	}
	return th, res.MajorIterations, nil
}

// stdErr returns the standard errors of the natural parameters exp(θ)
// from a central-difference Hessian of n × the mean negative
// log-likelihood in θ, by the delta method: se_i = e^θ_i · sqrt((H⁻¹)_ii).
// It returns a warning instead when H is not positive definite.
func (o *logScaleObjective) stdErr(th []float64, n float64) ([]float64, string) {
	k := len(th)
	h := mat.NewSymDense(k, nil)
	gp := make([]float64, k)
	gm := make([]float64, k)
	x := append([]float64(nil), th...)
	cols := make([][]float64, k)
	for j := 0; j < k; j++ {
		step := 1e-4
		x[j] = th[j] + step
		o.gradient(gp, x)
		x[j] = th[j] - step
		o.gradient(gm, x)
		x[j] = th[j]
		cols[j] = make([]float64, k)
		for i := 0; i < k; i++ {
			cols[j][i] = n * (gp[i] - gm[i]) / (2 * step)
		}
	}
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			h.SetSym(i, j, (cols[i][j]+cols[j][i])/2)
		}
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(h); !ok {
		return nil, "standard errors unavailable: Hessian of the negative log-likelihood is not positive definite"
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, "standard errors unavailable: " + err.Error()
	}
	se := make([]float64, k)
	for i := range se {
		v := inv.At(i, i)
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, "standard errors unavailable: non-positive variance"
		}
		se[i] = math.Exp(th[i]) * math.Sqrt(v)
	}
	return se, ""
}
