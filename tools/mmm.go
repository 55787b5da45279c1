package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/roibot/roibot/analytics"
)

// MMMData is a weekly media-mix data set as the mmm tool reads it.
type MMMData struct {
	Name      string
	Currency  string
	Synthetic bool
	// Version changes whenever the data set is stored again (its import
	// time), so a cached fit is reused only for unchanged data.
	Version time.Time
	Input   analytics.MMMInput
	// Paths are touchpoint paths over the same weeks, when the data set has
	// them (the synthetic scenario), for triangulation.
	Paths []analytics.Path
	// Truth is the generating truth of a synthetic data set (JSON), or nil.
	Truth json.RawMessage
}

// MMMReader is what the mmm tool needs from storage: a data set by name
// ("" = the most recently stored).
type MMMReader interface {
	MMMData(ctx context.Context, dataset string) (*MMMData, error)
}

// ErrNoMMMData is returned by an MMMReader without data.
var ErrNoMMMData = errors.New("no weekly media-mix data")

// MMM is the mmm tool: fits (or reuses the latest fit of) a media mix
// model on stored weekly data and answers incremental ROAS, response
// curves, what-if spend changes, budget splits and triangulation.
type MMM struct {
	Store MMMReader
	// Bootstrap is the number of bootstrap refits (default 100).
	Bootstrap int

	mu    sync.Mutex
	cache map[string]mmmCached
}

type mmmCached struct {
	version time.Time
	fit     *analytics.MMMFit
}

type mmmArgs struct {
	Action  string   `json:"action"`
	Dataset string   `json:"dataset"`
	Channel string   `json:"channel"`
	Change  *float64 `json:"change"`
	Budget  *float64 `json:"budget"`
	From    string   `json:"from"`
	To      string   `json:"to"`
}

var mmmSchema = mustSchema("mmm", map[string]any{
	"type": "object",
	"properties": map[string]any{
		"action": map[string]any{"type": "string", "enum": []string{"roas", "response_curve", "what_if", "budget", "triangulate"},
			"description": "roas (default): incremental ROAS per channel; response_curve: one channel's curve; what_if: change one channel's spend by a fraction; budget: best split of the weekly budget; triangulate: attribution vs MMM vs lift-test ROAS for a channel"},
		"dataset": map[string]any{"type": "string", "description": "stored weekly data set (default: the latest)"},
		"channel": map[string]any{"type": "string"},
		"change":  map[string]any{"type": "number", "minimum": -1, "maximum": 5, "description": "what_if: spend change as a fraction (-0.2 = cut by 20%)"},
		"budget":  map[string]any{"type": "number", "minimum": 0, "description": "budget: weekly budget (default: current weekly total)"},
		"from":    map[string]any{"type": "string", "format": "date"},
		"to":      map[string]any{"type": "string", "format": "date"},
	},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (*MMM) Name() string { return NameMMM }

// Description implements agent.Tool.
func (*MMM) Description() string {
	return "Media mix model on weekly spend: incremental ROAS per channel with intervals (a model estimate, unlike attribution ROAS), response curves, " +
		"what-if spend changes, the best budget split and triangulation (attribution vs MMM vs lift test). " +
		"Input: action (roas|response_curve|what_if|budget|triangulate), channel, change (fraction, -0.2 = cut 20%), budget (weekly), from/to (YYYY-MM-DD), dataset. " +
		"Output: ROAS with intervals, curves or allocations, model health verdict."
}

// Parameters implements agent.Tool.
func (*MMM) Parameters() map[string]any { return mmmSchema.doc }

// MMMWhatIf is the predicted effect of changing one channel's weekly spend
// by Change (a fraction), at steady state on the fitted curve.
type MMMWhatIf struct {
	Channel                string  `json:"channel"`
	Change                 float64 `json:"change"`
	WeeklySpend            float64 `json:"weekly_spend"`
	NewWeeklySpend         float64 `json:"new_weekly_spend"`
	WeeklyContribution     float64 `json:"weekly_contribution"`
	NewWeeklyContribution  float64 `json:"new_weekly_contribution"`
	WeeklyOutcomeChange    float64 `json:"weekly_outcome_change"`
	WeeklySpendChange      float64 `json:"weekly_spend_change"`
	OutcomePerSpendChange  float64 `json:"outcome_change_per_spend_change"`
	ExtrapolatedBeyondData bool    `json:"extrapolated_beyond_data"`
}

// MMMResult is the JSON result of the mmm tool.
type MMMResult struct {
	Summary       string                    `json:"summary"`
	Definition    string                    `json:"definition"`
	Currency      string                    `json:"currency,omitempty"`
	Action        string                    `json:"action"`
	Dataset       string                    `json:"dataset"`
	Synthetic     bool                      `json:"synthetic,omitempty"`
	Fit           MMMSummary                `json:"fit"`
	Curve         []analytics.MMMCurvePoint `json:"response_curve,omitempty"`
	WhatIf        *MMMWhatIf                `json:"what_if,omitempty"`
	Allocation    *AllocationResult         `json:"allocation,omitempty"`
	Triangulation *analytics.Triangulation  `json:"triangulation,omitempty"`
	Reused        bool                      `json:"reused_fit"`
	Recovery      string                    `json:"recovery,omitempty"`
	Caveats       []string                  `json:"caveats,omitempty"`
	Display       Display                   `json:"display"`
}

// Call implements agent.Tool.
func (t *MMM) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[mmmArgs](input, mmmSchema)
	if err != nil {
		return retryHint(err, "action is one of roas, response_curve, what_if, budget, triangulate"), nil
	}
	res, err := t.Answer(ctx, args)
	if err != nil {
		if isArgProblem(err) {
			return retryHint(err, "check the channel name and dates against the data set"), nil
		}
		if errors.Is(err, ErrNoMMMData) {
			return retryHint(err, "import weekly data with roibot import mmm_weekly FILE, or run roibot demo-data for the synthetic scenario"), nil
		}
		return "", fmt.Errorf("mmm: %w", err)
	}
	return encodeJSON(res)
}

// fit returns the fit of the data set, reusing the latest one when the
// data have not changed.
func (t *MMM) fit(ctx context.Context, dataset string) (*MMMData, *analytics.MMMFit, bool, error) {
	if t.Store == nil {
		return nil, nil, false, ErrNoMMMData
	}
	d, err := t.Store.MMMData(ctx, dataset)
	if err != nil {
		return nil, nil, false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.cache[d.Name]; ok && c.version.Equal(d.Version) {
		return d, c.fit, true, nil
	}
	b := t.Bootstrap
	if b == 0 {
		b = 100
	}
	fit, err := analytics.FitMMM(d.Input, analytics.MMMConfig{Seed: 1, Bootstrap: b})
	if err != nil {
		return nil, nil, false, err
	}
	if t.cache == nil {
		t.cache = map[string]mmmCached{}
	}
	t.cache[d.Name] = mmmCached{version: d.Version, fit: fit}
	return d, fit, false, nil
}

// Answer is the typed core of the mmm tool.
func (t *MMM) Answer(ctx context.Context, args mmmArgs) (*MMMResult, error) {
	d, fit, reused, err := t.fit(ctx, args.Dataset)
	if err != nil {
		return nil, err
	}
	if args.Action == "" {
		args.Action = "roas"
	}
	s := SummarizeMMM(fit, d.Currency)
	res := &MMMResult{Definition: MMMDefinition, Currency: d.Currency, Action: args.Action, Dataset: d.Name, Synthetic: d.Synthetic, Fit: s, Reused: reused}
	res.Display.Tables = []Table{MMMTable(s)}
	if d.Synthetic {
		res.Caveats = append(res.Caveats, "this data set is SYNTHETIC (simulated with a known truth), not real marketing data")
	}
	if r := recoveryNote(fit, d.Truth); r != "" {
		res.Recovery = r
		res.Caveats = append(res.Caveats, strings.TrimSuffix(r, "."))
	}
	if s.Health.Verdict != "trustworthy" {
		res.Caveats = append(res.Caveats, "model health: unstable — "+joinReasons(s.Health.Reasons))
	}
	channel := func() (int, error) {
		if args.Channel == "" {
			return -1, &analytics.InputError{Row: -1, Field: "channel", Err: fmt.Errorf("%s needs a channel", args.Action)}
		}
		i := fit.ChannelIndex(args.Channel)
		if i < 0 {
			var names []string
			for _, c := range fit.Channels {
				names = append(names, c.Name)
			}
			return -1, &analytics.InputError{Row: -1, Field: "channel", Err: fmt.Errorf("%q is not a channel of %s (%v)", args.Channel, d.Name, names)}
		}
		return i, nil
	}
	switch args.Action {
	case "roas":
		res.Display.Charts = MMMDisplayCharts(fit)
		res.Summary = roasSentence(s)
		if args.Channel != "" {
			i, err := channel()
			if err != nil {
				return nil, err
			}
			c := s.Channels[i]
			res.Summary = fmt.Sprintf("%s: incremental ROAS %.3g (%.0f%% interval %.3g–%.3g), %.0f of outcome caused by %.0f of spend; marginal ROAS %.3g. ",
				c.Channel, sig(c.ROAS.Value), 100*s.Interval, sig(c.ROAS.Low), sig(c.ROAS.High), c.Contribution.Value, c.Spend, sig(c.MarginalROAS.Value)) + res.Summary
		}
	case "response_curve":
		i, err := channel()
		if err != nil {
			return nil, err
		}
		res.Curve = fit.Channels[i].Curve
		ch := fit.Channels[i]
		res.Summary = fmt.Sprintf("%s's fitted response curve: at its current weekly spend of %.0f the weekly incremental outcome is %.0f and the marginal ROAS %.3g; at the busiest week's spend (%.0f) it is %.0f with marginal ROAS %.3g.",
			ch.Name, ch.AvgWeeklySpend, fit.WeeklyResponse(i, ch.AvgWeeklySpend), sig(curveMarginal(fit, i, ch.AvgWeeklySpend)), ch.Params.SpendScale, fit.WeeklyResponse(i, ch.Params.SpendScale), sig(curveMarginal(fit, i, ch.Params.SpendScale)))
		res.Display.Charts = []Chart{displayChart(MMMResponseCurvesChart(fit))}
	case "what_if":
		i, err := channel()
		if err != nil {
			return nil, err
		}
		if args.Change == nil {
			return nil, &analytics.InputError{Row: -1, Field: "change", Err: errors.New("what_if needs change, a fraction (-0.2 = cut by 20%)")}
		}
		ch := fit.Channels[i]
		w := &MMMWhatIf{Channel: ch.Name, Change: *args.Change, WeeklySpend: round6(ch.AvgWeeklySpend), NewWeeklySpend: round6(ch.AvgWeeklySpend * (1 + *args.Change))}
		before, after := fit.WeeklyResponse(i, ch.AvgWeeklySpend), fit.WeeklyResponse(i, ch.AvgWeeklySpend*(1+*args.Change))
		w.WeeklyContribution, w.NewWeeklyContribution = round6(before), round6(after)
		w.WeeklyOutcomeChange = round6(after - before)
		w.WeeklySpendChange = round6(ch.AvgWeeklySpend * *args.Change)
		if w.WeeklySpendChange != 0 {
			w.OutcomePerSpendChange = round6((after - before) / (ch.AvgWeeklySpend * *args.Change))
		}
		w.ExtrapolatedBeyondData = ch.AvgWeeklySpend*(1+*args.Change) > ch.Params.SpendScale
		if w.ExtrapolatedBeyondData {
			res.Caveats = append(res.Caveats, "the new weekly spend is above any week in the data: the curve is extrapolated")
		}
		res.WhatIf = w
		res.Summary = fmt.Sprintf("Changing %s's weekly spend by %+.0f%% (%.0f → %.0f a week) is predicted to change its weekly incremental outcome by %+.0f (%.0f → %.0f), at steady state on the fitted response curve: %.3g of outcome per unit of spend changed. Model health: %s.",
			w.Channel, 100*w.Change, w.WeeklySpend, w.NewWeeklySpend, w.WeeklyOutcomeChange, w.WeeklyContribution, w.NewWeeklyContribution, sig(w.OutcomePerSpendChange), s.Health.Verdict)
	case "budget":
		var budget float64
		if args.Budget != nil {
			budget = *args.Budget
		}
		a, err := fit.Allocate(budget, nil)
		if err != nil {
			return nil, &analytics.InputError{Row: -1, Field: "budget", Err: err}
		}
		r := SummarizeAllocation(fit, a, d.Currency)
		res.Allocation = &r
		res.Summary = fmt.Sprintf("Splitting the weekly budget of %.0f as below is predicted to change weekly incremental outcome from %.0f to %.0f (%+.0f, %+.1f%%), each channel kept within half to one and a half times its current spend. Model health: %s.",
			r.Budget, r.CurrentTotal, r.Total, r.Uplift, 100*r.UpliftShare, s.Health.Verdict)
		res.Display.Tables = append(res.Display.Tables, AllocationTable(r))
	case "triangulate":
		i, err := channel()
		if err != nil {
			return nil, err
		}
		from, to := fit.Weeks[0], fit.Weeks[len(fit.Weeks)-1]
		if args.From != "" || args.To != "" {
			if from, to, err = weekRange(fit.Weeks, args.From, args.To); err != nil {
				return nil, err
			}
			if len(d.Paths) > 0 {
				res.Caveats = append(res.Caveats, "attribution uses the data set's touchpoint paths over all its weeks (they are stored aggregated)")
			}
		}
		var atts []analytics.Attribution
		if len(d.Paths) > 0 {
			for _, m := range []analytics.Model{analytics.LastTouch, analytics.Linear, analytics.Markov} {
				a, err := analytics.Attribute(d.Paths, m, analytics.AttributionOptions{})
				if err != nil {
					return nil, err
				}
				atts = append(atts, a)
			}
		} else {
			res.Caveats = append(res.Caveats, "this data set has no touchpoint paths: no attribution row (compute_roi gives attribution ROAS for the order data)")
		}
		tri, err := analytics.Triangulate(fit, fit.Channels[i].Name, from, to, atts, d.Input.LiftTests)
		if err != nil {
			return nil, err
		}
		res.Triangulation = &tri
		res.Summary = triangulationSentence(tri)
		tb := Table{Title: "ROAS of " + tri.Channel + " by source (" + tri.From + ".." + tri.To + ")", Columns: []string{"source", "method", "ROAS", "interval", "weeks"}}
		for _, r := range tri.Rows {
			iv := ""
			if r.HasInterval {
				iv = fmt.Sprintf("%.3g–%.3g", sig(r.Low), sig(r.High))
			}
			tb.Rows = append(tb.Rows, []string{r.Source, r.Method, fmt.Sprintf("%.3g", sig(r.ROAS)), iv, r.From + ".." + r.To})
		}
		res.Display.Tables = []Table{tb}
	}
	return res, nil
}

// weekRange maps from/to dates to the first and last fitted week inside.
func weekRange(weeks []time.Time, from, to string) (time.Time, time.Time, error) {
	loc := weeks[0].Location()
	lo, hi := weeks[0], weeks[len(weeks)-1]
	if from != "" {
		f, err := time.ParseInLocation("2006-01-02", from, loc)
		if err != nil {
			return lo, hi, &analytics.InputError{Row: -1, Field: "from", Err: err}
		}
		lo = f
	}
	if to != "" {
		t, err := time.ParseInLocation("2006-01-02", to, loc)
		if err != nil {
			return lo, hi, &analytics.InputError{Row: -1, Field: "to", Err: err}
		}
		hi = t
	}
	var first, last time.Time
	for _, w := range weeks {
		if !w.Before(lo) && !w.After(hi) {
			if first.IsZero() {
				first = w
			}
			last = w
		}
	}
	if first.IsZero() {
		return lo, hi, &analytics.InputError{Row: -1, Field: "from", Err: fmt.Errorf("no fitted week between %s and %s", from, to)}
	}
	return first, last, nil
}

func joinReasons(rs []string) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += "; "
		}
		out += r
	}
	return out
}

func curveMarginal(f *analytics.MMMFit, i int, s float64) float64 {
	h := 1e-4 * (1 + s)
	return (f.WeeklyResponse(i, s+h) - f.WeeklyResponse(i, s)) / h
}

func roasSentence(s MMMSummary) string {
	var parts []string
	for _, c := range s.Channels {
		parts = append(parts, fmt.Sprintf("%s %.3g (%.0f%% interval %.3g–%.3g)", c.Channel, sig(c.ROAS.Value), 100*s.Interval, sig(c.ROAS.Low), sig(c.ROAS.High)))
	}
	out := fmt.Sprintf("Incremental ROAS from a media mix model over %d weeks (%s..%s): %s. Model health: %s.", s.Weeks, s.From, s.To, joinWith(parts, ", "), s.Health.Verdict)
	if len(s.LiftPriority) > 0 {
		out += " The channel that most needs a lift test next is " + s.LiftPriority[0].Channel + " (widest interval × spend)."
	}
	return out
}

func triangulationSentence(t analytics.Triangulation) string {
	var parts []string
	for _, r := range t.Rows {
		switch r.Source {
		case "attribution":
			parts = append(parts, fmt.Sprintf("attribution (%s) %.3g", r.Method, sig(r.ROAS)))
		case "mmm":
			parts = append(parts, fmt.Sprintf("MMM incremental %.3g (interval %.3g–%.3g)", sig(r.ROAS), sig(r.Low), sig(r.High)))
		case "lift_test":
			parts = append(parts, fmt.Sprintf("lift test %.3g (interval %.3g–%.3g, %s..%s)", sig(r.ROAS), sig(r.Low), sig(r.High), r.From, r.To))
		}
	}
	return fmt.Sprintf("ROAS of %s, %s..%s: %s. %s", t.Channel, t.From, t.To, joinWith(parts, "; "), joinWith(t.Notes, ". ")+".")
}

func joinWith(xs []string, sep string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += sep
		}
		out += x
	}
	return out
}

// recoveryNote compares the fitted ROAS with a synthetic data set's stored
// truth (JSON with channels[].name and true_roas), or returns "".
func recoveryNote(f *analytics.MMMFit, truth json.RawMessage) string {
	if len(truth) == 0 {
		return ""
	}
	var t struct {
		Channels []struct {
			Name     string  `json:"name"`
			TrueROAS float64 `json:"true_roas"`
		} `json:"channels"`
	}
	if json.Unmarshal(truth, &t) != nil || len(t.Channels) == 0 {
		return ""
	}
	var parts []string
	worst := 0.0
	for _, c := range t.Channels {
		i := f.ChannelIndex(c.Name)
		if i < 0 || c.TrueROAS == 0 {
			continue
		}
		e := f.Channels[i].ROAS.Value/c.TrueROAS - 1
		if e < 0 && -e > worst || e > worst {
			worst = max(e, -e)
		}
		parts = append(parts, fmt.Sprintf("%s %.4g vs true %.4g (%+.1f%%)", c.Name, f.Channels[i].ROAS.Value, c.TrueROAS, 100*e))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("Parameter recovery against the stored synthetic truth: %s; largest error %.1f%%.", joinWith(parts, ", "), 100*worst)
}
