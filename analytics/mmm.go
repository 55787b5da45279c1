package analytics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat"
)

// ErrTooFewWeeks means a media mix model was asked to fit fewer weeks than
// its parameters can support.
var ErrTooFewWeeks = errors.New("too few weeks for the model's parameters")

// MMMSeries is one named weekly series; Values has one entry per week of
// the input, oldest first.
type MMMSeries struct {
	Name   string
	Values []float64
}

// LiftTest is the result of an experiment (geo or conversion lift test) on
// one channel: over the weeks Start..End (week starts, inclusive) the
// channel's spend caused Incremental units of outcome, measured with
// standard error SE (> 0, same units). FitMMM reads it as the channel's
// modelled contribution summed over those weeks, i.e. the outcome lost had
// the channel been switched off (PyMC-Marketing's add_lift_test_measurements
// and Robyn's calibration use the same quantity).
type LiftTest struct {
	Channel     string
	Start, End  time.Time
	Incremental float64
	SE          float64
}

// MMMInput is the weekly data of a media mix model. Weeks holds the start
// of each week, oldest first, exactly 7 days apart; Outcome (revenue or
// conversions, the unit of every ROAS) and every series have one value per
// week. Media values are spend in one currency (major units, e.g. pounds).
// Controls are continuous covariates (price, a confounder, temperature);
// Events are 0/1 dummies (a promotion week, an outage).
type MMMInput struct {
	Weeks     []time.Time
	Outcome   []float64
	Media     []MMMSeries
	Controls  []MMMSeries
	Events    []MMMSeries
	LiftTests []LiftTest
}

// MMMConfig sets a media mix model fit. Zero values take the defaults named
// on each field.
type MMMConfig struct {
	// Adstock is the carry-over family (default GeometricAdstock).
	Adstock AdstockKind
	// Saturation is the curve family (default LogisticSaturation, as in
	// PyMC-Marketing; AutoSaturation fits Logistic and Hill and keeps the
	// lower time-slice CV error).
	Saturation SaturationKind
	// MaxLagWeeks is the adstock window L in weeks; 0 means both 4 and 8
	// are fitted and the lower CV error wins.
	MaxLagWeeks int
	// FourierOrder is the number of yearly sine/cosine pairs (period
	// 365.25/7 weeks); 0 means 2, negative means no seasonality.
	FourierOrder int
	// TrendDegree is the degree of the polynomial trend in years since the
	// first week; 0 means both 1 (linear) and 2 are fitted and the lower CV
	// error wins; negative means no trend.
	TrendDegree int
	// Ridge lists candidate ridge penalties λ on the standardised media
	// columns (λ·n·Var(x_c)·β_c², shrinking ROAS toward zero; the baseline is
	// not penalised, so a confounder given as a control keeps its full
	// effect); the lowest CV error wins. Nil means {0, 0.01}.
	Ridge []float64
	// Starts is the number of optimiser starts per candidate: 3 fixed ones
	// plus seeded random ones (default 8).
	Starts int
	// Bootstrap is the number of moving-block residual bootstrap refits for
	// the intervals (default 200; negative means none).
	Bootstrap int
	// BlockWeeks is the bootstrap block length (default 4).
	BlockWeeks int
	// CVFolds and CVHorizonWeeks set the time-slice cross-validation: fold f
	// fits the weeks before a cut and predicts the next CVHorizonWeeks
	// (defaults 4 folds of 8 weeks; negative CVFolds means none).
	CVFolds        int
	CVHorizonWeeks int
	// Interval is the central probability of the reported intervals
	// (default 0.9).
	Interval float64
	// Seed makes the fit deterministic: the same input, config and seed give
	// the same result.
	Seed uint64
	// NoHealth skips the refit with another seed (used by that refit).
	NoHealth bool
}

// MMMEstimate is a point estimate with its bootstrap interval (the
// percentile interval of the replicates around their median, centred on
// Value) [Low, High], equal to Value when no bootstrap was run.
type MMMEstimate struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// MMMParams are one channel's fitted transformation parameters, on
// PyMC-Marketing's scaling (spend divided by SpendScale, the channel's
// largest weekly spend).
type MMMParams struct {
	Adstock      string  `json:"adstock"`
	Alpha        float64 `json:"alpha,omitempty"`         // geometric decay α
	WeibullShape float64 `json:"weibull_shape,omitempty"` // k
	WeibullScale float64 `json:"weibull_scale,omitempty"` // λ, weeks
	Saturation   string  `json:"saturation"`
	Lambda       float64 `json:"lambda,omitempty"` // logistic λ
	HillK        float64 `json:"hill_k,omitempty"` // half-saturation on scaled spend
	HillS        float64 `json:"hill_s,omitempty"` // Hill shape
	Beta         float64 `json:"beta"`             // outcome per week at saturation 1
	SpendScale   float64 `json:"spend_scale"`
}

// MMMCurvePoint is one point of a response curve: a constant weekly spend
// held long enough for the adstock to settle, the weekly incremental
// outcome it brings, and the marginal ROAS there (derivative).
type MMMCurvePoint struct {
	WeeklySpend        float64 `json:"weekly_spend"`
	WeeklyContribution float64 `json:"weekly_contribution"`
	MarginalROAS       float64 `json:"marginal_roas"`
}

// MMMChannel is one channel's result. Contribution is the incremental
// outcome over all weeks; ROAS = Contribution / Spend; MarginalROAS is the
// extra outcome per extra unit of spend when every week's spend rises by
// 1%. Weekly holds the point contribution per week.
type MMMChannel struct {
	Name           string          `json:"name"`
	Spend          float64         `json:"spend"`
	AvgWeeklySpend float64         `json:"avg_weekly_spend"`
	Contribution   MMMEstimate     `json:"contribution"`
	Share          float64         `json:"share"` // of total fitted outcome
	ROAS           MMMEstimate     `json:"roas"`
	MarginalROAS   MMMEstimate     `json:"marginal_roas"`
	Params         MMMParams       `json:"params"`
	Weekly         []float64       `json:"weekly"`
	Curve          []MMMCurvePoint `json:"curve"`
	LiftTests      int             `json:"lift_tests"`
}

// MMMComponent is a part of the outcome: its value per week and in total.
type MMMComponent struct {
	Name   string    `json:"name"`
	Weekly []float64 `json:"weekly"`
	Total  float64   `json:"total"`
}

// MMMFold is one time-slice cross-validation fold: the model fitted on
// the TrainWeeks first weeks predicts the next TestWeeks.
// NRMSE = RMSE / (max − min of the whole outcome series) (Robyn's NRMSE).
type MMMFold struct {
	TrainWeeks int     `json:"train_weeks"`
	TestWeeks  int     `json:"test_weeks"`
	RMSE       float64 `json:"rmse"`
	MAPE       float64 `json:"mape"`
	NRMSE      float64 `json:"nrmse"`
}

// MMMHealth is the model check run on every fit: a refit with another seed
// (relative ROAS change per channel), the time-slice CV folds, and a
// verdict, "trustworthy" or "unstable", with the reasons.
type MMMHealth struct {
	RefitSeed      uint64             `json:"refit_seed"`
	SeedROASChange map[string]float64 `json:"seed_roas_change"`
	Folds          []MMMFold          `json:"folds"`
	MeanFoldNRMSE  float64            `json:"mean_fold_nrmse"`
	MeanFoldMAPE   float64            `json:"mean_fold_mape"`
	Verdict        string             `json:"verdict"`
	Reasons        []string           `json:"reasons"`
}

// MMMLiftPriority ranks a channel for the next lift test: Score is the
// width of its ROAS interval times its spend, the outcome at stake in the
// model's uncertainty.
type MMMLiftPriority struct {
	Channel     string  `json:"channel"`
	Score       float64 `json:"score"`
	ROASWidth   float64 `json:"roas_width"`
	Spend       float64 `json:"spend"`
	HasLiftTest bool    `json:"has_lift_test"`
}

// MMMFit is a fitted media mix model.
type MMMFit struct {
	Weeks         []time.Time       `json:"weeks"`
	Outcome       []float64         `json:"outcome"`
	Fitted        []float64         `json:"fitted"`
	Channels      []MMMChannel      `json:"channels"`
	Baseline      MMMComponent      `json:"baseline"`
	BaselineParts []MMMComponent    `json:"baseline_parts"`
	Adstock       string            `json:"adstock"`
	Saturation    string            `json:"saturation"`
	MaxLagWeeks   int               `json:"max_lag_weeks"`
	TrendDegree   int               `json:"trend_degree"`
	Ridge         float64           `json:"ridge"`
	R2            float64           `json:"r2"`
	MAPE          float64           `json:"mape"`
	NRMSE         float64           `json:"nrmse"`
	Interval      float64           `json:"interval"`
	Bootstrap     int               `json:"bootstrap"`
	MinWeeks      int               `json:"min_weeks"`
	Seed          uint64            `json:"seed"`
	Health        MMMHealth         `json:"health"`
	LiftPriority  []MMMLiftPriority `json:"lift_priority"`
	Candidates    []MMMCandidate    `json:"candidates"`

	spec  mmmSpec
	media [][]float64 // weekly spend per channel
	// bootWeekly[c][b] is bootstrap replicate b's weekly contribution of
	// channel c, for intervals over sub-periods.
	bootWeekly [][][]float64
	params     []mediaParams
	beta       []float64
	nBase      int
	scale      []float64
}

// MMMCandidate is one model compared during selection.
type MMMCandidate struct {
	Saturation   string    `json:"saturation"`
	MaxLagWeeks  int       `json:"max_lag_weeks"`
	TrendDegree  int       `json:"trend_degree"`
	Ridge        float64   `json:"ridge"`
	MeanFoldRMSE float64   `json:"mean_fold_rmse"`
	Objective    float64   `json:"objective"`
	ROAS         []float64 `json:"roas"` // per channel, in Channels order
	Chosen       bool      `json:"chosen"`
}

// weeksPerYear is the Fourier period in weeks.
const weeksPerYear = 365.25 / 7

type mmmProblem struct {
	n         int
	y         []float64
	base      [][]float64
	baseNames []string
	baseGroup []string
	media     [][]float64
	scale     []float64
	names     []string
	lifts     []liftRow
}

func (c *MMMConfig) defaults() MMMConfig {
	d := *c
	if d.FourierOrder == 0 {
		d.FourierOrder = 2
	}
	if d.Ridge == nil {
		d.Ridge = []float64{0, 0.01}
	}
	if d.Starts == 0 {
		d.Starts = 8
	}
	if d.Bootstrap == 0 {
		d.Bootstrap = 200
	}
	if d.BlockWeeks == 0 {
		d.BlockWeeks = 4
	}
	if d.CVFolds == 0 {
		d.CVFolds = 4
	}
	if d.CVHorizonWeeks == 0 {
		d.CVHorizonWeeks = 8
	}
	if d.Interval == 0 {
		d.Interval = 0.9
	}
	return d
}

// MMMMinWeeks returns the fewest weeks FitMMM accepts for this input shape:
// twice the number of parameters (baseline coefficients, one coefficient
// and the transformation parameters per channel), and at least 52 weeks
// when the model has yearly seasonality.
func MMMMinWeeks(channels, controls, events int, cfg MMMConfig) int {
	d := cfg.defaults()
	k := 1 + controls + events
	if d.TrendDegree > 0 {
		k += d.TrendDegree
	} else if d.TrendDegree == 0 {
		k += 2
	}
	if d.FourierOrder > 0 {
		k += 2 * d.FourierOrder
	}
	spec := mmmSpec{adstock: d.Adstock, saturation: d.Saturation}
	if d.Saturation == AutoSaturation {
		spec.saturation = HillSaturation
	}
	k += channels * (1 + spec.paramsPerChannel())
	m := 2 * k
	if d.FourierOrder > 0 && m < 52 {
		m = 52
	}
	return m
}

func checkSeries(field string, s MMMSeries, n int, nonNeg bool) error {
	if len(s.Values) != n {
		return &InputError{Row: -1, Field: field + " " + s.Name, Err: fmt.Errorf("has %d values for %d weeks", len(s.Values), n)}
	}
	for i, v := range s.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &InputError{Row: i, Field: field + " " + s.Name, Err: fmt.Errorf("not a finite number: %v", v)}
		}
		if nonNeg && v < 0 {
			return &InputError{Row: i, Field: field + " " + s.Name, Err: fmt.Errorf("%v: %w", v, ErrNegative)}
		}
	}
	return nil
}

func validateMMM(in MMMInput, cfg MMMConfig) error {
	n := len(in.Weeks)
	if n == 0 {
		return &InputError{Row: -1, Field: "weeks", Err: ErrNoData}
	}
	if len(in.Media) == 0 {
		return &InputError{Row: -1, Field: "media", Err: fmt.Errorf("no channels: %w", ErrNoData)}
	}
	if len(in.Outcome) != n {
		return &InputError{Row: -1, Field: "outcome", Err: fmt.Errorf("has %d values for %d weeks", len(in.Outcome), n)}
	}
	for i := 1; i < n; i++ {
		if !in.Weeks[i].Equal(in.Weeks[i-1].AddDate(0, 0, 7)) {
			return &InputError{Row: i, Field: "week", Err: fmt.Errorf("%s is not 7 days after %s", in.Weeks[i].Format("2006-01-02"), in.Weeks[i-1].Format("2006-01-02"))}
		}
	}
	if err := checkSeries("outcome", MMMSeries{Name: "", Values: in.Outcome}, n, false); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, group := range []struct {
		field  string
		series []MMMSeries
		nonNeg bool
	}{{"channel", in.Media, true}, {"control", in.Controls, false}, {"event", in.Events, false}} {
		for _, s := range group.series {
			if s.Name == "" {
				return &InputError{Row: -1, Field: group.field, Err: errors.New("empty name")}
			}
			if seen[s.Name] {
				return &InputError{Row: -1, Field: group.field + " " + s.Name, Err: errors.New("name used twice")}
			}
			seen[s.Name] = true
			if err := checkSeries(group.field, s, n, group.nonNeg); err != nil {
				return err
			}
		}
	}
	for _, s := range in.Media {
		tot := 0.0
		for _, v := range s.Values {
			tot += v
		}
		if tot <= 0 {
			return &InputError{Row: -1, Field: "channel " + s.Name, Err: fmt.Errorf("no spend in any week: %w", ErrNoData)}
		}
	}
	for i, lt := range in.LiftTests {
		found := false
		for _, s := range in.Media {
			found = found || s.Name == lt.Channel
		}
		if !found {
			return &InputError{Row: i, Field: "lift_test.channel", Err: fmt.Errorf("%q is not a channel of the model", lt.Channel)}
		}
		if !(lt.SE > 0) || math.IsInf(lt.SE, 0) {
			return &InputError{Row: i, Field: "lift_test.se", Err: fmt.Errorf("%v: must be positive", lt.SE)}
		}
		if math.IsNaN(lt.Incremental) || math.IsInf(lt.Incremental, 0) {
			return &InputError{Row: i, Field: "lift_test.incremental", Err: fmt.Errorf("not a finite number: %v", lt.Incremental)}
		}
		if lt.End.Before(lt.Start) {
			return &InputError{Row: i, Field: "lift_test.end", Err: fmt.Errorf("%w: end before start", ErrInvalidPeriod)}
		}
		if weekIndex(in.Weeks, lt.Start) < 0 || weekIndex(in.Weeks, lt.End) < 0 {
			return &InputError{Row: i, Field: "lift_test.start", Err: fmt.Errorf("window %s..%s is not made of weeks of the data", lt.Start.Format("2006-01-02"), lt.End.Format("2006-01-02"))}
		}
	}
	d := cfg.defaults()
	if d.MaxLagWeeks < 0 || d.MaxLagWeeks > 52 {
		return &InputError{Row: -1, Field: "max_lag_weeks", Err: fmt.Errorf("%d: must be 1..52", d.MaxLagWeeks)}
	}
	if !(d.Interval > 0 && d.Interval < 1) {
		return &InputError{Row: -1, Field: "interval", Err: fmt.Errorf("%v: %w (need 0 < p < 1)", d.Interval, ErrInvalidRate)}
	}
	for _, r := range d.Ridge {
		if !(r >= 0) || math.IsInf(r, 0) {
			return &InputError{Row: -1, Field: "ridge", Err: fmt.Errorf("%v: %w", r, ErrNegative)}
		}
	}
	if len(d.Ridge) == 0 {
		return &InputError{Row: -1, Field: "ridge", Err: ErrNoData}
	}
	if min := MMMMinWeeks(len(in.Media), len(in.Controls), len(in.Events), cfg); n < min {
		return &InputError{Row: -1, Field: "weeks", Err: fmt.Errorf("%w: %d weeks, need at least %d (twice the %d parameters, and 52 for yearly seasonality)", ErrTooFewWeeks, n, min, min/2)}
	}
	return nil
}

// weekIndex returns the index of the week starting at w, or −1.
func weekIndex(weeks []time.Time, w time.Time) int {
	i := sort.Search(len(weeks), func(i int) bool { return !weeks[i].Before(w) })
	if i < len(weeks) && weeks[i].Equal(w) {
		return i
	}
	return -1
}

func buildMMMProblem(in MMMInput, d MMMConfig) *mmmProblem {
	n := len(in.Weeks)
	p := &mmmProblem{n: n, y: in.Outcome}
	add := func(name, group string, col []float64) {
		p.base = append(p.base, col)
		p.baseNames = append(p.baseNames, name)
		p.baseGroup = append(p.baseGroup, group)
	}
	one := make([]float64, n)
	for t := range one {
		one[t] = 1
	}
	add("intercept", "intercept", one)
	for deg := 1; deg <= d.TrendDegree; deg++ {
		col := make([]float64, n)
		for t := range col {
			col[t] = math.Pow(float64(t)/weeksPerYear, float64(deg))
		}
		add(fmt.Sprintf("trend^%d", deg), "trend", col)
	}
	for k := 1; k <= d.FourierOrder; k++ {
		s, c := make([]float64, n), make([]float64, n)
		for t := range s {
			ph := 2 * math.Pi * float64(k) * float64(t) / weeksPerYear
			s[t], c[t] = math.Sin(ph), math.Cos(ph)
		}
		add(fmt.Sprintf("sin%d", k), "seasonality", s)
		add(fmt.Sprintf("cos%d", k), "seasonality", c)
	}
	for _, s := range in.Controls {
		add(s.Name, "control", s.Values)
	}
	for _, s := range in.Events {
		add(s.Name, "event", s.Values)
	}
	for _, s := range in.Media {
		mx := 0.0
		for _, v := range s.Values {
			mx = math.Max(mx, v)
		}
		p.media = append(p.media, s.Values)
		p.scale = append(p.scale, mx)
		p.names = append(p.names, s.Name)
	}
	for _, lt := range in.LiftTests {
		c := 0
		for i, nm := range p.names {
			if nm == lt.Channel {
				c = i
			}
		}
		p.lifts = append(p.lifts, liftRow{channel: c, from: weekIndex(in.Weeks, lt.Start), to: weekIndex(in.Weeks, lt.End), value: lt.Incremental, se: lt.SE})
	}
	return p
}

// columns returns the design columns for the given transformation
// parameters, with every channel's spend multiplied by mult[c] (nil = 1).
func (p *mmmProblem) columns(spec mmmSpec, ps []mediaParams, mult []float64) [][]float64 {
	cols := make([][]float64, 0, len(p.base)+len(p.media))
	cols = append(cols, p.base...)
	for c, x := range p.media {
		m := 1.0
		if mult != nil {
			m = mult[c]
		}
		cols = append(cols, spec.transform(x, p.scale[c], m, ps[c]))
	}
	return cols
}

// fitState is the result of fitting the transformation parameters.
type fitState struct {
	u   []float64
	sol lsSolution
}

func (p *mmmProblem) ls(spec mmmSpec, u []float64, y []float64, end int, lifts []liftRow, liftVar, ridge float64, m *baseMoments) (lsSolution, [][]float64) {
	cols := p.columns(spec, spec.decode(u, len(p.media)), nil)
	q := lsProblem{cols: cols, nBase: len(p.base), y: y, end: end, lifts: lifts, liftVar: liftVar, ridge: ridge, moments: m}
	return q.solve(), cols
}

// optimizeFrom runs Nelder–Mead (gonum/optimize) from u0 on the profiled
// objective (β solved exactly for each u).
func (p *mmmProblem) optimizeFrom(spec mmmSpec, u0 []float64, simplex float64, evals int, y []float64, end int, lifts []liftRow, liftVar, ridge float64) fitState {
	m := newBaseMoments(p.base, y, end)
	f := func(u []float64) float64 {
		s, _ := p.ls(spec, u, y, end, lifts, liftVar, ridge, m)
		return s.obj
	}
	best := fitState{u: append([]float64(nil), u0...)}
	best.sol, _ = p.ls(spec, u0, y, end, lifts, liftVar, ridge, m)
	res, err := optimize.Minimize(optimize.Problem{Func: f}, u0, &optimize.Settings{
		FuncEvaluations: evals,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-10, Iterations: 30 * len(u0)},
	}, &optimize.NelderMead{SimplexSize: simplex})
	if err == nil && res != nil && res.F < best.sol.obj {
		best.u = append([]float64(nil), res.X...)
		best.sol, _ = p.ls(spec, best.u, y, end, lifts, liftVar, ridge, m)
	}
	return best
}

// multiStart fits u from fixed and seeded random starts and polishes the best.
func (p *mmmProblem) multiStart(spec mmmSpec, starts int, rng *rand.Rand, y []float64, end int, lifts []liftRow, liftVar, ridge float64) fitState {
	dim := len(p.media) * spec.paramsPerChannel()
	var inits [][]float64
	for _, v := range []float64{0, -1.5, 1.5} {
		u := make([]float64, dim)
		for i := range u {
			u[i] = v
		}
		inits = append(inits, u)
	}
	for len(inits) < starts {
		u := make([]float64, dim)
		for i := range u {
			u[i] = -3 + 6*rng.Float64()
		}
		inits = append(inits, u)
	}
	best := fitState{sol: lsSolution{obj: math.Inf(1)}}
	for _, u0 := range inits {
		s := p.optimizeFrom(spec, u0, 1, 250*dim, y, end, lifts, liftVar, ridge)
		if s.sol.obj < best.sol.obj {
			best = s
		}
	}
	// Restart from the best point with a fresh simplex (a standard remedy
	// for Nelder–Mead's premature collapse).
	for i := 0; i < 2; i++ {
		s := p.optimizeFrom(spec, best.u, 0.3, 200*dim, y, end, lifts, liftVar, ridge)
		if s.sol.obj < best.sol.obj {
			best = s
		}
	}
	return best
}

// candidate is one (saturation family, ridge) model during selection.
type candidate struct {
	p       *mmmProblem
	trend   int
	spec    mmmSpec
	ridge   float64
	liftVar float64
	state   fitState
	folds   []MMMFold
	cvRMSE  float64
}

func (p *mmmProblem) fitCandidate(spec mmmSpec, ridge float64, d MMMConfig, rng *rand.Rand) candidate {
	c := candidate{p: p, spec: spec, ridge: ridge}
	c.state = p.multiStart(spec, d.Starts, rng, p.y, p.n, nil, 0, ridge)
	if len(p.lifts) > 0 {
		k := len(p.base) + len(p.media)*(1+spec.paramsPerChannel())
		dof := float64(p.n - k)
		if dof < 1 {
			dof = 1
		}
		c.liftVar = c.state.sol.sse / dof
		warm := p.multiStart(spec, 3, rng, p.y, p.n, p.lifts, c.liftVar, ridge)
		from := p.optimizeFrom(spec, c.state.u, 1, 250*len(c.state.u), p.y, p.n, p.lifts, c.liftVar, ridge)
		if from.sol.obj < warm.sol.obj {
			warm = from
		}
		c.state = warm
	}
	c.folds = p.crossValidate(c, d)
	if len(c.folds) > 0 {
		for _, f := range c.folds {
			c.cvRMSE += f.RMSE
		}
		c.cvRMSE /= float64(len(c.folds))
	} else {
		c.cvRMSE = math.Sqrt(c.state.sol.sse / float64(p.n))
	}
	return c
}

func (c candidate) roas() []float64 {
	p := c.p
	ps := c.spec.decode(c.state.u, len(p.media))
	cols := p.columns(c.spec, ps, nil)
	out := make([]float64, len(p.media))
	for ch := range out {
		out[ch] = p.channelPoint(c.spec, ps[ch], c.state.sol.beta[len(p.base)+ch], ch, cols[len(p.base)+ch]).ROAS.Value
	}
	return out
}

func (p *mmmProblem) crossValidate(c candidate, d MMMConfig) []MMMFold {
	if d.CVFolds < 0 {
		return nil
	}
	h := d.CVHorizonWeeks
	k := len(p.base) + len(p.media)*(1+c.spec.paramsPerChannel())
	lo, hi := floats.Min(p.y), floats.Max(p.y)
	var folds []MMMFold
	for f := d.CVFolds; f >= 1; f-- {
		end := p.n - f*h
		if end < 2*k || end < p.n/2 {
			continue
		}
		s := p.optimizeFrom(c.spec, c.state.u, 0.3, 100*len(c.state.u), p.y, end, p.lifts, c.liftVar, c.ridge)
		cols := p.columns(c.spec, c.spec.decode(s.u, len(p.media)), nil)
		se, mape := fitErrors(p.y[end:end+h], predict(cols, s.sol.beta, end, end+h))
		fold := MMMFold{TrainWeeks: end, TestWeeks: h, RMSE: math.Sqrt(se / float64(h)), MAPE: mape}
		if hi > lo {
			fold.NRMSE = fold.RMSE / (hi - lo)
		}
		folds = append(folds, fold)
	}
	return folds
}

// fitErrors returns the sum of squared errors of pred against y (same
// length) and the mean absolute percentage error mean |e/y| over the weeks
// with y ≠ 0 (0 when there are none).
func fitErrors(y, pred []float64) (sse, mape float64) {
	var ape float64
	n := 0
	for t, v := range y {
		e := v - pred[t]
		sse += e * e
		if v != 0 {
			ape += math.Abs(e / v)
			n++
		}
	}
	if n > 0 {
		mape = ape / float64(n)
	}
	return sse, mape
}

// FitMMM fits a media mix model to weekly data:
//
//	y_t = β₀ + Σ_d γ_d (t/52.18)^d + Σ_k [a_k sin(2πkt/52.18) + b_k cos(2πkt/52.18)]
//	      + Σ_j δ_j control_jt + Σ_e η_e event_et + Σ_c β_c · sat_c(adstock_c(x_c / max x_c))_t + ε_t
//
// (Jin et al. 2017, "Bayesian Methods for Media Mix Modeling with Carryover
// and Shape Effects"; PyMC-Marketing's and Robyn's model shape). For each
// candidate transformation family and ridge penalty the transformation
// parameters are found by multi-start Nelder–Mead (gonum/optimize) on the
// profiled penalised least-squares objective, with β solved exactly and
// β_c ≥ 0; lift tests enter as weighted pseudo-observations (weight
// σ²/SE², σ² the residual variance of the fit without them), so a test
// is as strong as its precision. The candidate with the lowest mean
// time-slice CV RMSE is kept. Intervals come from a moving-block residual
// bootstrap, each replicate re-optimising the parameters from the fit
// (lift measurements are redrawn with their SE).
//
// Contribution_c = Σ_t β_c·sat_c(...)_t (outcome units); ROAS_c =
// Contribution_c / Σ_t x_ct; the baseline is everything else. The result is
// a model estimate of incrementality from variation in spend, not a
// measurement: confounded spend biases it, which lift tests correct.
//
// Errors: an *InputError naming the field and row for malformed input,
// wrapping ErrTooFewWeeks when len(Weeks) < MMMMinWeeks.
func FitMMM(in MMMInput, cfg MMMConfig) (*MMMFit, error) {
	if err := validateMMM(in, cfg); err != nil {
		return nil, err
	}
	d := cfg.defaults()
	rng := rand.New(rand.NewPCG(d.Seed, d.Seed^0x9e3779b97f4a7c15))

	sats := []SaturationKind{d.Saturation}
	if d.Saturation == AutoSaturation {
		sats = []SaturationKind{LogisticSaturation, HillSaturation}
	}
	lags := []int{d.MaxLagWeeks}
	if d.MaxLagWeeks == 0 {
		lags = []int{4, 8}
	}
	trends := []int{d.TrendDegree}
	if d.TrendDegree == 0 {
		trends = []int{1, 2}
	}
	var cands []candidate
	for _, td := range trends {
		dd := d
		dd.TrendDegree = td
		p := buildMMMProblem(in, dd)
		for _, sat := range sats {
			for _, lag := range lags {
				spec := mmmSpec{adstock: d.Adstock, saturation: sat, maxLag: lag}
				for _, r := range d.Ridge {
					c := p.fitCandidate(spec, r, d, rng)
					c.trend = td
					cands = append(cands, c)
				}
			}
		}
	}
	bi := 0
	for i, c := range cands {
		if c.cvRMSE < cands[bi].cvRMSE {
			bi = i
		}
	}
	best := cands[bi]
	p := best.p
	fit := p.result(in, d, best)
	fit.TrendDegree = best.trend
	for i, c := range cands {
		fit.Candidates = append(fit.Candidates, MMMCandidate{Saturation: c.spec.saturation.String(), MaxLagWeeks: c.spec.maxLag, TrendDegree: c.trend, Ridge: c.ridge, MeanFoldRMSE: c.cvRMSE, Objective: c.state.sol.obj, ROAS: c.roas(), Chosen: i == bi})
	}
	if d.Bootstrap > 0 {
		p.bootstrap(fit, best, d, rng)
	}
	fit.LiftPriority = liftPriority(fit)
	fit.Health.Folds = best.folds
	for _, f := range best.folds {
		fit.Health.MeanFoldNRMSE += f.NRMSE / float64(len(best.folds))
		fit.Health.MeanFoldMAPE += f.MAPE / float64(len(best.folds))
	}
	if !d.NoHealth {
		c2 := cfg
		c2.Seed = d.Seed + 1
		c2.Bootstrap = -1
		c2.NoHealth = true
		fit2, err := FitMMM(in, c2)
		if err != nil {
			return nil, fmt.Errorf("refit with seed %d: %w", c2.Seed, err)
		}
		fit.Health.RefitSeed = c2.Seed
		fit.Health.SeedROASChange = map[string]float64{}
		for i, ch := range fit.Channels {
			fit.Health.SeedROASChange[ch.Name] = relChange(fit2.Channels[i].ROAS.Value, ch.ROAS.Value)
		}
	}
	fit.Health.Verdict, fit.Health.Reasons = verdict(fit, d)
	return fit, nil
}

func relChange(a, b float64) float64 {
	if b == 0 {
		if a == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(a-b) / math.Abs(b)
}

// result computes the point outputs of a candidate.
func (p *mmmProblem) result(in MMMInput, d MMMConfig, c candidate) *MMMFit {
	ps := c.spec.decode(c.state.u, len(p.media))
	cols := p.columns(c.spec, ps, nil)
	beta := c.state.sol.beta
	nb := len(p.base)
	fit := &MMMFit{
		Weeks: in.Weeks, Outcome: in.Outcome,
		Fitted:      predict(cols, beta, 0, p.n),
		Adstock:     c.spec.adstock.String(),
		Saturation:  c.spec.saturation.String(),
		MaxLagWeeks: c.spec.maxLag, Ridge: c.ridge, Interval: d.Interval,
		MinWeeks: MMMMinWeeks(len(in.Media), len(in.Controls), len(in.Events), d),
		Seed:     d.Seed,
		spec:     c.spec, params: ps, beta: beta, nBase: nb, scale: p.scale, media: p.media,
	}
	// Fit quality.
	mean := stat.Mean(p.y, nil)
	var sst float64
	for _, y := range p.y {
		sst += (y - mean) * (y - mean)
	}
	sse, mape := fitErrors(p.y, fit.Fitted)
	fit.MAPE = mape
	if sst > 0 {
		fit.R2 = 1 - sse/sst
	}
	if lo, hi := floats.Min(p.y), floats.Max(p.y); hi > lo {
		fit.NRMSE = math.Sqrt(sse/float64(p.n)) / (hi - lo)
	}
	// Baseline parts, grouped.
	fit.Baseline = MMMComponent{Name: "baseline", Weekly: make([]float64, p.n)}
	groups := map[string]int{}
	for j := 0; j < nb; j++ {
		name := p.baseGroup[j]
		if name == "control" || name == "event" {
			name = p.baseNames[j]
		}
		gi, ok := groups[name]
		if !ok {
			gi = len(fit.BaselineParts)
			groups[name] = gi
			fit.BaselineParts = append(fit.BaselineParts, MMMComponent{Name: name, Weekly: make([]float64, p.n)})
		}
		part := &fit.BaselineParts[gi]
		for t := 0; t < p.n; t++ {
			v := beta[j] * cols[j][t]
			part.Weekly[t] += v
			part.Total += v
			fit.Baseline.Weekly[t] += v
			fit.Baseline.Total += v
		}
	}
	totalFitted := 0.0
	for _, v := range fit.Fitted {
		totalFitted += v
	}
	for ch := range p.media {
		mc := p.channelPoint(c.spec, ps[ch], beta[nb+ch], ch, cols[nb+ch])
		mc.Name = p.names[ch]
		if totalFitted != 0 {
			mc.Share = mc.Contribution.Value / totalFitted
		}
		for _, l := range p.lifts {
			if l.channel == ch {
				mc.LiftTests++
			}
		}
		mc.Params = mediaParamsOut(c.spec, ps[ch], beta[nb+ch], p.scale[ch])
		mc.Curve = responseCurve(c.spec, ps[ch], beta[nb+ch], p.scale[ch], 1.5*p.scale[ch], 31)
		fit.Channels = append(fit.Channels, mc)
	}
	return fit
}

// channelPoint computes contribution, ROAS and marginal ROAS of channel ch.
func (p *mmmProblem) channelPoint(spec mmmSpec, mp mediaParams, b float64, ch int, col []float64) MMMChannel {
	spend := 0.0
	for _, v := range p.media[ch] {
		spend += v
	}
	mc := MMMChannel{Spend: spend, AvgWeeklySpend: spend / float64(p.n), Weekly: make([]float64, p.n)}
	contrib := 0.0
	for t, v := range col {
		mc.Weekly[t] = b * v
		contrib += b * v
	}
	up := spec.transform(p.media[ch], p.scale[ch], 1.01, mp)
	contribUp := 0.0
	for _, v := range up {
		contribUp += b * v
	}
	mc.Contribution = MMMEstimate{contrib, contrib, contrib}
	r := contrib / spend
	mc.ROAS = MMMEstimate{r, r, r}
	m := (contribUp - contrib) / (0.01 * spend)
	mc.MarginalROAS = MMMEstimate{m, m, m}
	return mc
}

func mediaParamsOut(spec mmmSpec, mp mediaParams, b, scale float64) MMMParams {
	o := MMMParams{Adstock: spec.adstock.String(), Saturation: spec.saturation.String(), Beta: b, SpendScale: scale}
	if spec.adstock == WeibullAdstock {
		o.WeibullShape, o.WeibullScale = mp.A1, mp.A2
	} else {
		o.Alpha = mp.A1
	}
	if spec.saturation == HillSaturation {
		o.HillK, o.HillS = mp.S1, mp.S2
	} else {
		o.Lambda = mp.S1
	}
	return o
}

// responseCurve samples the steady-state weekly response β·sat(s/scale)
// (normalised adstock weights sum to 1, so a constant spend s adstocks to
// s) at points spend 0..maxSpend, with the derivative as marginal ROAS.
func responseCurve(spec mmmSpec, mp mediaParams, b, scale, maxSpend float64, points int) []MMMCurvePoint {
	out := make([]MMMCurvePoint, points)
	for i := range out {
		s := maxSpend * float64(i) / float64(points-1)
		h := 1e-4 * scale
		v := b * spec.saturate(s/scale, mp)
		lo := math.Max(s-h, 0)
		der := b * (spec.saturate((s+h)/scale, mp) - spec.saturate(lo/scale, mp)) / (s + h - lo)
		out[i] = MMMCurvePoint{WeeklySpend: s, WeeklyContribution: v, MarginalROAS: der}
	}
	return out
}

// WeeklyResponse returns the fitted steady-state weekly incremental outcome
// of channel i at a constant weekly spend s (currency units per week).
func (f *MMMFit) WeeklyResponse(i int, s float64) float64 {
	if s <= 0 {
		return 0
	}
	return f.beta[f.nBase+i] * f.spec.saturate(s/f.scale[i], f.params[i])
}

func (p *mmmProblem) bootstrap(fit *MMMFit, c candidate, d MMMConfig, rng *rand.Rand) {
	nC := len(p.media)
	roas := make([][]float64, nC)
	mroas := make([][]float64, nC)
	contrib := make([][]float64, nC)
	fit.bootWeekly = make([][][]float64, nC)
	fitted := fit.Fitted
	res := make([]float64, p.n)
	m := 0.0
	for t := range res {
		res[t] = p.y[t] - fitted[t]
		m += res[t]
	}
	m /= float64(p.n)
	B := d.BlockWeeks
	if B > p.n {
		B = p.n
	}
	ystar := make([]float64, p.n)
	nb := len(p.base)
	dim := len(c.state.u)
	for b := 0; b < d.Bootstrap; b++ {
		for t := 0; t < p.n; {
			s := rng.IntN(p.n - B + 1)
			for k := 0; k < B && t < p.n; k++ {
				ystar[t] = fitted[t] + res[s+k] - m
				t++
			}
		}
		lifts := make([]liftRow, len(p.lifts))
		for i, l := range p.lifts {
			l.value += l.se * rng.NormFloat64()
			lifts[i] = l
		}
		s := p.optimizeFrom(c.spec, c.state.u, 0.3, 60*dim, ystar, p.n, lifts, c.liftVar, c.ridge)
		if !s.sol.ok {
			continue
		}
		ps := c.spec.decode(s.u, nC)
		cols := p.columns(c.spec, ps, nil)
		for ch := 0; ch < nC; ch++ {
			mc := p.channelPoint(c.spec, ps[ch], s.sol.beta[nb+ch], ch, cols[nb+ch])
			roas[ch] = append(roas[ch], mc.ROAS.Value)
			mroas[ch] = append(mroas[ch], mc.MarginalROAS.Value)
			contrib[ch] = append(contrib[ch], mc.Contribution.Value)
			fit.bootWeekly[ch] = append(fit.bootWeekly[ch], mc.Weekly)
		}
	}
	if len(roas[0]) == 0 {
		return
	}
	fit.Bootstrap = len(roas[0])
	a := (1 - d.Interval) / 2
	// Percentile interval of the replicates' deviations from their median,
	// centred on the point estimate, so a replicate distribution shifted by
	// a misspecified model (e.g. an omitted confounder) cannot produce an
	// interval that excludes the estimate itself.
	q := func(xs []float64, e *MMMEstimate) {
		sort.Float64s(xs)
		med := stat.Quantile(0.5, stat.LinInterp, xs, nil)
		e.Low = e.Value + stat.Quantile(a, stat.LinInterp, xs, nil) - med
		e.High = e.Value + stat.Quantile(1-a, stat.LinInterp, xs, nil) - med
	}
	for ch := range fit.Channels {
		q(roas[ch], &fit.Channels[ch].ROAS)
		q(mroas[ch], &fit.Channels[ch].MarginalROAS)
		q(contrib[ch], &fit.Channels[ch].Contribution)
	}
}

func liftPriority(fit *MMMFit) []MMMLiftPriority {
	out := make([]MMMLiftPriority, len(fit.Channels))
	for i, ch := range fit.Channels {
		w := ch.ROAS.High - ch.ROAS.Low
		out[i] = MMMLiftPriority{Channel: ch.Name, ROASWidth: w, Spend: ch.Spend, Score: w * ch.Spend, HasLiftTest: ch.LiftTests > 0}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// Health thresholds.
const (
	mmmMaxSeedChange = 0.01
	mmmMaxFoldNRMSE  = 0.15
	mmmMinR2         = 0.5
	mmmMaxRelWidth   = 1.0
)

func verdict(fit *MMMFit, d MMMConfig) (string, []string) {
	var reasons []string
	names := make([]string, 0, len(fit.Health.SeedROASChange))
	for k := range fit.Health.SeedROASChange {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if v := fit.Health.SeedROASChange[k]; v > mmmMaxSeedChange {
			reasons = append(reasons, fmt.Sprintf("ROAS of %s moves by %.1f%% on a refit with seed %d (limit 1%%)", k, 100*v, fit.Health.RefitSeed))
		}
	}
	if len(fit.Health.Folds) == 0 && d.CVFolds >= 0 {
		reasons = append(reasons, "too few weeks for a time-slice cross-validation")
	}
	if len(fit.Health.Folds) > 0 && fit.Health.MeanFoldNRMSE > mmmMaxFoldNRMSE {
		reasons = append(reasons, fmt.Sprintf("held-out weeks are predicted poorly (mean fold NRMSE %.2f, limit %.2f)", fit.Health.MeanFoldNRMSE, mmmMaxFoldNRMSE))
	}
	if fit.R2 < mmmMinR2 {
		reasons = append(reasons, fmt.Sprintf("the model explains only %.0f%% of the weekly variation (R² %.2f)", 100*fit.R2, fit.R2))
	}
	for _, ch := range fit.Channels {
		if fit.Bootstrap > 0 && ch.ROAS.Value > 0 && (ch.ROAS.High-ch.ROAS.Low)/ch.ROAS.Value > mmmMaxRelWidth {
			reasons = append(reasons, fmt.Sprintf("ROAS interval of %s is wider than the estimate itself (%.3g..%.3g)", ch.Name, ch.ROAS.Low, ch.ROAS.High))
		}
	}
	if len(reasons) == 0 {
		return "trustworthy", []string{fmt.Sprintf("stable across seeds, mean fold NRMSE %.3f, R² %.2f", fit.Health.MeanFoldNRMSE, fit.R2)}
	}
	return "unstable", reasons
}
