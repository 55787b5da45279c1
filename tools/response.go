package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/roibot/roibot/analytics"
)

// DatasetReader is what response_propensity needs from storage: the
// modelling datasets imported with roibot model import.
type DatasetReader interface {
	ModelDatasets(ctx context.Context) ([]analytics.DatasetInfo, error)
	ModelDataset(ctx context.Context, name string) (analytics.ModelTable, analytics.DatasetInfo, error)
}

// ErrNoDatasets means the response tool has no dataset store wired.
var ErrNoDatasets = errors.New("no modelling dataset store configured")

// ResponsePropensity is the response_propensity tool: who is likely to
// respond to the next campaign, from a classifier trained on a modelling
// dataset with a past response (iFood's Response, Bank Marketing's y).
type ResponsePropensity struct {
	Store DatasetReader
	cache *fitCache
}

// NewResponsePropensity returns the tool; fits are cached per dataset
// import.
func NewResponsePropensity(store DatasetReader) ResponsePropensity {
	return ResponsePropensity{Store: store, cache: &fitCache{}}
}

// ResponseArgs are response_propensity's arguments.
type ResponseArgs struct {
	Dataset string `json:"dataset"`
	Limit   int    `json:"limit"`
	RowID   string `json:"id"`
}

var responseSchema = mustSchema("response_propensity", map[string]any{
	"type": "object",
	"properties": map[string]any{
		"dataset": map[string]any{"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$", "description": "modelling dataset (default: ifood, else the only one imported)"},
		"limit":   map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "description": "rows to list, most likely responders first (default 10)"},
		"id":      map[string]any{"type": "string", "pattern": "^[0-9A-Za-z_.-]+$", "description": "one row's (customer's) propensity"},
	},
	"additionalProperties": false,
})

// ResponseRow is one scored row.
type ResponseRow struct {
	ID          string  `json:"id"`
	Probability float64 `json:"response_probability"`
	Likely      bool    `json:"likely"`
	Responded   bool    `json:"responded_last_time"`
}

// ResponseResult is response_propensity's JSON result.
type ResponseResult struct {
	Summary    string        `json:"summary"`
	Definition string        `json:"definition"`
	Dataset    string        `json:"dataset"`
	Source     string        `json:"source"`
	Target     string        `json:"target"`
	Rows       int           `json:"rows"`
	BaseRate   float64       `json:"base_rate"`
	Model      ModelInUse    `json:"model"`
	Likely     int           `json:"rows_likely"`
	Listed     []ResponseRow `json:"rows_listed"`
	Caveats    []string      `json:"caveats,omitempty"`
	Display    Display       `json:"display"`
}

// Name implements agent.Tool.
func (ResponsePropensity) Name() string { return NameResponse }

// Description implements agent.Tool.
func (ResponsePropensity) Description() string {
	return "Campaign response propensity: probability that a customer (a row of a modelling dataset such as ifood) " +
		"responds to the next campaign, from classifiers (logistic regression, tree, random forest, weighted average) " +
		"trained on the last campaign's response. Input: dataset, limit, id. Output: rows ranked by out-of-fold " +
		"probability, the model used with its test AUC, main reasons (permutation importance)."
}

// Parameters implements agent.Tool.
func (ResponsePropensity) Parameters() map[string]any { return responseSchema.doc }

// Call implements agent.Tool.
func (t ResponsePropensity) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[ResponseArgs](input, responseSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call response_propensity again"), nil
	}
	res, err := t.Run(ctx, args)
	if err != nil {
		if isArgProblem(err) {
			return retryHint(err, "name an imported dataset, or drop id"), nil
		}
		return "", fmt.Errorf("response_propensity: %w", err)
	}
	return encodeJSON(res)
}

// Run is response_propensity's typed core: it fits the models on the
// dataset's stratified split, takes the one of highest validation AUC, and
// ranks every row by its out-of-fold probability (5 folds, each row scored
// by a model that never saw it).
func (t ResponsePropensity) Run(ctx context.Context, args ResponseArgs) (ResponseResult, error) {
	if t.Store == nil {
		return ResponseResult{}, ErrNoDatasets
	}
	if args.Limit == 0 {
		args.Limit = 10
	}
	list, err := t.Store.ModelDatasets(ctx)
	if err != nil {
		return ResponseResult{}, err
	}
	var names []string
	for _, d := range list {
		names = append(names, d.Name)
	}
	if args.Dataset == "" {
		switch {
		case slices.Contains(names, "ifood"):
			args.Dataset = "ifood"
		case len(names) == 1:
			args.Dataset = names[0]
		}
	}
	if !slices.Contains(names, args.Dataset) {
		return ResponseResult{}, &analytics.InputError{Row: -1, Field: "dataset", Err: fmt.Errorf("%q is not imported (imported: %s; add one with roibot model import): %w", args.Dataset, strings.Join(names, ", "), analytics.ErrNoData)}
	}
	var info analytics.DatasetInfo
	for _, d := range list {
		if d.Name == args.Dataset {
			info = d
		}
	}
	key := info.Name + "|" + info.ImportedAt.String()
	fit := t.cache.get(key)
	if fit == nil {
		tbl, _, err := t.Store.ModelDataset(ctx, args.Dataset)
		if err != nil {
			return ResponseResult{}, err
		}
		cfg := predictConfig()
		res, err := analytics.FitModels(tbl, cfg)
		if err != nil {
			return ResponseResult{}, err
		}
		best, _ := chooseModel(res)
		oof, err := analytics.OutOfFold(tbl, best.Name, best.Weights, cfg, 5)
		if err != nil {
			return ResponseResult{}, err
		}
		fit = &cachedFit{res: res, scored: tbl, probs: oof}
		t.cache.put(key, fit)
	}
	best, use := chooseModel(fit.res)
	p := fit.probs
	out := ResponseResult{
		Definition: fmt.Sprintf("P(%s = yes) from the row's other columns; stratified 60/20/20 split, model and threshold chosen on "+
			"validation, AUC on the untouched test rows; rows ranked by 5-fold out-of-fold probability, so no row is scored "+
			"by a model trained on it (seed sections 3.3, 3.4)", info.Target),
		Dataset: info.Name, Source: info.Source, Target: info.Target, Rows: fit.scored.Rows(),
		BaseRate: round4(float64(fit.res.Positives) / float64(fit.res.Rows)), Model: use,
	}
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
		if p[i] >= best.Test.Threshold {
			out.Likely++
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	if args.RowID != "" {
		k := slices.Index(fit.scored.IDs, args.RowID)
		if k < 0 {
			return ResponseResult{}, &analytics.InputError{Row: -1, Field: "id", Err: fmt.Errorf("no row %q in dataset %s", args.RowID, info.Name)}
		}
		idx = []int{k}
	}
	for _, i := range idx[:min(args.Limit, len(idx))] {
		out.Listed = append(out.Listed, ResponseRow{ID: fit.scored.IDs[i], Probability: round4(p[i]), Likely: p[i] >= best.Test.Threshold, Responded: fit.scored.Target[i]})
	}
	out.Summary = fmt.Sprintf("%d of %d rows of %s are likely to respond (%s = yes; model %s, test AUC %.3f)%s.",
		out.Likely, out.Rows, info.Name, info.Target, use.Model, use.TestAUC, reasonsText(use.Reasons))
	out.Caveats = append(out.Caveats,
		fmt.Sprintf("probabilities come from the %s model (test AUC %.3f on %d held-out rows); likely means probability ≥ %.3f, the threshold that maximised F1 on validation", use.Model, use.TestAUC, use.TestRows, use.Threshold),
		fmt.Sprintf("dataset %s is a modelling dataset imported from %s, not roibot's customers", info.Name, info.Source))
	tbl := Table{Title: fmt.Sprintf("Response propensity, %s (model %s, test AUC %.3f)", info.Name, use.Model, use.TestAUC),
		Columns: []string{"id", "probability", "responded last time"}}
	for _, r := range out.Listed {
		tbl.Rows = append(tbl.Rows, []string{r.ID, fmt.Sprintf("%.0f%%", 100*r.Probability), yesNo(r.Responded)})
	}
	out.Display.Tables = []Table{tbl}
	return out, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
