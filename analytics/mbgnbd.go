package analytics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// MBGNBDParams are the four parameters of the MBG/NBD model (Batislam,
// Denizel & Filiztekin 2007, "Empirical validation and comparison of
// models for customer base analysis"): while active a customer buys at
// Poisson rate λ ~ Gamma(shape R, rate Alpha) per time unit and drops out
// with probability p ~ Beta(A, B) at time zero and after each purchase, so
// that, unlike BG/NBD, a customer who never repeated can have dropped out.
// Alpha is in time units.
type MBGNBDParams struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	A     float64 `json:"a"`
	B     float64 `json:"b"`
}

// MBGNBDFit is the result of FitMBGNBD.
type MBGNBDFit struct {
	Params MBGNBDParams `json:"params"`
	// StdErr holds the asymptotic standard errors (delta method on a
	// central-difference Hessian of the negative log-likelihood in log
	// parameters). They are meaningless, and left zero, when
	// StdErrUnavailable is set.
	StdErr MBGNBDParams `json:"std_err"`
	// StdErrUnavailable gives the reason the standard errors could not be
	// computed (Hessian not positive definite); empty when they could.
	StdErrUnavailable string  `json:"std_err_unavailable,omitempty"`
	LogLikelihood     float64 `json:"log_likelihood"`
	Customers         int     `json:"customers"`
	UniqueRows        int     `json:"unique_rows"`
	Iterations        int     `json:"iterations"`
	// AtBoundary names the parameters whose estimates sit at a boundary
	// of the parameter space (see BoundaryLogParam); a fit with any is
	// degenerate.
	AtBoundary []string `json:"at_boundary,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

// Degenerate reports whether the fit's estimates sit at a boundary of the
// parameter space or its standard errors could not be computed.
func (f MBGNBDFit) Degenerate() bool { return len(f.AtBoundary) > 0 || f.StdErrUnavailable != "" }

func (p MBGNBDParams) validate() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"r", p.R}, {"alpha", p.Alpha}, {"a", p.A}, {"b", p.B}} {
		if !(v.v > 0) || math.IsInf(v.v, 0) {
			return &InputError{Row: -1, Field: v.name, Err: fmt.Errorf("MBG/NBD parameter %s = %v, want finite > 0", v.name, v.v)}
		}
	}
	return nil
}

// mbgnbdTotalLL is the MBG/NBD log-likelihood summed over the weighted rows
// of d (Batislam et al. 2007, eq. 6; lifetimes ModifiedBetaGeoFitter):
//
//	L = Γ(r+x)α^r/Γ(r) · B(a, b+x+1)/B(a, b) · [ (α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x) ]
//
// for every x ≥ 0 (the second term is the chance of dropping out right
// after the last purchase, or at time zero when x = 0). grad (len 4, may
// be nil) gets the gradient in (r, α, a, b).
func mbgnbdTotalLL(p MBGNBDParams, d *btydData, grad []float64) float64 {
	for i, t := range d.times {
		d.la[i] = math.Log(p.Alpha + t)
		d.ia[i] = 1 / (p.Alpha + t)
	}
	lalpha := math.Log(p.Alpha)
	ra := p.R / p.Alpha
	la := math.Log(p.A)
	psiR, psiB, psiAB := mathext.Digamma(p.R), mathext.Digamma(p.B), mathext.Digamma(p.A+p.B)
	lgR, lgB, lgAB := lgamma(p.R), lgamma(p.B), lgamma(p.A+p.B)
	var g0, g1, g2, g3, ll float64
	lastX := -1
	var c, dr, da, db, rx, ib, c4 float64
	for _, row := range d.rows {
		if row.x != lastX {
			lastX = row.x
			fx := float64(row.x)
			rx = p.R + fx
			// log Γ(r+x) − log Γ(r) + r log α + log B(a, b+x+1) − log B(a, b)
			c = lgamma(rx) - lgR + p.R*lalpha + lgAB + lgamma(p.B+fx+1) - lgB - lgamma(p.A+p.B+fx+1)
			if grad != nil {
				dr = mathext.Digamma(rx) - psiR + lalpha
				dab := psiAB - mathext.Digamma(p.A+p.B+fx+1)
				da = dab
				db = dab + mathext.Digamma(p.B+fx+1) - psiB
			}
			ib = 1 / (p.B + fx)
			c4 = la + math.Log(ib)
		}
		w := row.weight
		laT, laTx := d.la[row.Ti], d.la[row.txi]
		a3 := -rx * laT
		dd := c4 - rx*laTx - a3 // log of the drop-out term minus log of the alive term
		sp, w4, w3 := softplusSigmoid(dd)
		ll += w * (c + a3 + sp)
		if grad != nil {
			g0 += w * (dr - w3*laT - w4*laTx)
			g1 += w * (ra - rx*(w3*d.ia[row.Ti]+w4*d.ia[row.txi]))
			g2 += w * (da + w4/p.A)
			g3 += w * (db - w4*ib)
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2], grad[3] = g0, g1, g2, g3
	}
	return ll
}

// LogLikelihood returns the MBG/NBD log-likelihood of one customer with x
// repeat purchases, recency t_x and age T (Batislam et al. 2007), computed
// in log space. It returns an *InputError for invalid inputs.
func (p MBGNBDParams) LogLikelihood(x int, tx, T float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	d, err := newBTYDData([]CustomerSummary{{Frequency: x, Recency: tx, T: T}})
	if err != nil {
		return 0, err
	}
	return mbgnbdTotalLL(p, d, nil), nil
}

// PAlive returns the MBG/NBD probability that a customer with history
// (x, t_x, T) is still active at T (Batislam et al. 2007):
//
//	P(alive) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
//
// Unlike BG/NBD it is below 1 for x = 0 too, and falls as a one-time
// buyer's first purchase recedes (t_x = 0, T growing). It returns an
// *InputError for invalid inputs.
func (p MBGNBDParams) PAlive(x int, tx, T float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	return p.pAlive(x, tx, T), nil
}

func (p MBGNBDParams) pAlive(x int, tx, T float64) float64 {
	fx := float64(x)
	q := math.Log(p.A) - math.Log(p.B+fx) + (p.R+fx)*(math.Log(p.Alpha+T)-math.Log(p.Alpha+tx))
	return sigmoid(-q)
}

// shifted returns BG/NBD parameters with b+1: the MBG/NBD expectation
// bracket (a+b+x)/(a−1)·[1 − (…)^(r+x) 2F1(r+x, b+x+1; a+b+x; z)] is the
// BG/NBD bracket at b+1, so the cancellation-free series of
// bgnbdNumerator serves both.
func (p MBGNBDParams) shifted() BGNBDParams {
	return BGNBDParams{R: p.R, Alpha: p.Alpha, A: p.A, B: p.B + 1}
}

// ExpectedTransactions returns E[X(t)], the expected number of repeat
// transactions in (0, t] of a randomly chosen new customer (Batislam et
// al. 2007):
//
//	E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))]
//
// evaluated without cancellation, valid also for a = 1. It returns an
// *InputError for invalid inputs and an error if the series does not
// converge.
func (p MBGNBDParams) ExpectedTransactions(t float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkHorizon(t); err != nil {
		return 0, err
	}
	num, err := bgnbdNumerator(p.shifted(), 0, math.Log(p.Alpha)-math.Log(p.Alpha+t))
	if err != nil {
		return 0, err
	}
	// (a+b)/(a−1)·[…] × P(alive at 0) = b/(a+b).
	return num * p.B / (p.A + p.B), nil
}

// ConditionalExpectedTransactions returns the expected number of
// transactions in (T, T+t] of a customer with history (x, t_x, T)
// (Batislam et al. 2007):
//
//	E[Y(t)|x,t_x,T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive)
//
// It returns an *InputError for invalid inputs and an error if the
// series does not converge.
func (p MBGNBDParams) ConditionalExpectedTransactions(x int, tx, T, t float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if err := checkXTxT(x, tx, T); err != nil {
		return 0, err
	}
	if err := checkHorizon(t); err != nil {
		return 0, err
	}
	num, err := bgnbdNumerator(p.shifted(), x, math.Log(p.Alpha+T)-math.Log(p.Alpha+T+t))
	if err != nil {
		return 0, err
	}
	return num * p.pAlive(x, tx, T), nil
}

// FitMBGNBD fits the MBG/NBD model (Batislam, Denizel & Filiztekin 2007)
// to customer summaries by maximum likelihood, the same way as FitBGNBD:
// the log-likelihood in log space over distinct weighted rows, BFGS over
// log r, log α, log a, log b with the analytic gradient, standard errors
// from a numerical Hessian. Estimates at a boundary of the parameter space
// are listed in AtBoundary and a Hessian that is not positive definite in
// StdErrUnavailable; such a fit is returned (Degenerate), not an error.
//
// It returns ErrNoData for no customers or no repeat purchases, an
// *InputError naming the row of an inconsistent summary, and an error
// wrapping ErrFitFailed when the optimiser does not converge.
func FitMBGNBD(customers []CustomerSummary) (MBGNBDFit, error) {
	d, err := newBTYDData(customers)
	if err != nil {
		return MBGNBDFit{}, fmt.Errorf("fit MBG/NBD: %w", err)
	}
	if d.sumX == 0 {
		return MBGNBDFit{}, fmt.Errorf("fit MBG/NBD: no repeat purchases, the model is not identified: %w", ErrNoData)
	}
	ll := func(v, grad []float64) float64 {
		return mbgnbdTotalLL(MBGNBDParams{R: v[0], Alpha: v[1], A: v[2], B: v[3]}, d, grad)
	}
	x0 := []float64{0, math.Log(d.sumT / d.sumX), 0, math.Log(3)}
	r, err := fitLogLik([]string{"r", "alpha", "a", "b"}, float64(d.customers), x0, ll)
	if err != nil {
		return MBGNBDFit{}, fmt.Errorf("fit MBG/NBD: %w", err)
	}
	fit := MBGNBDFit{
		Params:            MBGNBDParams{R: r.est[0], Alpha: r.est[1], A: r.est[2], B: r.est[3]},
		StdErrUnavailable: r.seUnavailable,
		LogLikelihood:     r.logLik,
		Customers:         d.customers,
		UniqueRows:        len(d.rows),
		Iterations:        r.iters,
		AtBoundary:        r.atBoundary,
		Warnings:          r.warnings(),
	}
	if r.se != nil {
		fit.StdErr = MBGNBDParams{R: r.se[0], Alpha: r.se[1], A: r.se[2], B: r.se[3]}
	}
	return fit, nil
}

// BoundaryLogParam bounds |log θ| of an interior estimate: a fitted
// parameter below e^−9 ≈ 1.2e-4 or above e^9 ≈ 8100 is reported as at the
// boundary of the parameter space (for BG/NBD's a, a → 0 means customers
// (almost) never drop out, and P(alive) is then ≈ 1 for everyone whatever
// their recency).
const BoundaryLogParam = 9

// fitBoundary returns "name = value (→ 0)" or "(→ ∞)" for each log
// parameter th[i] beyond ±BoundaryLogParam; names and th have the same
// length.
func fitBoundary(names []string, th []float64) []string {
	var out []string
	for i, v := range th {
		switch {
		case v < -BoundaryLogParam:
			out = append(out, fmt.Sprintf("%s = %.3g (→ 0)", names[i], math.Exp(v)))
		case v > BoundaryLogParam:
			out = append(out, fmt.Sprintf("%s = %.3g (→ ∞)", names[i], math.Exp(v)))
		}
	}
	return out
}
