package tools

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// DefaultFunnelWindowDays is the conversion window of funnel_analysis: a
// later stage counts when reached within this many days of the session's
// first visit.
const DefaultFunnelWindowDays = 1

// maxDailyFunnelDays bounds the periods for which funnel_analysis lists
// daily counts (a quarter); longer periods give the totals only.
const maxDailyFunnelDays = 93

// FunnelReader is what funnel_analysis needs from storage.
type FunnelReader interface {
	DataRange
	FunnelCounts(ctx context.Context, q analytics.FunnelQuery) (analytics.FunnelCounts, error)
	HasSyntheticMarketing(ctx context.Context) (bool, error)
}

// Funnel is the funnel_analysis tool: session counts per funnel stage,
// step conversion, overall conversion and the biggest drop-off, with an
// optional period-over-period z-test (seed section 4.4).
type Funnel struct {
	Store FunnelReader
	// Location is the business time zone of periods and daily buckets.
	Location *time.Location
}

// FunnelArgs are the arguments of funnel_analysis and of its typed core
// (Funnel.Analyze): the period (none means all data), an optional channel
// or campaign, a period to compare with ("previous" or a period) and the
// conversion window in days (nil means DefaultFunnelWindowDays).
type FunnelArgs struct {
	PeriodArgs
	Channel       string `json:"channel"`
	Campaign      string `json:"campaign"`
	ComparePeriod string `json:"compare_period"`
	WindowDays    *int   `json:"window_days"`
}

var funnelSchema = mustSchema(NameFunnel, map[string]any{
	"type": "object",
	"properties": merge(periodProps, map[string]any{
		"channel":        map[string]any{"type": "string", "description": "only sessions whose first visit came from this channel, e.g. paid_search, email, display"},
		"campaign":       map[string]any{"type": "string", "description": "only sessions of this campaign (exact name)"},
		"compare_period": map[string]any{"type": "string", "description": "period to compare with (same formats as period), or \"previous\" for the same number of days just before"},
		"window_days":    map[string]any{"type": "integer", "minimum": 0, "maximum": 365, "description": "conversion window in days from the first visit (default 1; 0 = no limit)"},
	}),
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (Funnel) Name() string { return NameFunnel }

// Description implements agent.Tool.
func (Funnel) Description() string {
	return "Funnel visit > product_view > add_to_cart > checkout > purchase: sessions per stage, step conversion c_i = n_i/n_(i-1), " +
		"overall C = product of c_i, the biggest drop-off, daily counts. Input: channel, campaign, period or from/to, " +
		"compare_period (a period or \"previous\": z-test per step), window_days (default 1). " +
		"Output: stages, overall_conversion, biggest_drop_off, lowest_conversion, by_channel, comparison."
}

// Parameters implements agent.Tool.
func (Funnel) Parameters() map[string]any { return funnelSchema.doc }

// FunnelStageJSON is one stage of a funnel_analysis result; conversions
// are fractions or "n/a: reason".
type FunnelStageJSON struct {
	Stage                string `json:"stage"`
	Sessions             int    `json:"sessions"`
	StepConversion       any    `json:"step_conversion"`
	CumulativeConversion any    `json:"cumulative_conversion"`
	DropOff              int    `json:"drop_off"`
}

// FunnelDropJSON is one transition: from, to, step conversion, sessions lost.
type FunnelDropJSON struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Conversion any    `json:"conversion"`
	Lost       int    `json:"lost"`
}

// FunnelDayJSON is one local day's sessions per stage (in stage order).
type FunnelDayJSON struct {
	Date     string `json:"date"`
	Sessions []int  `json:"sessions"`
}

// FunnelChannelJSON is one channel's sessions per stage and overall
// conversion.
type FunnelChannelJSON struct {
	Channel           string `json:"channel"`
	Sessions          []int  `json:"sessions"`
	OverallConversion any    `json:"overall_conversion"`
}

// FunnelStepTestJSON is the period-over-period test of one transition.
type FunnelStepTestJSON struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Current  any    `json:"current"`
	Previous any    `json:"previous"`
	Change   any    `json:"change"`
	Z        any    `json:"z"`
	PValue   any    `json:"p_value"`
	Verdict  string `json:"verdict"`
}

// FunnelComparisonJSON compares the funnel with another period.
type FunnelComparisonJSON struct {
	Period            PeriodJSON           `json:"period"`
	Stages            []FunnelStageJSON    `json:"stages"`
	OverallConversion any                  `json:"overall_conversion"`
	Steps             []FunnelStepTestJSON `json:"steps"`
}

// FunnelResult is the JSON result of funnel_analysis.
type FunnelResult struct {
	Summary           string                `json:"summary"`
	Definition        string                `json:"definition"`
	Period            PeriodJSON            `json:"period"`
	TimeZone          string                `json:"time_zone"`
	Channel           string                `json:"channel"`
	Campaign          string                `json:"campaign,omitempty"`
	WindowDays        int                   `json:"window_days"`
	Stages            []FunnelStageJSON     `json:"stages"`
	OverallConversion any                   `json:"overall_conversion"`
	BiggestDropOff    *FunnelDropJSON       `json:"biggest_drop_off"`
	LowestConversion  *FunnelDropJSON       `json:"lowest_conversion"`
	Daily             []FunnelDayJSON       `json:"daily,omitempty"`
	ByChannel         []FunnelChannelJSON   `json:"by_channel,omitempty"`
	Comparison        *FunnelComparisonJSON `json:"comparison,omitempty"`
	Caveats           []string              `json:"caveats,omitempty"`
	Display           Display               `json:"display"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Analyze's result as JSON.
func (t Funnel) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[FunnelArgs](input, funnelSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call funnel_analysis again"), nil
	}
	res, err := t.Analyze(ctx, args)
	return observe(t.Name(), res, err)
}

// Analyze is the typed core of funnel_analysis: it counts the sessions of
// the period per stage in the store (FunnelCounts), computes step and
// overall conversion and the biggest drop-off (analytics.Funnel, seed
// section 4.4) and, with args.ComparePeriod, tests each step against that
// period (analytics.CompareFunnels). Problems the caller can fix are
// *Problem; other errors come from the store.
func (t Funnel) Analyze(ctx context.Context, args FunnelArgs) (FunnelResult, error) {
	l := loc(t.Location)
	window := DefaultFunnelWindowDays
	if args.WindowDays != nil {
		window = *args.WindowDays
	}
	dr := onceRange(t.Store)
	p, err := resolvePeriod(ctx, dr, args.PeriodArgs, l)
	if err != nil {
		if isArgProblem(err) {
			return FunnelResult{}, problemf(err, "use a period such as 2011, 2011-Q4 or 2011-10")
		}
		return FunnelResult{}, err
	}
	q := analytics.FunnelQuery{Period: p, Channel: args.Channel, Campaign: args.Campaign,
		Window: time.Duration(window) * 24 * time.Hour, Location: l}
	counts, err := t.Store.FunnelCounts(ctx, q)
	if err != nil {
		return FunnelResult{}, err
	}
	rep, err := analytics.Funnel(analytics.StageCounts(counts.Stages, counts.Total))
	if err != nil {
		if isArgProblem(err) {
			return FunnelResult{}, problemf(err, "")
		}
		return FunnelResult{}, err
	}
	channel := args.Channel
	if channel == "" {
		channel = "all"
	}
	scope := funnelScope(args.Channel, args.Campaign)
	res := FunnelResult{
		Definition: fmt.Sprintf("Sessions entering at their first visit in the period; a session counts at a stage when it reached "+
			"every earlier stage, in order, within %s of that visit. Step conversion c_i = n_i / n_(i-1), overall C = Π c_i = "+
			"n_purchase / n_visit (seed section 4.4); the biggest drop-off is the step losing the most sessions. "+
			"Days are local days in %s, each session on the day of its first visit.", windowText(window), l),
		Period: periodJSON(p), TimeZone: l.String(), Channel: channel, Campaign: args.Campaign, WindowDays: window,
		Stages: stagesJSON(rep), OverallConversion: nullJSON(rep.Overall, 1, 4),
		BiggestDropOff: dropJSON(rep.LargestDropOff), LowestConversion: dropJSON(rep.LowestConversion),
	}
	res.Summary = funnelSummary(rep, scope, p)
	if counts.Total[0] == 0 {
		res.Caveats = append(res.Caveats, fmt.Sprintf("no sessions entered the funnel in %s for %s; conversions are n/a", p, scope))
	}
	if p.Days() <= maxDailyFunnelDays {
		res.Daily = dailyJSON(counts.Daily, p, l, len(counts.Stages))
	} else {
		res.Caveats = append(res.Caveats, fmt.Sprintf("daily counts are listed for periods up to %d days", maxDailyFunnelDays))
	}
	if args.Channel == "" {
		for _, g := range counts.ByChannel {
			c := FunnelChannelJSON{Channel: g.Group, Sessions: g.Counts, OverallConversion: "n/a: no entrants"}
			if g.Counts[0] > 0 {
				c.OverallConversion = round(float64(g.Counts[len(g.Counts)-1])/float64(g.Counts[0]), 4)
			}
			res.ByChannel = append(res.ByChannel, c)
		}
	}
	if args.ComparePeriod != "" {
		prev, err := comparePeriod(args.ComparePeriod, p, l)
		if err == nil {
			err = boundPeriod(ctx, dr, prev)
		}
		if err != nil {
			return FunnelResult{}, problemf(err, "compare_period takes a period such as 2011-Q3, or \"previous\"")
		}
		q.Period = prev
		pc, err := t.Store.FunnelCounts(ctx, q)
		if err != nil {
			return FunnelResult{}, err
		}
		cmp, err := analytics.CompareFunnels(analytics.StageCounts(counts.Stages, counts.Total), analytics.StageCounts(pc.Stages, pc.Total))
		if err != nil {
			return FunnelResult{}, err
		}
		res.Comparison = comparisonJSON(cmp, prev)
		res.Summary += " " + comparisonSummary(cmp, prev)
	}
	if syn, err := t.Store.HasSyntheticMarketing(ctx); err == nil && syn {
		res.Caveats = append(res.Caveats, "funnel events are SYNTHETIC (roibot demo-data, fixed seed), not measured traffic")
	}
	res.Display = funnelDisplay(rep, res, scope, p)
	return res, nil
}

func windowText(days int) string {
	switch days {
	case 0:
		return "any time (no window)"
	case 1:
		return "1 day"
	}
	return strconv.Itoa(days) + " days"
}

// funnelScope names what a funnel covers for people: "all channels",
// "email", "campaign spring_sale" or "email, campaign spring_sale".
func funnelScope(channel, campaign string) string {
	switch {
	case channel == "" && campaign == "":
		return "all channels"
	case campaign == "":
		return channel
	case channel == "":
		return "campaign " + campaign
	}
	return channel + ", campaign " + campaign
}

func stagesJSON(rep analytics.FunnelReport) []FunnelStageJSON {
	out := make([]FunnelStageJSON, len(rep.Steps))
	for i, s := range rep.Steps {
		out[i] = FunnelStageJSON{Stage: s.Stage, Sessions: s.Count, StepConversion: nullJSON(s.StepConversion, 1, 4),
			CumulativeConversion: nullJSON(s.CumulativeConversion, 1, 4), DropOff: s.DropOff}
	}
	return out
}

func dropJSON(d *analytics.FunnelDrop) *FunnelDropJSON {
	if d == nil {
		return nil
	}
	return &FunnelDropJSON{From: d.From, To: d.To, Conversion: nullJSON(d.Conversion, 1, 4), Lost: d.Lost}
}

// dailyJSON lists every local day of p, with zero counts on days without
// entrants.
func dailyJSON(days []analytics.FunnelGroupCounts, p analytics.Period, l *time.Location, stages int) []FunnelDayJSON {
	byDate := make(map[string][]int, len(days))
	for _, d := range days {
		byDate[d.Group] = d.Counts
	}
	first := p.From.In(l)
	last := p.To.Add(-time.Nanosecond).In(l)
	end := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, l)
	var out []FunnelDayJSON
	for d := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, l); !d.After(end); d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		c, ok := byDate[key]
		if !ok {
			c = make([]int, stages)
		}
		out = append(out, FunnelDayJSON{Date: key, Sessions: c})
	}
	return out
}

// comparePeriod resolves compare_period: a period string, or "previous"
// for the same number of local days just before p.
func comparePeriod(s string, p analytics.Period, l *time.Location) (analytics.Period, error) {
	if !strings.EqualFold(strings.TrimSpace(s), "previous") {
		return analytics.ParsePeriod(s, l)
	}
	from, to := p.From.In(l), p.To.In(l)
	days := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days++
	}
	if days == 0 {
		return analytics.Period{}, errors.New("empty period")
	}
	prev := analytics.Period{From: from.AddDate(0, 0, -days), To: from}
	prev.Label = fmt.Sprintf("previous %d days (%s..%s)", days, prev.From.Format(time.DateOnly),
		prev.To.AddDate(0, 0, -1).Format(time.DateOnly))
	return prev, nil
}

func comparisonJSON(cmp analytics.FunnelComparison, prev analytics.Period) *FunnelComparisonJSON {
	out := &FunnelComparisonJSON{Period: periodJSON(prev), Stages: stagesJSON(cmp.Previous),
		OverallConversion: nullJSON(cmp.Previous.Overall, 1, 4)}
	for _, s := range cmp.Steps {
		out.Steps = append(out.Steps, FunnelStepTestJSON{From: s.From, To: s.To,
			Current: nullJSON(s.Current, 1, 4), Previous: nullJSON(s.Previous, 1, 4), Change: nullJSON(s.Change, 1, 4),
			Z: nullJSON(s.Z, 1, 3), PValue: nullJSON(s.PValue, 1, 4), Verdict: s.Verdict})
	}
	return out
}

// funnelSummary states the funnel in one or two sentences.
func funnelSummary(rep analytics.FunnelReport, channel string, p analytics.Period) string {
	n0 := rep.Steps[0].Count
	if n0 == 0 {
		return fmt.Sprintf("No sessions entered the funnel for %s in %s, so every conversion rate is n/a.", channel, p)
	}
	last := rep.Steps[len(rep.Steps)-1]
	s := fmt.Sprintf("%d sessions entered the funnel for %s in %s; %d reached %s (overall conversion %s).",
		n0, channel, p, last.Count, last.Stage, pct(rep.Overall))
	if d := rep.LargestDropOff; d != nil && d.Lost > 0 {
		s += fmt.Sprintf(" The biggest drop-off is %s → %s: %d sessions lost (step conversion %s).", d.From, d.To, d.Lost, pct(d.Conversion))
	}
	if d := rep.LowestConversion; d != nil && (rep.LargestDropOff == nil || d.To != rep.LargestDropOff.To) {
		s += fmt.Sprintf(" The weakest step is %s → %s at %s.", d.From, d.To, pct(d.Conversion))
	}
	return s
}

// comparisonSummary says which steps changed significantly, plainly.
func comparisonSummary(cmp analytics.FunnelComparison, prev analytics.Period) string {
	var sig, not, na []string
	for _, s := range cmp.Steps {
		step := s.From + " → " + s.To
		switch s.Verdict {
		case "significant":
			c, _ := s.Change.Get()
			sig = append(sig, fmt.Sprintf("%s (%+.1f points, p = %s)", step, c*100, strconv.FormatFloat(*s.PValue.Value, 'g', 3, 64)))
		case "not significant":
			not = append(not, step)
		default:
			na = append(na, step)
		}
	}
	s := "Compared with " + prev.String() + ": "
	if len(sig) > 0 {
		s += "significant change (p < 0.05) at " + strings.Join(sig, ", ") + ". "
	} else {
		s += "no step changed significantly (p ≥ 0.05 at every step). "
	}
	if len(not) > 0 && len(sig) > 0 {
		s += "Not significant: " + strings.Join(not, ", ") + ". "
	}
	if len(na) > 0 {
		s += "Test n/a (no entrants or no variation): " + strings.Join(na, ", ") + "."
	}
	return strings.TrimSpace(s)
}

func funnelDisplay(rep analytics.FunnelReport, res FunnelResult, channel string, p analytics.Period) Display {
	title := fmt.Sprintf("Funnel, %s, %s", channel, p)
	table := Table{Title: title, Columns: []string{"stage", "sessions", "step conversion", "cumulative", "lost"}}
	chart := Chart{Title: fmt.Sprintf("Sessions reaching each funnel stage, %s, %s", channel, p), Kind: "bar", Unit: "sessions", YLabel: "Sessions", XLabel: "funnel stage"}
	for _, s := range rep.Steps {
		table.Rows = append(table.Rows, []string{s.Stage, strconv.Itoa(s.Count), pct(s.StepConversion), pct(s.CumulativeConversion), strconv.Itoa(s.DropOff)})
		chart.Labels = append(chart.Labels, strings.ReplaceAll(s.Stage, "_", " "))
		chart.Values = append(chart.Values, float64(s.Count))
	}
	d := Display{Tables: []Table{table}, Charts: []Chart{chart}}
	if res.Comparison != nil {
		ct := Table{Title: "Step conversion vs " + res.Comparison.Period.Label, Columns: []string{"step", "current", "previous", "change", "p-value", "verdict"}}
		for _, s := range res.Comparison.Steps {
			ct.Rows = append(ct.Rows, []string{s.From + " → " + s.To, anyPct(s.Current), anyPct(s.Previous), anyPct(s.Change), anyText(s.PValue), s.Verdict})
		}
		d.Tables = append(d.Tables, ct)
	}
	return d
}

// anyPct formats a nullJSON value as a percentage or its "n/a" text.
func anyPct(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
	}
	return fmt.Sprint(v)
}

func anyText(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', 3, 64)
	}
	return fmt.Sprint(v)
}
