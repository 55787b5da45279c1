package tools

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// BasketReader is what association_rules needs from storage: the invoice
// lines of the orders matching f, invoices and items numbered.
type BasketReader interface {
	BasketLines(ctx context.Context, f analytics.OrderFilter) (analytics.ItemLines, error)
}

// DefaultMinSupport is association_rules' minimum support when none is given.
const DefaultMinSupport = 0.05

// Rules is the association_rules tool: market-basket rules mined with
// FP-Growth over invoices, sorted by lift.
type Rules struct {
	Store BasketReader
	// Orders scores RFM segments for the segment argument; without it the
	// argument is refused.
	Orders   OrderReader
	Location *time.Location
}

// RulesArgs are the arguments of association_rules (also used by the
// roibot rules command).
type RulesArgs struct {
	Country       string   `json:"country"`
	Segment       string   `json:"segment"`
	MinSupport    *float64 `json:"min_support"`
	MinConfidence float64  `json:"min_confidence"`
	MinLift       *float64 `json:"min_lift"`
	Limit         int      `json:"limit"`
}

var rulesSchema = mustSchema(NameRules, map[string]any{
	"type": "object",
	"properties": map[string]any{
		"country":        map[string]any{"type": "string", "description": "only the invoices of this country, as spelled in the data (e.g. France, Germany)"},
		"min_support":    map[string]any{"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "minimum support, a fraction of invoices (default 0.05)"},
		"segment":        map[string]any{"type": "string", "enum": rfmSegmentNames, "description": "only the invoices of customers in this RFM segment (scored as rfm_segments does)"},
		"min_confidence": map[string]any{"type": "number", "minimum": 0, "maximum": 1, "description": "minimum confidence, a fraction (default 0)"},
		"min_lift":       map[string]any{"type": "number", "minimum": 0, "description": "minimum lift (default 1: only positive associations)"},
		"limit":          map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "description": "rules to list (default 20)"},
	},
	"additionalProperties": false,
})

// Name implements agent.Tool.
func (Rules) Name() string { return NameRules }

// Description implements agent.Tool.
func (Rules) Description() string {
	return "Market basket analysis: association rules A -> C between products bought on the same invoice (FP-Growth), " +
		"cancellations and non-product lines (postage, fees) excluded. " +
		"Input: country, segment (RFM segment), min_support (fraction of invoices, default 0.05), min_confidence, min_lift (default 1), limit (default 20). " +
		"Output: rules sorted by lift with support, confidence, lift, leverage, conviction; number of baskets."
}

// Parameters implements agent.Tool.
func (Rules) Parameters() map[string]any { return rulesSchema.doc }

// RuleRow is one rule as association_rules reports it.
type RuleRow struct {
	Antecedent []string `json:"antecedent"`
	Consequent []string `json:"consequent"`
	Baskets    int      `json:"baskets"`
	Support    float64  `json:"support"`
	Confidence float64  `json:"confidence"`
	Lift       float64  `json:"lift"`
	Leverage   float64  `json:"leverage"`
	Conviction *float64 `json:"conviction"`
}

// RulesResult is the JSON result of association_rules.
type RulesResult struct {
	Definition    string    `json:"definition"`
	Country       string    `json:"country,omitempty"`
	Segment       string    `json:"segment,omitempty"`
	Baskets       int       `json:"baskets"`
	MinSupport    float64   `json:"min_support"`
	MinConfidence float64   `json:"min_confidence"`
	MinLift       float64   `json:"min_lift"`
	RulesFound    int       `json:"rules_found"`
	Rules         []RuleRow `json:"rules"`
	Caveats       []string  `json:"caveats,omitempty"`
	Display       Display   `json:"display"`
}

// Call implements agent.Tool: it decodes the arguments and returns
// Mine's result as JSON.
func (t Rules) Call(ctx context.Context, input string) (_ string, err error) {
	defer recoverTool(t.Name(), &err)
	args, err := decodeArgs[RulesArgs](input, rulesSchema)
	if err != nil {
		return retryHint(err, "fix the arguments and call association_rules again"), nil
	}
	res, err := t.Mine(ctx, args)
	return observe(t.Name(), res, err)
}

// Mine is the typed core of association_rules, which the tool and the
// rules command call: it reads the baskets (invoices) of the country, keeps
// those of an RFM segment's customers when asked, and mines the rules
// (AssociationRulesFromLines: FP-Growth, then support, confidence and
// lift). Problems the caller can fix are *Problem; other errors come from
// the store.
func (t Rules) Mine(ctx context.Context, args RulesArgs) (RulesResult, error) {
	lines, err := t.Store.BasketLines(ctx, analytics.OrderFilter{Country: args.Country})
	if err != nil {
		return RulesResult{}, err
	}
	var segCaveat string
	if args.Segment != "" {
		if t.Orders == nil {
			return RulesResult{}, problemf(fmt.Errorf("segment filter not available here"), "call without segment")
		}
		members, asOf, err := segmentMembers(ctx, t.Orders, args.Country, args.Segment, loc(t.Location))
		if err != nil {
			if isArgProblem(err) {
				return RulesResult{}, problemf(err, "check the country or segment")
			}
			return RulesResult{}, err
		}
		lines = lines.KeepInvoices(func(i int) bool { return members[lines.Customers[i]] })
		segCaveat = fmt.Sprintf("baskets of the %d customers in RFM segment %s%s as of %s (scored as rfm_segments scores them)",
			len(members), args.Segment, inCountry(args.Country), asOf.Format(time.DateOnly))
	}
	res, err := AssociationRulesFromItemLines(ctx, lines, args)
	if err != nil {
		if errors.Is(err, analytics.ErrTooManyItemsets) || errors.Is(err, analytics.ErrTooManyRules) {
			return RulesResult{}, problemf(err, "raise min_support (or min_confidence)")
		}
		if isArgProblem(err) {
			return RulesResult{}, problemf(err, "check the country (as spelled in the data) or lower min_support")
		}
		return RulesResult{}, err
	}
	if segCaveat != "" {
		res.Segment = args.Segment
		res.Caveats = append(res.Caveats, segCaveat)
	}
	return res, nil
}

// segmentMembers returns the customers of an RFM segment (of a country
// when given), scored as rfm_segments scores them (rankRFM, as of the day
// after the last order).
func segmentMembers(ctx context.Context, o OrderReader, country, segment string, l *time.Location) (map[string]bool, time.Time, error) {
	asOf, err := asOfDate(ctx, o, "", l)
	if err != nil {
		return nil, asOf, err
	}
	res, _, err := rankRFM(ctx, o, analytics.OrderFilter{Country: country, To: asOf}, asOf, nil)
	if err != nil {
		return nil, asOf, err
	}
	members := map[string]bool{}
	for _, c := range res.Customers {
		if string(c.Segment) == segment {
			members[c.CustomerID] = true
		}
	}
	if len(members) == 0 {
		return nil, asOf, &analytics.InputError{Row: -1, Field: "segment", Err: fmt.Errorf("no customer%s is in RFM segment %s: %w", inCountry(country), segment, analytics.ErrNoData)}
	}
	return members, asOf, nil
}

// RelaxSupportFloor is the lowest min_support AssociationRulesFromLines
// relaxes to when no rule passes the requested thresholds (0.5% of
// baskets, and never fewer than 3 baskets).
const RelaxSupportFloor = 0.005

// AssociationRulesFromLines builds one basket per invoice from lines
// (analytics.BasketsFromLines: cancellations out; lines with the
// descriptions of analytics.NonProductDescriptions, e.g. POSTAGE, out;
// invoices left without a product, e.g. postage only, are not baskets),
// mines them with FP-Growth at args.MinSupport (default
// DefaultMinSupport) and keeps the rules with confidence ≥
// args.MinConfidence and lift ≥ args.MinLift (default 1), sorted by lift;
// at most args.Limit (default 20) are listed, RulesFound counts all. When
// no rule passes, min_support is halved stepwise down to RelaxSupportFloor
// (or 3 baskets), then min_confidence dropped, and a caveat says so.
// Mining stops with ctx (its deadline included) and within
// analytics.DefaultMaxItemsets itemsets and DefaultMaxRules rules.
// Errors are those of analytics (an *InputError for no invoices, a bad
// threshold or a support that finds too many itemsets) and ctx's.
func AssociationRulesFromLines(ctx context.Context, lines []analytics.BasketLine, args RulesArgs) (RulesResult, error) {
	return AssociationRulesFromItemLines(ctx, analytics.NumberLines(lines), args)
}

// AssociationRulesFromItemLines is AssociationRulesFromLines on numbered
// lines, as the store reads them: baskets, mining and rules run on integer
// ids (analytics.BasketsFromItemLines, FPGrowthItems).
func AssociationRulesFromItemLines(ctx context.Context, lines analytics.ItemLines, args RulesArgs) (RulesResult, error) {
	minSup := DefaultMinSupport
	if args.MinSupport != nil {
		minSup = *args.MinSupport
	}
	minLift := 1.0
	if args.MinLift != nil {
		minLift = *args.MinLift
	}
	var err error
	if args.Limit, err = rulesSchema.intArg("limit", args.Limit, 20); err != nil {
		return RulesResult{}, err
	}
	ib, err := analytics.BasketsFromItemLines(lines, analytics.BasketOptions{Drop: analytics.NonProductDescriptions, SkipEmpty: true})
	if err != nil {
		return RulesResult{}, fmt.Errorf("no invoices%s: %w", inCountry(args.Country), err)
	}
	baskets := ib.Baskets
	nBaskets := len(baskets.Baskets)
	lim := analytics.MiningLimits{Done: ctx.Done()}
	mine := func(f analytics.RuleFilter) ([]analytics.AssociationRule, error) {
		fi, err := analytics.FPGrowthItems(baskets, f.MinSupport, lim)
		if err == nil {
			var rules []analytics.AssociationRule
			if rules, err = fi.RulesWithin(f, lim); err == nil {
				return rules, nil
			}
		}
		if errors.Is(err, analytics.ErrStopped) && ctx.Err() != nil {
			return nil, fmt.Errorf("mining at min_support %g: %w", f.MinSupport, ctx.Err())
		}
		return nil, err
	}
	filter := analytics.RuleFilter{MinSupport: minSup, MinConfidence: args.MinConfidence, MinLift: minLift}
	rules, err := mine(filter)
	if err != nil {
		return RulesResult{}, err
	}
	// Nothing passes: relax min_support stepwise (halving, down to
	// RelaxSupportFloor or 3 baskets), then min_confidence, so the answer
	// shows the strongest rules there are and says how far it relaxed.
	requested := filter
	floor := math.Max(RelaxSupportFloor, 3/float64(nBaskets))
	for len(rules) == 0 && (filter.MinSupport > floor || filter.MinConfidence > 0) {
		if filter.MinSupport > floor {
			filter.MinSupport = math.Max(floor, filter.MinSupport/2)
		} else {
			filter.MinConfidence = 0
		}
		if rules, err = mine(filter); err != nil {
			return RulesResult{}, err
		}
	}
	minSup, args.MinConfidence = filter.MinSupport, filter.MinConfidence
	var relaxed string
	if filter != requested {
		var steps []string
		if filter.MinSupport != requested.MinSupport {
			steps = append(steps, fmt.Sprintf("min_support from %g to %.4g", requested.MinSupport, filter.MinSupport))
		}
		if filter.MinConfidence != requested.MinConfidence {
			steps = append(steps, fmt.Sprintf("min_confidence from %g to 0", requested.MinConfidence))
		}
		if len(rules) > 0 {
			relaxed = fmt.Sprintf("no rule passed the requested thresholds, so they were relaxed stepwise (%s) until rules appeared: these are the strongest rules there are, on fewer baskets", strings.Join(steps, ", "))
		} else {
			relaxed = fmt.Sprintf("thresholds relaxed stepwise (%s) without finding a rule", strings.Join(steps, ", "))
		}
	}
	res := RulesResult{
		Definition: "Association rules (Agrawal et al. 1993; Brin et al. 1997) mined with FP-Growth (Han et al. 2000): a basket is an invoice, " +
			"cancellations (invoice numbers with C) excluded, an item is a product description with summed quantity >= 1, " +
			"non-product lines (postage, carriage, fees, manual adjustments) removed. support = share of baskets with A and C; " +
			"confidence = support(A and C) / support(A); lift = confidence / support(C); leverage = support(A and C) - support(A) x support(C); " +
			"conviction = (1 - support(C)) / (1 - confidence).",
		Country: args.Country, Baskets: nBaskets, MinSupport: minSup, MinConfidence: args.MinConfidence, MinLift: minLift,
		RulesFound: len(rules), Rules: []RuleRow{},
	}
	if nBaskets < 100 {
		res.Caveats = append(res.Caveats, fmt.Sprintf("only %d baskets: rules rest on few invoices", nBaskets))
	}
	if relaxed != "" {
		res.Caveats = append(res.Caveats, relaxed)
	}
	if len(rules) == 0 {
		res.Caveats = append(res.Caveats, "no rule passes the thresholds; lower min_support, min_confidence or min_lift")
	}
	t := Table{Title: fmt.Sprintf("Association rules%s (%d baskets, min support %g)", inCountry(args.Country), nBaskets, minSup),
		Columns: []string{"if bought", "then also", "support", "confidence", "lift"}}
	for i, r := range rules {
		if i >= args.Limit {
			break
		}
		row := RuleRow{Antecedent: r.Antecedent, Consequent: r.Consequent, Baskets: r.Count, Support: round(r.Support, 4),
			Confidence: round(r.Confidence, 4), Lift: round(r.Lift, 3), Leverage: round(r.Leverage, 4)}
		if r.Conviction != nil {
			v := round(*r.Conviction, 3)
			row.Conviction = &v
		}
		res.Rules = append(res.Rules, row)
		t.Rows = append(t.Rows, []string{strings.Join(r.Antecedent, " + "), strings.Join(r.Consequent, " + "),
			pct(analytics.Float(r.Support)), pct(analytics.Float(r.Confidence)), strconv.FormatFloat(r.Lift, 'f', 2, 64)})
	}
	if len(rules) > args.Limit {
		res.Caveats = append(res.Caveats, fmt.Sprintf("%d rules found; the %d with the highest lift are listed", len(rules), args.Limit))
	}
	res.Display.Tables = append(res.Display.Tables, t)
	return res, nil
}
