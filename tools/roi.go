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

// DefaultLookbackDays is the attribution window: touchpoints count for a
// conversion when less than this many days before it.
const DefaultLookbackDays = 30

// ROIReader is what compute_roi and compare_attribution need from storage.
type ROIReader interface {
	DataRange
	LastTouchROIInputs(ctx context.Context, p analytics.Period, groupBy string, lookbackDays int) ([]analytics.ROIInput, error)
	AttributionInputs(ctx context.Context, p analytics.Period, lookbackDays int) ([]analytics.Touchpoint, []analytics.Conversion, error)
	SpendBy(ctx context.Context, p analytics.Period, groupBy string) (map[string]analytics.Money, error)
	HasSyntheticMarketing(ctx context.Context) (bool, error)
}

// ROI is the compute_roi tool: ROI, ROAS, CPA and CAC by channel or
// campaign for a period under an attribution model (seed section 4.1).
type ROI struct {
	Store    ROIReader
	Location *time.Location
}

// ROIArgs are the arguments of compute_roi and of its typed core
// (ROI.Compute): the period (Period, or From/To as inclusive days; none
// means all data), the grouping ("channel" default, or "campaign"), an
// optional channel or campaign filter, the attribution model (default
// last_touch), the basis ("revenue"; "margin" is refused) and the lookback
// window in days (default DefaultLookbackDays).
type ROIArgs struct {
	PeriodArgs
	GroupBy      string `json:"group_by"`
	Channel      string `json:"channel"`
	Campaign     string `json:"campaign"`
	Attribution  string `json:"attribution"`
	Basis        string `json:"basis"`
	LookbackDays int    `json:"lookback_days"`
}

var attributionModels = []any{"last_touch", "first_touch", "linear", "time_decay", "position_based", "markov"}

var roiSchema = mustSchema(NameROI, map[string]any{
	"type": "object",
	"properties": merge(periodProps, map[string]any{
		"group_by":      map[string]any{"type": "string", "enum": []any{"channel", "campaign"}, "description": "default channel"},
		"channel":       map[string]any{"type": "string", "description": "only this channel, e.g. email, paid_search, paid_social, display, affiliate, organic_search, direct"},
		"campaign":      map[string]any{"type": "string", "description": "only this campaign (exact name)"},
		"attribution":   map[string]any{"type": "string", "enum": attributionModels, "description": "attribution model, default last_touch"},
		"basis":         map[string]any{"type": "string", "enum": []any{"revenue", "margin"}, "description": "return counted as revenue (default) or gross margin"},
		"lookback_days": map[string]any{"type": "integer", "minimum": 1, "maximum": 365, "description": "attribution window in days (default 30)"},
	}),
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (ROI) Name() string { return NameROI }

// Description implements agent.Tool.
func (ROI) Description() string {
	return "Marketing ROI = (attributed revenue - spend)/spend, ROAS = revenue/spend, CPA = spend/conversions, CAC = spend/new customers, " +
		"by channel or campaign for a period, with totals as ratios of sums. Input: group_by (channel|campaign), period or from/to, " +
		"channel, campaign, attribution (last_touch default, first_touch, linear, time_decay, position_based, markov), lookback_days. " +
		"Output: rows and total with spend, revenue (GBP), roi, roas, cpa, cac."
}

// Parameters implements agent.Tool.
func (ROI) Parameters() map[string]any { return roiSchema.doc }

// ROIRowJSON is one group's metrics in major units; ratios are fractions
// (ROI 0.25 = 25%) or "n/a: reason".
type ROIRowJSON struct {
	Group        string  `json:"group"`
	Spend        Major   `json:"spend"`
	Revenue      Major   `json:"revenue"`
	Profit       Major   `json:"profit"`
	Conversions  float64 `json:"conversions"`
	NewCustomers float64 `json:"new_customers,omitempty"`
	ROI          any     `json:"roi"`
	ROAS         any     `json:"roas"`
	CPA          any     `json:"cpa"`
	CAC          any     `json:"cac,omitempty"`
	Loss         bool    `json:"loss"`
}

// ROIResult is the JSON result of compute_roi.
type ROIResult struct {
	Summary      string     `json:"summary"`
	Definition   string     `json:"definition"`
	Attribution  string     `json:"attribution"`
	LookbackDays int        `json:"lookback_days"`
	GroupBy      string     `json:"group_by"`
	Period       PeriodJSON `json:"period"`
	Currency     string     `json:"currency"`
	// TimeZone is the business time zone when it is not UTC.
	TimeZone string       `json:"time_zone,omitempty"`
	Basis    string       `json:"basis"`
	Rows     []ROIRowJSON `json:"rows"`
	Total    ROIRowJSON   `json:"total"`
	// Best is the group with the highest ROAS (ties: the first by name);
	// nil when no group has spend.
	Best    *ROIBestJSON `json:"best,omitempty"`
	Caveats []string     `json:"caveats,omitempty"`
	Display Display      `json:"display"`
}

// ROIBestJSON names the group with the highest ROAS.
type ROIBestJSON struct {
	Group string  `json:"group"`
	ROAS  float64 `json:"roas"`
	ROI   float64 `json:"roi"`
}

// nullJSON renders a NullFloat as a rounded number or "n/a: reason".
func nullJSON(f analytics.NullFloat, scale float64, digits int) any {
	v, ok := f.Get()
	if !ok {
		return "n/a: " + f.NA
	}
	return round(v*scale, digits)
}

func roiRowJSON(r analytics.ROIRow, withCAC bool) ROIRowJSON {
	out := ROIRowJSON{Group: r.Group, Spend: major(r.Spend), Revenue: major(r.Revenue), Profit: major(r.Profit),
		Conversions: round(r.Conversions, 4), ROI: nullJSON(r.ROI, 1, 4), ROAS: nullJSON(r.ROAS, 1, 4),
		CPA: nullJSON(r.CPA, 0.01, 2), Loss: r.Loss}
	if withCAC {
		out.NewCustomers = r.NewCustomers
		out.CAC = nullJSON(r.CAC, 0.01, 2)
	}
	return out
}

// Call implements agent.Tool: it decodes the arguments and returns
// Compute's result as JSON.
func (t ROI) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[ROIArgs](input, roiSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call compute_roi again"), nil
	}
	res, err := t.Compute(ctx, args)
	return observe(t.Name(), res, err)
}

// Compute is the typed core of compute_roi, which the tool and the roi
// command call: it reads the attributed revenue and spend of the period
// under args.Attribution (the SQL last-touch path, or journeys attributed by
// CompareJourneyAttribution for the other models), joins the spend and
// computes ROI, ROAS, CPA and CAC with analytics.ComputeROI (seed section
// 4.1). Problems the caller can fix are *Problem; other errors come from
// the store.
func (t ROI) Compute(ctx context.Context, args ROIArgs) (ROIResult, error) {
	if args.GroupBy == "" {
		args.GroupBy = "channel"
	}
	if args.Campaign != "" && args.GroupBy == "channel" {
		args.GroupBy = "campaign"
	}
	if args.Attribution == "" {
		args.Attribution = string(analytics.LastTouch)
	}
	var err error
	if args.LookbackDays, err = roiSchema.intArg(ArgLookbackDays, args.LookbackDays, DefaultLookbackDays); err != nil {
		return ROIResult{}, err
	}
	if args.Basis == "margin" {
		return ROIResult{}, problemf(errors.New("basis margin needs product costs, which the data does not have"), "use basis revenue")
	}
	dr := onceRange(t.Store)
	p, err := resolvePeriod(ctx, dr, args.PeriodArgs, loc(t.Location))
	if err != nil {
		if isArgProblem(err) {
			return ROIResult{}, problemf(err, "use a period such as 2011, 2011-Q4 or 2011-10")
		}
		return ROIResult{}, err
	}
	if args.Period == "" && args.From == "" && args.To == "" {
		// All data: spend and touches in the lookback window before the
		// first order drove orders in the data, so they count too.
		p.From = p.From.AddDate(0, 0, -args.LookbackDays)
		p.Label = fmt.Sprintf("all data (spend from %d days before the first order)", args.LookbackDays)
	}
	var inputs []analytics.ROIInput
	var caveats []string
	cur := analytics.DefaultCurrency
	var curNotes []string
	curLeft := false
	if cr, ok := t.Store.(CurrencyReader); ok {
		cur = cr.ReportingCurrency()
		cov, err := cr.CurrencyCoverage(ctx, p, cur)
		if err != nil {
			return ROIResult{}, err
		}
		curNotes, curLeft = currencyNotes(cov, cur)
	}
	lastTouch := args.Attribution == string(analytics.LastTouch)
	if lastTouch {
		inputs, err = t.Store.LastTouchROIInputs(ctx, p, args.GroupBy, args.LookbackDays)
		if err != nil {
			return ROIResult{}, err
		}
	} else {
		if args.GroupBy != "channel" {
			return ROIResult{}, problemf(fmt.Errorf("attribution %s is computed per channel, not per campaign", args.Attribution),
				"use group_by channel, or attribution last_touch for campaigns")
		}
		inputs, caveats, err = t.modelInputs(ctx, p, analytics.Model(args.Attribution), args.LookbackDays, cur)
		if err != nil {
			if isArgProblem(err) {
				return ROIResult{}, problemf(err, "try a longer period or last_touch")
			}
			return ROIResult{}, err
		}
	}
	if want := args.Channel + args.Campaign; want != "" {
		var kept []analytics.ROIInput
		var names []string
		for _, in := range inputs {
			names = append(names, in.Group)
			if strings.EqualFold(in.Group, want) {
				kept = append(kept, in)
			}
		}
		if len(kept) == 0 {
			return ROIResult{}, problemf(fmt.Errorf("%s %q has no spend or attributed revenue in %s", args.GroupBy, want, p),
				"known "+args.GroupBy+"s in this period: "+strings.Join(names, ", "))
		}
		inputs = kept
	}
	if len(inputs) == 0 {
		if curLeft {
			return ROIResult{}, problemf(fmt.Errorf("no marketing spend or attributed orders in %s that can be added up in %s: %s", p, cur, strings.Join(curNotes, "; ")),
				"import exchange rates (roibot import fx_rates FILE) or set ROIBOT_REPORTING_CURRENCY")
		}
		return ROIResult{}, problemf(fmt.Errorf("no marketing spend or attributed orders in %s", p), "try another period")
	}
	rep, err := analytics.ComputeROI(inputs, analytics.BasisRevenue)
	if err != nil {
		if isArgProblem(err) {
			return ROIResult{}, problemf(err, "")
		}
		return ROIResult{}, err
	}
	// Marketing ROI (seed 4.1) compares marketing revenue with marketing
	// cost: groups without spend (organic, direct) bring revenue but no
	// marketing cost, so the total covers the groups with spend only.
	var paid []analytics.ROIInput
	var unpaid []string
	for _, in := range inputs {
		if in.Spend > 0 {
			paid = append(paid, in)
		} else {
			unpaid = append(unpaid, in.Group)
		}
	}
	if len(paid) > 0 && len(unpaid) > 0 {
		paidRep, err := analytics.ComputeROI(paid, analytics.BasisRevenue)
		if err != nil {
			return ROIResult{}, err
		}
		rep.Total = paidRep.Total
		rep.Total.Group = "total (with spend)"
		caveats = append(caveats, "the total covers "+args.GroupBy+"s with spend only; "+strings.Join(unpaid, ", ")+
			" had no spend in this period (unpaid channels, or campaigns whose spend fell before the period while their touchpoints still count in the lookback window) and are left out of it")
	}
	caveats = append(caveats, curNotes...)
	if c := coverageCaveat(ctx, dr, p); c != "" {
		caveats = append(caveats, c)
	}
	if syn, err := t.Store.HasSyntheticMarketing(ctx); err == nil && syn {
		caveats = append(caveats, "marketing spend and touchpoints are SYNTHETIC (roibot demo-data, fixed seed); orders and revenue are real (Online Retail)")
	}
	l := loc(t.Location)
	zone := ""
	if l != time.UTC && l.String() != "UTC" {
		zone = l.String()
	}
	res := ROIResult{
		Definition: "ROI = (attributed revenue − spend) / spend (seed section 4.1; fraction, 0.25 = 25%); ROAS = revenue / spend; " +
			"CPA = spend / attributed conversions; " + CACDefinition + " Totals are Σrevenue/Σspend, not averages of ratios. " +
			attributionDefinition(analytics.Model(args.Attribution), args.LookbackDays) + zoneDefinition(zone),
		Attribution: args.Attribution, LookbackDays: args.LookbackDays, GroupBy: args.GroupBy, TimeZone: zone,
		Period: periodJSON(p), Currency: rep.Currency, Basis: string(rep.Basis), Caveats: caveats,
		Total: roiRowJSON(rep.Total, true),
	}
	table := Table{Title: fmt.Sprintf("ROI by %s, %s (%s)", args.GroupBy, p, args.Attribution),
		Columns: []string{args.GroupBy, "spend", "revenue", "ROI", "ROAS", "CPA", "conversions", "new customers", "CAC"}}
	chart := Chart{Title: fmt.Sprintf("Return on ad spend by %s, %s (%s attribution)", strings.ReplaceAll(args.GroupBy, "_", " "), p, strings.ReplaceAll(args.Attribution, "_", "-")),
		Kind: "bar", Unit: "£ revenue per £ spent", YLabel: "ROAS", XLabel: strings.ReplaceAll(args.GroupBy, "_", " ")}
	for _, r := range rep.Rows {
		res.Rows = append(res.Rows, roiRowJSON(r, true))
		table.Rows = append(table.Rows, roiTableRow(r, rep.Currency))
		if v, ok := r.ROAS.Get(); ok {
			chart.Labels = append(chart.Labels, r.Group)
			chart.Values = append(chart.Values, round(v, 4))
		}
	}
	table.Rows = append(table.Rows, roiTableRow(rep.Total, rep.Currency))
	for _, r := range rep.Rows {
		if _, ok := r.ROI.Get(); !ok {
			res.Caveats = append(res.Caveats, fmt.Sprintf("%s: ROI n/a (%s)", r.Group, r.ROI.NA))
		}
	}
	res.Best = bestROAS(rep.Rows)
	res.Summary = roiSummary(rep, res.Best, args.GroupBy, p, args.Attribution)
	if zone != "" {
		res.Summary += " Days are local days in " + zone + "."
	}
	res.Display.Tables = []Table{table}
	if len(chart.Labels) > 1 {
		res.Display.Charts = []Chart{chart}
	}
	return res, nil
}

func roiTableRow(r analytics.ROIRow, cur string) []string {
	roi := pct(r.ROI)
	if r.Loss {
		roi += " (loss)"
	}
	cpa := "n/a"
	if v, ok := r.CPA.Get(); ok {
		cpa = money(analytics.Money(v+0.5), cur)
	}
	cac := "n/a"
	if v, ok := r.CAC.Get(); ok {
		cac = money(analytics.Money(v+0.5), cur)
	}
	return []string{r.Group, money(r.Spend, cur), money(r.Revenue, cur), roi, ratio(r.ROAS), cpa, strconv.FormatFloat(round(r.Conversions, 1), 'f', -1, 64),
		strconv.FormatFloat(round(r.NewCustomers, 2), 'f', -1, 64), cac}
}

// CACDefinition is how compute_roi and the roi command define CAC.
const CACDefinition = "CAC = spend / new customers credited to the group: a customer whose first purchase ever falls in the period counts once, " +
	"credited by the attribution model's credit for that first purchase (whole under last and first touch, fractional under linear, " +
	"position-based, time-decay and Markov); repeat purchases are not acquisitions."

// zoneDefinition states the business time zone of a non-UTC answer.
func zoneDefinition(zone string) string {
	if zone == "" {
		return ""
	}
	return " Days are local days in " + zone + " (ROIBOT_TIMEZONE): spend of those days, orders and touchpoints by their local time."
}

// attributionDefinition explains an attribution model in one sentence.
func attributionDefinition(m analytics.Model, lookback int) string {
	w := fmt.Sprintf(" within a %d-day lookback window", lookback)
	switch m {
	case analytics.LastTouch:
		return "Last-touch attribution: each order's revenue goes to the latest touchpoint of its journey (a touchpoint counts for the customer's next order only)" + w + "."
	case analytics.FirstTouch:
		return "First-touch attribution: each order's revenue goes to the first touchpoint of its path" + w + "."
	case analytics.Linear:
		return "Linear attribution: each order's revenue is split equally over the touchpoints of its path" + w + "."
	case analytics.TimeDecay:
		return fmt.Sprintf("Time-decay attribution: credit halves every %g days before the order"+w+".", analytics.DefaultHalfLifeDays)
	case analytics.PositionBased:
		return "Position-based attribution: 40% to the first touch, 40% to the last, 20% shared by the middle" + w + "."
	case analytics.Markov:
		return "Markov attribution: first-order Markov chain over channel paths (converting and not), credit in proportion to each channel's removal effect, solved exactly" + w + "."
	}
	return ""
}

// modelInputs attributes the period's orders with model m over journeys
// built from touchpoints, and joins the channels' spend.
func (t ROI) modelInputs(ctx context.Context, p analytics.Period, m analytics.Model, lookback int, cur string) ([]analytics.ROIInput, []string, error) {
	journeys, err := periodJourneys(ctx, t.Store, p, lookback)
	if err != nil {
		return nil, nil, err
	}
	cmp, err := analytics.CompareJourneyAttribution(journeys, []analytics.Model{m}, analytics.AttributionOptions{}, "")
	if err != nil {
		return nil, nil, err
	}
	newc, err := analytics.CreditNewCustomers(journeys, m, analytics.AttributionOptions{}, false)
	if err != nil {
		return nil, nil, err
	}
	spend, err := t.Store.SpendBy(ctx, p, "channel")
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	var out []analytics.ROIInput
	for _, r := range cmp.Rows {
		seen[r.Channel] = true
		out = append(out, analytics.ROIInput{Group: r.Channel, Spend: spend[r.Channel], Revenue: analytics.MoneyFromMajor(r.Value[0]),
			Conversions: r.Conversions[0], NewCustomers: round(newc.ByGroup[r.Channel], 6), Currency: cur})
	}
	for ch, cost := range spend {
		if !seen[ch] {
			out = append(out, analytics.ROIInput{Group: ch, Spend: cost, Currency: cur})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	var caveats []string
	if cmp.UnattributedConversions > 0 {
		caveats = append(caveats, fmt.Sprintf("%.0f orders (%s) had no touchpoint in the window and are unattributed",
			cmp.UnattributedConversions, money(analytics.MoneyFromMajor(cmp.UnattributedValue), cur)))
	}
	if newc.Unattributed > 0 {
		caveats = append(caveats, fmt.Sprintf("%d of the %d new customers had no touchpoint before their first purchase and count in no channel's CAC",
			newc.Unattributed, newc.NewCustomers))
	}
	return out, caveats, nil
}

// CurrencyReader is the optional part of an ROIReader that adds up several
// currencies: the reporting currency and, per currency in a period, what
// was converted at which rates and what was left out for want of a rate
// (postgres.Store implements it).
type CurrencyReader interface {
	ReportingCurrency() string
	CurrencyCoverage(ctx context.Context, p analytics.Period, reporting string) ([]analytics.CurrencyCoverage, error)
}

// currencyNotes returns one caveat per currency other than reporting found
// in the period: the rates it was converted at, and the rows left out for
// want of a rate (never dropped silently). left is true when rows were left
// out.
func currencyNotes(cov []analytics.CurrencyCoverage, reporting string) (notes []string, left bool) {
	noun := map[string]string{"orders": "order", "spend": "spend row"}
	for _, c := range cov {
		if c.Currency == reporting {
			continue
		}
		what := plural(c.Rows, noun[c.Source])
		if n := c.Rows - c.LeftOutRows; n > 0 {
			var rates []string
			for _, r := range c.Rates {
				rates = append(rates, fmt.Sprintf("%g %s from %s", r.Rate, reporting, r.Day.Format(time.DateOnly)))
			}
			notes = append(notes, fmt.Sprintf("%s in %s (%s) converted to %s at the latest rate on or before each day: 1 %s = %s",
				plural(n, noun[c.Source]), c.Currency, money(c.Amount-c.LeftOutAmount, c.Currency), reporting, c.Currency, strings.Join(rates, "; ")))
		}
		if c.LeftOutRows > 0 {
			left = true
			when := c.LeftOutFrom.Format(time.DateOnly)
			if !c.LeftOutTo.Equal(c.LeftOutFrom) {
				when += " to " + c.LeftOutTo.Format(time.DateOnly)
			}
			notes = append(notes, fmt.Sprintf("LEFT OUT: %d of %s in %s (%s, %s): no %s→%s exchange rate on or before their day; import rates with roibot import fx_rates FILE",
				c.LeftOutRows, what, c.Currency, money(c.LeftOutAmount, c.Currency), when, c.Currency, reporting))
		}
	}
	return notes, left
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// bestROAS returns the row with the highest available ROAS, or nil.
func bestROAS(rows []analytics.ROIRow) *ROIBestJSON {
	var best *ROIBestJSON
	for _, r := range rows {
		v, ok := r.ROAS.Get()
		if !ok || (best != nil && v <= best.ROAS) {
			continue
		}
		roi, _ := r.ROI.Get()
		best = &ROIBestJSON{Group: r.Group, ROAS: round(v, 4), ROI: round(roi, 4)}
	}
	return best
}

// roiSummary states the best group and the total in one or two sentences.
func roiSummary(rep analytics.ROIReport, best *ROIBestJSON, groupBy string, p analytics.Period, model string) string {
	var s string
	if best != nil && len(rep.Rows) > 1 {
		for _, r := range rep.Rows {
			if r.Group == best.Group {
				s = fmt.Sprintf("Best ROAS by %s in %s (%s): %s, ROAS %s (ROI %s). ", groupBy, p, model, best.Group, ratio(r.ROAS), pct(r.ROI))
			}
		}
	}
	s += fmt.Sprintf("Total: spend %s, revenue %s, ROAS %s, ROI %s", money(rep.Total.Spend, rep.Currency),
		money(rep.Total.Revenue, rep.Currency), ratio(rep.Total.ROAS), pct(rep.Total.ROI))
	if rep.Total.Loss {
		s += " (a loss)"
	}
	return s + "."
}
