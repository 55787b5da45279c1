package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"
)

// Vocabulary lists the names found in the data, so that the Planner can
// recognise them in a question (case-insensitive, whole words, longest
// match first).
type Vocabulary struct {
	// Countries as spelled in the orders ("United Kingdom", "EIRE");
	// common aliases ("UK", "Ireland", "Holland") map onto them.
	Countries []string
	// Campaigns names of the marketing layer.
	Campaigns []string
	// Categories of the reviewed products ("Dresses", "Tops"); singular
	// and plural forms match ("dress", "top").
	Categories []string
	// Channels of the marketing layer ("email", "paid_search"); when
	// empty, the built-in channels are assumed.
	Channels []string
}

// PlannerConfig configures a Planner.
type PlannerConfig struct {
	// AsOf is the data's as-of date (the last order date) against which
	// relative periods resolve. When zero, the Planner reads the date from
	// the "Data as of: YYYY-MM-DD" line of the Service's system prompt;
	// without either, relative periods are left out.
	AsOf time.Time
	// Vocabulary holds the countries, campaigns and categories to match.
	Vocabulary Vocabulary
}

// Planner is a deterministic, offline llms.Model for demos and tests: it
// maps a question to one call of an offered tool with rules over the text,
// and composes the answer from the tool's JSON result. It makes no network
// calls and never calls a tool that was not offered.
type Planner struct {
	cfg PlannerConfig
}

var _ llms.Model = (*Planner)(nil)

// NewPlanner returns a Planner for cfg.
func NewPlanner(cfg PlannerConfig) *Planner { return &Planner{cfg: cfg} }

// Plan is the Planner's reading of one question: a tool call (Tool and
// Args) or, when no offered tool fits, a Text reply.
type Plan struct {
	Tool string
	Args map[string]any
	Text string
	// final marks a Text reply about the question's own filters, which
	// must not be read as an elliptical follow-up.
	final bool
}

// Call implements llms.Model.
func (p *Planner) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, p, prompt, options...)
}

// GenerateContent implements llms.Model. When the last message is the
// user's, it answers with one tool call (ID "call_1") or a text reply;
// when the last messages are tool results, it composes the final answer
// from them.
func (p *Planner) GenerateContent(ctx context.Context, msgs []llms.MessageContent, options ...llms.CallOption) (*llms.ContentResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, errors.New("planner: no messages")
	}
	var opts llms.CallOptions
	for _, o := range options {
		o(&opts)
	}
	offered := slices.Clone(opts.Tools)
	for _, f := range opts.Functions {
		offered = append(offered, llms.Tool{Type: "function", Function: &f})
	}
	asOf := p.cfg.AsOf
	if asOf.IsZero() {
		asOf = asOfFromPrompt(msgs)
	}

	last := msgs[len(msgs)-1]
	switch last.Role {
	case llms.ChatMessageTypeHuman, llms.ChatMessageTypeGeneric:
		plan := p.plan(textOf(last), offered, asOf)
		if plan.Tool == "" && !plan.final {
			if f, ok := p.followUp(msgs, offered, asOf); ok {
				plan = f
			}
		}
		if plan.Tool == "" {
			return textResponse(plan.Text), nil
		}
		args, err := json.Marshal(plan.Args)
		if err != nil {
			return nil, fmt.Errorf("planner: encode arguments: %w", err)
		}
		return &llms.ContentResponse{Choices: []*llms.ContentChoice{{
			StopReason: "tool_calls",
			ToolCalls: []llms.ToolCall{{
				ID:           "call_1",
				Type:         "function",
				FunctionCall: &llms.FunctionCall{Name: plan.Tool, Arguments: string(args)},
			}},
		}}}, nil
	case llms.ChatMessageTypeTool:
		var results []llms.ToolCallResponse
		for i := len(msgs) - 1; i >= 0 && msgs[i].Role == llms.ChatMessageTypeTool; i-- {
			for _, part := range msgs[i].Parts {
				if r, ok := part.(llms.ToolCallResponse); ok {
					results = append([]llms.ToolCallResponse{r}, results...)
				}
			}
		}
		return textResponse(composeAnswer(results, relativeNote(msgs, asOf))), nil
	}
	return textResponse("I have nothing to add."), nil
}

// relativeNote returns the relative period of the latest user question
// that names a period ("last quarter"), with what it resolved to against
// asOf; nil when that question states its period in full or names none.
func relativeNote(msgs []llms.MessageContent, asOf time.Time) *periodNote {
	if asOf.IsZero() {
		return nil
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role != llms.ChatMessageTypeHuman && msgs[i].Role != llms.ChatMessageTypeGeneric {
			continue
		}
		pr, rel := resolvePeriodRel(textOf(msgs[i]), asOf)
		if pr.empty() {
			continue
		}
		if rel == "" {
			return nil
		}
		return &periodNote{period: pr, phrase: rel, asOf: asOf}
	}
	return nil
}

// Plan reads question against the offered tools using the configured
// as-of date. It is what GenerateContent does for a user message.
func (p *Planner) Plan(question string, offered []llms.Tool) Plan {
	return p.plan(question, offered, p.cfg.AsOf)
}

func textResponse(s string) *llms.ContentResponse {
	return &llms.ContentResponse{Choices: []*llms.ContentChoice{{Content: s, StopReason: "stop"}}}
}

func textOf(m llms.MessageContent) string {
	var b strings.Builder
	for _, part := range m.Parts {
		if t, ok := part.(llms.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

var asOfLineRe = regexp.MustCompile(regexp.QuoteMeta(asOfPrefix) + `(\d{4}-\d{2}-\d{2})`)

// asOfFromPrompt reads the as-of date from the system prompt, if any.
func asOfFromPrompt(msgs []llms.MessageContent) time.Time {
	for _, m := range msgs {
		if m.Role != llms.ChatMessageTypeSystem {
			continue
		}
		if sm := asOfLineRe.FindStringSubmatch(textOf(m)); sm != nil {
			if t, err := time.Parse(time.DateOnly, sm[1]); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// Tool names of docs/tools.md.
const (
	toolRevenue        = "revenue_summary"
	toolRFM            = "rfm_segments"
	toolHistoricalCLV  = "historical_clv"
	toolPredictCLV     = "predict_clv"
	toolProfile        = "customer_profile"
	toolROI            = "compute_roi"
	toolAttribution    = "compare_attribution"
	toolFunnel         = "funnel_analysis"
	toolSegment        = "segment_customers"
	toolBasket         = "association_rules"
	toolReport         = "segment_report"
	toolSearchFeedback = "search_feedback"
	toolSumFeedback    = "summarize_feedback"
	toolRecordFeedback = "record_feedback"
)

// examples are sample questions per tool, shown when the Planner cannot help.
var examples = []struct{ tool, text string }{
	{toolROI, "Show ROAS for each channel in 2011"},
	{toolMMM, "What is the incremental ROAS of display, and what if we cut it by 20%?"},
	{toolAttribution, "How does first-touch attribution change the picture for affiliate?"},
	{toolRevenue, "Total revenue in Q4 2011"},
	{toolRFM, "List our champions in Germany"},
	{toolPredictCLV, "Predicted lifetime value of customers in France over the next 6 months"},
	{toolHistoricalCLV, "Historical CLV of customer 12347"},
	{toolFunnel, "Which funnel step has the biggest drop-off for paid search?"},
	{toolSegment, "Run k-means with 5 clusters on our customers"},
	{toolBasket, "Market basket rules for Germany"},
	{toolReport, "Report on at-risk customers in the Netherlands"},
	{toolSearchFeedback, "What do customers say about the fit of our dresses?"},
	{toolSumFeedback, "Summarize negative feedback on tops"},
	{toolRecordFeedback, "Tell me about your last order and I will pass your feedback on"},
}

// capabilities lists example questions for the offered tools.
func capabilities(offered map[string]llms.Tool) string {
	var b strings.Builder
	for _, e := range examples {
		if _, ok := offered[e.tool]; ok {
			b.WriteString("\n- " + e.text)
		}
	}
	if b.Len() == 0 {
		return " I have no tools available in this conversation."
	}
	return " I can help with questions like:" + b.String()
}

// plan maps a question to a tool call or a text reply.
func (p *Planner) plan(question string, offered []llms.Tool, asOf time.Time) Plan {
	byName := make(map[string]llms.Tool, len(offered))
	for _, t := range offered {
		if t.Function != nil {
			byName[t.Function.Name] = t
		}
	}
	w := words(question)
	tool := intentOf(question, w)

	if tool != "" {
		if _, ok := byName[tool]; !ok && tool == toolHistoricalCLV {
			if _, ok := byName[toolPredictCLV]; ok {
				tool = toolPredictCLV
			}
		}
		if _, ok := byName[tool]; !ok && tool == toolProfile {
			if _, ok := byName[toolPredictCLV]; ok {
				tool = toolPredictCLV
			}
		}
		if _, ok := byName[tool]; !ok && tool == toolSumFeedback {
			if _, ok := byName[toolSearchFeedback]; ok {
				tool = toolSearchFeedback
			}
		}
	}
	if t, ok := byName[tool]; ok {
		if r := p.filterReply(tool, question, w, t); r != "" {
			return Plan{Text: r, final: true}
		}
		return Plan{Tool: tool, Args: fitArgs(p.args(tool, question, w, asOf), t)}
	}
	if _, ok := byName[toolRecordFeedback]; ok {
		if tool != "" && isQuestion(question) {
			return Plan{Text: "Sorry, I can't share business figures or analytics here. " +
				"I'm here to listen to your feedback: tell me about an order or a product and I'll pass it on to the team."}
		}
		return Plan{Tool: toolRecordFeedback, Args: fitArgs(map[string]any{"message": strings.TrimSpace(question)}, byName[toolRecordFeedback])}
	}
	if tool != "" {
		return Plan{Text: "Sorry, that question needs a tool that is not available to you in this conversation." + capabilities(byName)}
	}
	return Plan{Text: "I didn't understand that question." + capabilities(byName)}
}

// followUp reads an elliptical follow-up ("and for Germany?") against the
// conversation: it re-plans the latest earlier user question that mapped to
// a tool and overlays the arguments the follow-up states explicitly (those
// that differ from what an empty question would give). It reports false when
// no earlier question maps to a tool or the follow-up adds nothing.
func (p *Planner) followUp(msgs []llms.MessageContent, offered []llms.Tool, asOf time.Time) (Plan, bool) {
	last := textOf(msgs[len(msgs)-1])
	for i := len(msgs) - 2; i >= 0; i-- {
		if msgs[i].Role != llms.ChatMessageTypeHuman {
			continue
		}
		prev := p.plan(textOf(msgs[i]), offered, asOf)
		if prev.Tool == "" || prev.Tool == toolRecordFeedback {
			continue
		}
		var tool llms.Tool
		for _, t := range offered {
			if t.Function != nil && t.Function.Name == prev.Tool {
				tool = t
			}
		}
		if r := p.filterReply(prev.Tool, last, words(last), tool); r != "" {
			return Plan{Text: r, final: true}, true
		}
		stated := fitArgs(p.args(prev.Tool, last, words(last), asOf), tool)
		defaults := fitArgs(p.args(prev.Tool, "", words(""), asOf), tool)
		args := maps.Clone(prev.Args)
		if args == nil {
			args = map[string]any{}
		}
		changed := false
		for k, v := range stated {
			if d, ok := defaults[k]; ok && reflect.DeepEqual(d, v) {
				continue
			}
			if k == "query" || k == "message" {
				// Free text is the follow-up's own words, not a new value.
				continue
			}
			args[k] = v
			changed = true
		}
		if !changed {
			return Plan{}, false
		}
		return Plan{Tool: prev.Tool, Args: args}, true
	}
	return Plan{}, false
}

var questionStartRe = regexp.MustCompile(`^\s*(what|whats|what's|how|which|who|when|where|why|show|list|give|tell me|can you|could you|do you|did you|is|are|was|were)\b`)

// isQuestion reports whether s reads as a question or request for information.
func isQuestion(s string) bool {
	return strings.Contains(s, "?") || questionStartRe.MatchString(strings.ToLower(s))
}

// intentOf returns the tool a question (w is its words() form) asks for, or "".
func intentOf(question, w string) string {
	switch {
	case hasAny(w, "report on", "report for", "report about", "segment report") || strings.HasPrefix(w, " report "):
		return toolReport
	case isMMM(w) || isMMMZh(question):
		return toolMMM
	case hasAny(w, "roi", "roas", "return on", "returns on", "return on ad spend", "cpa", "cac",
		"cost per acquisition", "customer acquisition cost", "acquisition cost", "cost per order", "payback"):
		return toolROI
	case hasAny(w, "attribution", "attribute", "attributed", "touchpoints", "touchpoint") ||
		matchPhrases(w, attributionPhrases) != nil:
		return toolAttribution
	case customerIDOf(question) != "" && hasAny(w, "profile", "tell me about customer", "who is customer", "about customer"):
		return toolProfile
	case isCLV(w):
		if hasAny(w, "historical", "past value", "so far", "to date") {
			return toolHistoricalCLV
		}
		return toolPredictCLV
	case hasAny(w, "funnel", "funnels", "drop off", "dropoff", "drop offs", "where do we lose",
		"lose people", "abandon", "abandonment", "checkout"):
		return toolFunnel
	case hasAny(w, "rfm"):
		return toolRFM
	case hasAny(w, "k means", "kmeans", "cluster", "clusters", "clustering", "segment our customers",
		"segment customers", "segment the customers", "segmentation", "ward"):
		return toolSegment
	case hasAny(w, "basket", "baskets", "association", "associations", "bought together", "frequently bought",
		"cross sell", "apriori", "product pairs", "often bought", "buy together"):
		return toolBasket
	case slices.ContainsFunc(matchPhrases(w, segmentPhrases), func(s string) bool { return s != "new" && s != "lost" }) ||
		hasAny(w, "lost customers"):
		return toolRFM
	case hasAny(w, "feedback", "review", "reviews", "reviewer", "reviewers", "complain", "complaints", "complaint",
		"complaining", "say", "saying", "said", "say about", "think of", "think about", "opinion", "opinions", "comments", "sentiment"):
		if hasAny(w, "summarize", "summarise", "summary", "summarizing", "themes", "main topics", "overview") {
			return toolSumFeedback
		}
		return toolSearchFeedback
	case hasAny(w, "segments", "segment"):
		return toolSegment
	case hasAny(w, "revenue", "revenues", "sales", "turnover", "how many customers", "how many orders",
		"number of orders", "number of customers", "orders", "aov", "average order value", "income", "sold"):
		return toolRevenue
	}
	return ""
}

func isCLV(w string) bool {
	if hasAny(w, "lifetime value", "clv", "ltv", "customer value", "likely to buy again", "buy again", "purchase again",
		"order again", "still active", "alive", "p alive", "palive", "bg nbd", "bgnbd", "pareto nbd", "future value",
		"predicted value", "gamma gamma") {
		return true
	}
	return hasAny(w, "expect", "expected", "predict", "forecast") && hasAny(w, "purchase", "purchases", "order", "orders", "buy", "spend", "transactions")
}

// args builds the arguments of tool for question (w is its words() form).
// Arguments the tool's schema does not list are removed by fitArgs.
func (p *Planner) args(tool, question, w string, asOf time.Time) map[string]any {
	a := map[string]any{}
	voc := p.cfg.Vocabulary
	setPeriod := func() {
		pr := resolvePeriod(question, asOf)
		if pr.Period != "" {
			a["period"] = pr.Period
		}
		if pr.From != "" {
			a["from"] = pr.From
		}
		if pr.To != "" {
			a["to"] = pr.To
		}
	}
	set := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	wp := dropPossessive(w) // "Germany's stores"
	country := vocabMatch(wp, voc.Countries, false, countryAliases)
	campaign := vocabMatch(wp, voc.Campaigns, false, nil)
	// "top 10" is a limit, not the category Tops.
	wNoTop := topNRe.ReplaceAllString(wp, " ")
	category := vocabMatch(wNoTop, voc.Categories, true, nil)
	// "Display ROAS by channel": a leading "display" is the verb.
	channels := matchPhrases(" "+strings.TrimPrefix(w, " display "), p.channelTable())
	channel := ""
	if len(channels) == 1 || (len(channels) > 1 && tool != toolROI) {
		// Several channels for ROI: no filter, the breakdown by
		// channel shows each of them.
		channel = channels[0]
	}
	segment := firstPhrase(w, segmentPhrases)
	customerID := customerIDOf(question)
	limit := 0
	if m := topNRe.FindStringSubmatch(w); m != nil {
		limit, _ = strconv.Atoi(m[1])
	}
	setLimit := func() {
		if limit > 0 {
			a["limit"] = limit
		}
	}
	sentiment := ""
	switch {
	case hasAny(w, "negative", "complain", "complaints", "complaint", "complaining", "bad", "unhappy", "poor", "worst", "problems", "issues"):
		sentiment = "negative"
	case hasAny(w, "positive", "praise", "love", "happy", "good", "best"):
		sentiment = "positive"
	}

	switch tool {
	case toolMMM:
		return p.mmmArgs(question, w)
	case toolRevenue:
		setPeriod()
		set("country", country)
	case toolROI:
		a["group_by"] = "channel"
		if campaign != "" || hasAny(w, "campaign", "campaigns") {
			a["group_by"] = "campaign"
		}
		setPeriod()
		set("channel", channel)
		set("campaign", campaign)
		set("attribution", firstPhrase(w, attributionPhrases))
		if hasAny(w, "margin", "profit", "gross margin") {
			a["basis"] = "margin"
		}
	case toolAttribution:
		setPeriod()
		set("channel", channel)
		switch models := matchPhrases(w, attributionPhrases); len(models) {
		case 0:
		case 1:
			a["model"] = models[0]
		default:
			a["models"] = models
		}
	case toolRFM:
		set("segment", segment)
		set("country", country)
		set("customer_id", customerID)
		setLimit()
	case toolPredictCLV:
		set("customer_id", customerID)
		set("country", country)
		set("segment", segment)
		if h := horizonDays(w); h > 0 {
			a["horizon_days"] = h
		}
		if hasAny(w, "pareto", "pareto nbd", "paretonbd") {
			a["model"] = "paretonbd"
		} else if hasAny(w, "bg nbd", "bgnbd") {
			a["model"] = "bgnbd"
		}
		if customerID == "" && hasAny(w, "clv", "lifetime value", "ltv", "worth", "most valuable", "value") &&
			!hasAny(w, "buy again", "purchase again", "order again", "still active", "alive") {
			a["rank_by"] = "clv"
		}
		if hasAny(w, "by country", "per country", "each country", "by countries", "country by country") {
			a["group_by"] = "country"
		}
		setLimit()
	case toolProfile:
		set("customer_id", customerID)
	case toolHistoricalCLV:
		set("customer_id", customerID)
		set("country", country)
		setLimit()
	case toolFunnel:
		setPeriod()
		set("channel", channel)
		set("campaign", campaign)
	case toolSegment:
		if m := kRe.FindStringSubmatch(w); m != nil {
			k, _ := strconv.Atoi(m[1] + m[2])
			a["k"] = k
		}
		set("country", country)
		if hasAny(w, "ward", "hierarchical") {
			a["method"] = "ward"
		} else if hasAny(w, "k means", "kmeans") {
			a["method"] = "kmeans"
		}
	case toolBasket:
		set("country", country)
		for _, m := range thresholdRe.FindAllStringSubmatch(strings.ToLower(question), -1) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				continue
			}
			if m[3] != "" {
				v /= 100
			}
			a["min_"+m[1]] = v
		}
		setLimit()
	case toolReport:
		set("segment", segment)
		set("country", country)
		if m := clusterRe.FindStringSubmatch(w); m != nil {
			c, _ := strconv.Atoi(m[1])
			a["cluster"] = c
			// "cluster 2 of the 5 clusters", "cluster 2 with k 5".
			if m := kRe.FindStringSubmatch(w); m != nil {
				k, _ := strconv.Atoi(m[1] + m[2])
				a["k"] = k
			}
		}
		switch {
		case hasAny(w, "top clv", "top tier", "top third", "high clv", "highest clv", "top value"):
			a["clv_tier"] = "top"
		case hasAny(w, "mid clv", "middle clv", "mid tier", "middle tier", "middle third"):
			a["clv_tier"] = "mid"
		case hasAny(w, "low clv", "lowest clv", "low tier", "bottom tier", "bottom third"):
			a["clv_tier"] = "low"
		}
		setPeriod()
		if hasAny(w, "negative", "positive") {
			set("sentiment", sentiment)
		}
	case toolSearchFeedback, toolSumFeedback:
		a["query"] = feedbackQuery(question)
		set("category", category)
		set("sentiment", sentiment)
		setPeriod()
		setLimit()
	case toolRecordFeedback:
		a["message"] = strings.TrimSpace(question)
	}
	return a
}

var aboutRe = regexp.MustCompile(`(?i)\b(?:about|on|regarding|of)\s+(.+)$`)

// feedbackQuery returns the topic of a feedback question: the words after
// "about"/"on" when present, else the whole question.
func feedbackQuery(q string) string {
	s := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(q), "?.!"))
	if m := aboutRe.FindStringSubmatch(s); m != nil && len(strings.Fields(m[1])) > 0 {
		return strings.TrimSpace(m[1])
	}
	return s
}

// fitArgs keeps the arguments listed in the tool's JSON Schema properties,
// converts a period to from/to for tools that take only dates, and gives
// customer_id the schema's type. With no readable schema it returns a as is.
func fitArgs(a map[string]any, t llms.Tool) map[string]any {
	props := schemaProps(t)
	if props == nil {
		return a
	}
	if per, ok := a["period"].(string); ok {
		if _, takes := props["period"]; !takes {
			delete(a, "period")
			if from, end, ok := bounds(periodArgs{Period: per}); ok {
				a["from"] = from.Format(time.DateOnly)
				a["to"] = end.AddDate(0, 0, -1).Format(time.DateOnly)
			}
		}
	}
	if _, takes := props["from"]; !takes {
		if _, period := props["period"]; period {
			// A date range goes as "YYYY-MM-DD..YYYY-MM-DD" to tools that
			// take only a period.
			from, _ := a["from"].(string)
			to, _ := a["to"].(string)
			if from != "" && to != "" && a["period"] == nil {
				a["period"] = from + ".." + to
			}
		}
	}
	if id, ok := a["customer_id"].(string); ok {
		if typ := props["customer_id"]; typ == "integer" || typ == "number" {
			if n, err := strconv.Atoi(id); err == nil {
				a["customer_id"] = n
			}
		}
	}
	for k := range a {
		if _, ok := props[k]; !ok {
			delete(a, k)
		}
	}
	return a
}

// schemaProps returns property name → JSON type ("" when not a single
// string) from the tool's parameters schema, or nil when unreadable.
func schemaProps(t llms.Tool) map[string]string {
	if t.Function == nil || t.Function.Parameters == nil {
		return nil
	}
	b, err := json.Marshal(t.Function.Parameters)
	if err != nil {
		return nil
	}
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	if json.Unmarshal(b, &s) != nil || s.Properties == nil {
		return nil
	}
	out := make(map[string]string, len(s.Properties))
	for k, v := range s.Properties {
		typ, _ := v.Type.(string)
		out[k] = typ
	}
	return out
}

// channelNames returns the channels of the data: the Vocabulary's, or the
// built-in ones when it lists none.
func (p *Planner) channelNames() []string {
	if len(p.cfg.Vocabulary.Channels) > 0 {
		return p.cfg.Vocabulary.Channels
	}
	out := make([]string, 0, len(channelPhrases))
	for _, c := range channelPhrases {
		out = append(out, c.value)
	}
	return out
}

// channelTable returns the phrases that name a channel of the data: the
// built-in variants of the channels the data has, and each other channel
// of the Vocabulary by its own name.
func (p *Planner) channelTable() []phrase {
	names := p.cfg.Vocabulary.Channels
	if len(names) == 0 {
		return channelPhrases
	}
	var table []phrase
	for _, n := range names {
		i := slices.IndexFunc(channelPhrases, func(c phrase) bool { return strings.EqualFold(c.value, n) })
		if i >= 0 {
			table = append(table, phrase{n, channelPhrases[i].variants})
		} else if base := strings.TrimSpace(words(n)); base != "" {
			table = append(table, phrase{n, []string{base}})
		}
	}
	return table
}

var (
	// exclusionRe finds "excluding X", "everything except X", "non-UK".
	exclusionRe = regexp.MustCompile(` (?:excluding|exclude|excludes|except|other than|apart from|aside from|besides|but not|not in|not from|not for|not via|not through|outside|outside of|without|minus|ignoring|leaving out|leave out|non) (.*)$`)
	// placeRe finds a capitalised name after "in": "revenue in Atlantis".
	placeRe = regexp.MustCompile(`\bin (?:the )?([A-Z][\p{L}0-9'’]*(?: [A-Z][\p{L}0-9'’]*)*)`)
	// channelWordRe finds the name in "the tv channel", "via the tv channel".
	channelWordRe = regexp.MustCompile(` (?:the|our|of|for|via|through|from) ([a-z]+) channel `)
)

// otherChannels are marketing channels a question may name that the
// built-in channel list lacks.
var otherChannels = []string{"tv", "television", "radio", "print ads", "podcast", "podcasts", "tiktok", "youtube",
	"linkedin", "twitter", "pinterest", "snapchat", "sms", "billboard", "billboards", "outdoor ads", "ooh",
	"influencer", "influencers", "video ads", "ctv", "catalogue", "catalog", "referral", "referrals", "push notifications"}

// notChannelWords may stand before or after "channel" without naming one.
var notChannelWords = map[string]bool{"each": true, "every": true, "all": true, "per": true, "by": true, "the": true,
	"a": true, "an": true, "our": true, "my": true, "this": true, "that": true, "which": true, "what": true, "best": true,
	"top": true, "worst": true, "marketing": true, "any": true, "one": true, "other": true, "same": true, "biggest": true,
	"cheapest": true, "by channel": true, "for": true, "of": true, "in": true, "and": true, "or": true, "vs": true,
	"is": true, "was": true, "did": true, "does": true, "with": true, "most": true, "least": true, "single": true,
	"main": true, "whole": true, "first": true, "last": true, "second": true, "entire": true,
	"sales": true, "acquisition": true, "paid": true, "to": true, "on": true, "from": true, "its": true, "their": true}

// nonPlaces are capitalised words after "in" that do not name a place.
var nonPlaces = map[string]bool{"total": true, "christmas": true, "easter": true, "summer": true, "winter": true,
	"spring": true, "autumn": true, "fall": true, "monday": true, "tuesday": true, "wednesday": true,
	"thursday": true, "friday": true, "saturday": true, "sunday": true, "gbp": true, "eur": true, "usd": true,
	"pounds": true, "euros": true, "dollars": true, "sterling": true, "i": true, "rfm": true, "clv": true,
	"roi": true, "roas": true, "k": true, "markov": true, "ward": true}

// listNames writes up to n names joined by commas, with "…" when there are more.
func listNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + ", …"
}

// filterReply returns a reply, in place of a tool call, when the question
// asks for a filter that the call would drop or invert: an exclusion
// ("excluding the UK"), several countries or channels at once, a place or
// channel that is not in the data. It returns "" when the filters can be
// applied as asked. t is the tool the question maps to; only the filters
// its schema takes (all when unreadable) are checked.
func (p *Planner) filterReply(tool, question, w string, t llms.Tool) string {
	if tool == toolMMM {
		return "" // the mmm tool checks channels against its own weekly data set (TV has no order-data channel)
	}
	props := schemaProps(t)
	takes := func(k string) bool {
		if props == nil {
			return true
		}
		_, ok := props[k]
		return ok
	}
	voc := p.cfg.Vocabulary
	wp := dropPossessive(w)
	countries := vocabTable(voc.Countries, false, countryAliases)
	channels := p.channelTable()
	campaigns := vocabTable(voc.Campaigns, false, nil)

	if m := exclusionRe.FindStringSubmatch(wp); m != nil {
		rest := " " + strings.Join(strings.Fields(m[1])[:min(5, len(strings.Fields(m[1])))], " ") + " "
		if c := firstPhrase(rest, countries); c != "" && takes("country") {
			r := "I can't exclude a country yet, so I have not run this: filtering on " + c +
				" or ignoring the exclusion would answer a different question."
			if tool == toolRevenue {
				return r + " Ask for all countries and for " + c + " on its own, and take the difference."
			}
			return r + " Ask about the countries you want one at a time."
		}
		if c := firstPhrase(rest, channels); c != "" && takes("channel") {
			return "I can't exclude a channel yet, so I have not run this: filtering on " + c +
				" or ignoring the exclusion would answer a different question. Ask for the figures by channel " +
				"(for example \"ROI by channel\"): every channel, " + c + " included, is listed on its own row."
		}
		if c := firstPhrase(rest, campaigns); c != "" && takes("campaign") {
			return "I can't exclude a campaign yet, so I have not run this. Ask for the figures by campaign " +
				"(for example \"ROI by campaign\"): every campaign, " + c + " included, is listed on its own row."
		}
	}
	if takes("country") {
		if cs := matchPhrases(wp, countries); len(cs) > 1 {
			return "I can filter on only one country at a time, and this question names " + strings.Join(cs, " and ") +
				". Ask about each on its own (for example about " + cs[0] + ", then \"and for " + cs[1] + "?\")."
		}
		if len(voc.Countries) > 0 && len(matchPhrases(wp, countries)) == 0 {
			if name := p.unknownPlace(question); name != "" {
				return name + " is not a country in the data, so I have not run this. Countries in the data include " +
					listNames(voc.Countries, 6) + "."
			}
		}
	}
	if takes("channel") {
		known := p.channelNames()
		unknown := ""
		for _, c := range otherChannels {
			if hasAny(w, c) && !slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, c) }) {
				unknown = c
				break
			}
		}
		if unknown == "" {
			for _, m := range channelWordRe.FindAllStringSubmatch(w, -1) {
				word := m[1]
				if !notChannelWords[word] && firstPhrase(" "+word+" ", channels) == "" && strings.Trim(word, "0123456789") != "" {
					unknown = word
					break
				}
			}
		}
		if unknown != "" {
			return unknown + " is not a channel in the data, so I have not run this. The channels are " +
				strings.Join(known, ", ") + "."
		}
		if cs := matchPhrases(" "+strings.TrimPrefix(w, " display "), channels); len(cs) > 1 && tool != toolROI {
			return "I can look at only one channel at a time here, and this question names " + strings.Join(cs, " and ") +
				". Ask about each on its own, or ask for ROI by channel to see them side by side."
		}
	}
	return ""
}

// unknownPlace returns the capitalised name after "in" that is neither a
// country, campaign, category, channel, segment nor a period word of the
// question, or "".
func (p *Planner) unknownPlace(question string) string {
	voc := p.cfg.Vocabulary
	for _, m := range placeRe.FindAllStringSubmatch(question, -1) {
		name := strings.TrimSuffix(strings.TrimSuffix(m[1], "'s"), "’s")
		if strings.ContainsAny(name, "0123456789") || name == strings.ToUpper(name) {
			continue // "Q4", "H1", acronyms such as "RFM"
		}
		w := dropPossessive(words(name))
		first := strings.Fields(w)[0]
		if _, month := monthNames[first]; month || nonPlaces[first] {
			continue
		}
		if vocabMatch(w, voc.Countries, false, countryAliases) != "" || vocabMatch(w, voc.Campaigns, false, nil) != "" ||
			vocabMatch(w, voc.Categories, true, nil) != "" || firstPhrase(w, p.channelTable()) != "" ||
			firstPhrase(w, segmentPhrases) != "" || firstPhrase(w, attributionPhrases) != "" {
			continue
		}
		return name
	}
	return ""
}
