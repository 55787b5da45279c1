package tools

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/roibot/roibot/analytics"
)

// ModelScore is one fitted model's AUC on the validation rows (where the
// model in use was chosen) and on the untouched test rows.
type ModelScore struct {
	Model         string  `json:"model"`
	ValidationAUC float64 `json:"validation_auc"`
	TestAUC       float64 `json:"test_auc"`
}

// ModelInUse describes the model an answer's probabilities come from.
type ModelInUse struct {
	Model     string  `json:"model"`
	Params    string  `json:"params"`
	TestAUC   float64 `json:"test_auc"`
	TestRows  int     `json:"test_rows"`
	Threshold float64 `json:"threshold"`
	Precision float64 `json:"precision_at_threshold"`
	Recall    float64 `json:"recall_at_threshold"`
	// LiftTop10 is the test rows' lift in the top 10 % by probability.
	LiftTop10 float64 `json:"lift_top_10pct"`
	Brier     float64 `json:"brier"`
	// Reasons are the inputs whose shuffling costs the most test AUC
	// (permutation importance), most important first.
	Reasons []analytics.Importance `json:"main_reasons"`
	// Compared lists every model fitted, the one in use being the highest
	// validation AUC.
	Compared []ModelScore             `json:"models_compared"`
	Verdict  string                   `json:"ensemble_verdict,omitempty"`
	Missing  []analytics.MissingCount `json:"missing,omitempty"`
}

// chooseModel returns the model with the highest validation AUC (single or
// ensemble) and the description every answer carries.
func chooseModel(res *analytics.FitResult) (*analytics.ModelResult, ModelInUse) {
	var best *analytics.ModelResult
	var u ModelInUse
	for i := range res.Models {
		m := &res.Models[i]
		u.Compared = append(u.Compared, ModelScore{Model: m.Name, ValidationAUC: round4(m.Validation.AUC), TestAUC: round4(m.Test.AUC)})
		if best == nil || m.Validation.AUC > best.Validation.AUC {
			best = m
		}
	}
	u.Model, u.Params = best.Name, best.Params
	u.TestAUC, u.TestRows, u.Threshold = round4(best.Test.AUC), best.Test.Rows, round4(best.Test.Threshold)
	u.Precision, u.Recall, u.Brier = round4(best.Test.Precision), round4(best.Test.Recall), round4(best.Test.Brier)
	if len(best.Test.Gains) > 0 {
		u.LiftTop10 = round4(best.Test.Gains[0].Lift)
	}
	for _, im := range best.Importance[:min(3, len(best.Importance))] {
		if im.Drop > 0 {
			u.Reasons = append(u.Reasons, analytics.Importance{Column: im.Column, Drop: round4(im.Drop), StdDev: round4(im.StdDev)})
		}
	}
	u.Verdict, u.Missing = res.Verdict, res.Missing
	return best, u
}

// reasonsText says the main reasons, e.g. "; main reasons: recency_days,
// frequency".
func reasonsText(rs []analytics.Importance) string {
	if len(rs) == 0 {
		return ""
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Column
	}
	return "; main reasons: " + strings.Join(names, ", ")
}

func round4(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 4, 64), 64)
	return f
}

// predictConfig is the model set the tools fit: the three single models and
// the validation-weighted average (stacking, five more fits of each, is left
// to roibot model fit), with a 200-tree forest.
func predictConfig() analytics.FitConfig {
	return analytics.FitConfig{
		Models: []string{analytics.ModelLogistic, analytics.ModelTree, analytics.ModelForest, analytics.ModelAverage},
		Seed:   42,
		Forest: analytics.ForestConfig{Trees: 200},
	}
}

// ChurnRisk is the churn_risk tool: which customers are likely to stop
// buying (seed sections 3.3, 3.4), from a classifier trained on the
// customers' own history.
type ChurnRisk struct {
	Store    OrderReader
	Location *time.Location
	// Text, when set, adds text-derived features per customer (sentiment,
	// themes, embedding components) to the behavioural ones.
	Text  TextFeatureSource
	cache *fitCache
}

// TextFeatureSource returns extra numeric features per customer ID from the
// customers' feedback text: column name → customer ID → value.
type TextFeatureSource interface {
	TextFeatures(ctx context.Context, customerIDs []string) (map[string]map[string]float64, error)
}

// NewChurnRisk returns the churn_risk tool; fits are cached per data state.
func NewChurnRisk(store OrderReader, l *time.Location) ChurnRisk {
	return ChurnRisk{Store: store, Location: l, cache: &fitCache{}}
}

// fitCache keeps the last fits of a tool, keyed by what they were fitted
// on, so that follow-up questions do not refit.
type fitCache struct {
	mu   sync.Mutex
	fits map[string]*cachedFit
}

type cachedFit struct {
	res    *analytics.FitResult
	scored analytics.ModelTable
	probs  []float64 // precomputed scores of scored's rows, when kept
	// textRows is how many training rows had text features (−1: no text
	// source).
	textRows int
}

func (c *fitCache) get(key string) *cachedFit {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fits[key]
}

func (c *fitCache) put(key string, f *cachedFit) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fits == nil || len(c.fits) > 16 {
		c.fits = map[string]*cachedFit{}
	}
	c.fits[key] = f
}

// ChurnArgs are churn_risk's arguments.
type ChurnArgs struct {
	HorizonDays int    `json:"horizon_days"`
	Limit       int    `json:"limit"`
	Country     string `json:"country"`
	CustomerID  string `json:"customer_id"`
	AsOf        string `json:"as_of"`
}

var churnSchema = mustSchema("churn_risk", map[string]any{
	"type": "object",
	"properties": map[string]any{
		"horizon_days": map[string]any{"type": "integer", "minimum": 14, "maximum": 365, "description": "churn = no purchase in this many days (default 90)"},
		"limit":        map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "description": "customers to list, highest risk first (default 10)"},
		"country":      map[string]any{"type": "string", "description": "only customers of this country"},
		"customer_id":  map[string]any{"type": "string", "pattern": "^[0-9A-Za-z-]+$", "description": "one customer's churn probability"},
		"as_of":        map[string]any{"type": "string", "format": "date", "description": "score as of this date YYYY-MM-DD (default: the day after the last order)"},
	},
	"additionalProperties": false,
})

// ChurnCustomer is one scored customer.
type ChurnCustomer struct {
	CustomerID  string  `json:"customer_id"`
	Probability float64 `json:"churn_probability"`
	AtRisk      bool    `json:"at_risk"`
	RecencyDays int     `json:"recency_days"`
	Frequency   int     `json:"frequency"`
	Monetary    Major   `json:"monetary"`
}

// ChurnResult is churn_risk's JSON result.
type ChurnResult struct {
	Summary        string          `json:"summary"`
	Definition     string          `json:"definition"`
	AsOf           string          `json:"as_of"`
	TrainingCutoff string          `json:"training_cutoff"`
	HorizonDays    int             `json:"horizon_days"`
	Country        string          `json:"country,omitempty"`
	Currency       string          `json:"currency"`
	Model          ModelInUse      `json:"model"`
	Scored         int             `json:"customers_scored"`
	AtRisk         int             `json:"customers_at_risk"`
	TrainingChurn  float64         `json:"training_churn_rate"`
	TextCustomers  int             `json:"training_customers_with_feedback,omitempty"`
	Customers      []ChurnCustomer `json:"customers"`
	Caveats        []string        `json:"caveats,omitempty"`
	Display        Display         `json:"display"`
}

// Name implements agent.Tool.
func (ChurnRisk) Name() string { return NameChurnRisk }

// Description implements agent.Tool.
func (ChurnRisk) Description() string {
	return "Churn risk: probability that a customer makes no purchase in the next horizon_days (default 90), from " +
		"classifiers (logistic regression, tree, random forest, weighted average) trained on the customers' own history " +
		"(RFM, tenure, basket value, returns). Input: horizon_days, limit, country, customer_id, as_of. Output: customers " +
		"ranked by churn probability, the model used with its test AUC, main reasons (permutation importance)."
}

// Parameters implements agent.Tool.
func (ChurnRisk) Parameters() map[string]any { return churnSchema.doc }

// Call implements agent.Tool.
func (t ChurnRisk) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[ChurnArgs](input, churnSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call churn_risk again"), nil
	}
	res, err := t.Run(ctx, args)
	if err != nil {
		if isArgProblem(err) {
			return retryHint(err, "try a shorter horizon_days, another country, or no customer_id"), nil
		}
		return "", fmt.Errorf("churn_risk: %w", err)
	}
	return encodeJSON(res)
}

// Run is churn_risk's typed core: it trains on the customers' state at
// as_of − horizon (labels: who bought again in the horizon up to as_of),
// scores every customer's state at as_of with the model of highest
// validation AUC, and lists the riskiest.
func (t ChurnRisk) Run(ctx context.Context, args ChurnArgs) (ChurnResult, error) {
	l := loc(t.Location)
	if args.HorizonDays == 0 {
		args.HorizonDays = 90
	}
	if args.Limit == 0 {
		args.Limit = 10
	}
	asOf, err := asOfDate(ctx, t.Store, args.AsOf, l)
	if err != nil {
		return ChurnResult{}, err
	}
	cut := asOf.AddDate(0, 0, -args.HorizonDays)
	key := fmt.Sprintf("%s|%d|%s", asOf.Format(time.DateOnly), args.HorizonDays, args.Country)
	fit := t.cache.get(key)
	if fit == nil {
		orders, err := t.Store.PurchaseOrders(ctx, analytics.OrderFilter{Country: args.Country, To: asOf})
		if err != nil {
			return ChurnResult{}, err
		}
		train, err := analytics.ChurnTable(orders, analytics.ChurnConfig{Cutoff: cut, HorizonDays: args.HorizonDays, Labelled: true})
		if err != nil {
			return ChurnResult{}, err
		}
		score, err := analytics.ChurnTable(orders, analytics.ChurnConfig{Cutoff: asOf, HorizonDays: args.HorizonDays})
		if err != nil {
			return ChurnResult{}, err
		}
		textRows := -1
		if t.Text != nil {
			if textRows, err = addTextFeatures(ctx, t.Text, &train, &score); err != nil {
				return ChurnResult{}, err
			}
		}
		res, err := analytics.FitModels(train, predictConfig())
		if err != nil {
			return ChurnResult{}, err
		}
		fit = &cachedFit{res: res, scored: score, textRows: textRows}
		t.cache.put(key, fit)
	}
	best, use := chooseModel(fit.res)
	p, err := best.Predictor.PredictTable(fit.scored)
	if err != nil {
		return ChurnResult{}, err
	}
	out := ChurnResult{
		Definition: fmt.Sprintf("churned = no purchase in the %d days after a cut-off; trained on customers' state at %s "+
			"(features from orders before it only) labelled by whether they bought by %s; stratified 60/20/20 split, "+
			"model and threshold chosen on validation, AUC on the untouched test rows (seed sections 3.3, 3.4)",
			args.HorizonDays, cut.Format(time.DateOnly), asOf.AddDate(0, 0, -1).Format(time.DateOnly)),
		AsOf: asOf.Format(time.DateOnly), TrainingCutoff: cut.Format(time.DateOnly), HorizonDays: args.HorizonDays,
		Country: args.Country, Currency: analytics.DefaultCurrency, Model: use, Scored: fit.scored.Rows(),
	}
	out.TrainingChurn = round4(float64(fit.res.Positives) / float64(fit.res.Rows))
	col := func(name string) []float64 {
		for _, c := range fit.scored.Columns {
			if c.Name == name {
				return c.Num
			}
		}
		return nil
	}
	rec, freq, mon := col("recency_days"), col("frequency"), col("monetary")
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
		if p[i] >= best.Test.Threshold {
			out.AtRisk++
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	if args.CustomerID != "" {
		k := slices.Index(fit.scored.IDs, args.CustomerID)
		if k < 0 {
			return ChurnResult{}, &analytics.InputError{Row: -1, Field: "customer_id", Err: fmt.Errorf("customer %s has no purchase before %s%s", args.CustomerID, out.AsOf, inCountry(args.Country))}
		}
		idx = []int{k}
	}
	for _, i := range idx[:min(args.Limit, len(idx))] {
		out.Customers = append(out.Customers, ChurnCustomer{CustomerID: fit.scored.IDs[i], Probability: round4(p[i]),
			AtRisk: p[i] >= best.Test.Threshold, RecencyDays: int(rec[i]), Frequency: int(freq[i]), Monetary: Major(mon[i])})
	}
	out.Summary = fmt.Sprintf("%d of %d customers are at risk of making no purchase in the next %d days (model %s, test AUC %.3f)%s.",
		out.AtRisk, out.Scored, args.HorizonDays, use.Model, use.TestAUC, reasonsText(use.Reasons))
	if args.CustomerID != "" && len(out.Customers) == 1 {
		c := out.Customers[0]
		out.Summary = fmt.Sprintf("Customer %s: churn probability %.0f%% over the next %d days (%s; model %s, test AUC %.3f)%s.",
			c.CustomerID, 100*c.Probability, args.HorizonDays, map[bool]string{true: "at risk", false: "not at risk"}[c.AtRisk], use.Model, use.TestAUC, reasonsText(use.Reasons))
	}
	out.Caveats = append(out.Caveats, fmt.Sprintf("probabilities come from the %s model (test AUC %.3f on %d held-out customers); at_risk means probability ≥ %.3f, the threshold that maximised F1 on validation", use.Model, use.TestAUC, use.TestRows, use.Threshold))
	switch {
	case fit.textRows < 0:
		out.Caveats = append(out.Caveats, "behavioural features only (no feedback store wired for text features)")
	case fit.textRows == 0:
		out.Caveats = append(out.Caveats, "behavioural features only: no feedback is linked to these customers")
	default:
		out.TextCustomers = fit.textRows
		out.Caveats = append(out.Caveats, fmt.Sprintf("%d of %d training customers have feedback; its sentiment, themes and embedding components are model inputs (missing for the others)", fit.textRows, fit.res.Rows))
	}
	tbl := Table{Title: fmt.Sprintf("Churn risk, next %d days (model %s, test AUC %.3f)", args.HorizonDays, use.Model, use.TestAUC),
		Columns: []string{"customer", "churn probability", "recency (days)", "orders", "net spend"}}
	for _, c := range out.Customers {
		tbl.Rows = append(tbl.Rows, []string{c.CustomerID, fmt.Sprintf("%.0f%%", 100*c.Probability), strconv.Itoa(c.RecencyDays), strconv.Itoa(c.Frequency), fmt.Sprintf("%.2f", float64(c.Monetary))})
	}
	out.Display.Tables = []Table{tbl}
	return out, nil
}

// addTextFeatures joins the text features of the customers of the tables
// (the first is the training table) and returns how many of the training
// customers have any; a feature no training customer has is left out of
// every table.
func addTextFeatures(ctx context.Context, src TextFeatureSource, tables ...*analytics.ModelTable) (int, error) {
	var ids []string
	for _, t := range tables {
		ids = append(ids, t.IDs...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	feats, err := src.TextFeatures(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("text features: %w", err)
	}
	names := make([]string, 0, len(feats))
	for n := range feats {
		names = append(names, n)
	}
	sort.Strings(names)
	with := 0
	for _, id := range tables[0].IDs {
		if _, ok := feats["text_feedback_count"][id]; ok {
			with++
		}
	}
	for _, n := range names {
		used := false
		for _, id := range tables[0].IDs {
			if _, ok := feats[n][id]; ok {
				used = true
				break
			}
		}
		if !used {
			continue
		}
		for _, t := range tables {
			if err := t.AddColumn(n, feats[n], nil); err != nil {
				return 0, err
			}
		}
	}
	return with, nil
}

// CustomerTextReader is what the text features need from storage: the
// scored feedback (sentiment, themes, embedding) of the given customers.
type CustomerTextReader interface {
	CustomerTexts(ctx context.Context, customerIDs []string) ([]analytics.CustomerText, error)
}

// FeedbackTextFeatures is the TextFeatureSource over stored feedback:
// analytics.TextFeatures of the customers' feedback rows.
type FeedbackTextFeatures struct {
	Store  CustomerTextReader
	Config analytics.TextFeatureConfig
}

// TextFeatures implements TextFeatureSource.
func (f FeedbackTextFeatures) TextFeatures(ctx context.Context, customerIDs []string) (map[string]map[string]float64, error) {
	items, err := f.Store.CustomerTexts(ctx, customerIDs)
	if err != nil {
		return nil, err
	}
	return analytics.TextFeatures(items, f.Config)
}
