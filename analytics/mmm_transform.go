package analytics

import (
	"fmt"
	"math"
)

// AdstockKind names a carry-over (adstock) transformation of weekly spend.
type AdstockKind int

const (
	// GeometricAdstock spreads each week's spend over the following weeks
	// with weights α^l, l = 0..L−1, normalised to sum to 1 (PyMC-Marketing's
	// geometric_adstock with normalize=True; Jin et al. 2017, "Bayesian
	// Methods for Media Mix Modeling with Carryover and Shape Effects",
	// Google, eq. 1 with θ = 0).
	GeometricAdstock AdstockKind = iota
	// WeibullAdstock uses weights proportional to the Weibull density
	// f(l+1; k, λ) = (k/λ)((l+1)/λ)^(k−1) exp(−((l+1)/λ)^k), l = 0..L−1,
	// normalised to sum to 1, so the peak effect may come weeks after the
	// spend (Robyn's "weibull_pdf" adstock, Meta Robyn documentation).
	WeibullAdstock
)

func (k AdstockKind) String() string {
	switch k {
	case GeometricAdstock:
		return "geometric"
	case WeibullAdstock:
		return "weibull"
	}
	return fmt.Sprintf("AdstockKind(%d)", int(k))
}

// SaturationKind names a diminishing-returns (saturation) curve applied to
// adstocked spend. Spend is first divided by the channel's largest weekly
// spend, so x = 1 is the busiest week of the data (PyMC-Marketing's
// MaxAbsScaler convention).
type SaturationKind int

const (
	// LogisticSaturation is s(x) = (1 − e^(−λx)) / (1 + e^(−λx)) = tanh(λx/2)
	// (PyMC-Marketing's logistic_saturation).
	LogisticSaturation SaturationKind = iota
	// HillSaturation is s(x) = x^S / (x^S + K^S), with half-saturation K
	// and shape S (Jin et al. 2017, eq. 3; Robyn's Hill transform).
	HillSaturation
	// AutoSaturation lets FitMMM choose between Logistic and Hill on
	// time-slice cross-validation error.
	AutoSaturation
)

func (k SaturationKind) String() string {
	switch k {
	case AutoSaturation:
		return "auto"
	case LogisticSaturation:
		return "logistic"
	case HillSaturation:
		return "hill"
	}
	return fmt.Sprintf("SaturationKind(%d)", int(k))
}

// GeometricAdstockWeights returns the L normalised geometric weights
// α^l / Σ_{j<L} α^j for l = 0..L−1. α must lie in [0, 1) and L ≥ 1.
func GeometricAdstockWeights(alpha float64, maxLagWeeks int) ([]float64, error) {
	if maxLagWeeks < 1 {
		return nil, &InputError{Row: -1, Field: "max_lag_weeks", Err: fmt.Errorf("%d: must be at least 1", maxLagWeeks)}
	}
	if !(alpha >= 0 && alpha < 1) {
		return nil, &InputError{Row: -1, Field: "alpha", Err: fmt.Errorf("%v: %w (need 0 ≤ α < 1)", alpha, ErrInvalidRate)}
	}
	return geometricWeights(alpha, maxLagWeeks), nil
}

func geometricWeights(alpha float64, L int) []float64 {
	w := make([]float64, L)
	sum := 0.0
	p := 1.0
	for l := range w {
		w[l] = p
		sum += p
		p *= alpha
	}
	for l := range w {
		w[l] /= sum
	}
	return w
}

// WeibullAdstockWeights returns the L normalised Weibull-density weights
// f(l+1; k, λ) / Σ_j f(j+1; k, λ), l = 0..L−1, with shape k > 0 and
// scale λ > 0 (in weeks).
func WeibullAdstockWeights(shape, scale float64, maxLagWeeks int) ([]float64, error) {
	if maxLagWeeks < 1 {
		return nil, &InputError{Row: -1, Field: "max_lag_weeks", Err: fmt.Errorf("%d: must be at least 1", maxLagWeeks)}
	}
	if !(shape > 0) || !(scale > 0) || math.IsInf(shape, 0) || math.IsInf(scale, 0) {
		return nil, &InputError{Row: -1, Field: "weibull", Err: fmt.Errorf("shape %v, scale %v: both must be positive and finite", shape, scale)}
	}
	return weibullWeights(shape, scale, maxLagWeeks), nil
}

func weibullWeights(k, lam float64, L int) []float64 {
	w := make([]float64, L)
	sum := 0.0
	for l := range w {
		x := float64(l+1) / lam
		w[l] = k / lam * math.Pow(x, k-1) * math.Exp(-math.Pow(x, k))
		sum += w[l]
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		// All mass beyond the window or underflow: put it all on lag 0.
		for l := range w {
			w[l] = 0
		}
		w[0] = 1
		return w
	}
	for l := range w {
		w[l] /= sum
	}
	return w
}

// Adstock convolves weekly spend x (one value per week, oldest first) with
// lag weights w (w[0] applies to the same week): out[t] = Σ_l w[l]·x[t−l],
// with spend before the first week taken as zero.
func Adstock(x, w []float64) []float64 {
	out := make([]float64, len(x))
	adstockInto(out, x, w, 1)
	return out
}

func adstockInto(out, x, w []float64, mult float64) {
	for t := range x {
		s := 0.0
		for l, wl := range w {
			if t-l < 0 {
				break
			}
			s += wl * x[t-l]
		}
		out[t] = s * mult
	}
}

// LogisticSaturationValue returns tanh(λx/2) = (1 − e^(−λx))/(1 + e^(−λx))
// for scaled spend x ≥ 0 and λ > 0 (PyMC-Marketing's logistic_saturation).
func LogisticSaturationValue(x, lam float64) float64 {
	return math.Tanh(lam * x / 2)
}

// HillSaturationValue returns x^S / (x^S + K^S) for scaled spend x ≥ 0,
// half-saturation K > 0 and shape S > 0 (Jin et al. 2017, eq. 3).
func HillSaturationValue(x, k, s float64) float64 {
	if x <= 0 {
		return 0
	}
	// x^S/(x^S+K^S) = 1/(1+(K/x)^S), stable for large and small x.
	return 1 / (1 + math.Pow(k/x, s))
}

// mediaParams are one channel's transformation parameters.
type mediaParams struct {
	A1, A2 float64 // adstock: α (geometric) or shape k, scale λ (Weibull)
	S1, S2 float64 // saturation: λ (logistic) or K, S (Hill)
}

// mmmSpec fixes the transformation family of a fit.
type mmmSpec struct {
	adstock    AdstockKind
	saturation SaturationKind
	maxLag     int
}

func (s mmmSpec) adstockParams() int {
	if s.adstock == WeibullAdstock {
		return 2
	}
	return 1
}

func (s mmmSpec) saturationParams() int {
	if s.saturation == HillSaturation {
		return 2
	}
	return 1
}

func (s mmmSpec) paramsPerChannel() int { return s.adstockParams() + s.saturationParams() }

// Bounds of the searched parameters. Unconstrained optimiser coordinates
// u map into [lo, hi] through a logistic function (on a log scale for
// scale-like parameters), so every coordinate value is a valid parameter.
var (
	boundAlpha    = [2]float64{0, 0.9}
	boundWShape   = [2]float64{0.5, 6}
	boundWScale   = [2]float64{0.5, 8}
	boundLogistic = [2]float64{0.1, 20}
	boundHillK    = [2]float64{0.05, 3}
	boundHillS    = [2]float64{0.5, 4}
)

func linBound(u float64, b [2]float64) float64 { return b[0] + (b[1]-b[0])*sigmoid(u) }

func logBound(u float64, b [2]float64) float64 {
	lo, hi := math.Log(b[0]), math.Log(b[1])
	return math.Exp(lo + (hi-lo)*sigmoid(u))
}

// decode maps optimiser coordinates u (paramsPerChannel values per channel)
// to parameters.
func (s mmmSpec) decode(u []float64, channels int) []mediaParams {
	ps := make([]mediaParams, channels)
	k := s.paramsPerChannel()
	for c := range ps {
		v := u[c*k : (c+1)*k]
		i := 0
		if s.adstock == WeibullAdstock {
			ps[c].A1 = logBound(v[0], boundWShape)
			ps[c].A2 = logBound(v[1], boundWScale)
			i = 2
		} else {
			ps[c].A1 = linBound(v[0], boundAlpha)
			i = 1
		}
		if s.saturation == HillSaturation {
			ps[c].S1 = logBound(v[i], boundHillK)
			ps[c].S2 = logBound(v[i+1], boundHillS)
		} else {
			ps[c].S1 = logBound(v[i], boundLogistic)
		}
	}
	return ps
}

func (s mmmSpec) weights(p mediaParams) []float64 {
	if s.adstock == WeibullAdstock {
		return weibullWeights(p.A1, p.A2, s.maxLag)
	}
	return geometricWeights(p.A1, s.maxLag)
}

func (s mmmSpec) saturate(x float64, p mediaParams) float64 {
	if s.saturation == HillSaturation {
		return HillSaturationValue(x, p.S1, p.S2)
	}
	return LogisticSaturationValue(x, p.S1)
}

// transform returns sat(adstock(mult·x/scale)) for one channel.
func (s mmmSpec) transform(x []float64, scale, mult float64, p mediaParams) []float64 {
	out := make([]float64, len(x))
	if s.adstock == GeometricAdstock {
		geometricAdstockInto(out, x, p.A1, s.maxLag, mult/scale)
	} else {
		adstockInto(out, x, s.weights(p), mult/scale)
	}
	for t, v := range out {
		out[t] = s.saturate(v, p)
	}
	return out
}

// geometricAdstockInto is Adstock with normalised geometric weights in O(n):
// u_t = α·u_{t−1} + x_t − α^L·x_{t−L}, out_t = mult·u_t / Σ_{l<L} α^l.
func geometricAdstockInto(out, x []float64, alpha float64, L int, mult float64) {
	norm, aL := 0.0, 1.0
	for l := 0; l < L; l++ {
		norm += aL
		aL *= alpha
	}
	u := 0.0
	for t, v := range x {
		u = alpha*u + v
		if t >= L {
			u -= aL * x[t-L]
		}
		out[t] = mult * u / norm
	}
}
