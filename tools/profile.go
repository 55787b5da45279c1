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

// CustomerProfile is the customer_profile tool: one customer's RFM scores
// and segment, historical and predicted CLV, P(alive) and last orders. It
// shares the model fits of the PredictCLV it is built from.
type CustomerProfile struct {
	engine *clvEngine
}

// NewCustomerProfile returns the customer_profile tool sharing p's fits.
func NewCustomerProfile(p *PredictCLV) *CustomerProfile {
	return &CustomerProfile{engine: p.engine}
}

// ProfileArgs are the arguments of customer_profile and of its typed core
// (CustomerProfile.Profile): the customer's id.
type ProfileArgs struct {
	CustomerID string `json:"customer_id"`
}

// profileOrders is the number of recent orders a profile lists.
const profileOrders = 5

var profileSchema = mustSchema(NameCustomerProfile, map[string]any{
	"type": "object",
	"properties": map[string]any{
		"customer_id": map[string]any{"type": "string", "pattern": "^[0-9A-Za-z-]+$", "description": "the customer (required)"},
	},
	"required":             []any{"customer_id"},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (*CustomerProfile) Name() string { return NameCustomerProfile }

// Description implements agent.Tool.
func (*CustomerProfile) Description() string {
	return "One customer's profile: RFM scores and segment, historical CLV (1% per month), predicted CLV, P(alive) and expected purchases " +
		"over the next 90 days (BG/NBD + Gamma-Gamma, with the model's holdout error), and the last 5 orders (invoice, date, amount). " +
		"Input: customer_id (required). Output: summary, rfm, historical_clv, prediction, holdout, last_orders."
}

// Parameters implements agent.Tool.
func (*CustomerProfile) Parameters() map[string]any { return profileSchema.doc }

// ProfileOrder is one invoice of the customer; returns have negative amounts.
type ProfileOrder struct {
	Invoice  string `json:"invoice"`
	Date     string `json:"date"`
	Amount   Major  `json:"amount"`
	IsReturn bool   `json:"is_return,omitempty"`
}

// ProfileResult is the JSON result of customer_profile.
type ProfileResult struct {
	Summary       string       `json:"summary"`
	Definition    string       `json:"definition"`
	CustomerID    string       `json:"customer_id"`
	AsOf          string       `json:"as_of"`
	Currency      string       `json:"currency"`
	RFM           *RFMCustomer `json:"rfm"`
	HistoricalCLV *CLVRow      `json:"historical_clv"`
	DiscountRate  float64      `json:"discount_rate_per_month"`
	Model         string       `json:"model"`
	HorizonDays   int          `json:"horizon_days"`
	// Prediction and Holdout are null when the model could not be fitted;
	// FailedParts then names the part and why, and the rest is still given.
	Prediction  *CLVCustomer                      `json:"prediction"`
	Holdout     *HoldoutJSON                      `json:"holdout"`
	FailedParts []string                          `json:"failed_parts,omitempty"`
	ModelChoice *analytics.TransactionModelChoice `json:"model_choice,omitempty"`
	LastOrders  []ProfileOrder                    `json:"last_orders"`
	Orders      int                               `json:"orders"`
	Caveats     []string                          `json:"caveats,omitempty"`
	Display     Display                           `json:"display"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Profile's result as JSON.
func (t *CustomerProfile) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[ProfileArgs](input, profileSchema)
	if err != nil {
		return retryHint(err, "customer_profile needs a customer_id"), nil
	}
	res, err := t.Profile(ctx, args)
	return observe(t.Name(), res, err)
}

// Profile is the typed core of customer_profile: one customer's orders,
// RFM scores, historical and predicted CLV and P(alive), from the same
// fitted models as predict_clv (run). Problems the caller can fix are
// *Problem; other errors come from the store.
func (t *CustomerProfile) Profile(ctx context.Context, args ProfileArgs) (*ProfileResult, error) {
	if args.CustomerID == "" {
		// "required" lets an empty string through.
		return nil, problemf(errors.New("customer_id is required"), "give the customer's id, e.g. 12347")
	}
	res, err := t.run(ctx, args.CustomerID)
	return res, clvProblem(err, "check the customer id")
}

func (t *CustomerProfile) run(ctx context.Context, id string) (*ProfileResult, error) {
	e := t.engine
	asOf, err := asOfDate(ctx, e.store, "", e.loc)
	if err != nil {
		return nil, err
	}
	// The model: chosen by holdout error; a fit that fails loses the
	// prediction and holdout parts only.
	var failed []string
	model := modelBGNBD
	var choice *modelChoice
	if c, err := e.choose(ctx, asOf, "", DefaultHorizonDays); err == nil {
		model, choice = c.model, c
	} else if !fitFailed(err) {
		return nil, err
	}
	b, err := e.base(ctx, model, asOf, "")
	if err != nil {
		if !fitFailed(err) {
			return nil, err
		}
		failed = append(failed, "prediction and holdout check: "+err.Error())
		if b, err = e.plainBase(ctx, asOf); err != nil {
			return nil, err
		}
	}
	var mine []analytics.Order
	for _, o := range b.orders {
		if o.CustomerID == id {
			mine = append(mine, o)
		}
	}
	if len(mine) == 0 {
		return nil, fmt.Errorf("%w: customer %s has no orders before %s", errUnknownCustomer, id, asOf.Format(time.DateOnly))
	}
	res := &ProfileResult{CustomerID: id, AsOf: asOf.Format(time.DateOnly), Currency: analytics.DefaultCurrency,
		DiscountRate: DefaultMonthlyDiscountRate, Model: modelLabel(model), HorizonDays: DefaultHorizonDays, FailedParts: failed,
		Caveats: append([]string(nil), b.notes...)}
	res.Definition = "RFM (seed section 4.3): recency in days before as_of, frequency = purchase invoices, monetary = net spend, scores 1-5 by quintile among all customers; " +
		"historical CLV (seed section 4.2) = Σ_t revenue_t/(1+r)^t over months since the first purchase month, r = 1% per month; " +
		"prediction: " + modelLabel(model) + " (chosen by holdout error among BG/NBD, MBG/NBD and Pareto/NBD) P(alive) and expected purchases over the next 90 days with Gamma-Gamma spend, CLV discounted at 1% per month."

	invoices := map[string]bool{}
	for _, o := range mine {
		invoices[o.OrderID] = true
	}
	res.Orders = len(invoices)
	sorted := append([]analytics.Order(nil), mine...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].At.Equal(sorted[j].At) {
			return sorted[i].At.After(sorted[j].At)
		}
		return sorted[i].OrderID > sorted[j].OrderID
	})
	for i, o := range sorted {
		if i == profileOrders {
			break
		}
		res.LastOrders = append(res.LastOrders, ProfileOrder{Invoice: o.OrderID, Date: o.At.Format(time.DateOnly), Amount: major(o.Amount), IsReturn: o.IsReturn})
	}

	if s, ok := b.rfm[id]; ok {
		res.RFM = &RFMCustomer{CustomerID: id, RecencyDays: s.RecencyDays, Frequency: s.Frequency, Monetary: major(s.Monetary),
			R: s.R, F: s.F, M: s.M, Score: s.Score, Segment: string(s.Segment)}
	}
	if h, err := analytics.CustomerHistoricalCLV(mine, asOf, DefaultMonthlyDiscountRate, 1); err == nil && len(h) == 1 {
		c := h[0]
		res.HistoricalCLV = &CLVRow{CustomerID: id, FirstMonth: c.FirstMonth.Format("2006-01"), Months: c.Months, Revenue: major(c.Revenue), CLV: major(c.CLV)}
	}

	found := false
	if b.fit.model != nil {
		if choice != nil {
			res.ModelChoice = &choice.choice
			res.Caveats = append(res.Caveats, "model chosen by holdout error: "+choice.choice.Reason)
		}
		if hold, err := e.holdout(ctx, model, b, DefaultHorizonDays); err == nil {
			h := holdoutJSON(hold)
			res.Holdout = &h
		} else if fitFailed(err) {
			res.FailedParts = append(res.FailedParts, "holdout check: "+err.Error())
		} else {
			return nil, err
		}
		plan := discountPlan(DefaultHorizonDays, DefaultMonthlyDiscountRate)
		preds, err := e.predictions(b, DefaultHorizonDays, plan)
		if err != nil {
			return nil, err
		}
		for _, p := range preds {
			if p.CustomerID == id {
				c := customerJSON(p, b.fit)
				res.Prediction, found = &c, true
			}
		}
		if !found {
			// Only returns, no purchase: no purchase history to forecast from.
			res.Caveats = append(res.Caveats, "the customer has no purchase (only returns), so no forecast")
		}
		if b.spend == nil {
			res.Caveats = append(res.Caveats, "no spend model, so no predicted CLV: "+b.spendErr)
		}
	}

	var sb strings.Builder
	fmt.Fprintf(&sb, "Customer %s as of %s: %d invoices", id, res.AsOf, res.Orders)
	if r := res.RFM; r != nil {
		fmt.Fprintf(&sb, "; RFM segment %s (score %d: R %d, F %d, M %d; last purchase %d days ago, %d purchase invoices, net spend %s)",
			r.Segment, r.Score, r.R, r.F, r.M, r.RecencyDays, r.Frequency, money(analytics.MoneyFromMajor(float64(r.Monetary)), res.Currency))
	}
	if h := res.HistoricalCLV; h != nil {
		fmt.Fprintf(&sb, "; historical CLV %s since %s", money(analytics.MoneyFromMajor(float64(h.CLV)), res.Currency), h.FirstMonth)
	}
	if found {
		p := *res.Prediction
		fmt.Fprintf(&sb, ". Next %d days (%s): P(alive) %s, expected purchases %.2f", res.HorizonDays, modelLabel(model), pAliveText(p.PAlive), p.ExpectedPurchases)
		if p.CLV != nil {
			fmt.Fprintf(&sb, ", predicted CLV %s", majorText(p.CLV))
		}
	}
	if res.Holdout != nil {
		fmt.Fprintf(&sb, ". %s.", res.Holdout.Text)
	} else {
		sb.WriteString(".")
	}
	for _, f := range res.FailedParts {
		fmt.Fprintf(&sb, " Not available: %s.", f)
	}
	res.Summary = sb.String()

	pt := Table{Title: "Customer " + id, Columns: []string{"measure", "value"}}
	if r := res.RFM; r != nil {
		pt.Rows = append(pt.Rows, []string{"RFM segment", r.Segment}, []string{"RFM score", strconv.Itoa(r.Score)},
			[]string{"recency (days)", strconv.Itoa(r.RecencyDays)}, []string{"frequency (invoices)", strconv.Itoa(r.Frequency)},
			[]string{"monetary (net)", money(analytics.MoneyFromMajor(float64(r.Monetary)), res.Currency)})
	}
	if h := res.HistoricalCLV; h != nil {
		pt.Rows = append(pt.Rows, []string{"historical CLV", money(analytics.MoneyFromMajor(float64(h.CLV)), res.Currency)})
	}
	if found {
		p := *res.Prediction
		pt.Rows = append(pt.Rows, []string{"P(alive)", pAliveText(p.PAlive)},
			[]string{"expected purchases, next 90 days", strconv.FormatFloat(p.ExpectedPurchases, 'f', 2, 64)},
			[]string{"predicted CLV, next 90 days", majorText(p.CLV)})
	}
	ot := Table{Title: "Last orders of customer " + id, Columns: []string{"invoice", "date", "amount"}}
	for _, o := range res.LastOrders {
		ot.Rows = append(ot.Rows, []string{o.Invoice, o.Date, money(analytics.MoneyFromMajor(float64(o.Amount)), res.Currency)})
	}
	res.Display.Tables = []Table{pt, ot}
	return res, nil
}

// fitFailed reports whether err is a model that could not be fitted (the
// optimiser failed, or the data do not identify it) rather than a problem
// reading the data.
func fitFailed(err error) bool {
	return errors.Is(err, analytics.ErrFitFailed) || (errors.Is(err, analytics.ErrNoData) && !errors.Is(err, errNoOrders))
}
