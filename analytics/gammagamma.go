package analytics

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mathext"
)

// MinGammaGammaCustomers is the number of repeat customers below which
// FitGammaGamma adds a warning that the estimates are unreliable.
const MinGammaGammaCustomers = 100

// GammaGammaParams are the parameters of the Gamma-Gamma spend model: a
// customer's transaction values are Gamma(shape P, rate ν) around a mean
// P/ν, with ν ~ Gamma(shape Q, rate Gamma) across customers. Gamma is in
// major currency units (the unit of CustomerSummary.MeanRepeatValue).
type GammaGammaParams struct {
	P     float64 `json:"p"`
	Q     float64 `json:"q"`
	Gamma float64 `json:"gamma"`
}

// GammaGammaFit is the result of FitGammaGamma.
type GammaGammaFit struct {
	Params GammaGammaParams `json:"params"`
	// StdErr holds asymptotic standard errors from a numerical Hessian of
	// the negative log-likelihood; zero, and meaningless, when
	// StdErrUnavailable is set.
	StdErr GammaGammaParams `json:"std_err"`
	// StdErrUnavailable gives the reason the standard errors could not be
	// computed (Hessian not positive definite); empty when they could.
	StdErrUnavailable string  `json:"std_err_unavailable,omitempty"`
	LogLikelihood     float64 `json:"log_likelihood"`
	// Customers is the number of customers the model was fitted on: those
	// with Frequency > 0 and MeanRepeatValue > 0.
	Customers int `json:"customers"`
	// ExcludedOneTime counts customers with Frequency 0 (no repeat value).
	ExcludedOneTime int `json:"excluded_one_time"`
	// ExcludedNonPositive counts repeat customers whose mean net repeat
	// value is zero or negative (e.g. purchases cancelled by same-day
	// returns), which the Gamma distribution cannot describe.
	ExcludedNonPositive int `json:"excluded_non_positive"`
	// Excluded lists every customer left out of the fit with the reason
	// (GammaGammaExclusions), in input order.
	Excluded   []GammaGammaExclusion `json:"excluded,omitempty"`
	Iterations int                   `json:"iterations"`
	Warnings   []string              `json:"warnings,omitempty"`
}

// Reasons a customer is left out of the Gamma-Gamma fit.
const (
	ReasonOneTime     = "one-time buyer (no repeat purchase, so no repeat spend to model)"
	ReasonNonPositive = "non-positive spend (mean net repeat value <= 0, which the Gamma distribution cannot describe)"
)

// GammaGammaExclusion is one customer left out of the Gamma-Gamma fit.
type GammaGammaExclusion struct {
	CustomerID string `json:"customer_id"`
	// Reason is ReasonOneTime or ReasonNonPositive.
	Reason string `json:"reason"`
	// Frequency and MeanRepeatValue (major units) are the customer's
	// summary values that made them excluded.
	Frequency       int     `json:"frequency"`
	MeanRepeatValue float64 `json:"mean_repeat_value"`
}

// GammaGammaExclusions returns the customers FitGammaGamma leaves out, in
// input order, with the reason: Frequency 0 (ReasonOneTime) or a mean
// repeat value ≤ 0 (ReasonNonPositive). It is available even when the
// fit fails, so an answer can still say who was left out and why. Rows
// with a negative Frequency or non-finite value are skipped (FitGammaGamma
// rejects them).
func GammaGammaExclusions(customers []CustomerSummary) []GammaGammaExclusion {
	var out []GammaGammaExclusion
	for _, c := range customers {
		if c.Frequency < 0 || math.IsNaN(c.MeanRepeatValue) || math.IsInf(c.MeanRepeatValue, 0) {
			continue
		}
		switch {
		case c.Frequency == 0:
			out = append(out, GammaGammaExclusion{c.CustomerID, ReasonOneTime, 0, c.MeanRepeatValue})
		case c.MeanRepeatValue <= 0:
			out = append(out, GammaGammaExclusion{c.CustomerID, ReasonNonPositive, c.Frequency, c.MeanRepeatValue})
		}
	}
	return out
}

func (p GammaGammaParams) validate() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"p", p.P}, {"q", p.Q}, {"gamma", p.Gamma}} {
		if !(v.v > 0) || math.IsInf(v.v, 0) {
			return &InputError{Row: -1, Field: v.name, Err: fmt.Errorf("Gamma-Gamma parameter %s = %v, want finite > 0", v.name, v.v)}
		}
	}
	return nil
}

// PopulationMeanSpend returns the expected mean transaction value of a
// randomly chosen customer, E[M] = pγ/(q−1), in major units. It returns an
// *InputError when q ≤ 1 (the mean is infinite).
func (p GammaGammaParams) PopulationMeanSpend() (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if p.Q <= 1 {
		return 0, &InputError{Row: -1, Field: "q", Err: fmt.Errorf("Gamma-Gamma q = %v <= 1: the population mean spend is infinite", p.Q)}
	}
	return p.P * p.Gamma / (p.Q - 1), nil
}

// ConditionalExpectedSpend returns E[M | x, z̄], the expected mean
// transaction value of a customer with x repeat transactions of mean value
// meanValue (major units) (Fader & Hardie 2013, "The Gamma-Gamma Model of
// Monetary Value", eq. 5):
//
//	E[M | p,q,γ,x,z̄] = (γ + x z̄) p / (p x + q − 1)
//	                = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · z̄
//
// For x = 0 or a non-positive meanValue (customers the model was not
// fitted on) it returns the population mean pγ/(q−1). It returns an
// *InputError for invalid parameters, q ≤ 1, negative x or non-finite
// meanValue.
func (p GammaGammaParams) ConditionalExpectedSpend(x int, meanValue float64) (float64, error) {
	pop, err := p.PopulationMeanSpend()
	if err != nil {
		return 0, err
	}
	if x < 0 {
		return 0, &InputError{Row: -1, Field: "x", Err: ErrNegative}
	}
	if math.IsNaN(meanValue) || math.IsInf(meanValue, 0) {
		return 0, &InputError{Row: -1, Field: "meanValue", Err: fmt.Errorf("mean value %v is not finite", meanValue)}
	}
	if x == 0 || meanValue <= 0 {
		return pop, nil
	}
	px := p.P * float64(x)
	return (p.Gamma + float64(x)*meanValue) * p.P / (px + p.Q - 1), nil
}

// gammaGammaLL returns the log-likelihood of one customer's mean repeat
// value z̄ > 0 over x > 0 transactions (Fader & Hardie 2013, eq. 4):
//
//	f(z̄|p,q,γ,x) = Γ(px+q)/(Γ(px)Γ(q)) · γ^q (x)^(px) z̄^(px−1) / (γ + x z̄)^(px+q)
//
// and, when grad is not nil, adds its gradient in (p, q, γ) to grad.
func gammaGammaLL(p GammaGammaParams, x int, z float64, grad []float64) float64 {
	fx := float64(x)
	px := p.P * fx
	lz, lx, lg := math.Log(z), math.Log(fx), math.Log(p.Gamma)
	lgz := math.Log(p.Gamma + fx*z)
	ll := lgamma(px+p.Q) - lgamma(px) - lgamma(p.Q) + p.Q*lg + (px-1)*lz + px*lx - (px+p.Q)*lgz
	if grad != nil {
		dpq := mathext.Digamma(px + p.Q)
		grad[0] += fx * (dpq - mathext.Digamma(px) + lz + lx - lgz)
		grad[1] += dpq - mathext.Digamma(p.Q) + lg - lgz
		grad[2] += p.Q/p.Gamma - (px+p.Q)/(p.Gamma+fx*z)
	}
	return ll
}

// LogLikelihood returns the Gamma-Gamma log-likelihood of one customer's
// mean repeat value meanValue > 0 over x > 0 repeat transactions. It
// returns an *InputError for invalid inputs.
func (p GammaGammaParams) LogLikelihood(x int, meanValue float64) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	if x <= 0 {
		return 0, &InputError{Row: -1, Field: "x", Err: fmt.Errorf("x = %d, want > 0", x)}
	}
	if !(meanValue > 0) || math.IsInf(meanValue, 0) {
		return 0, &InputError{Row: -1, Field: "meanValue", Err: fmt.Errorf("mean value %v, want finite > 0", meanValue)}
	}
	return gammaGammaLL(p, x, meanValue, nil), nil
}

// FitGammaGamma fits the Gamma-Gamma spend model (Fader & Hardie 2013,
// "The Gamma-Gamma Model of Monetary Value") by maximum likelihood on the
// customers with Frequency > 0 and MeanRepeatValue > 0 (major units);
// the others are counted in ExcludedOneTime and ExcludedNonPositive. The
// log-likelihood is maximised over log p, log q, log γ with BFGS and the
// analytic gradient; standard errors come from a numerical Hessian.
//
// The model assumes spend is independent of purchase frequency; check the
// correlation of Frequency and MeanRepeatValue before relying on it. A
// warning is added when fewer than MinGammaGammaCustomers customers are
// fitted, and when q ≤ 1 (infinite population mean).
//
// It returns ErrNoData when no customer has positive repeat value, an
// *InputError naming the row of a non-finite MeanRepeatValue or negative
// Frequency, and an error wrapping ErrFitFailed when the fit does not
// converge.
func FitGammaGamma(customers []CustomerSummary) (GammaGammaFit, error) {
	var fit GammaGammaFit
	type row struct {
		x      int
		z      float64
		lz, lx float64 // log z̄, log x
	}
	var rows []row
	var sumZ, sumZ2 float64
	for i, c := range customers {
		if c.Frequency < 0 {
			return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: %w", &InputError{Row: i, Field: "Frequency", Err: ErrNegative})
		}
		if math.IsNaN(c.MeanRepeatValue) || math.IsInf(c.MeanRepeatValue, 0) {
			return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: %w", &InputError{Row: i, Field: "MeanRepeatValue", Err: fmt.Errorf("%v is not finite", c.MeanRepeatValue)})
		}
		switch {
		case c.Frequency == 0:
			fit.ExcludedOneTime++
		case c.MeanRepeatValue <= 0:
			fit.ExcludedNonPositive++
		default:
			rows = append(rows, row{c.Frequency, c.MeanRepeatValue, math.Log(c.MeanRepeatValue), math.Log(float64(c.Frequency))})
			sumZ += c.MeanRepeatValue
			sumZ2 += c.MeanRepeatValue * c.MeanRepeatValue
		}
	}
	if len(rows) == 0 {
		return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: no repeat customer with positive mean value (%d one-time, %d non-positive): %w",
			fit.ExcludedOneTime, fit.ExcludedNonPositive, ErrNoData)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].x < rows[j].x })
	n := float64(len(rows))
	// total is Σ gammaGammaLL over rows with the terms that depend on x
	// only (log-gamma, digamma) computed once per distinct x.
	total := func(p GammaGammaParams, grad []float64) float64 {
		lg := math.Log(p.Gamma)
		cq := -lgamma(p.Q) + p.Q*lg
		dq := mathext.Digamma(p.Q)
		var ll, g0, g1, g2 float64
		lastX := -1
		var fx, px, cx, dpq, dp float64
		for _, r := range rows {
			if r.x != lastX {
				lastX = r.x
				fx = float64(r.x)
				px = p.P * fx
				cx = lgamma(px+p.Q) - lgamma(px) + cq
				if grad != nil {
					dpq = mathext.Digamma(px + p.Q)
					dp = mathext.Digamma(px)
				}
			}
			gz := p.Gamma + fx*r.z
			lgz := math.Log(gz)
			ll += cx + (px-1)*r.lz + px*r.lx - (px+p.Q)*lgz
			if grad != nil {
				g0 += fx * (dpq - dp + r.lz + r.lx - lgz)
				g1 += dpq - dq + lg - lgz
				g2 += p.Q/p.Gamma - (px+p.Q)/gz
			}
		}
		if grad != nil {
			grad[0], grad[1], grad[2] = g0, g1, g2
		}
		return ll
	}
	// Start from moments of z̄ treated as Gamma(p, ν) with ν fixed at its
	// mean: p = mean²/var, and q = 2, γ = p·(q−1)/mean so that pγ/(q−1) = mean.
	mean := sumZ / n
	v := sumZ2/n - mean*mean
	p0 := 1.0
	if v > 0 {
		p0 = math.Max(0.1, math.Min(100, mean*mean/v))
	}
	x0 := []float64{math.Log(p0), math.Log(2), math.Log(p0 / mean)}
	r, err := fitLogLik([]string{"p", "q", "gamma"}, n, x0, func(v, grad []float64) float64 {
		return total(GammaGammaParams{P: v[0], Q: v[1], Gamma: v[2]}, grad)
	})
	if err != nil {
		return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: %w", err)
	}
	fit.Params = GammaGammaParams{P: r.est[0], Q: r.est[1], Gamma: r.est[2]}
	fit.Excluded = GammaGammaExclusions(customers)
	fit.LogLikelihood = r.logLik
	fit.Customers = len(rows)
	fit.Iterations = r.iters
	if len(rows) < MinGammaGammaCustomers {
		fit.Warnings = append(fit.Warnings, fmt.Sprintf("only %d repeat customers with positive spend (fewer than %d): estimates are unreliable", len(rows), MinGammaGammaCustomers))
	}
	if fit.Params.Q <= 1 {
		fit.Warnings = append(fit.Warnings, fmt.Sprintf("q = %.3g <= 1: population mean spend is infinite; spend expectations are not available", fit.Params.Q))
	}
	fit.StdErrUnavailable = r.seUnavailable
	fit.Warnings = append(fit.Warnings, r.warnings()...)
	if r.se != nil {
		fit.StdErr = GammaGammaParams{P: r.se[0], Q: r.se[1], Gamma: r.se[2]}
	}
	return fit, nil
}
