package analytics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// ParetoNBDParams are the four parameters of the Pareto/NBD model: while
// active a customer buys at Poisson rate λ ~ Gamma(shape R, rate Alpha)
// and has an exponential lifetime with rate μ ~ Gamma(shape S, rate Beta),
// all per time unit. Alpha and Beta are in time units.
type ParetoNBDParams struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	S     float64 `json:"s"`
	Beta  float64 `json:"beta"`
}

// ParetoNBDFit is the result of FitParetoNBD.
type ParetoNBDFit struct {
	Params ParetoNBDParams `json:"params"`
	// StdErr holds the asymptotic standard errors, the square roots of the
	// diagonal of the inverse Hessian of the negative log-likelihood at the
	// optimum (central differences of the analytic gradient); all zero,
	// and meaningless, when StdErrUnavailable is set.
	StdErr ParetoNBDParams `json:"std_err"`
	// StdErrUnavailable gives the reason the standard errors could not be
	// computed (Hessian not positive definite); empty when they could.
	StdErrUnavailable string  `json:"std_err_unavailable,omitempty"`
	LogLikelihood     float64 `json:"log_likelihood"`
	Customers         int     `json:"customers"`
	UniqueRows        int     `json:"unique_rows"`
	Iterations        int     `json:"iterations"`
	// AtBoundary names the parameters at a boundary of the parameter
	// space (see BoundaryLogParam).
	AtBoundary []string `json:"at_boundary,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

// Degenerate reports whether the fit's estimates sit at a boundary of the
// parameter space or its standard errors could not be computed.
func (f ParetoNBDFit) Degenerate() bool { return len(f.AtBoundary) > 0 || f.StdErrUnavailable != "" }

func (p ParetoNBDParams) validate() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"r", p.R}, {"alpha", p.Alpha}, {"s", p.S}, {"beta", p.Beta}} {
		if !(v.v > 0) || math.IsInf(v.v, 0) {
			return &InputError{Row: -1, Field: v.name, Err: fmt.Errorf("Pareto/NBD parameter %s = %v, want finite > 0", v.name, v.v)}
		}
	}
	return nil
}

// hyp2F1One returns log 2F1(1, b; c; z) for 0 ≤ z < 1 and 0 < b < c, where
// the terms (b)_n/(c)_n z^n decrease monotonically, so the tail after a
// term is at most term·z/(1−z). ok is false if the series did not converge.
func hyp2F1One(b, c, z float64) (float64, bool) {
	if z == 0 {
		return 0, true
	}
	s, term := 1.0, 1.0
	for n := 0; n < maxSeriesTerms; n++ {
		fn := float64(n)
		term *= (b + fn) / (c + fn) * z
		s += term
		if term*z <= 1e-16*s*(1-z) {
			return math.Log(s), true
		}
	}
	return math.NaN(), false
}

// hyp2F1OneGrad returns H = 2F1(1, b; c; z) = Σ_n (b)_n/(c)_n z^n and its
// partial derivatives in b, c and z, for 0 ≤ z < 1 and 0 < b < c. With
// t_n the n-th term, ∂t_n/∂b = t_n Σ_{k<n} 1/(b+k), ∂t_n/∂c =
// −t_n Σ_{k<n} 1/(c+k) and ∂t_n/∂z = n t_n/z.
func hyp2F1OneGrad(b, c, z float64) (h, hb, hc, hz float64, ok bool) {
	h = 1
	term := 1.0
	var sb, sc float64
	for n := 1; n < maxSeriesTerms; n++ {
		fn := float64(n)
		ratio := (b + fn - 1) / (c + fn - 1)
		hz += fn * term * ratio // n t_n / z
		sb += 1 / (b + fn - 1)
		sc += 1 / (c + fn - 1)
		term *= ratio * z
		h += term
		hb += term * sb
		hc -= term * sc
		// Tail of Σ m t_m (the slowest of the four) after n is at most
		// t_n (n/(1−z) + 1/(1−z)²) since t_m ≤ t_n z^(m−n).
		if term*(fn/(1-z)+1/((1-z)*(1-z))) <= 1e-16*math.Min(h, hz+1) {
			return h, hb, hc, hz, true
		}
	}
	return math.NaN(), 0, 0, 0, false
}

// paretoTime holds log(α+τ), log(β+τ), 1/(α+τ) and 1/(β+τ) for one τ.
type paretoTime struct{ la, lb, ia, ib float64 }

func newParetoTime(p ParetoNBDParams, tau float64) paretoTime {
	return paretoTime{math.Log(p.Alpha + tau), math.Log(p.Beta + tau), 1 / (p.Alpha + tau), 1 / (p.Beta + tau)}
}

// paretoLogTerms returns, for one customer, the log of the two terms of the
// Pareto/NBD likelihood divided by Γ(r+x)α^r β^s/Γ(r):
//
//	term1 = (α+T)^−(r+x) (β+T)^−s                       (alive at T)
//	term2 = s ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ  (died in (t_x, T])
//
// term2 is the Fader & Hardie (2005) closed form (s/(r+s+x))·A0 with
// G(τ) = 2F1(r+s+x, ·; r+s+x+1; z(τ))/(max(α,β)+τ)^(r+s+x), A0 = G(t_x) − G(T),
// after Euler's transformation, which turns each 2F1 into the
// positive-term series H(τ) = 2F1(1, p; r+s+x+1; z(τ)),
// z(τ) = |α−β|/(max(α,β)+τ), with
//
//	α ≥ β: p = r+x, G(τ) = (α+τ)^−(r+x) (β+τ)^−s · H(τ)
//	α < β: p = s+1, G(τ) = (α+τ)^(1−r−x) (β+τ)^−(s+1) · H(τ).
//
// The difference is formed in log space. ok is false if a series failed.
func paretoLogTerms(p ParetoNBDParams, x int, tx, T float64) (l1, l2 float64, ok bool) {
	return paretoRow(p, p.R+float64(x), newParetoTime(p, tx), newParetoTime(p, T), tx == T, nil)
}

// paretoRow is paretoLogTerms given rx = r+x and the tabulated logarithms
// at τ = t_x and T. When grad is not nil it receives the gradient of
// log(term1 + term2) in (r, α, s, β).
func paretoRow(p ParetoNBDParams, rx float64, tx, T paretoTime, same bool, grad *[4]float64) (l1, l2 float64, ok bool) {
	l1 = -rx*T.la - p.S*T.lb
	dl1 := [4]float64{-T.la, -rx * T.ia, -T.lb, -p.S * T.ib}
	if same {
		if grad != nil {
			*grad = dl1
		}
		return l1, math.Inf(-1), true
	}
	ge := p.Alpha >= p.Beta
	c := rx + p.S + 1
	b, diff := rx, p.Alpha-p.Beta
	if !ge {
		b, diff = p.S+1, p.Beta-p.Alpha
	}
	// logG returns log G(τ) and, with grad, its gradient.
	logG := func(tt paretoTime) (float64, [4]float64, bool) {
		var g float64
		var dg [4]float64
		var z, inv float64
		if ge {
			inv = tt.ia
			g = -rx*tt.la - p.S*tt.lb
		} else {
			inv = tt.ib
			g = (1-rx)*tt.la - (p.S+1)*tt.lb
		}
		z = diff * inv
		if grad == nil {
			lh, ok := hyp2F1One(b, c, z)
			return g + lh, dg, ok
		}
		h, hb, hc, hz, ok := hyp2F1OneGrad(b, c, z)
		if !ok {
			return 0, dg, false
		}
		hb, hc, hz = hb/h, hc/h, hz/h
		if ge {
			// b = r+x, c = r+s+x+1, z = (α−β)/(α+τ):
			// ∂z/∂α = (β+τ)/(α+τ)² = (1−z)/(α+τ), ∂z/∂β = −1/(α+τ).
			dg = [4]float64{-tt.la + hb + hc, -rx*tt.ia + hz*(1-z)*tt.ia, -tt.lb + hc, -p.S*tt.ib - hz*tt.ia}
		} else {
			// b = s+1, c = r+s+x+1, z = (β−α)/(β+τ):
			// ∂z/∂α = −1/(β+τ), ∂z/∂β = (α+τ)/(β+τ)² = (1−z)/(β+τ).
			dg = [4]float64{-tt.la + hc, (1-rx)*tt.ia - hz*tt.ib, -tt.lb + hb + hc, -(p.S+1)*tt.ib + hz*(1-z)*tt.ib}
		}
		return g + math.Log(h), dg, true
	}
	gTx, dgTx, ok1 := logG(tx)
	gT, dgT, ok2 := logG(T)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	d := gT - gTx // ≤ 0 in exact arithmetic
	if d >= 0 {
		if grad != nil {
			*grad = dl1
		}
		return l1, math.Inf(-1), true
	}
	em := -math.Expm1(d) // 1 − e^d
	var log1mexp float64
	if d > -math.Ln2 {
		log1mexp = math.Log(em)
	} else {
		log1mexp = math.Log1p(-math.Exp(d))
	}
	l2 = math.Log(p.S) - math.Log(rx+p.S) + gTx + log1mexp
	if grad != nil {
		ed := math.Exp(d)
		var dl2 [4]float64
		for i := range dl2 {
			dl2[i] = (dgTx[i] - ed*dgT[i]) / em
		}
		dl2[0] -= 1 / (rx + p.S)
		dl2[2] += 1/p.S - 1/(rx+p.S)
		lse := logSumExp(l1, l2)
		w1, w2 := math.Exp(l1-lse), math.Exp(l2-lse)
		for i := range grad {
			grad[i] = w1*dl1[i] + w2*dl2[i]
		}
	}
	return l1, l2, true
}

func paretoLL(p ParetoNBDParams, x int, tx, T float64) (float64, bool) {
	l1, l2, ok := paretoLogTerms(p, x, tx, T)
	if !ok {
		return math.NaN(), false
	}
	fx := float64(x)
	c := lgamma(p.R+fx) - lgamma(p.R) + p.R*math.Log(p.Alpha) + p.S*math.Log(p.Beta)
	return c + logSumExp(l1, l2), true
}

// paretoTotalLL is Σ weight × paretoLL over the rows of d, with the
// logarithms tabulated per distinct time value and the x-only terms
// computed once per x. grad (len 4, may be nil) gets the gradient in the
// natural parameters (r, α, s, β). It returns NaN if a series fails.
func paretoTotalLL(p ParetoNBDParams, d *btydData, grad []float64) float64 {
	for i, t := range d.times {
		d.la[i] = math.Log(p.Alpha + t)
		d.lb[i] = math.Log(p.Beta + t)
		d.ia[i] = 1 / (p.Alpha + t)
		d.ib[i] = 1 / (p.Beta + t)
	}
	at := func(i int) paretoTime { return paretoTime{d.la[i], d.lb[i], d.ia[i], d.ib[i]} }
	lnA, lnB := math.Log(p.Alpha), math.Log(p.Beta)
	base := -lgamma(p.R) + p.R*lnA + p.S*lnB
	var ll, c, rx, dcr float64
	var g, rg [4]float64
	var rgp *[4]float64
	if grad != nil {
		rgp = &rg
	}
	lastX := -1
	for _, r := range d.rows {
		if r.x != lastX {
			lastX = r.x
			rx = p.R + float64(r.x)
			c = base + lgamma(rx)
			if grad != nil {
				dcr = mathext.Digamma(rx) - mathext.Digamma(p.R) + lnA
			}
		}
		l1, l2, ok := paretoRow(p, rx, at(r.txi), at(r.Ti), r.txi == r.Ti, rgp)
		if !ok {
			return math.NaN()
		}
		ll += r.weight * (c + logSumExp(l1, l2))
		if grad != nil {
			g[0] += r.weight * (dcr + rg[0])
			g[1] += r.weight * (p.R/p.Alpha + rg[1])
			g[2] += r.weight * (lnB + rg[2])
			g[3] += r.weight * (p.S/p.Beta + rg[3])
		}
	}
	if grad != nil {
		copy(grad, g[:])
	}
	return ll
}

// LogLikelihood returns the Pareto/NBD log-likelihood of one customer with
// history (x, t_x, T) (Schmittlein, Morrison & Colombo 1987, in the form of
// Fader & Hardie 2005, "A Note on Deriving the Pareto/NBD Model and Related
// Expressions", eq. 22), computed in log space. It returns an *InputError
// for invalid inputs and an error if a hypergeometric series does not
// converge.
func (p ParetoNBDParams) LogLikelihood(x int, tx, T float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	v, ok := paretoLL(p, x, tx, T)
	if !ok {
		return 0, fmt.Errorf("Pareto/NBD log-likelihood x=%d t_x=%v T=%v: hypergeometric series: %w", x, tx, T, errNoConvergence)
	}
	return v, nil
}

// PAlive returns the Pareto/NBD probability that a customer with history
// (x, t_x, T) is still active at T (Fader & Hardie 2005 note, eq. 18):
//
//	P(alive) = term1 / (term1 + term2)
//
// with the likelihood terms of LogLikelihood. It returns an *InputError for
// invalid inputs and an error if a series does not converge.
func (p ParetoNBDParams) PAlive(x int, tx, T float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	l1, l2, ok := paretoLogTerms(p, x, tx, T)
	if !ok {
		return 0, fmt.Errorf("Pareto/NBD P(alive) x=%d t_x=%v T=%v: hypergeometric series: %w", x, tx, T, errNoConvergence)
	}
	return math.Exp(l1 - logSumExp(l1, l2)), nil
}

// ExpectedTransactions returns E[X(t)] for a randomly chosen new customer
// (Schmittlein et al. 1987; Fader & Hardie 2005 note, eq. 17):
//
//	E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)]
//
// with the limit rβ/α · log((β+t)/β) at s = 1. t is in the model's time unit.
func (p ParetoNBDParams) ExpectedTransactions(t float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkHorizon(t); err != nil {
		return 0, err
	}
	L := math.Log(p.Beta) - math.Log(p.Beta+t)
	return p.R * p.Beta / p.Alpha * expm1Ratio(p.S-1, L), nil
}

// ConditionalExpectedTransactions returns the expected number of
// transactions in (T, T+t] of a customer with history (x, t_x, T)
// (Fader & Hardie 2005 note, eq. 21):
//
//	E[Y(t)|x,t_x,T] = (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive)
//
// with the limit at s = 1 taken without cancellation. It returns an
// *InputError for invalid inputs and an error if a series does not
// converge.
func (p ParetoNBDParams) ConditionalExpectedTransactions(x int, tx, T, t float64) (float64, error) {
	if err := checkHorizon(t); err != nil {
		return 0, err
	}
	pa, err := p.PAlive(x, tx, T)
	if err != nil {
		return 0, err
	}
	L := math.Log(p.Beta+T) - math.Log(p.Beta+T+t)
	return (p.R + float64(x)) * (p.Beta + T) / (p.Alpha + T) * expm1Ratio(p.S-1, L) * pa, nil
}

// FitParetoNBD fits the Pareto/NBD model (Schmittlein, Morrison & Colombo
// 1987) to customer summaries by maximum likelihood, with the likelihood
// of Fader & Hardie's 2005 note evaluated in log space (log-gamma,
// log-sum-exp, and the Gauss hypergeometric functions as positive-term
// series after Euler's transformation; see paretoLogTerms).
//
// The sum runs over distinct (x, t_x, T) rows weighted by their counts and
// is maximised over log r, log α, log s, log β with BFGS (gonum/optimize)
// using the analytic gradient (the series' derivatives in their parameters
// are summed alongside them). Standard errors come from a central-difference
// Hessian of the negative log-likelihood. Recency and T are in the
// summaries' time unit; Alpha and Beta are in that unit too.
//
// It returns ErrNoData for no customers or no repeat purchases, an
// *InputError naming the row of an inconsistent summary, and an error
// wrapping ErrFitFailed when the optimiser does not converge or the
// log-likelihood is not finite.
func FitParetoNBD(customers []CustomerSummary) (ParetoNBDFit, error) {
	return fitParetoNBD(customers, func() (BGNBDFit, error) { return FitBGNBD(customers) })
}

// fitParetoNBD is FitParetoNBD with the BG/NBD fit of the same customers
// (for CheckParetoIdentified) taken from bgFit, so a caller that has
// already fitted BG/NBD does not fit it again.
func fitParetoNBD(customers []CustomerSummary, bgFit func() (BGNBDFit, error)) (ParetoNBDFit, error) {
	d, err := newBTYDData(customers)
	if err != nil {
		return ParetoNBDFit{}, fmt.Errorf("fit Pareto/NBD: %w", err)
	}
	if d.sumX == 0 {
		return ParetoNBDFit{}, fmt.Errorf("fit Pareto/NBD: no repeat purchases, the model is not identified: %w", ErrNoData)
	}
	// Guard against data without churn, where the likelihood has no
	// interior maximum and the series below would run for minutes.
	if bg, err := bgFit(); err == nil {
		if err := CheckParetoIdentified(bg.Params); err != nil {
			return ParetoNBDFit{}, fmt.Errorf("fit Pareto/NBD: %w", err)
		}
	}
	n := float64(d.customers)
	ll := func(v, grad []float64) float64 {
		return paretoTotalLL(ParetoNBDParams{R: v[0], Alpha: v[1], S: v[2], Beta: v[3]}, d, grad)
	}
	// Start: r = s = 1, α from the mean purchase rate Σx/ΣT, β = mean T.
	x0 := []float64{0, math.Log(d.sumT / d.sumX), 0, math.Log(d.sumT / n)}
	r, err := fitLogLik([]string{"r", "alpha", "s", "beta"}, n, x0, ll)
	if err != nil {
		return ParetoNBDFit{}, fmt.Errorf("fit Pareto/NBD: %w", err)
	}
	fit := ParetoNBDFit{
		Params:            ParetoNBDParams{R: r.est[0], Alpha: r.est[1], S: r.est[2], Beta: r.est[3]},
		StdErrUnavailable: r.seUnavailable,
		LogLikelihood:     r.logLik,
		Customers:         d.customers,
		UniqueRows:        len(d.rows),
		Iterations:        r.iters,
		AtBoundary:        r.atBoundary,
		Warnings:          r.warnings(),
	}
	if r.se != nil {
		fit.StdErr = ParetoNBDParams{R: r.se[0], Alpha: r.se[1], S: r.se[2], Beta: r.se[3]}
	}
	return fit, nil
}

// MinParetoDropout is the BG/NBD mean drop-out probability per purchase,
// a/(a+b), below which Pareto/NBD is treated as not identified: with next
// to no churn its maximum likelihood lies at s/β → 0, where the
// hypergeometric series need millions of terms (Online Retail: a/(a+b) =
// 0.0005; CDNOW: 0.25).
const MinParetoDropout = 0.01

// CheckParetoIdentified returns an error wrapping ErrFitFailed when a BG/NBD
// fit of the same customers shows almost no churn (a/(a+b) below
// MinParetoDropout), so a Pareto/NBD fit would not find an interior
// maximum. FitParetoNBD runs this check itself.
func CheckParetoIdentified(bg BGNBDParams) error {
	if d := bg.A / (bg.A + bg.B); d < MinParetoDropout {
		return fmt.Errorf("%w: the customers show almost no churn (BG/NBD drop-out probability per purchase a/(a+b) = %.4f < %g), "+
			"so the Pareto/NBD likelihood has no interior maximum; use BG/NBD", ErrFitFailed, d, MinParetoDropout)
	}
	return nil
}
