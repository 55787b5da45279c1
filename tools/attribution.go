package tools

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// Attribution is the compare_attribution tool: several attribution models
// side by side over the customers' touchpoint journeys, for one channel or
// all, with the Markov removal effects.
type Attribution struct {
	Store    ROIReader
	Location *time.Location
}

// AttributionArgs are the arguments of compare_attribution and of its
// typed core (Attribution.Compare): the period (Period, or From/To as
// inclusive days; none means all data), an optional channel, the models to
// compare (Models, or Model next to last_touch; default all six) and the
// lookback window in days (default DefaultLookbackDays).
type AttributionArgs struct {
	PeriodArgs
	Channel      string   `json:"channel"`
	Models       []string `json:"models"`
	Model        string   `json:"model"`
	LookbackDays int      `json:"lookback_days"`
}

var attributionSchema = mustSchema(NameAttribution, map[string]any{
	"type": "object",
	"properties": merge(periodProps, map[string]any{
		"channel":       map[string]any{"type": "string", "description": "only this channel's row, e.g. display, email, paid_search (default: all channels)"},
		"models":        map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": attributionModels}, "uniqueItems": true, "description": "models to compare (default: all six)"},
		"model":         map[string]any{"type": "string", "enum": attributionModels, "description": "one model to compare with last_touch"},
		"lookback_days": map[string]any{"type": "integer", "minimum": 1, "maximum": 365, "description": "attribution window in days (default 30)"},
	}),
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (Attribution) Name() string { return NameAttribution }

// Description implements agent.Tool.
func (Attribution) Description() string {
	return "Compare attribution models side by side: conversions and revenue (GBP) credited to each channel under " +
		"first_touch, last_touch, linear, time_decay, position_based (40/20/40) and markov (removal effects, exact). " +
		"Input: channel, models (list) or model, period or from/to, lookback_days (default 30). " +
		"Output: rows per channel and model, total and unattributed rows (totals are conserved), removal_effects."
}

// Parameters implements agent.Tool.
func (Attribution) Parameters() map[string]any { return attributionSchema.doc }

// CreditJSON is one model's credit: attributed conversions (fractional) and
// revenue in major units.
type CreditJSON struct {
	Model       string  `json:"model"`
	Conversions float64 `json:"conversions"`
	Revenue     Major   `json:"revenue"`
}

// AttributionRowJSON is one channel's credit under each compared model.
type AttributionRowJSON struct {
	Channel string       `json:"channel"`
	Credits []CreditJSON `json:"credits"`
}

// RemovalEffectJSON is the Markov removal effect of one channel: the
// conversion probability with the channel removed and the effect
// 1 − P_without / P, a fraction.
type RemovalEffectJSON struct {
	Channel                      string  `json:"channel"`
	RemovalEffect                float64 `json:"removal_effect"`
	ConversionProbabilityWithout float64 `json:"conversion_probability_without"`
}

// ConservationJSON states, per model, the credit summed over all channels
// plus the unattributed part, which equals the total.
type ConservationJSON struct {
	Model       string  `json:"model"`
	Conversions float64 `json:"conversions"`
	Revenue     Major   `json:"revenue"`
	Conserved   bool    `json:"conserved"`
}

// AttributionResult is the JSON result of compare_attribution.
type AttributionResult struct {
	Summary      string               `json:"summary"`
	Definition   string               `json:"definition"`
	Models       []string             `json:"models"`
	Channel      string               `json:"channel"`
	LookbackDays int                  `json:"lookback_days"`
	Period       PeriodJSON           `json:"period"`
	Currency     string               `json:"currency"`
	Rows         []AttributionRowJSON `json:"rows"`
	// Total is every order of the period (all channels), Unattributed the
	// orders with no touchpoint in the window.
	Total        CreditJSON         `json:"total"`
	Unattributed CreditJSON         `json:"unattributed"`
	Conservation []ConservationJSON `json:"conservation"`
	// MarkovConversionProbability is P(conversion) of the fitted chain.
	MarkovConversionProbability *float64            `json:"markov_conversion_probability,omitempty"`
	RemovalEffects              []RemovalEffectJSON `json:"removal_effects,omitempty"`
	Caveats                     []string            `json:"caveats,omitempty"`
	Display                     Display             `json:"display"`
	// Comparison is the unrounded comparison behind the rows, for callers
	// that present it otherwise (the attribution command); not in the JSON.
	Comparison analytics.Comparison `json:"-"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Compare's result as JSON.
func (t Attribution) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[AttributionArgs](input, attributionSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call compare_attribution again"), nil
	}
	res, err := t.Compare(ctx, args)
	return observe(t.Name(), res, err)
}

// Compare is the typed core of compare_attribution, which the tool and the
// attribution command call: it builds the customers' journeys of the period
// and attributes them under each model (compareJourneys), then checks that
// each model conserves the totals. Problems the caller can fix are
// *Problem; other errors come from the store.
func (t Attribution) Compare(ctx context.Context, args AttributionArgs) (AttributionResult, error) {
	var err error
	if args.LookbackDays, err = attributionSchema.intArg(ArgLookbackDays, args.LookbackDays, DefaultLookbackDays); err != nil {
		return AttributionResult{}, err
	}
	models := attributionModelList(args.Models, args.Model)
	p, err := resolvePeriod(ctx, t.Store, args.PeriodArgs, loc(t.Location))
	if err != nil {
		if isArgProblem(err) {
			return AttributionResult{}, problemf(err, "use a period such as 2011, 2011-Q4 or 2011-10")
		}
		return AttributionResult{}, err
	}
	cmp, err := compareJourneys(ctx, t.Store, p, models, args.LookbackDays)
	if err != nil {
		var je *journeyError
		switch {
		case errors.As(err, &je) && isArgProblem(err):
			return AttributionResult{}, problemf(fmt.Errorf("no orders or touchpoints in %s: %w", p, je.err), "try another period")
		case isArgProblem(err):
			return AttributionResult{}, problemf(err, "try a longer period")
		}
		return AttributionResult{}, err
	}
	channel := "all"
	if args.Channel != "" {
		channel = strings.TrimSpace(args.Channel)
		for _, r := range cmp.Rows {
			if strings.EqualFold(r.Channel, channel) {
				channel = r.Channel // as spelled in the data
			}
		}
	}
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = string(m)
	}
	res := AttributionResult{
		Models: names, Channel: channel, LookbackDays: args.LookbackDays, Period: periodJSON(p), Currency: analytics.DefaultCurrency,
		Total:        CreditJSON{Model: "all", Conversions: cmp.Conversions, Revenue: majorOf(cmp.Value)},
		Unattributed: CreditJSON{Model: "all", Conversions: cmp.UnattributedConversions, Revenue: majorOf(cmp.UnattributedValue)},
		Comparison:   cmp,
	}
	var defs []string
	for _, m := range models {
		defs = append(defs, attributionDefinition(m, args.LookbackDays))
	}
	res.Definition = "Each order of an identified customer in the period is a conversion worth its purchase lines (GBP); its journey is the customer's " +
		"touchpoints since the previous order and within the lookback window. " + strings.Join(defs, " ") +
		" Every model conserves totals: the channels' credit plus the unattributed orders (no touchpoint in the window) equals the period's orders and revenue."
	sums := make([]float64, len(models))
	sumConv := make([]float64, len(models))
	var known []string
	for _, r := range cmp.Rows {
		known = append(known, r.Channel)
		for i := range models {
			sums[i] += r.Value[i]
			sumConv[i] += r.Conversions[i]
		}
		if args.Channel != "" && r.Channel != channel {
			continue
		}
		row := AttributionRowJSON{Channel: r.Channel}
		for i, m := range models {
			row.Credits = append(row.Credits, CreditJSON{Model: string(m), Conversions: round(r.Conversions[i], 4), Revenue: majorOf(r.Value[i])})
		}
		res.Rows = append(res.Rows, row)
	}
	if args.Channel != "" && len(res.Rows) == 0 {
		return AttributionResult{}, problemf(fmt.Errorf("channel %q has no touchpoints in %s", args.Channel, p),
			"known channels in this period: "+strings.Join(known, ", "))
	}
	for i, m := range models {
		c := sumConv[i] + cmp.UnattributedConversions
		v := sums[i] + cmp.UnattributedValue
		res.Conservation = append(res.Conservation, ConservationJSON{Model: string(m), Conversions: round(c, 4), Revenue: majorOf(v),
			Conserved: math.Abs(c-cmp.Conversions) <= 1e-6*math.Max(1, cmp.Conversions) && math.Abs(v-cmp.Value) <= 0.005+1e-9*cmp.Value})
	}
	if cmp.Markov != nil {
		pc := round(cmp.Markov.ConversionProbability, 6)
		res.MarkovConversionProbability = &pc
		for _, re := range cmp.Markov.RemovalEffects {
			if args.Channel != "" && re.Channel != channel {
				continue
			}
			res.RemovalEffects = append(res.RemovalEffects, RemovalEffectJSON{Channel: re.Channel,
				RemovalEffect: round(re.Effect, 4), ConversionProbabilityWithout: round(re.ConversionProbability, 6)})
		}
	}
	if cmp.UnattributedConversions > 0 {
		res.Caveats = append(res.Caveats, fmt.Sprintf("%.0f of %.0f orders (%s) had no touchpoint in the %d-day window and are unattributed under every model",
			cmp.UnattributedConversions, cmp.Conversions, money(analytics.MoneyFromMajor(cmp.UnattributedValue), res.Currency), args.LookbackDays))
	}
	if slices.Contains(models, analytics.Markov) {
		res.Caveats = append(res.Caveats, "Markov splits revenue with the conversion removal effects (not separate value removal effects)")
	}
	if syn, err := t.Store.HasSyntheticMarketing(ctx); err == nil && syn {
		res.Caveats = append(res.Caveats, "marketing touchpoints are SYNTHETIC (roibot demo-data, fixed seed); orders and revenue are real (Online Retail)")
	}
	res.Summary = attributionSummary(res)
	res.Display = attributionDisplay(res, p)
	return res, nil
}

// journeyError is a failure to build journeys (as opposed to attributing
// them), so callers can say "no orders or touchpoints".
type journeyError struct{ err error }

func (e *journeyError) Error() string { return e.err.Error() }
func (e *journeyError) Unwrap() error { return e.err }

// compareJourneys is the one path from stored touchpoints and orders to an
// attribution comparison: it reads the period's orders of identified
// customers and their touchpoints within lookback days before each
// (AttributionInputs), builds the journeys (analytics.BuildJourneys: a
// journey is the customer's touchpoints since the previous order and within
// the window) and attributes them under each model
// (analytics.CompareJourneyAttribution). compute_roi and
// compare_attribution both use it. Journey-building errors are
// *journeyError.
func compareJourneys(ctx context.Context, store ROIReader, p analytics.Period, models []analytics.Model, lookback int) (analytics.Comparison, error) {
	journeys, err := periodJourneys(ctx, store, p, lookback)
	if err != nil {
		return analytics.Comparison{}, err
	}
	return analytics.CompareJourneyAttribution(journeys, models, analytics.AttributionOptions{}, "")
}

// periodJourneys builds the journeys of the period's conversions from the
// store's attribution inputs (analytics.BuildJourneys).
func periodJourneys(ctx context.Context, store ROIReader, p analytics.Period, lookback int) ([]analytics.Journey, error) {
	tps, convs, err := store.AttributionInputs(ctx, p, lookback)
	if err != nil {
		return nil, err
	}
	journeys, err := analytics.BuildJourneys(tps, convs, float64(lookback), p.To)
	if err != nil {
		return nil, &journeyError{err: err}
	}
	return journeys, nil
}

// attributionModelList returns the models to compare: models, else model
// next to last_touch (or alone when it is last_touch), else all six.
func attributionModelList(models []string, model string) []analytics.Model {
	var out []analytics.Model
	switch {
	case len(models) > 0:
		for _, m := range models {
			if !slices.Contains(out, analytics.Model(m)) {
				out = append(out, analytics.Model(m))
			}
		}
		if model != "" && !slices.Contains(out, analytics.Model(model)) {
			out = append(out, analytics.Model(model))
		}
	case model != "" && model != string(analytics.LastTouch):
		out = []analytics.Model{analytics.LastTouch, analytics.Model(model)}
	case model != "":
		out = []analytics.Model{analytics.LastTouch}
	default:
		out = analytics.AttributionModels()
	}
	return out
}

// majorOf rounds a major-unit amount to pennies.
func majorOf(v float64) Major { return major(analytics.MoneyFromMajor(v)) }

// attributionSummary names, per model, the credit of the channel asked
// for, or the channel with the most revenue.
func attributionSummary(res AttributionResult) string {
	var parts []string
	for i, m := range res.Models {
		if res.Channel != "all" && len(res.Rows) == 1 {
			c := res.Rows[0].Credits[i]
			parts = append(parts, fmt.Sprintf("%s credits %s with %s and %s", m, res.Channel,
				conversionsText(c.Conversions), money(analytics.MoneyFromMajor(float64(c.Revenue)), res.Currency)))
			continue
		}
		best, bestV := "", -1.0
		for _, r := range res.Rows {
			if v := float64(r.Credits[i].Revenue); v > bestV {
				best, bestV = r.Channel, v
			}
		}
		parts = append(parts, fmt.Sprintf("%s gives the most revenue to %s (%s)", m, best, money(analytics.MoneyFromMajor(bestV), res.Currency)))
	}
	s := strings.Join(parts, "; ") + "."
	if res.Channel != "all" && len(res.RemovalEffects) == 1 {
		s += fmt.Sprintf(" Markov removal effect of %s: %.1f%% of conversions would be lost without it.", res.Channel, res.RemovalEffects[0].RemovalEffect*100)
	}
	s += fmt.Sprintf(" Total %s and %s in %s, %s of them unattributed; each model's credit adds up to the total.",
		conversionsText(res.Total.Conversions), money(analytics.MoneyFromMajor(float64(res.Total.Revenue)), res.Currency),
		res.Period.Label, strconv.FormatFloat(res.Unattributed.Conversions, 'f', -1, 64))
	return s
}

// conversionsText writes a (possibly fractional) conversion count with
// its noun: "1 conversion", "1.7 conversions".
func conversionsText(v float64) string {
	s := strconv.FormatFloat(round(v, 1), 'f', -1, 64)
	if s == "1" {
		return s + " conversion"
	}
	return s + " conversions"
}

func attributionDisplay(res AttributionResult, p analytics.Period) Display {
	cols := []string{"channel"}
	for _, m := range res.Models {
		cols = append(cols, m+" revenue", m+" conv.")
	}
	table := Table{Title: fmt.Sprintf("Attribution by model, %s, %d-day window", p, res.LookbackDays), Columns: cols}
	for _, r := range res.Rows {
		row := []string{r.Channel}
		for _, c := range r.Credits {
			row = append(row, money(analytics.MoneyFromMajor(float64(c.Revenue)), res.Currency), strconv.FormatFloat(round(c.Conversions, 1), 'f', -1, 64))
		}
		table.Rows = append(table.Rows, row)
	}
	un := []string{"(unattributed)"}
	tot := []string{"total (all channels)"}
	for range res.Models {
		un = append(un, money(analytics.MoneyFromMajor(float64(res.Unattributed.Revenue)), res.Currency), strconv.FormatFloat(res.Unattributed.Conversions, 'f', -1, 64))
		tot = append(tot, money(analytics.MoneyFromMajor(float64(res.Total.Revenue)), res.Currency), strconv.FormatFloat(res.Total.Conversions, 'f', -1, 64))
	}
	table.Rows = append(table.Rows, un, tot)
	d := Display{Tables: []Table{table}}
	if len(res.RemovalEffects) > 0 {
		rt := Table{Title: "Markov removal effects", Columns: []string{"channel", "removal effect", "P(conversion) without it"}}
		for _, re := range res.RemovalEffects {
			rt.Rows = append(rt.Rows, []string{re.Channel, strconv.FormatFloat(re.RemovalEffect*100, 'f', 1, 64) + "%",
				strconv.FormatFloat(re.ConversionProbabilityWithout*100, 'f', 2, 64) + "%"})
		}
		d.Tables = append(d.Tables, rt)
	}
	if len(res.Rows) == 1 {
		ch := Chart{Title: fmt.Sprintf("Revenue credited to %s by attribution model, %s", strings.ReplaceAll(res.Rows[0].Channel, "_", " "), p), Kind: "bar", Unit: res.Currency,
			YLabel: "Attributed revenue", XLabel: "attribution model"}
		for _, c := range res.Rows[0].Credits {
			ch.Labels = append(ch.Labels, strings.ReplaceAll(string(c.Model), "_", " "))
			ch.Values = append(ch.Values, float64(c.Revenue))
		}
		d.Charts = []Chart{ch}
	}
	return d
}
