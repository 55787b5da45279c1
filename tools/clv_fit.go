package tools

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/roibot/roibot/analytics"
)

// Model names of the predict_clv tool.
const (
	modelBGNBD     = "bgnbd"
	modelMBGNBD    = "mbgnbd"
	modelParetoNBD = "paretonbd"
	// modelAuto chooses BG/NBD, MBG/NBD or Pareto/NBD by holdout error.
	modelAuto = "auto"
	// modelGammaGamma is the spend model (roibot clv fit --model gammagamma).
	modelGammaGamma = "gammagamma"
)

// Fitting rules of the customer-value tools.
const (
	// holdoutCensor is the last calibration-frequency group of the holdout
	// table (7 = "7 and more", as in the BTYD CDNOW table).
	holdoutCensor = 7
	// minOwnFitCustomers is the number of customers a country needs for its
	// own fit; smaller countries use the all-customers fit.
	minOwnFitCustomers = 100
	// maxCacheEntries bounds the fit cache; it is emptied when full.
	maxCacheEntries = 64
	// daysPerMonth is the mean calendar month (365.25 / 12 days).
	daysPerMonth = 365.25 / 12
)

// ParamValue is one fitted model parameter with its asymptotic standard
// error; StdError is null, and StdErrorNA says why (the Hessian of the
// negative log-likelihood is not positive definite), when unavailable.
type ParamValue struct {
	Name       string   `json:"name"`
	Value      float64  `json:"value"`
	StdError   *float64 `json:"std_error"`
	StdErrorNA string   `json:"std_error_na,omitempty"`
}

// paramValues pairs names, values and standard errors; na, when set,
// marks every standard error unavailable with that reason.
func paramValues(names []string, vals, ses []float64, na string) []ParamValue {
	out := make([]ParamValue, len(names))
	for i, n := range names {
		out[i] = ParamValue{Name: n, Value: vals[i]}
		if na != "" {
			out[i].StdErrorNA = na
		} else {
			se := ses[i]
			out[i].StdError = &se
		}
	}
	return out
}

// btydFit is a fitted customer-value model, whichever it is: BG/NBD and
// Pareto/NBD (model is set), or Gamma-Gamma (model is nil, spend is set).
type btydFit struct {
	model      analytics.RepeatPurchaseModel
	spend      *analytics.GammaGammaFit
	name       string // "BG/NBD"
	params     []ParamValue
	ll         float64
	customers  int
	iterations int
	warnings   []string
	excluded   string
	// degenerate says why the fit is degenerate (parameters at a
	// boundary, no standard errors), or is empty.
	degenerate string
	// a, b are the drop-out Beta parameters of BG/NBD and MBG/NBD.
	a, b float64
}

func modelLabel(model string) string {
	switch model {
	case modelParetoNBD:
		return analytics.ModelParetoNBD
	case modelMBGNBD:
		return analytics.ModelMBGNBD
	}
	return analytics.ModelBGNBD
}

// pAliveNA returns why f cannot tell whether a customer with x repeat
// purchases is alive, or "" (analytics.PAliveUnavailable).
func (f btydFit) pAliveNA(x int) string {
	if f.model == nil {
		return ""
	}
	return analytics.PAliveUnavailable(f.name, x, f.a, f.b, f.degenerate)
}

// fitBTYD fits model ("bgnbd", "paretonbd" or "gammagamma"; anything else
// is BG/NBD) to customer summaries by maximum likelihood. It is the one
// fitting step of predict_clv, customer_profile, segment reports and
// roibot clv fit.
func fitBTYD(model string, s []analytics.CustomerSummary) (btydFit, error) {
	switch model {
	case modelParetoNBD:
		f, err := analytics.FitParetoNBD(s)
		if err != nil {
			return btydFit{}, err
		}
		return paretoFit(f), nil
	case modelGammaGamma:
		f, err := analytics.FitGammaGamma(s)
		if err != nil {
			return btydFit{}, err
		}
		p, se := f.Params, f.StdErr
		return btydFit{spend: &f, name: "Gamma-Gamma", ll: f.LogLikelihood, customers: f.Customers, iterations: f.Iterations, warnings: f.Warnings,
			params:   paramValues([]string{"p", "q", "gamma"}, []float64{p.P, p.Q, p.Gamma}, []float64{se.P, se.Q, se.Gamma}, f.StdErrUnavailable),
			excluded: fmt.Sprintf("%d one-time buyers and %d repeat customers with mean repeat value <= 0 excluded", f.ExcludedOneTime, f.ExcludedNonPositive)}, nil
	case modelMBGNBD:
		f, err := analytics.FitMBGNBD(s)
		if err != nil {
			return btydFit{}, err
		}
		return mbgFit(f), nil
	default:
		f, err := analytics.FitBGNBD(s)
		if err != nil {
			return btydFit{}, err
		}
		return bgFit(f), nil
	}
}

// bgFit, mbgFit and paretoFit describe a transaction-model fit for
// answers; fitBTYD and the automatic model choice (which has the fits
// already) share them.
func bgFit(f analytics.BGNBDFit) btydFit {
	p, se := f.Params, f.StdErr
	return btydFit{model: p, name: analytics.ModelBGNBD, ll: f.LogLikelihood, customers: f.Customers, iterations: f.Iterations, warnings: f.Warnings,
		degenerate: analytics.DegenerateReason(f.AtBoundary, f.StdErrUnavailable), a: p.A, b: p.B,
		params: paramValues([]string{"r", "alpha", "a", "b"}, []float64{p.R, p.Alpha, p.A, p.B}, []float64{se.R, se.Alpha, se.A, se.B}, f.StdErrUnavailable)}
}

func mbgFit(f analytics.MBGNBDFit) btydFit {
	p, se := f.Params, f.StdErr
	return btydFit{model: p, name: analytics.ModelMBGNBD, ll: f.LogLikelihood, customers: f.Customers, iterations: f.Iterations, warnings: f.Warnings,
		degenerate: analytics.DegenerateReason(f.AtBoundary, f.StdErrUnavailable), a: p.A, b: p.B,
		params: paramValues([]string{"r", "alpha", "a", "b"}, []float64{p.R, p.Alpha, p.A, p.B}, []float64{se.R, se.Alpha, se.A, se.B}, f.StdErrUnavailable)}
}

func paretoFit(f analytics.ParetoNBDFit) btydFit {
	p, se := f.Params, f.StdErr
	return btydFit{model: p, name: analytics.ModelParetoNBD, ll: f.LogLikelihood, customers: f.Customers, iterations: f.Iterations, warnings: f.Warnings,
		degenerate: analytics.DegenerateReason(f.AtBoundary, f.StdErrUnavailable),
		params:     paramValues([]string{"r", "alpha", "s", "beta"}, []float64{p.R, p.Alpha, p.S, p.Beta}, []float64{se.R, se.Alpha, se.S, se.Beta}, f.StdErrUnavailable)}
}

// holdoutCheck is the one holdout flow: it splits orders into the
// calibration period (to calibrationEnd inclusive) and the holdout (to
// holdoutEnd inclusive) with analytics.SplitHoldout, fits model on the
// calibration summaries (or uses fixed when not nil), and compares the
// predicted with the actual holdout transactions per calibration frequency
// (analytics.ValidateHoldout, groups 0..holdoutCensor+).
func holdoutCheck(orders []analytics.Order, model string, calibrationEnd, holdoutEnd time.Time, unit analytics.TimeUnit, fixed *btydFit) (btydFit, analytics.HoldoutSplit, analytics.HoldoutReport, error) {
	split, err := analytics.SplitHoldout(orders, calibrationEnd, holdoutEnd, unit)
	if err != nil {
		return btydFit{}, split, analytics.HoldoutReport{}, fmt.Errorf("holdout split: %w", err)
	}
	var fit btydFit
	if fixed != nil {
		fit = *fixed
	} else {
		cal := make([]analytics.CustomerSummary, len(split.Customers))
		for i, c := range split.Customers {
			cal[i] = c.CustomerSummary
		}
		if fit, err = fitBTYD(model, cal); err != nil {
			return btydFit{}, split, analytics.HoldoutReport{}, fmt.Errorf("holdout calibration fit: %w", err)
		}
	}
	rep, err := analytics.ValidateHoldout(split, fit.model, holdoutCensor)
	if err != nil {
		return btydFit{}, split, analytics.HoldoutReport{}, fmt.Errorf("holdout validation: %w", err)
	}
	return fit, split, rep, nil
}

// clvBase is everything predict_clv and customer_profile derive from the
// orders of one population (all customers, or one country's) as of a day.
type clvBase struct {
	asOf    time.Time // midnight after the last order day
	country string
	orders  []analytics.Order
	first   time.Time // first order time
	// summaries are weekly, calibration end = the last order day.
	summaries []analytics.CustomerSummary
	fit       btydFit
	// ownFit is false when the population was too small or its fit failed
	// and fit is the all-customers fit.
	ownFit bool
	// spend is nil when no Gamma-Gamma fit is available (spendErr says why).
	spend    *analytics.GammaGammaFit
	spendErr string
	rfm      map[string]analytics.RFMScore
	rfmWarn  []string
	notes    []string
	// preds caches predictions per horizon in days (guarded by clvCache.mu).
	preds map[int][]prediction
}

// clvHoldout is a holdout check of one population and holdout length.
type clvHoldout struct {
	calibrationEnd time.Time // last calibration day
	holdoutEnd     time.Time // last holdout day
	days           int
	fit            btydFit // fitted on the calibration period
	report         analytics.HoldoutReport
	newInHoldout   int
	shortened      bool
}

type clvKey struct {
	model, asOf, country string
	holdoutDays          int // 0 for the base entry
}

// clvCache keeps fits per (model, as-of, country[, holdout days]) so that
// repeated questions do not refit. Safe for concurrent use.
type clvCache struct {
	mu       sync.Mutex
	bases    map[clvKey]*clvBase
	holdouts map[clvKey]*clvHoldout
	choices  map[clvKey]*modelChoice
}

func newCLVCache() *clvCache {
	return &clvCache{bases: map[clvKey]*clvBase{}, holdouts: map[clvKey]*clvHoldout{}, choices: map[clvKey]*modelChoice{}}
}

// modelChoice is the transaction model chosen for a population by holdout
// error (analytics.ChooseTransactionModel).
type modelChoice struct {
	model  string // bgnbd, mbgnbd or paretonbd
	choice analytics.TransactionModelChoice
}

// modelKeys maps analytics' model names to the tool's.
var modelKeys = map[string]string{analytics.ModelBGNBD: modelBGNBD, analytics.ModelMBGNBD: modelMBGNBD, analytics.ModelParetoNBD: modelParetoNBD}

// choose returns the transaction model for the population of country as
// of asOf: BG/NBD and MBG/NBD are fitted on the orders before
// the holdout of days days (the holdout every answer reports) and the one
// with the lowest per-customer holdout MAE among the non-degenerate fits is
// chosen. A country too small for its own fit takes the all-customers
// choice.
func (e *clvEngine) choose(ctx context.Context, asOf time.Time, country string, days int) (*modelChoice, error) {
	b, err := e.base(ctx, modelBGNBD, asOf, country)
	if err != nil {
		return nil, err
	}
	if !b.ownFit && country != "" {
		return e.choose(ctx, asOf, "", days)
	}
	h, err := e.holdout(ctx, modelBGNBD, b, days)
	if err != nil {
		return nil, err
	}
	k := clvKey{model: modelAuto, asOf: asOf.Format(time.DateOnly), country: country, holdoutDays: h.days}
	e.cache.mu.Lock()
	c := e.cache.choices[k]
	e.cache.mu.Unlock()
	if c != nil {
		return c, nil
	}
	split, err := analytics.SplitHoldout(b.orders, h.calibrationEnd, h.holdoutEnd, analytics.UnitWeeks)
	if err != nil {
		return nil, err
	}
	cal := make([]analytics.CustomerSummary, len(split.Customers))
	for i, c := range split.Customers {
		cal[i] = c.CustomerSummary
	}
	var cands []analytics.TransactionModelCandidate
	// Pareto/NBD is left out here: on small populations with extreme
	// estimates its fit can take minutes, too long for a conversation.
	for _, m := range []string{modelBGNBD, modelMBGNBD} {
		cand := analytics.TransactionModelCandidate{Name: modelLabel(m)}
		if f, err := fitBTYD(m, cal); err != nil {
			cand.FitError = err.Error()
		} else {
			cand.Model, cand.Degenerate = f.model, f.degenerate
		}
		cands = append(cands, cand)
	}
	ch, err := analytics.ChooseTransactionModel(split, cands)
	if err != nil {
		return nil, err
	}
	c = &modelChoice{model: modelKeys[ch.Chosen], choice: ch}
	e.cache.mu.Lock()
	if len(e.cache.choices) >= maxCacheEntries {
		clear(e.cache.choices)
	}
	e.cache.choices[k] = c
	e.cache.mu.Unlock()
	return c, nil
}

func (c *clvCache) getBase(k clvKey) *clvBase {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bases[k]
}

func (c *clvCache) putBase(k clvKey, b *clvBase) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bases) >= maxCacheEntries {
		clear(c.bases)
	}
	c.bases[k] = b
}

func (c *clvCache) getHoldout(k clvKey) *clvHoldout {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.holdouts[k]
}

func (c *clvCache) putHoldout(k clvKey, h *clvHoldout) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.holdouts) >= maxCacheEntries {
		clear(c.holdouts)
	}
	c.holdouts[k] = h
}

// clvEngine fits and caches the customer-value models over an OrderReader;
// predict_clv and customer_profile share one.
type clvEngine struct {
	store OrderReader
	loc   *time.Location
	cache *clvCache
}

// errNoOrders is a population without purchases (a country misspelled).
var errNoOrders = errors.New("no purchases")

// base returns the (cached) fit of model on the population of country as
// of asOf.
func (e *clvEngine) base(ctx context.Context, model string, asOf time.Time, country string) (*clvBase, error) {
	k := clvKey{model: model, asOf: asOf.Format(time.DateOnly), country: country}
	if b := e.cache.getBase(k); b != nil {
		return b, nil
	}
	// Another model's base of the same population has the orders already.
	var orders []analytics.Order
	var err error
	e.cache.mu.Lock()
	for ok, ob := range e.cache.bases {
		if ok.asOf == k.asOf && ok.country == country && ok.holdoutDays == 0 {
			orders = append([]analytics.Order(nil), ob.orders...)
			break
		}
	}
	e.cache.mu.Unlock()
	if orders == nil {
		if orders, err = e.store.PurchaseOrders(ctx, analytics.OrderFilter{Country: country, To: asOf}); err != nil {
			return nil, err
		}
	}
	if len(orders) == 0 {
		return nil, fmt.Errorf("%w before %s%s", errNoOrders, asOf.Format(time.DateOnly), inCountry(country))
	}
	b := &clvBase{asOf: asOf, country: country, orders: orders, first: orders[0].At}
	for i := range b.orders {
		b.orders[i].At = b.orders[i].At.In(e.loc)
		if b.orders[i].At.Before(b.first) {
			b.first = b.orders[i].At
		}
	}
	b.summaries, err = analytics.SummarizeCustomers(b.orders, asOf.AddDate(0, 0, -1), analytics.UnitWeeks)
	if err != nil {
		if errors.Is(err, analytics.ErrNoData) {
			return nil, fmt.Errorf("%w before %s%s", errNoOrders, asOf.Format(time.DateOnly), inCountry(country))
		}
		return nil, err
	}
	if model == modelParetoNBD {
		bg, err := e.base(ctx, modelBGNBD, asOf, country)
		if err != nil {
			return nil, err
		}
		if p, ok := bg.fit.model.(analytics.BGNBDParams); ok {
			if err := analytics.CheckParetoIdentified(p); err != nil {
				return nil, &argError{msg: "Pareto/NBD is not identified on these customers: " + err.Error()}
			}
		}
	}
	var fitErr error
	if country == "" || len(b.summaries) >= minOwnFitCustomers {
		b.fit, fitErr = fitBTYD(model, b.summaries)
		b.ownFit = fitErr == nil
	}
	if !b.ownFit {
		if country == "" {
			return nil, fmt.Errorf("fit %s: %w", modelLabel(model), fitErr)
		}
		all, err := e.base(ctx, model, asOf, "")
		if err != nil {
			return nil, err
		}
		b.fit, b.spend, b.spendErr = all.fit, all.spend, all.spendErr
		why := fmt.Sprintf("only %d customers", len(b.summaries))
		if fitErr != nil {
			why = "its own fit failed (" + fitErr.Error() + ")"
		}
		b.notes = append(b.notes, fmt.Sprintf("%s has %s: the %s and Gamma-Gamma parameters are those fitted on all customers", country, why, b.fit.name))
	} else {
		b.fitSpend()
	}
	if in, err := analytics.RFMInputs(b.orders, asOf); err == nil {
		if res, err := analytics.ScoreRFM(in, analytics.RFMConfig{}); err == nil {
			b.rfm = make(map[string]analytics.RFMScore, len(res.Customers))
			for _, c := range res.Customers {
				b.rfm[c.CustomerID] = c
			}
			b.rfmWarn = res.Warnings
		}
	}
	e.cache.putBase(k, b)
	return b, nil
}

// plainBase returns the orders and RFM scores of all customers as of asOf
// without any model, for the parts of an answer that need none when the
// model cannot be fitted.
func (e *clvEngine) plainBase(ctx context.Context, asOf time.Time) (*clvBase, error) {
	orders, err := e.store.PurchaseOrders(ctx, analytics.OrderFilter{To: asOf})
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return nil, fmt.Errorf("%w before %s", errNoOrders, asOf.Format(time.DateOnly))
	}
	b := &clvBase{asOf: asOf, orders: orders, first: orders[0].At}
	for i := range b.orders {
		b.orders[i].At = b.orders[i].At.In(e.loc)
		if b.orders[i].At.Before(b.first) {
			b.first = b.orders[i].At
		}
	}
	if in, err := analytics.RFMInputs(b.orders, asOf); err == nil {
		if res, err := analytics.ScoreRFM(in, analytics.RFMConfig{}); err == nil {
			b.rfm = make(map[string]analytics.RFMScore, len(res.Customers))
			for _, c := range res.Customers {
				b.rfm[c.CustomerID] = c
			}
			b.rfmWarn = res.Warnings
		}
	}
	return b, nil
}

// holdout returns the (cached) holdout check of b's model for a holdout of
// days days ending at b's last order day: the model is refitted on the
// orders before the holdout and its predicted repeat transactions in the
// holdout are compared with the actual ones.
func (e *clvEngine) holdout(ctx context.Context, model string, b *clvBase, days int) (*clvHoldout, error) {
	span := int(b.asOf.Sub(b.first).Hours() / 24)
	shortened := false
	if days > span/2 {
		days, shortened = max(span/2, 1), true
	}
	k := clvKey{model: model, asOf: b.asOf.Format(time.DateOnly), country: b.country, holdoutDays: days}
	if h := e.cache.getHoldout(k); h != nil {
		return h, nil
	}
	h := &clvHoldout{days: days, shortened: shortened,
		holdoutEnd: b.asOf.AddDate(0, 0, -1), calibrationEnd: b.asOf.AddDate(0, 0, -days-1)}
	var fixed *btydFit
	if !b.ownFit {
		all, err := e.base(ctx, model, b.asOf, "")
		if err != nil {
			return nil, err
		}
		ah, err := e.holdout(ctx, model, all, days)
		if err != nil {
			return nil, err
		}
		fixed = &ah.fit
	}
	fit, split, rep, err := holdoutCheck(b.orders, model, h.calibrationEnd, h.holdoutEnd, analytics.UnitWeeks, fixed)
	if err != nil {
		return nil, err
	}
	h.fit, h.report, h.newInHoldout = fit, rep, split.NewInHoldout
	e.cache.putHoldout(k, h)
	return h, nil
}

// clvPlan is the discounting of a horizon: monthly steps at a monthly rate.
type clvPlan struct {
	Rate     float64 `json:"discount_rate_per_month"`
	Steps    int     `json:"steps"`
	StepDays float64 `json:"step_days"`
	Text     string  `json:"text"`
}

func discountPlan(horizonDays int, rate float64) clvPlan {
	steps := max(1, int(math.Round(float64(horizonDays)/daysPerMonth)))
	p := clvPlan{Rate: rate, Steps: steps, StepDays: round(float64(horizonDays)/float64(steps), 2)}
	p.Text = fmt.Sprintf("discounted at %s per month in %d monthly step(s) of %.1f days, each step's value discounted at its end",
		pctf(rate), steps, p.StepDays)
	return p
}

// prediction is one customer's forecast over the horizon.
type prediction struct {
	analytics.CustomerSummary
	PAlive            float64
	Expected          float64 // expected purchases in the horizon
	SpendPerOrder     analytics.Money
	ExpectedSpend     analytics.Money
	CLV               analytics.Money
	HaveSpend, HaveRF bool
	Segment           string
}

// predictions returns the (cached) forecasts of every customer of b over
// horizonDays; callers must not modify them.
func (e *clvEngine) predictions(b *clvBase, horizonDays int, plan clvPlan) ([]prediction, error) {
	e.cache.mu.Lock()
	p, ok := b.preds[horizonDays]
	e.cache.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := e.predict(b, horizonDays, plan)
	if err != nil {
		return nil, err
	}
	e.cache.mu.Lock()
	if b.preds == nil || len(b.preds) >= maxCacheEntries {
		b.preds = map[int][]prediction{}
	}
	b.preds[horizonDays] = p
	e.cache.mu.Unlock()
	return p, nil
}

// predict forecasts every customer of b over horizonDays.
func (e *clvEngine) predict(b *clvBase, horizonDays int, plan clvPlan) ([]prediction, error) {
	out := make([]prediction, len(b.summaries))
	horizon := float64(horizonDays) / 7
	if b.spend != nil {
		clvs, err := analytics.PredictCLV(b.summaries, b.fit.model, b.spend.Params, analytics.CLVConfig{
			Periods: plan.Steps, PeriodLength: float64(horizonDays) / float64(plan.Steps) / 7, DiscountRate: plan.Rate, Margin: 1,
		})
		if err != nil {
			return nil, err
		}
		for i, c := range clvs {
			out[i] = prediction{CustomerSummary: b.summaries[i], PAlive: c.PAlive, Expected: c.ExpectedTransactions,
				SpendPerOrder: c.ExpectedSpend, ExpectedSpend: analytics.MoneyFromMajor(c.ExpectedTransactions * c.ExpectedSpend.Major()),
				CLV: c.CLV, HaveSpend: true}
		}
	} else {
		fc, err := analytics.ForecastTransactions(b.summaries, b.fit.model, horizon)
		if err != nil {
			return nil, err
		}
		for i, c := range fc {
			out[i] = prediction{CustomerSummary: b.summaries[i], PAlive: c.PAlive, Expected: c.ExpectedTransactions}
		}
	}
	for i := range out {
		if s, ok := b.rfm[out[i].CustomerID]; ok {
			out[i].Segment = string(s.Segment)
		}
	}
	return out, nil
}

// pctf formats a fraction as a percentage ("1%", "12.5%").
func pctf(f float64) string {
	return trimZeros(fmt.Sprintf("%.2f", f*100)) + "%"
}

func trimZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// fitSpend fits Gamma-Gamma to b's summaries; a failed fit is recorded in
// spendErr (CLV is then unavailable).
func (b *clvBase) fitSpend() {
	gg, err := analytics.FitGammaGamma(b.summaries)
	switch {
	case err == nil && gg.Params.Q > 1:
		b.spend = &gg
	case err == nil:
		b.spendErr = fmt.Sprintf("Gamma-Gamma q = %.3f <= 1: the mean spend is infinite", gg.Params.Q)
	default:
		b.spendErr = "Gamma-Gamma fit failed: " + err.Error()
	}
}

// MinParetoAutoCustomers is the population from which clv fit --model
// auto also tries Pareto/NBD (CDNOW: 2,357 customers, 82 ms).
const MinParetoAutoCustomers = 1000

// CLVFitArgs are the arguments of FitCLV.
type CLVFitArgs struct {
	// Model is "bgnbd", "mbgnbd", "paretonbd", "gammagamma" or "auto"
	// (the transaction model with the lowest holdout error).
	Model string
	// Unit is the time unit of recency, T and the holdout length.
	Unit analytics.TimeUnit
	// CalibrationEnd is the last day of the calibration period (a civil
	// date; the clock time is ignored). Zero means the default: the middle
	// of the data, so that calibration and holdout are the first and
	// second half of the days from the first to the last order (CDNOW's
	// 39 + 39 weeks).
	CalibrationEnd time.Time
	// HoldoutEnd is the last day of the holdout period; zero means the
	// last order day.
	HoldoutEnd time.Time
	// Orders are the purchases to fit, with At in the business time zone;
	// Source names where they came from (for the result).
	Orders []analytics.Order
	Source string
}

// CLVFitResult is a fitted model with its holdout check, as roibot clv
// fit prints it.
type CLVFitResult struct {
	Model          string       `json:"model"`
	Source         string       `json:"source"`
	Unit           string       `json:"unit"`
	CalibrationEnd string       `json:"calibration_end"`
	HoldoutEnd     string       `json:"holdout_end,omitempty"`
	Customers      int          `json:"customers"`
	Parameters     []ParamValue `json:"parameters"`
	LogLikelihood  float64      `json:"log_likelihood"`
	Iterations     int          `json:"iterations"`
	Excluded       string       `json:"excluded,omitempty"`
	// ExcludedCustomers lists who Gamma-Gamma left out and why.
	ExcludedCustomers []analytics.GammaGammaExclusion `json:"excluded_customers,omitempty"`
	// CalibrationDefault says how the calibration end was chosen when it
	// was not given.
	CalibrationDefault string `json:"calibration_default,omitempty"`
	// ModelChoice (model auto) gives every candidate's holdout error.
	ModelChoice *analytics.TransactionModelChoice `json:"model_choice,omitempty"`
	// Degenerate says why the fit is degenerate, or is empty.
	Degenerate    string                   `json:"degenerate,omitempty"`
	Warnings      []string                 `json:"warnings,omitempty"`
	Holdout       *analytics.HoldoutReport `json:"holdout,omitempty"`
	HoldoutLength float64                  `json:"holdout_length,omitempty"`
	NewInHoldout  int                      `json:"new_in_holdout,omitempty"`
}

// FitCLV is the typed core of roibot clv fit: it fits args.Model by
// maximum likelihood to the customer summaries at args.CalibrationEnd
// (fitBTYD) and, for BG/NBD and Pareto/NBD, checks that fit on the holdout
// period after it (holdoutCheck: its expected repeat transactions per
// calibration frequency against the actual ones). The windows must satisfy
// calibration end < holdout end ≤ last order day; violations, an unknown
// model and an empty order list are *Problem.
func FitCLV(ctx context.Context, args CLVFitArgs) (CLVFitResult, error) {
	switch args.Model {
	case modelBGNBD, modelMBGNBD, modelParetoNBD, modelGammaGamma, modelAuto:
	default:
		return CLVFitResult{}, problemf(fmt.Errorf("model %q", args.Model), "want bgnbd, mbgnbd, paretonbd, gammagamma or auto")
	}
	if len(args.Orders) == 0 {
		return CLVFitResult{}, problemf(fmt.Errorf("no orders in %s", args.Source), "")
	}
	if err := ctx.Err(); err != nil {
		return CLVFitResult{}, err
	}
	first, last := args.Orders[0].At, args.Orders[0].At
	for _, ord := range args.Orders {
		if ord.At.After(last) {
			last = ord.At
		}
		if ord.At.Before(first) {
			first = ord.At
		}
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	lastDay, calEnd := day(last), day(args.CalibrationEnd)
	var calDefault string
	if args.CalibrationEnd.IsZero() {
		// Days first..last inclusive, the first half calibration.
		span := int(lastDay.Sub(day(first)).Hours()/24) + 1
		calEnd = day(first).AddDate(0, 0, span/2-1)
		calDefault = fmt.Sprintf("no calibration end given: %s, the middle of the data (%s to %s, %d days), so the calibration and the holdout are its two halves",
			calEnd.Format(time.DateOnly), day(first).Format(time.DateOnly), lastDay.Format(time.DateOnly), span)
	}
	holdEnd := lastDay
	if !args.HoldoutEnd.IsZero() {
		holdEnd = day(args.HoldoutEnd)
	}
	if !calEnd.Before(lastDay) {
		return CLVFitResult{}, problemf(fmt.Errorf("calibration end %s is not before the last order day %s: nothing is left to validate on",
			calEnd.Format(time.DateOnly), lastDay.Format(time.DateOnly)), "")
	}
	if !holdEnd.After(calEnd) {
		return CLVFitResult{}, problemf(fmt.Errorf("holdout end %s must be after calibration end %s", holdEnd.Format(time.DateOnly), calEnd.Format(time.DateOnly)), "")
	}
	if holdEnd.After(lastDay) {
		return CLVFitResult{}, problemf(fmt.Errorf("holdout end %s is after the last order day %s: the holdout would count purchases that were never observed",
			holdEnd.Format(time.DateOnly), lastDay.Format(time.DateOnly)), "")
	}
	res := CLVFitResult{Model: args.Model, Source: args.Source, Unit: args.Unit.String(), CalibrationEnd: calEnd.Format(time.DateOnly),
		CalibrationDefault: calDefault}
	summaries, err := analytics.SummarizeCustomers(args.Orders, calEnd, args.Unit)
	if err != nil {
		return CLVFitResult{}, err
	}
	var fit btydFit // set by the automatic choice, else fitted below
	if args.Model == modelAuto {
		split, err := analytics.SplitHoldout(args.Orders, calEnd, holdEnd, args.Unit)
		if err != nil {
			return CLVFitResult{}, err
		}
		// Pareto/NBD joins from MinParetoAutoCustomers customers: on
		// smaller populations its fit can run for minutes.
		cands, bg, mbg, pareto := analytics.FitTransactionModels(summaries, len(summaries) >= MinParetoAutoCustomers)
		ch, err := analytics.ChooseTransactionModel(split, cands)
		if err != nil {
			return CLVFitResult{}, err
		}
		res.ModelChoice, args.Model, res.Model = &ch, modelKeys[ch.Chosen], modelKeys[ch.Chosen]
		// The chosen model was fitted to these summaries already.
		switch args.Model {
		case modelBGNBD:
			fit = bgFit(bg)
		case modelMBGNBD:
			fit = mbgFit(mbg)
		case modelParetoNBD:
			fit = paretoFit(pareto)
		}
	}
	if fit.name == "" {
		if fit, err = fitBTYD(args.Model, summaries); err != nil {
			return CLVFitResult{}, err
		}
	}
	res.Degenerate = fit.degenerate
	if fit.spend != nil {
		res.ExcludedCustomers = fit.spend.Excluded
	}
	if fit.model != nil { // the windows were checked above
		_, split, h, err := holdoutCheck(args.Orders, args.Model, calEnd, holdEnd, args.Unit, &fit)
		if err != nil {
			return CLVFitResult{}, err
		}
		res.Holdout, res.HoldoutLength, res.NewInHoldout = &h, split.Length, split.NewInHoldout
		res.HoldoutEnd = holdEnd.Format(time.DateOnly)
	}
	res.Parameters, res.LogLikelihood, res.Customers, res.Iterations, res.Warnings, res.Excluded =
		fit.params, fit.ll, fit.customers, fit.iterations, fit.warnings, fit.excluded
	return res, nil
}
