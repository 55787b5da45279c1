package planner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/tools"
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

// Config configures a Planner.
type Config struct {
	// AsOf is the data's as-of date (the last order date) against which
	// relative periods resolve. When zero, the Planner reads the date from
	// the "Data as of: YYYY-MM-DD" line of the Service's system prompt;
	// without either, relative periods are left out.
	AsOf time.Time
	// Vocabulary holds the countries, campaigns and categories to match.
	Vocabulary Vocabulary
	// Classifier reads the intent of a question; nil means the one trained
	// on the embedded corpus (see Corpus and TrainOn).
	Classifier *Classifier
}

// Planner is a deterministic, offline llms.Model for demos and tests: it
// maps a question to one call of an offered tool with rules over the text,
// and composes the answer from the tool's JSON result. It makes no network
// calls and never calls a tool that was not offered.
type Planner struct {
	cfg Config
	clf *Classifier

	mu  sync.RWMutex
	voc Vocabulary
}

var _ llms.Model = (*Planner)(nil)

// New returns a Planner for cfg.
//
// The intent classifier is cfg.Classifier, or when nil the classifier
// trained on the embedded corpus (once per process, in milliseconds). New
// panics if the embedded corpus is malformed, which its tests rule out.
func New(cfg Config) *Planner {
	clf := cfg.Classifier
	if clf == nil {
		var err error
		if clf, err = defaultClassifier(); err != nil {
			panic("planner: " + err.Error())
		}
	}
	return &Planner{cfg: cfg, clf: clf, voc: cfg.Vocabulary}
}

// SetVocabulary replaces the names the Planner matches questions against;
// cmd calls it after an import changes them. It is safe to call while
// questions are being answered.
func (p *Planner) SetVocabulary(v Vocabulary) {
	p.mu.Lock()
	p.voc = v
	p.mu.Unlock()
}

// vocab returns the current Vocabulary.
func (p *Planner) vocab() Vocabulary {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.voc
}

// Plan is the Planner's reading of one question: a tool call (Tool and
// Args) or, when no offered tool fits, a Text reply.
type Plan struct {
	Tool string
	Args map[string]any
	Text string
	// More holds the arguments of further calls of Tool, one per item of
	// a comparison ("Q3 and Q4", "France vs Germany"): Args is the first.
	More []map[string]any
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
		if elliptical(textOf(last)) || (plan.Tool == "" && !plan.final) {
			if f, ok := p.followUp(msgs, offered, asOf); ok {
				plan = f
			}
		}
		if plan.Tool == "" {
			return textResponse(plan.Text), nil
		}
		var calls []llms.ToolCall
		for i, a := range append([]map[string]any{plan.Args}, plan.More...) {
			args, err := json.Marshal(a)
			if err != nil {
				return nil, fmt.Errorf("planner: encode arguments: %w", err)
			}
			calls = append(calls, llms.ToolCall{
				ID:           "call_" + strconv.Itoa(i+1),
				Type:         "function",
				FunctionCall: &llms.FunctionCall{Name: plan.Tool, Arguments: string(args)},
			})
		}
		return &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "tool_calls", ToolCalls: calls}}}, nil
	case llms.ChatMessageTypeTool:
		var results []llms.ToolCallResponse
		for i := len(msgs) - 1; i >= 0 && msgs[i].Role == llms.ChatMessageTypeTool; i-- {
			for _, part := range msgs[i].Parts {
				if r, ok := part.(llms.ToolCallResponse); ok {
					results = append([]llms.ToolCallResponse{r}, results...)
				}
			}
		}
		c := p.composerFor(msgs, offered, results, asOf)
		return textResponse(c.answer(results, relativeNote(msgs, asOf))), nil
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
		if pr.IsZero() {
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

// asOfPrefix starts the line of the agent's system prompt that carries the
// data's as-of date (agent.systemPrompt writes it).
const asOfPrefix = "Data as of: "

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

// MaxResultChars is the tool-result size the agent should pass to the
// Planner uncut (agent.Config.MaxResultChars): the Planner summarises
// large results itself and needs them whole to do so.
const MaxResultChars = 64 << 20

// MinConfidence is the classifier probability below which the Planner
// asks a short clarifying question instead of guessing the intent. In
// 5-fold cross-validation on the build split (ROIBOT_PLANNER_CV=1 go test
// ./planner -run TestTune_CrossValidation -v, 10 epochs), 0.40 answers 79%
// of questions with the right intent and 9% with a wrong one (0.30: 82%
// and 11%); the rest get the clarifying question.
const MinConfidence = 0.40

// Intent classifies question: the most probable intent with its
// probability, and the runners-up.
func (p *Planner) Intent(question string) []Scored {
	return p.clf.Predict(classifierText(question))
}

// classifierText is what the classifier reads: the question, and for a
// Chinese question also its English words from the bilingual lexicon, so
// that both languages share what each taught the model.
func classifierText(question string) string {
	if t := translateZH(question); t != question {
		return question + " " + t
	}
	return question
}

// plan maps a question to a tool call or a text reply.
func (p *Planner) plan(question string, offered []llms.Tool, asOf time.Time) Plan {
	byName := make(map[string]llms.Tool, len(offered))
	for _, t := range offered {
		if t.Function != nil {
			byName[t.Function.Name] = t
		}
	}
	q := p.interlingua(question)
	w := words(q)
	scored := p.Intent(question)
	intent := scored[0].Label
	tool := ""
	for _, name := range intentTools[intent] {
		if _, ok := byName[name]; ok {
			tool = name
			break
		}
	}
	if tool == "" && len(intentTools[intent]) > 0 {
		tool = intentTools[intent][0]
	}
	_, collects := byName[tools.NameRecordFeedback]
	if t, ok := byName[tool]; ok && tool != tools.NameRecordFeedback {
		if scored[0].P < MinConfidence {
			return Plan{Text: p.clarify(question, scored, byName), final: true}
		}
		if r := p.filterReply(tool, q, w, t); r != "" {
			return Plan{Text: r, final: true}
		}
		a := p.args(tool, q, w, asOf)
		if _, ok := a[tools.ArgQuery]; ok {
			a[tools.ArgQuery] = feedbackQuery(question)
		}
		calls := p.compareCalls(tool, q, w, asOf, t, a)
		return Plan{Tool: tool, Args: calls[0], More: calls[1:]}
	}
	if collects {
		if tool != "" && tool != tools.NameRecordFeedback && isQuestion(question) {
			return Plan{Text: p.msg(question, msgCustomerRefusal)}
		}
		return Plan{Tool: tools.NameRecordFeedback, Args: fitArgs(map[string]any{tools.ArgMessage: strings.TrimSpace(question)}, byName[tools.NameRecordFeedback])}
	}
	switch {
	case intent == IntentFeedbackCollect && len(byName) > 0:
		// Staff telling a story about a purchase: ask what they want
		// to know rather than answer a different question.
		return Plan{Text: p.clarify(question, scored[1:], byName), final: true}
	case intent == IntentHelp:
		return Plan{Text: p.msg(question, msgHelp) + p.capabilities(question, byName)}
	case tool != "":
		return Plan{Text: p.msg(question, msgToolUnavailable) + p.capabilities(question, byName)}
	}
	return Plan{Text: p.notUnderstood(question, scored, byName)}
}

// followUp reads an elliptical follow-up ("and for Germany?") against the
// conversation: it re-plans the latest earlier user question that mapped to
// a tool and overlays the arguments the follow-up states explicitly (those
// that differ from what an empty question would give). It reports false when
// no earlier question maps to a tool or the follow-up adds nothing.
func (p *Planner) followUp(msgs []llms.MessageContent, offered []llms.Tool, asOf time.Time) (Plan, bool) {
	last := p.interlingua(textOf(msgs[len(msgs)-1]))
	for i := len(msgs) - 2; i >= 0; i-- {
		if msgs[i].Role != llms.ChatMessageTypeHuman {
			continue
		}
		prev := p.plan(textOf(msgs[i]), offered, asOf)
		if prev.Tool == "" || prev.Tool == tools.NameRecordFeedback {
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
			if k == tools.ArgQuery || k == tools.ArgMessage {
				// Free text is the follow-up's own words, not a new value.
				continue
			}
			args[k] = v
			changed = true
		}
		if !changed {
			if elliptical(textOf(msgs[len(msgs)-1])) {
				// Answering the follow-up on its own would answer a
				// different question; say what could not be carried.
				return Plan{Text: p.msg(last, msgFollowUpNotApplied, prev.Tool), final: true}, true
			}
			return Plan{}, false
		}
		return Plan{Tool: prev.Tool, Args: args}, true
	}
	return Plan{}, false
}

// ellipticalRe finds a follow-up that leans on the previous question:
// "and for Germany?", "what about Q3?", "same for email", "那德国呢？".
var ellipticalRe = regexp.MustCompile(`(?i)^\s*(and|& |what about|how about|same for|same but|same thing for|now for|now in|ok and|what if|only for|just for|and now|then for)\b|^\s*(那|那么|再看|换成|改成|如果是|只看)|呢\s*[?？]?\s*$`)

// elliptical reports whether question reads as a follow-up of the
// previous one.
func elliptical(question string) bool { return ellipticalRe.MatchString(question) }

var questionStartRe = regexp.MustCompile(`^\s*(what|whats|what's|how|which|who|when|where|why|show|list|give|tell me|can you|could you|do you|did you|is|are|was|were)\b`)

// isQuestion reports whether s reads as a question or request for information.
func isQuestion(s string) bool {
	return strings.ContainsAny(s, "?？") || questionStartRe.MatchString(strings.ToLower(s)) || zhQuestionRe.MatchString(s)
}

// zhQuestionRe finds a Chinese question: a question word or a final
// question particle.
var zhQuestionRe = regexp.MustCompile(`多少|哪些|哪个|什么|怎么|怎样|是否|几个|几次|给我看|告诉我|[吗呢]\s*$`)

// args builds the arguments of tool for question (w is its words() form).
// Arguments the tool's schema does not list are removed by fitArgs.
func (p *Planner) args(tool, question, w string, asOf time.Time) map[string]any {
	a := map[string]any{}
	voc := p.vocab()
	setPeriod := func() {
		pr := resolvePeriod(question, asOf)
		if pr.Period != "" {
			a[tools.ArgPeriod] = pr.Period
		}
		if pr.From != "" {
			a[tools.ArgFrom] = pr.From
		}
		if pr.To != "" {
			a[tools.ArgTo] = pr.To
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
	if campaign == "" {
		if ref, cands := p.campaignRef(question, w, asOf); ref != "" && len(cands) == 1 {
			campaign = cands[0]
		}
	}
	// "top 10" is a limit, not the category Tops.
	wNoTop := topNRe.ReplaceAllString(wp, " ")
	category := vocabMatch(wNoTop, voc.Categories, true, nil)
	// "Display ROAS by channel": a leading "display" is the verb.
	channels := matchPhrases(dropDisplayVerb(w), p.channelTable())
	// A channel word inside the campaign's name ("Newsletter Q4 2011")
	// names the campaign, not a second filter.
	if campaign != "" && len(channels) == 1 && firstPhrase(words(campaign), p.channelTable()) == channels[0] {
		channels = nil
	}
	channel := ""
	if len(channels) == 1 || (len(channels) > 1 && tool != tools.NameROI) {
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
			a[tools.ArgLimit] = limit
		}
	}
	sentiment := ""
	switch {
	case hasAny(w, "negative", "complain", "complaints", "complaint", "complaining", "bad", "unhappy", "poor", "worst", "problems", "issues"):
		sentiment = "negative"
	case hasAny(w, "positive", "praise", "love", "happy", "good", "best"):
		sentiment = "positive"
	}

	if d := windowDays(w); d > 0 {
		// One stated window: the attribution tools read it as their
		// lookback, the funnel as its conversion window; a tool that
		// takes neither drops it, and the answer says so.
		a[tools.ArgLookbackDays] = d
		a[tools.ArgWindowDays] = d
	}
	switch tool {
	case tools.NameMMM:
		return p.mmmArgs(question, w)
	case tools.NameRevenue:
		setPeriod()
		set(tools.ArgCountry, country)
		switch {
		case hasAny(w, "by country", "per country", "each country", "by countries", "across countries", "which country",
			"which countries", "country by country", "top countries", "by market", "per market", "every country"):
			a[tools.ArgGroupBy] = tools.RevenueByCountry
		case hasAny(w, "by product", "per product", "each product", "by products", "which product", "which products",
			"top products", "best selling", "best sellers", "bestsellers", "top sellers", "top selling", "products by revenue",
			"best selling products", "top items", "by item", "per item"):
			a[tools.ArgGroupBy] = tools.RevenueByProduct
		}
		if limit > 0 {
			a[tools.ArgLimit] = limit
		}
	case tools.NameROI:
		a[tools.ArgGroupBy] = "channel"
		if campaign != "" || hasAny(w, "campaign", "campaigns") {
			a[tools.ArgGroupBy] = "campaign"
		}
		setPeriod()
		set(tools.ArgChannel, channel)
		set(tools.ArgCampaign, campaign)
		set(tools.ArgAttribution, firstPhrase(w, attributionPhrases))
		if hasAny(w, "margin", "profit", "gross margin") {
			a[tools.ArgBasis] = "margin"
		}
	case tools.NameAttribution:
		setPeriod()
		set(tools.ArgChannel, channel)
		switch models := matchPhrases(w, attributionPhrases); len(models) {
		case 0:
		case 1:
			a[tools.ArgModel] = models[0]
		default:
			a[tools.ArgModels] = models
		}
	case tools.NameRFM:
		set(tools.ArgSegment, segment)
		set(tools.ArgCountry, country)
		set(tools.ArgCustomerID, customerID)
		setLimit()
	case tools.NamePredictCLV:
		set(tools.ArgCustomerID, customerID)
		set(tools.ArgCountry, country)
		set(tools.ArgSegment, segment)
		if h := horizonDays(w); h > 0 {
			a[tools.ArgHorizonDays] = h
		}
		if hasAny(w, "pareto", "pareto nbd", "paretonbd") {
			a[tools.ArgModel] = "paretonbd"
		} else if hasAny(w, "bg nbd", "bgnbd") {
			a[tools.ArgModel] = "bgnbd"
		}
		if customerID == "" && hasAny(w, "clv", "lifetime value", "ltv", "worth", "most valuable", "value") &&
			!hasAny(w, "buy again", "purchase again", "order again", "still active", "alive") {
			a[tools.ArgRankBy] = "clv"
		}
		if hasAny(w, "by country", "per country", "each country", "by countries", "country by country") {
			a[tools.ArgGroupBy] = "country"
		}
		setLimit()
	case tools.NameChurnRisk:
		set("customer_id", customerID)
		set("country", country)
		if h := horizonDays(w); h > 0 {
			a["horizon_days"] = h
		}
		setLimit()
	case tools.NameResponse:
		if hasAny(w, "bank", "term deposit", "deposit", "subscribe", "subscription") {
			a["dataset"] = "bank-marketing"
		}
		setLimit()
	case tools.NameCustomerProfile:
		set(tools.ArgCustomerID, customerID)
	case tools.NameHistoricalCLV:
		set(tools.ArgCustomerID, customerID)
		set(tools.ArgCountry, country)
		setLimit()
	case tools.NameFunnel:
		setPeriod()
		set(tools.ArgChannel, channel)
		set(tools.ArgCampaign, campaign)
	case tools.NameSegment:
		if m := kRe.FindStringSubmatch(w); m != nil {
			k, _ := strconv.Atoi(m[1] + m[2])
			a[tools.ArgK] = k
		}
		set(tools.ArgCountry, country)
		if hasAny(w, "ward", "hierarchical") {
			a[tools.ArgMethod] = "ward"
		} else if hasAny(w, "k means", "kmeans") {
			a[tools.ArgMethod] = "kmeans"
		}
	case tools.NameRules:
		set(tools.ArgCountry, country)
		for _, m := range thresholdRe.FindAllStringSubmatch(strings.ToLower(question), -1) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				continue
			}
			if m[3] != "" {
				v /= 100
			}
			a[map[string]string{"support": tools.ArgMinSupport, "confidence": tools.ArgMinConfidence, "lift": tools.ArgMinLift}[m[1]]] = v
		}
		setLimit()
	case tools.NameReport:
		set(tools.ArgSegment, segment)
		set(tools.ArgCountry, country)
		if m := clusterRe.FindStringSubmatch(w); m != nil {
			c, _ := strconv.Atoi(m[1])
			a[tools.ArgCluster] = c
			// "cluster 2 of the 5 clusters", "cluster 2 with k 5".
			if m := kRe.FindStringSubmatch(w); m != nil {
				k, _ := strconv.Atoi(m[1] + m[2])
				a[tools.ArgK] = k
			}
		}
		switch {
		case hasAny(w, "top clv", "top tier", "top third", "high clv", "highest clv", "top value"):
			a[tools.ArgCLVTier] = "top"
		case hasAny(w, "mid clv", "middle clv", "mid tier", "middle tier", "middle third"):
			a[tools.ArgCLVTier] = "mid"
		case hasAny(w, "low clv", "lowest clv", "low tier", "bottom tier", "bottom third"):
			a[tools.ArgCLVTier] = "low"
		}
		setPeriod()
		if hasAny(w, "negative", "positive") {
			set(tools.ArgSentiment, sentiment)
		}
	case tools.NameSearchFeedback, tools.NameSummarizeFeedback:
		a[tools.ArgQuery] = feedbackQuery(question)
		set(tools.ArgCategory, category)
		set(tools.ArgSentiment, sentiment)
		setPeriod()
		setLimit()
	case tools.NameRecordFeedback:
		a[tools.ArgMessage] = strings.TrimSpace(question)
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

var displayVerbRe = regexp.MustCompile(`^ display (?:the|all|me|our|my|a|each|every|an) |^ display .*\b(?:by|per|each|every|all) channels? `)

// dropDisplayVerb removes a leading "display" that is the verb ("Display
// ROAS by channel", "display the funnel"), not the channel ("display roas
// nov 2011").
func dropDisplayVerb(w string) string {
	if displayVerbRe.MatchString(w) {
		return " " + strings.TrimPrefix(w, " display ")
	}
	return w
}

// monthYearBareRe finds a month name standing alone ("march"), which
// takes the year stated elsewhere in a comparison.
var monthYearBareRe = regexp.MustCompile(`\b(` + monthAlt + `)\b`)

// compareSplitRe splits a question into the parts a comparison names:
// "Q3 and Q4", "2010 vs 2011", "France, Germany".
var compareSplitRe = regexp.MustCompile(` (?:and|vs|versus|against|compared to|compared with|or|with) |,|/`)

// periodsOf returns the distinct periods a question compares ("ROI in Q3
// and Q4 2011" → 2011-Q3, 2011-Q4), each in the form of one tool call; a
// year stated once applies to every part that lacks one. It returns nil
// for fewer than two periods or a range ("between March and May").
func periodsOf(q string, asOf time.Time) []periodArgs {
	whole := resolvePeriod(q, asOf)
	if whole.Period == "" {
		return nil // a date range, or no period
	}
	lq := strings.ToLower(q)
	year := yearRe.FindString(lq)
	var out []periodArgs
	for _, part := range compareSplitRe.Split(lq, -1) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		if year != "" && !yearRe.MatchString(part) {
			// The year goes right after the period word it completes.
			switch {
			case quarterOnlyRe.MatchString(part):
				part = quarterOnlyRe.ReplaceAllString(part, "q${1} "+year)
			case halfNoYearRe.MatchString(part):
				part = halfNoYearRe.ReplaceAllString(part, "${0} "+year)
			case monthYearBareRe.MatchString(part):
				part = monthYearBareRe.ReplaceAllString(part, "${1} "+year)
			}
		} else if m := monthYearBareRe.FindString(part); year == "" && m != "" && m != "may" && !monthOnlyRe.MatchString(part) {
			// "november compared to october": a bare month is the latest one.
			part = monthYearBareRe.ReplaceAllString(part, "in ${1}")
		}
		pr := resolvePeriod(part, asOf)
		if pr.IsZero() || slices.Contains(out, pr) {
			continue
		}
		out = append(out, pr)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// compareCalls returns the arguments of one call per item the question
// compares (countries, channels, periods), or only a when it compares
// nothing. ROI compares channels in one call, grouped by channel.
func (p *Planner) compareCalls(tool, q, w string, asOf time.Time, t llms.Tool, a map[string]any) []map[string]any {
	props := schemaProps(t)
	takes := func(k string) bool {
		_, ok := props[k]
		return props == nil || ok
	}
	fitted := fitArgs(maps.Clone(a), t)
	var out []map[string]any
	with := func(k string, vs []string) {
		for _, v := range vs {
			c := maps.Clone(a)
			c[k] = v
			out = append(out, fitArgs(c, t))
		}
	}
	countries := matchPhrases(dropPossessive(w), vocabTable(p.vocab().Countries, false, countryAliases))
	channels := matchPhrases(dropDisplayVerb(w), p.channelTable())
	switch {
	case takes(tools.ArgCountry) && len(countries) > 1:
		with(tools.ArgCountry, countries)
	case takes(tools.ArgChannel) && len(channels) > 1 && tool != tools.NameROI:
		with(tools.ArgChannel, channels)
	case takes(tools.ArgPeriod) || takes(tools.ArgFrom):
		for _, pr := range periodsOf(q, asOf) {
			c := maps.Clone(a)
			delete(c, tools.ArgPeriod)
			delete(c, tools.ArgFrom)
			delete(c, tools.ArgTo)
			if pr.Period != "" {
				c[tools.ArgPeriod] = pr.Period
			}
			if pr.From != "" {
				c[tools.ArgFrom] = pr.From
			}
			if pr.To != "" {
				c[tools.ArgTo] = pr.To
			}
			out = append(out, fitArgs(c, t))
		}
	}
	if len(out) < 2 {
		return []map[string]any{fitted}
	}
	return out
}

// fitArgs keeps the arguments listed in the tool's JSON Schema properties,
// converts a period to from/to for tools that take only dates, and gives
// customer_id the schema's type. With no readable schema it returns a as is.
func fitArgs(a map[string]any, t llms.Tool) map[string]any {
	props := schemaProps(t)
	if props == nil {
		return a
	}
	if per, ok := a[tools.ArgPeriod].(string); ok {
		if _, takes := props[tools.ArgPeriod]; !takes {
			delete(a, tools.ArgPeriod)
			if from, end, ok := bounds(periodArgs{Period: per}); ok {
				a[tools.ArgFrom] = from.Format(time.DateOnly)
				a[tools.ArgTo] = end.AddDate(0, 0, -1).Format(time.DateOnly)
			}
		}
	}
	if _, takes := props[tools.ArgFrom]; !takes {
		if _, period := props[tools.ArgPeriod]; period {
			// A date range goes as "YYYY-MM-DD..YYYY-MM-DD" to tools that
			// take only a period.
			from, _ := a[tools.ArgFrom].(string)
			to, _ := a[tools.ArgTo].(string)
			if from != "" && to != "" && a[tools.ArgPeriod] == nil {
				a[tools.ArgPeriod] = from + ".." + to
			}
		}
	}
	if id, ok := a[tools.ArgCustomerID].(string); ok {
		if typ := props[tools.ArgCustomerID]; typ == "integer" || typ == "number" {
			if n, err := strconv.Atoi(id); err == nil {
				a[tools.ArgCustomerID] = n
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
	if len(p.vocab().Channels) > 0 {
		return p.vocab().Channels
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
	names := p.vocab().Channels
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
	if tool == tools.NameMMM {
		return "" // the mmm tool checks channels against its own weekly data set (TV is no order-data channel)
	}
	props := schemaProps(t)
	takes := func(k string) bool {
		if props == nil {
			return true
		}
		_, ok := props[k]
		return ok
	}
	voc := p.vocab()
	wp := dropPossessive(w)
	countries := vocabTable(voc.Countries, false, countryAliases)
	channels := p.channelTable()
	campaigns := vocabTable(voc.Campaigns, false, nil)

	if m := exclusionRe.FindStringSubmatch(wp); m != nil {
		rest := " " + strings.Join(strings.Fields(m[1])[:min(5, len(strings.Fields(m[1])))], " ") + " "
		if c := firstPhrase(rest, countries); c != "" && takes(tools.ArgCountry) {
			r := "I can't exclude a country yet, so I have not run this: filtering on " + c +
				" or ignoring the exclusion would answer a different question."
			if tool == tools.NameRevenue {
				return r + " Ask for all countries and for " + c + " on its own, and take the difference."
			}
			return r + " Ask about the countries you want one at a time."
		}
		if c := firstPhrase(rest, channels); c != "" && takes(tools.ArgChannel) {
			return "I can't exclude a channel yet, so I have not run this: filtering on " + c +
				" or ignoring the exclusion would answer a different question. Ask for the figures by channel " +
				"(for example \"ROI by channel\"): every channel, " + c + " included, is listed on its own row."
		}
		if c := firstPhrase(rest, campaigns); c != "" && takes(tools.ArgCampaign) {
			return "I can't exclude a campaign yet, so I have not run this. Ask for the figures by campaign " +
				"(for example \"ROI by campaign\"): every campaign, " + c + " included, is listed on its own row."
		}
	}
	if takes(tools.ArgCampaign) && len(voc.Campaigns) > 0 && vocabMatch(wp, voc.Campaigns, false, nil) == "" {
		switch ref, cands := p.campaignRef(question, w, p.cfg.AsOf); {
		case ref == "":
		case len(cands) == 0:
			return p.msg(question, msgNoCampaign, ref, strings.Join(p.nearestCampaigns(ref, 3), "; "))
		case len(cands) > 1:
			return p.msg(question, msgManyCampaigns, ref, listNames(cands, 6))
		}
	}
	if takes(tools.ArgCountry) {
		if len(voc.Countries) > 0 && len(matchPhrases(wp, countries)) == 0 {
			if name := p.unknownPlace(question); name != "" {
				return name + " is not a country in the data, so I have not run this. Countries in the data include " +
					listNames(voc.Countries, 6) + "."
			}
		}
	}
	if takes(tools.ArgChannel) {
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
	}
	return ""
}

// campaignWordRe finds the words naming a campaign: "the newsletter
// campaign", "campaign 'Black Friday'", "Brand Search campaign".
var campaignWordRe = regexp.MustCompile(` ((?:[a-z0-9'-]+ ){1,4})campaign | campaigns? (?:called |named )?((?:[a-z0-9'-]+ ){1,4})`)

// notCampaignWords are words around "campaign" that do not name one.
var notCampaignWords = map[string]bool{"the": true, "our": true, "my": true, "this": true, "that": true, "which": true,
	"each": true, "every": true, "per": true, "by": true, "for": true, "of": true, "in": true, "best": true, "worst": true,
	"top": true, "a": true, "an": true, "what": true, "how": true, "is": true, "was": true, "did": true, "roi": true,
	"roas": true, "funnel": true, "marketing": true, "last": true, "latest": true, "all": true, "and": true, "vs": true,
	"with": true, "do": true, "does": true, "it": true, "its": true, "their": true, "on": true, "from": true, "to": true,
	"performance": true, "results": true, "result": true, "spend": true, "cost": true, "revenue": true, "q1": true,
	"q2": true, "q3": true, "q4": true, "quarter": true, "month": true, "year": true, "ads": true, "ad": true,
	"show": true, "me": true, "give": true, "list": true, "compare": true, "most": true, "least": true, "biggest": true,
	"lowest": true, "highest": true, "any": true, "s": true, "whole": true, "one": true, "only": true}

// campaignRef returns the words of w that name a campaign not spelled in
// full, and the campaigns of the data whose names hold all of them (only
// those of the question's quarter when it names one); "" when the
// question names no campaign that way.
func (p *Planner) campaignRef(q, w string, asOf time.Time) (string, []string) {
	var ref []string
	for _, m := range campaignWordRe.FindAllStringSubmatch(w, -1) {
		for _, word := range strings.Fields(m[1] + m[2]) {
			if notCampaignWords[word] || yearRe.MatchString(word) {
				continue
			}
			ref = append(ref, word)
		}
		if len(ref) > 0 {
			break
		}
	}
	if len(ref) == 0 {
		return "", nil
	}
	var cands []string
	for _, c := range p.vocab().Campaigns {
		cw := words(c)
		all := true
		for _, r := range ref {
			if !strings.Contains(cw, " "+r+" ") && !strings.Contains(cw, " "+r) {
				all = false
			}
		}
		if all {
			cands = append(cands, c)
		}
	}
	if len(cands) > 1 {
		// "the newsletter campaign in Q4 2011": keep that quarter's.
		if pr := resolvePeriod(q, asOf); pr.Period != "" {
			if per, err := analytics.ParsePeriod(pr.Period, time.UTC); err == nil && strings.Contains(per.Label, "-Q") {
				label := per.Label[5:] + " " + per.Label[:4] // "Q4 2011"
				var in []string
				for _, c := range cands {
					if strings.Contains(c, label) {
						in = append(in, c)
					}
				}
				if len(in) > 0 {
					cands = in
				}
			}
		}
	}
	if len(cands) == 0 && firstPhrase(" "+strings.Join(ref, " ")+" ", p.channelTable()) != "" {
		// "the email campaign": a channel's campaigns, not a name.
		return "", nil
	}
	return strings.Join(ref, " "), cands
}

// nearestCampaigns returns the n campaign names closest to ref (edit
// distance of the lowercase names' best-matching prefix).
func (p *Planner) nearestCampaigns(ref string, n int) []string {
	type cd struct {
		name string
		d    int
	}
	var cs []cd
	for _, c := range p.vocab().Campaigns {
		lc := strings.ToLower(c)
		d := osa(ref, lc)
		if len(lc) > len(ref) {
			d = min(d, osa(ref, lc[:len(ref)]))
		}
		cs = append(cs, cd{c, d})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// unknownPlace returns the capitalised name after "in" that is neither a
// country, campaign, category, channel, segment nor a period word of the
// question, or "".
func (p *Planner) unknownPlace(question string) string {
	voc := p.vocab()
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

// Compose writes the answer to question from a turn's tool results alone,
// as GenerateContent does after the tool calls it chose: it satisfies
// agent.Composer, which the agent uses when a model's own answer is
// withheld (figures no tool returned) or missing. results are in call
// order.
func (p *Planner) Compose(ctx context.Context, question string, results []llms.ToolCallResponse) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	msgs := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, question)}
	ai := llms.MessageContent{Role: llms.ChatMessageTypeAI}
	for _, r := range results {
		ai.Parts = append(ai.Parts, llms.ToolCall{ID: r.ToolCallID, Type: "function",
			FunctionCall: &llms.FunctionCall{Name: r.Name, Arguments: "{}"}})
	}
	msgs = append(msgs, ai)
	c := p.composerFor(msgs, nil, results, p.cfg.AsOf)
	return c.answer(results, relativeNote(msgs, p.cfg.AsOf)), nil
}

// SelfGrounded implements agent.SelfGrounded: the Planner writes the
// figures of the tool results and the question as they are, and its own
// layout counts ("showing 10 of 300 rows"); it never estimates one.
func (p *Planner) SelfGrounded() bool { return true }
