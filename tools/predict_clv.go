package tools

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// PredictCLV is the predict_clv tool: who will buy again and what customers
// are worth, from BG/NBD (or Pareto/NBD) and Gamma-Gamma fitted to the
// orders, with the model's holdout error on every answer (seed section 4.2).
// Fits are cached per (model, as-of, country), so build it once with
// NewPredictCLV and share it.
type PredictCLV struct {
	engine *clvEngine
}

// NewPredictCLV returns the predict_clv tool over store; l is the business
// time zone days are read in (nil means UTC).
func NewPredictCLV(store OrderReader, l *time.Location) *PredictCLV {
	return &PredictCLV{engine: &clvEngine{store: store, loc: loc(l), cache: newCLVCache()}}
}

// PredictCLVArgs are the arguments of predict_clv and of its typed core
// (PredictCLV.Predict).
type PredictCLVArgs struct {
	CustomerID  string `json:"customer_id"`
	Country     string `json:"country"`
	Segment     string `json:"segment"`
	HorizonDays int    `json:"horizon_days"`
	Limit       int    `json:"limit"`
	Model       string `json:"model"`
	RankBy      string `json:"rank_by"`
	GroupBy     string `json:"group_by"`
}

// CustomerCountryReader gives each customer's country; predict_clv uses it
// for group_by "country" when its store provides it.
type CustomerCountryReader interface {
	CustomerCountries(ctx context.Context) (map[string]string, error)
}

// Defaults of predict_clv.
const (
	DefaultHorizonDays = 90
	defaultCLVLimit    = 10
)

var predictCLVSchema = mustSchema(NamePredictCLV, map[string]any{
	"type": "object",
	"properties": map[string]any{
		"customer_id":  map[string]any{"type": "string", "pattern": "^[0-9A-Za-z-]+$", "description": "one customer's P(alive), expected purchases and CLV"},
		"country":      map[string]any{"type": "string", "description": "only customers of this country, as spelled in the data"},
		"segment":      map[string]any{"type": "string", "enum": rfmSegmentNames, "description": "only customers of this RFM segment"},
		"horizon_days": map[string]any{"type": "integer", "minimum": 1, "maximum": 1825, "description": "forecast horizon in days (default 90)"},
		"limit":        map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "description": "customers to list (default 10)"},
		"model":        map[string]any{"type": "string", "enum": []any{modelAuto, modelBGNBD, modelMBGNBD, modelParetoNBD}, "description": "purchase model (default auto: the lowest holdout error of bgnbd, mbgnbd, paretonbd)"},
		"rank_by":      map[string]any{"type": "string", "enum": []any{"expected_purchases", "clv", "p_alive"}, "description": "order of the listed customers (default expected_purchases)"},
		"group_by":     map[string]any{"type": "string", "enum": []any{"segment", "country"}, "description": "totals per RFM segment (always given) or per customer country"},
	},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (*PredictCLV) Name() string { return NamePredictCLV }

// Description implements agent.Tool.
func (*PredictCLV) Description() string {
	return "Predictive CLV: fits BG/NBD or MBG/NBD (lower holdout error; or Pareto/NBD) and Gamma-Gamma to purchase history (weeks) and forecasts per customer " +
		"P(alive), expected purchases and spend over horizon_days, and CLV discounted at 1% per month. Use it for 'who will buy again', " +
		"'is customer X still active', 'expected value'. Input: customer_id, country, segment (RFM), horizon_days (default 90), limit, model, rank_by, group_by (segment, country). " +
		"Output: summary, parameters with standard errors, holdout error, top customers, totals, by-segment table."
}

// Parameters implements agent.Tool.
func (*PredictCLV) Parameters() map[string]any { return predictCLVSchema.doc }

// CLVCustomer is one customer's forecast as predict_clv reports it. Money
// fields are null when no spend model could be fitted.
type CLVCustomer struct {
	CustomerID string `json:"customer_id"`
	Segment    string `json:"rfm_segment,omitempty"`
	// PAlive is a fraction, or "n/a: reason" where the model cannot tell
	// (BG/NBD for a customer without a repeat purchase, a degenerate fit).
	PAlive            any     `json:"p_alive"`
	ExpectedPurchases float64 `json:"expected_purchases"`
	SpendPerOrder     *Major  `json:"expected_spend_per_order"`
	ExpectedSpend     *Major  `json:"expected_spend"`
	CLV               *Major  `json:"clv"`
	// Frequency, RecencyWeeks and TWeeks are the history the forecast rests
	// on: repeat purchase days, weeks from first to last, weeks from first to as-of.
	Frequency    int     `json:"frequency"`
	RecencyWeeks float64 `json:"recency_weeks"`
	TWeeks       float64 `json:"t_weeks"`
}

// CLVTotals sums a group of customers' forecasts.
type CLVTotals struct {
	Customers         int     `json:"customers"`
	MeanPAlive        float64 `json:"mean_p_alive"`
	ExpectedPurchases float64 `json:"expected_purchases"`
	ExpectedSpend     *Major  `json:"expected_spend"`
	CLV               *Major  `json:"clv"`
	MeanCLV           *Major  `json:"mean_clv"`
}

// CLVGroupRow is one group's totals: an RFM segment or a country.
type CLVGroupRow struct {
	Segment string `json:"segment,omitempty"`
	Country string `json:"country,omitempty"`
	CLVTotals
}

// SpendModelJSON is the Gamma-Gamma fit as reported.
type SpendModelJSON struct {
	Model               string       `json:"model"`
	Parameters          []ParamValue `json:"parameters"`
	LogLikelihood       float64      `json:"log_likelihood"`
	Customers           int          `json:"customers_fitted"`
	ExcludedOneTime     int          `json:"excluded_one_time_buyers"`
	ExcludedNonPositive int          `json:"excluded_non_positive_value"`
	Warnings            []string     `json:"warnings,omitempty"`
}

// HoldoutJSON is the holdout check every predictive answer carries.
type HoldoutJSON struct {
	Model            string                   `json:"model"`
	CalibrationEnd   string                   `json:"calibration_end"`
	HoldoutFrom      string                   `json:"holdout_from"`
	HoldoutTo        string                   `json:"holdout_to"`
	Days             int                      `json:"days"`
	Customers        int                      `json:"customers"`
	ActualRepeat     int                      `json:"actual_repeat_transactions"`
	PredictedRepeat  float64                  `json:"predicted_repeat_transactions"`
	TotalErrorPct    float64                  `json:"total_error_pct"`
	MAE              float64                  `json:"mae_per_customer"`
	NewInHoldout     int                      `json:"new_customers_in_holdout"`
	CalibrationFit   []ParamValue             `json:"calibration_parameters"`
	Groups           []analytics.HoldoutGroup `json:"groups"`
	Text             string                   `json:"text"`
	ShortenedBecause string                   `json:"shortened_because,omitempty"`
}

// PredictCLVResult is the JSON result of predict_clv.
type PredictCLVResult struct {
	Summary    string     `json:"summary"`
	Definition string     `json:"definition"`
	Period     PeriodJSON `json:"period"`
	AsOf       string     `json:"as_of"`
	Country    string     `json:"country,omitempty"`
	Segment    string     `json:"segment,omitempty"`
	Currency   string     `json:"currency"`
	Model      string     `json:"model"`
	ModelName  string     `json:"model_name"`
	// ModelChoice says how the model was chosen (model auto): each
	// candidate's holdout error and why the chosen one won.
	ModelChoice   *analytics.TransactionModelChoice `json:"model_choice,omitempty"`
	TimeUnit      string                            `json:"time_unit"`
	HorizonDays   int                               `json:"horizon_days"`
	Parameters    []ParamValue                      `json:"parameters"`
	LogLikelihood float64                           `json:"log_likelihood"`
	CustomersFit  int                               `json:"customers_fitted"`
	SpendModel    *SpendModelJSON                   `json:"spend_model"`
	Discounting   clvPlan                           `json:"discounting"`
	Holdout       HoldoutJSON                       `json:"holdout"`
	Customer      *CLVCustomer                      `json:"customer,omitempty"`
	Totals        CLVTotals                         `json:"totals"`
	RankedBy      string                            `json:"ranked_by"`
	Listed        []CLVCustomer                     `json:"customers_listed"`
	BySegment     []CLVGroupRow                     `json:"by_segment,omitempty"`
	ByCountry     []CLVGroupRow                     `json:"by_country,omitempty"`
	Warnings      []string                          `json:"warnings,omitempty"`
	Caveats       []string                          `json:"caveats,omitempty"`
	Display       Display                           `json:"display"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Predict's result as JSON.
func (t *PredictCLV) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[PredictCLVArgs](input, predictCLVSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call predict_clv again"), nil
	}
	res, err := t.Predict(ctx, args)
	return observe(t.Name(), res, err)
}

// Predict is the typed core of predict_clv: the fitted repeat-purchase and
// spend models of the population (clvEngine.base: BG/NBD or Pareto/NBD and
// Gamma-Gamma, cached) forecast each customer's purchases, P(alive) and
// discounted CLV over the horizon, with the holdout check (run). Problems
// the caller can fix are *Problem; other errors come from the store.
func (t *PredictCLV) Predict(ctx context.Context, args PredictCLVArgs) (*PredictCLVResult, error) {
	res, err := t.run(ctx, args)
	return res, clvProblem(err, "check the customer id, country (as spelled in the data) or segment")
}

// clvProblem makes err a *Problem when the caller can fix it (bad input, a
// population without purchases, an unknown customer) and returns other
// errors, and nil, as they are.
func clvProblem(err error, hint string) error {
	if err != nil && (isArgProblem(err) || errors.Is(err, errNoOrders) || errors.Is(err, errUnknownCustomer)) {
		return problemf(err, hint)
	}
	return err
}

var errUnknownCustomer = errors.New("unknown customer")

func (t *PredictCLV) run(ctx context.Context, args PredictCLVArgs) (*PredictCLVResult, error) {
	if args.HorizonDays == 0 {
		args.HorizonDays = DefaultHorizonDays
	}
	if args.Limit == 0 {
		args.Limit = defaultCLVLimit
	}
	if args.Model == "" {
		args.Model = modelAuto
	}
	if args.RankBy == "" {
		args.RankBy = "expected_purchases"
	}
	e := t.engine
	asOf, err := asOfDate(ctx, e.store, "", e.loc)
	if err != nil {
		return nil, err
	}
	var choice *modelChoice
	if args.Model == modelAuto {
		if choice, err = e.choose(ctx, asOf, args.Country, args.HorizonDays); err != nil {
			return nil, err
		}
		args.Model = choice.model
	}
	b, err := e.base(ctx, args.Model, asOf, args.Country)
	if err != nil {
		return nil, err
	}
	h, err := e.holdout(ctx, args.Model, b, args.HorizonDays)
	if err != nil {
		return nil, err
	}
	plan := discountPlan(args.HorizonDays, DefaultMonthlyDiscountRate)
	preds, err := e.predictions(b, args.HorizonDays, plan)
	if err != nil {
		return nil, err
	}
	res := &PredictCLVResult{
		AsOf: asOf.Format(time.DateOnly), Country: args.Country, Segment: args.Segment, Currency: analytics.DefaultCurrency,
		Model: args.Model, ModelName: b.fit.name, TimeUnit: "weeks", HorizonDays: args.HorizonDays,
		Parameters: roundParams(b.fit.params), LogLikelihood: round(b.fit.ll, 2), CustomersFit: b.fit.customers,
		Discounting: plan, Holdout: holdoutJSON(h), RankedBy: args.RankBy,
		Period: periodJSON(analytics.Period{From: asOf, To: asOf.AddDate(0, 0, args.HorizonDays),
			Label: "next " + strconv.Itoa(args.HorizonDays) + " days"}),
		Warnings: append(append([]string(nil), b.fit.warnings...), b.rfmWarn...),
		Caveats:  append([]string(nil), b.notes...),
	}
	if choice != nil {
		res.ModelChoice = &choice.choice
		res.Caveats = append(res.Caveats, "model chosen by holdout error: "+choice.choice.Reason)
	}
	if b.fit.degenerate != "" {
		res.Caveats = append(res.Caveats, "the "+b.fit.name+" fit is degenerate ("+b.fit.degenerate+"): standard errors are n/a and P(alive) is not offered")
	}
	res.Definition = b.fit.name + " (" + modelSource(args.Model) +
		") fitted by maximum likelihood to each customer's repeat purchase days (frequency), recency and age in weeks up to " + h.holdoutEnd.Format(time.DateOnly) +
		"; P(alive) = probability the customer has not churned; expected purchases = E[Y(t) | history] over the horizon; " +
		"expected spend per order from Gamma-Gamma (Fader & Hardie 2013) fitted on repeat customers with positive mean repeat value; " +
		"CLV (seed section 4.2) = Σ_k E[M]·ΔE_k/(1+r)^k over the horizon, " + plan.Text + "; revenue basis (no cost data)."
	if b.spend != nil {
		g := b.spend
		res.SpendModel = &SpendModelJSON{Model: "Gamma-Gamma", LogLikelihood: round(g.LogLikelihood, 2), Customers: g.Customers,
			ExcludedOneTime: g.ExcludedOneTime, ExcludedNonPositive: g.ExcludedNonPositive, Warnings: g.Warnings,
			Parameters: roundParams(spendParams(g))}
	} else {
		res.Caveats = append(res.Caveats, "no spend model, so no spend or CLV: "+b.spendErr)
	}
	if args.Country != "" && b.ownFit {
		res.Caveats = append(res.Caveats, "the models are fitted on the customers of "+args.Country+" only")
	}
	res.Caveats = append(res.Caveats, "orders of one calendar day count as one purchase; returns are netted into that day's value and never count as purchases")
	if bg, ok := b.fit.model.(analytics.BGNBDParams); ok && bg.A/(bg.A+bg.B) < analytics.MinParetoDropout {
		res.Caveats = append(res.Caveats, fmt.Sprintf("the fitted drop-out probability per purchase is near zero (a/(a+b) = %.4f): "+
			"the data show almost no churn, so P(alive) is close to 100%% for nearly everyone and the ranking is mostly by purchase rate; "+
			"judge the forecast by its holdout error", bg.A/(bg.A+bg.B)))
	}

	// The population asked about.
	pop := preds
	if args.Segment != "" {
		pop = nil
		for _, p := range preds {
			if p.Segment == args.Segment {
				pop = append(pop, p)
			}
		}
		if len(pop) == 0 {
			return nil, fmt.Errorf("%w: no customer%s is in RFM segment %s as of %s", errNoOrders, inCountry(args.Country), args.Segment, res.AsOf)
		}
	}
	res.Totals = totalsOf(pop)
	res.BySegment = groupBy(preds, func(p prediction) string { return p.Segment })
	if args.GroupBy == "country" {
		cr, ok := e.store.(CustomerCountryReader)
		if !ok {
			return nil, &argError{msg: "group_by country is not available with this data store"}
		}
		countries, err := cr.CustomerCountries(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range groupBy(pop, func(p prediction) string { return or(countries[p.CustomerID], "unknown") }) {
			g.Country, g.Segment = g.Segment, ""
			res.ByCountry = append(res.ByCountry, g)
		}
		res.Caveats = append(res.Caveats, "by_country uses the country recorded for each customer (that of their first imported invoice)")
	}

	// Listed customers.
	var one *prediction
	if args.CustomerID != "" {
		for i := range preds {
			if preds[i].CustomerID == args.CustomerID {
				one = &preds[i]
			}
		}
		if one == nil {
			return nil, fmt.Errorf("%w: customer %s has no purchase before %s%s", errUnknownCustomer, args.CustomerID, res.AsOf, inCountry(args.Country))
		}
		c := customerJSON(*one, b.fit)
		res.Customer = &c
		res.Listed = []CLVCustomer{c}
	} else {
		sorted := append([]prediction(nil), pop...)
		sort.SliceStable(sorted, func(i, j int) bool {
			a, b := sorted[i], sorted[j]
			var x, y float64
			switch args.RankBy {
			case "clv":
				x, y = float64(a.CLV), float64(b.CLV)
			case "p_alive":
				x, y = a.PAlive, b.PAlive
			default:
				x, y = a.Expected, b.Expected
			}
			if x != y {
				return x > y
			}
			return a.CustomerID < b.CustomerID
		})
		for i, p := range sorted {
			if i == args.Limit {
				break
			}
			res.Listed = append(res.Listed, customerJSON(p, b.fit))
		}
	}
	res.Summary = summarize(res, one, args)
	res.Display = predictDisplay(res)
	return res, nil
}

// spendParams are the Gamma-Gamma parameters with standard errors (n/a
// when the Hessian was not positive definite).
func spendParams(g *analytics.GammaGammaFit) []ParamValue {
	na := ""
	if g.StdErr == (analytics.GammaGammaParams{}) {
		na = "standard errors unavailable: Hessian of the negative log-likelihood is not positive definite"
	}
	return paramValues([]string{"p", "q", "gamma"}, []float64{g.Params.P, g.Params.Q, g.Params.Gamma}, []float64{g.StdErr.P, g.StdErr.Q, g.StdErr.Gamma}, na)
}

// modelSource cites a transaction model.
func modelSource(model string) string {
	switch model {
	case modelParetoNBD:
		return "Schmittlein, Morrison & Colombo 1987"
	case modelMBGNBD:
		return "Batislam, Denizel & Filiztekin 2007"
	}
	return "Fader, Hardie & Lee 2005"
}

func roundParams(ps []ParamValue) []ParamValue {
	out := make([]ParamValue, len(ps))
	for i, p := range ps {
		out[i] = ParamValue{Name: p.Name, Value: round(p.Value, 4), StdErrorNA: p.StdErrorNA}
		if p.StdError != nil {
			se := round(*p.StdError, 4)
			out[i].StdError = &se
		}
	}
	return out
}

func majorPtr(m analytics.Money, ok bool) *Major {
	if !ok {
		return nil
	}
	v := major(m)
	return &v
}

// pAliveJSON is P(alive) rounded, or "n/a: reason" where fit cannot tell.
func pAliveJSON(p prediction, fit btydFit) any {
	if why := fit.pAliveNA(p.Frequency); why != "" {
		return "n/a: " + why
	}
	return round(p.PAlive, 4)
}

// pAliveText formats a P(alive) JSON value for people.
func pAliveText(v any) string {
	if f, ok := v.(float64); ok {
		return pctf(f)
	}
	return "n/a"
}

func customerJSON(p prediction, fit btydFit) CLVCustomer {
	return CLVCustomer{CustomerID: p.CustomerID, Segment: p.Segment, PAlive: pAliveJSON(p, fit), ExpectedPurchases: round(p.Expected, 4),
		SpendPerOrder: majorPtr(p.SpendPerOrder, p.HaveSpend), ExpectedSpend: majorPtr(p.ExpectedSpend, p.HaveSpend), CLV: majorPtr(p.CLV, p.HaveSpend),
		Frequency: p.Frequency, RecencyWeeks: round(p.Recency, 2), TWeeks: round(p.T, 2)}
}

func totalsOf(ps []prediction) CLVTotals {
	var t CLVTotals
	var spend, clv analytics.Money
	have := len(ps) > 0
	for _, p := range ps {
		t.Customers++
		t.MeanPAlive += p.PAlive
		t.ExpectedPurchases += p.Expected
		spend += p.ExpectedSpend
		clv += p.CLV
		have = have && p.HaveSpend
	}
	if t.Customers > 0 {
		t.MeanPAlive = round(t.MeanPAlive/float64(t.Customers), 4)
		t.MeanCLV = majorPtr(clv/analytics.Money(t.Customers), have)
	}
	t.ExpectedPurchases = round(t.ExpectedPurchases, 2)
	t.ExpectedSpend = majorPtr(spend, have)
	t.CLV = majorPtr(clv, have)
	return t
}

// groupBy totals ps per key (in Segment), largest expected purchases
// first; empty keys are left out.
func groupBy(ps []prediction, key func(prediction) string) []CLVGroupRow {
	groups := map[string][]prediction{}
	for _, p := range ps {
		if k := key(p); k != "" {
			groups[k] = append(groups[k], p)
		}
	}
	var out []CLVGroupRow
	for s, g := range groups {
		out = append(out, CLVGroupRow{Segment: s, CLVTotals: totalsOf(g)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ExpectedPurchases != out[j].ExpectedPurchases {
			return out[i].ExpectedPurchases > out[j].ExpectedPurchases
		}
		return out[i].Segment < out[j].Segment
	})
	return out
}

func holdoutJSON(h *clvHoldout) HoldoutJSON {
	r := h.report
	out := HoldoutJSON{Model: h.fit.name, CalibrationEnd: h.calibrationEnd.Format(time.DateOnly),
		HoldoutFrom: h.calibrationEnd.AddDate(0, 0, 1).Format(time.DateOnly), HoldoutTo: h.holdoutEnd.Format(time.DateOnly),
		Days: h.days, Customers: len(r.Customers), ActualRepeat: r.ActualTotal, PredictedRepeat: round(r.ExpectedTotal, 1),
		MAE: round(r.MAE, 4), NewInHoldout: h.newInHoldout, CalibrationFit: roundParams(h.fit.params)}
	if r.ActualTotal > 0 {
		out.TotalErrorPct = round((r.ExpectedTotal-float64(r.ActualTotal))/float64(r.ActualTotal)*100, 1)
	}
	for _, g := range r.Groups {
		g.ActualMean, g.ExpectedMean = round(g.ActualMean, 4), round(g.ExpectedMean, 4)
		out.Groups = append(out.Groups, g)
	}
	if h.shortened {
		out.ShortenedBecause = fmt.Sprintf("the data span too few days for a holdout as long as the horizon; the holdout is half the data (%d days)", h.days)
	}
	out.Text = fmt.Sprintf("Holdout error: refitted on orders up to %s, %s predicted %s repeat purchases in the %d days %s to %s against %d actual (%+.1f%%), mean absolute error %.2f purchases per customer over %d customers",
		out.CalibrationEnd, h.fit.name, strconv.FormatFloat(out.PredictedRepeat, 'f', 1, 64), h.days, out.HoldoutFrom, out.HoldoutTo,
		r.ActualTotal, out.TotalErrorPct, r.MAE, len(r.Customers))
	return out
}

func summarize(res *PredictCLVResult, one *prediction, args PredictCLVArgs) string {
	var b strings.Builder
	horizon := fmt.Sprintf("the next %d days (%s to %s)", res.HorizonDays, res.Period.From, res.Period.LastDay)
	if one != nil {
		fmt.Fprintf(&b, "Customer %s: P(alive) = %s (probability of still being an active customer as of %s); expected purchases in %s = %.2f",
			one.CustomerID, pAliveText(res.Customer.PAlive), res.AsOf, horizon, one.Expected)
		if why, ok := res.Customer.PAlive.(string); ok {
			fmt.Fprintf(&b, " (P(alive) %s)", why)
		}
		if one.HaveSpend {
			fmt.Fprintf(&b, ", expected spend %s, CLV %s", money(one.ExpectedSpend, res.Currency), money(one.CLV, res.Currency))
		}
		fmt.Fprintf(&b, " (history: %d repeat purchase days; first purchase %.1f weeks and last %.1f weeks before the data's last day).", one.Frequency, one.T, one.T-one.Recency)
	} else {
		who := "customers"
		if args.Segment != "" {
			who += " in RFM segment " + args.Segment
		}
		who += inCountry(args.Country)
		rank := map[string]string{"expected_purchases": "most likely to buy again (highest expected purchases)", "clv": "highest predicted CLV", "p_alive": "highest P(alive)"}[res.RankedBy]
		fmt.Fprintf(&b, "Top %d %s, %s in %s: ", len(res.Listed), who, rank, horizon)
		for i, c := range res.Listed {
			if i == 5 {
				b.WriteString(", …")
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (%.2f purchases, P(alive) %s", c.CustomerID, c.ExpectedPurchases, pAliveText(c.PAlive))
			if c.CLV != nil {
				fmt.Fprintf(&b, ", CLV %s", majorText(c.CLV))
			}
			b.WriteString(")")
		}
		fmt.Fprintf(&b, ". All %d %s: %.1f expected purchases", res.Totals.Customers, who, res.Totals.ExpectedPurchases)
		if res.Totals.CLV != nil {
			fmt.Fprintf(&b, ", CLV %s", majorText(res.Totals.CLV))
		}
		b.WriteString(".")
	}
	fmt.Fprintf(&b, " Model: %s fitted on %d customers (weeks; %s; LL %.2f), Gamma-Gamma spend, CLV %s. Horizon: %d days. %s.",
		res.ModelName, res.CustomersFit, paramText(res.Parameters), res.LogLikelihood, res.Discounting.Text, res.HorizonDays, res.Holdout.Text)
	return b.String()
}

func paramText(ps []ParamValue) string {
	var parts []string
	for _, p := range ps {
		if p.StdError != nil {
			parts = append(parts, fmt.Sprintf("%s = %.4g ± %.2g", p.Name, p.Value, *p.StdError))
		} else {
			parts = append(parts, fmt.Sprintf("%s = %.4g (standard error n/a)", p.Name, p.Value))
		}
	}
	return strings.Join(parts, ", ")
}

func predictDisplay(res *PredictCLVResult) Display {
	var d Display
	title := "Customers ranked by " + strings.ReplaceAll(res.RankedBy, "_", " ") + ", next " + strconv.Itoa(res.HorizonDays) + " days (" + res.ModelName + ")"
	if res.Customer != nil {
		title = "Customer " + res.Customer.CustomerID + ", next " + strconv.Itoa(res.HorizonDays) + " days (" + res.ModelName + ")"
	}
	ct := Table{Title: title, Columns: []string{"customer", "P(alive)", "expected purchases", "expected spend", "CLV", "RFM segment"}}
	chart := Chart{Title: "Expected purchases, next " + strconv.Itoa(res.HorizonDays) + " days", Kind: "bar", Unit: "purchases"}
	for _, c := range res.Listed {
		ct.Rows = append(ct.Rows, []string{c.CustomerID, pAliveText(c.PAlive), strconv.FormatFloat(c.ExpectedPurchases, 'f', 2, 64),
			majorText(c.ExpectedSpend), majorText(c.CLV), c.Segment})
		chart.Labels = append(chart.Labels, c.CustomerID)
		chart.Values = append(chart.Values, c.ExpectedPurchases)
	}
	h := res.Holdout
	ht := Table{Title: fmt.Sprintf("Holdout check (%s, %d days to %s): mean repeat purchases by calibration frequency", h.Model, h.Days, h.HoldoutTo),
		Columns: []string{"frequency", "customers", "actual", "predicted"}}
	for _, g := range h.Groups {
		f := strconv.Itoa(g.Frequency)
		if g.AndMore {
			f += "+"
		}
		ht.Rows = append(ht.Rows, []string{f, strconv.Itoa(g.Customers), strconv.FormatFloat(g.ActualMean, 'f', 3, 64), strconv.FormatFloat(g.ExpectedMean, 'f', 3, 64)})
	}
	ht.Rows = append(ht.Rows, []string{"total", strconv.Itoa(h.Customers), strconv.Itoa(h.ActualRepeat), strconv.FormatFloat(h.PredictedRepeat, 'f', 1, 64)})
	st := Table{Title: "Forecast by RFM segment", Columns: []string{"segment", "customers", "mean P(alive)", "expected purchases", "CLV"}}
	for _, s := range res.BySegment {
		st.Rows = append(st.Rows, []string{s.Segment, strconv.Itoa(s.Customers), pctf(s.MeanPAlive), strconv.FormatFloat(s.ExpectedPurchases, 'f', 1, 64), majorText(s.CLV)})
	}
	d.Tables = []Table{ct, ht, st}
	if len(res.ByCountry) > 0 {
		gt := Table{Title: "Forecast by country", Columns: []string{"country", "customers", "mean P(alive)", "expected purchases", "CLV"}}
		for _, g := range res.ByCountry {
			gt.Rows = append(gt.Rows, []string{g.Country, strconv.Itoa(g.Customers), pctf(g.MeanPAlive), strconv.FormatFloat(g.ExpectedPurchases, 'f', 1, 64), majorText(g.CLV)})
		}
		// Asked for: first.
		d.Tables = []Table{gt, ct, ht}
	}
	d.Charts = []Chart{chart}
	return d
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func majorText(m *Major) string {
	if m == nil {
		return "n/a"
	}
	return money(analytics.MoneyFromMajor(float64(*m)), analytics.DefaultCurrency)
}
