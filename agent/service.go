package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tmc/langchaingo/llms"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultMaxSteps       = 6
	DefaultCallTimeout    = 300 * time.Second
	DefaultMaxTokens      = 512
	DefaultIdleTimeout    = 60 * time.Second
	DefaultHistoryTurns   = 6
	DefaultHistoryChars   = 8000
	DefaultMaxResultChars = 24000
)

// Config configures a Service.
type Config struct {
	// Model answers and chooses tools: a provider from NewModel (the offline
	// planner included).
	Model llms.Model
	// Tools lists the tools offered per role. A role absent from the map
	// gets no tools; customers should get only the feedback tools.
	Tools map[Role][]Tool
	// MaxSteps bounds the model calls per question (default 6). When the
	// model still asks for tools after MaxSteps calls, Ask answers that it
	// could not finish.
	MaxSteps int
	// CallTimeout bounds each tool call and the wait for a model call's
	// first output (default 300s: a small model on a CPU needed 236.5 s
	// for the first call with the full tool prompt of ~4,400 tokens at load
	// ~15, see docs/llm.md). Without streaming it bounds the whole model call.
	CallTimeout time.Duration
	// IdleTimeout bounds the gap between two streamed chunks of a model
	// call once output has begun (default 60s): a slow model that keeps
	// producing tokens is not cut off, a stalled one is, and the request
	// is cancelled, which closes the connection (a llama.cpp server then
	// stops generating).
	IdleTimeout time.Duration
	// DisableStreaming sends every model call unstreamed, bounded by
	// CallTimeout as a whole. Models from NewModel for OpenAI-compatible
	// servers stream by default; a server that rejects a streamed request
	// that it answers unstreamed is not streamed to again.
	DisableStreaming bool
	// Composer writes the answer from tool results when the model's text
	// is withheld or missing; nil lists the results plainly.
	Composer Composer
	// MaxTokens bounds the tokens the model may generate per call (default
	// 512), sent as max_tokens so that a server stops generating instead of
	// running on after Ask has given up.
	MaxTokens int
	// AsOf returns the data's as-of date (the last order date). It is given
	// to the model in the system prompt so that relative periods ("last
	// quarter") resolve against the data, not the wall clock. Nil leaves the
	// date out of the prompt.
	AsOf func() time.Time
	// HistoryTurns and HistoryChars bound the conversation memory sent to
	// the model: at most the last HistoryTurns turns (default 6) and at most
	// HistoryChars characters of their text (default 8000), oldest dropped first.
	HistoryTurns int
	HistoryChars int
	// MaxResultChars bounds one tool result as sent to the model (default
	// 24000 characters); longer results are cut and marked. Answer.ToolCalls
	// keeps the full result.
	MaxResultChars int
	// Logger receives tool calls, iterations and token usage; nil means
	// slog.Default(). Message text is logged only at debug level.
	Logger *slog.Logger
}

// Service answers questions with a bounded tool-calling loop.
// It is safe for concurrent use if its Model and Tools are.
type Service struct {
	cfg   Config
	log   *slog.Logger
	tools map[Role]map[string]Tool
	defs  map[Role][]llms.Tool
	// noStream and noRequired remember a server that failed a streamed
	// request or tool_choice "required" and answered without it.
	noStream   atomic.Bool
	noRequired atomic.Bool
}

// New returns a Service for cfg. It fails when cfg.Model is nil, a role in
// cfg.Tools is unknown, a tool is nil or two tools of one role share a name.
func New(cfg Config) (*Service, error) {
	if cfg.Model == nil {
		return nil, errors.New("new agent: model is nil")
	}
	if cfg.MaxSteps <= 0 {
		cfg.MaxSteps = DefaultMaxSteps
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	if cfg.HistoryTurns <= 0 {
		cfg.HistoryTurns = DefaultHistoryTurns
	}
	if cfg.HistoryChars <= 0 {
		cfg.HistoryChars = DefaultHistoryChars
	}
	if cfg.MaxResultChars <= 0 {
		cfg.MaxResultChars = DefaultMaxResultChars
	}
	s := &Service{
		cfg:   cfg,
		log:   cfg.Logger,
		tools: make(map[Role]map[string]Tool),
		defs:  make(map[Role][]llms.Tool),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	for role, ts := range cfg.Tools {
		if _, err := ParseRole(string(role)); err != nil {
			return nil, fmt.Errorf("new agent: %w", err)
		}
		byName := make(map[string]Tool, len(ts))
		for i, t := range ts {
			if t == nil {
				return nil, fmt.Errorf("new agent: tool %d of role %s is nil", i, role)
			}
			name := t.Name()
			if _, dup := byName[name]; dup {
				return nil, fmt.Errorf("new agent: tool %q offered twice to role %s", name, role)
			}
			byName[name] = t
			s.defs[role] = append(s.defs[role], llms.Tool{
				Type: "function",
				Function: &llms.FunctionDefinition{
					Name:        name,
					Description: t.Description(),
					Parameters:  t.Parameters(),
				},
			})
		}
		s.tools[role] = byName
	}
	return s, nil
}

// Ask answers q: it sends the system prompt, the recent history and the
// question to the model with the tools of q.Role, runs the tool calls the
// model asks for and calls the model again, until the model answers in text
// or MaxSteps model calls were made.
//
// The model's text is shown only when every figure in it is grounded in
// the turn's tool results (see grounding.go and docs/llm.md). Otherwise
// the model is asked once more to answer from the tool results (forcing a
// tool call where it made none); if that fails too, or the model gives no
// answer (empty text, step limit, repeated calls, a failed call after tool
// results), Answer.Text is the tool results composed by Config.Composer
// with a note. Answer.Grounding records the check.
//
// Tool failures do not fail Ask: they go back to the model as text and are
// recorded in Answer.ToolCalls. Ask returns an error for an invalid role or
// empty question, a failed model call before any tool result or a
// cancelled ctx; the Answer then still holds the tool calls made so far.
func (s *Service) Ask(ctx context.Context, q Question) (Answer, error) {
	ans := Answer{ToolCalls: []ToolCall{}}
	if _, err := ParseRole(string(q.Role)); err != nil {
		return ans, fmt.Errorf("ask: %w", err)
	}
	if strings.TrimSpace(q.Text) == "" {
		return ans, fmt.Errorf("ask: %w", &ArgError{Arg: "question", Value: q.Text, Want: "a non-empty question"})
	}
	log := s.log.With("conversation_id", q.ConversationID, "role", string(q.Role))
	if q.ConversationID != "" {
		ctx = WithConversationID(ctx, q.ConversationID)
	}
	start := time.Now()
	log.Debug("agent question", "text", q.Text, "history_turns", len(q.History))

	var asOf time.Time
	if s.cfg.AsOf != nil {
		asOf = s.cfg.AsOf()
	}
	msgs := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeSystem, systemPrompt(q.Role, asOf, s.defs[q.Role]))}
	msgs = append(msgs, historyMessages(q.History, s.cfg.HistoryTurns, s.cfg.HistoryChars)...)
	msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeHuman, q.Text))

	t := &turn{ev: s.baseEvidence(q, asOf), seen: map[string]string{}}
	hasTools := len(s.defs[q.Role]) > 0
	var usage tokenUsage
	finish := func(g Grounding, text string) (Answer, error) {
		ans.Text = text
		ans.Grounding = &g
		attrs := []any{"steps", t.steps, "tool_calls", len(ans.ToolCalls),
			"latency_ms", time.Since(start).Milliseconds(),
			"input_tokens", usage.input, "output_tokens", usage.output, "total_tokens", usage.total,
			"grounding", g.Outcome, "figures", g.Figures, "unsupported", len(g.Unsupported), "retried", g.Retried}
		if g.Outcome == GroundingShown {
			log.Info("agent answered", attrs...)
		} else {
			log.Warn("agent answered from tool results", append(attrs, "reason", g.Reason)...)
			log.Debug("agent withheld text", "unsupported", g.Unsupported)
		}
		log.Debug("agent answer", "text", ans.Text)
		return ans, nil
	}
	// fallback shows the tool results instead of the model's text.
	fallback := func(outcome, reason string, g Grounding) (Answer, error) {
		g.Outcome, g.Reason = outcome, reason
		if len(t.results) == 0 {
			return finish(g, "I could not produce an answer I can check against the data: "+reason+
				". Please ask a narrower question (one metric, one period).")
		}
		text := s.compose(ctx, log, q.Text, t.results)
		note := "(The model's own answer was not used: " + reason + ". The figures above come straight from the tools.)"
		return finish(g, text+"\n\n_"+note+"_")
	}

	var g Grounding
	force := false // the next call must call a tool (retry without tool results)
	for step := 1; step <= s.cfg.MaxSteps; step++ {
		if err := ctx.Err(); err != nil {
			return ans, fmt.Errorf("ask step %d: %w", step, err)
		}
		t.steps = step
		opts := []llms.CallOption{llms.WithMaxTokens(s.cfg.MaxTokens)}
		if hasTools {
			// tool_choice "auto" on every request with tools: without it
			// some servers (llama-cpp-python's function-calling chat
			// formats) leave the tools out of the prompt.
			choice := "auto"
			if force && !s.noRequired.Load() {
				choice = "required"
			}
			opts = append(opts, llms.WithTools(s.defs[q.Role]), llms.WithToolChoice(choice))
		}
		t0 := time.Now()
		resp, err := s.generate(ctx, log, step, msgs, opts, force && hasTools)
		if err != nil {
			log.Warn("agent model call failed", "step", step, "latency_ms", time.Since(t0).Milliseconds(), "err", err)
			if ctx.Err() != nil || len(t.results) == 0 {
				return ans, fmt.Errorf("ask step %d: generate content: %w", step, err)
			}
			return fallback(GroundingComposed, "the model call failed ("+errorKind(err)+")", g)
		}
		force = false
		text, calls := collectChoices(resp)
		u := usageOf(resp)
		usage.add(u)
		log.Info("agent iteration", "step", step, "tool_calls", len(calls),
			"latency_ms", time.Since(t0).Milliseconds(),
			"input_tokens", u.input, "output_tokens", u.output, "total_tokens", u.total)

		if len(calls) == 0 {
			text = strings.TrimSpace(text)
			if text != "" && selfGrounded(s.cfg.Model) {
				// No check: the model's figures are the results' by construction.
				g.Outcome = GroundingShown
				return finish(g, text)
			}
			g.Figures, g.Unsupported = checkFigures(text, t.ev)
			var problem, retry string
			switch {
			case text == "":
				problem = "it gave no answer"
				retry = "You gave no answer. Answer the question in plain words, using only figures from the tool results."
			case g.Figures > 0 && t.calls == 0 && hasTools:
				problem = "it gave figures without calling a tool"
				retry = "Your answer gives figures but you called no tool, so they cannot be checked. " +
					"Call the tool that answers the question, then answer using only figures from its result."
			case len(g.Unsupported) > 0:
				problem = "it gave figures that no tool result supports"
				retry = "Your answer gives figures that no tool result supports: " + strings.Join(g.Unsupported, ", ") +
					". Answer again using only figures that appear in the tool results, as they appear there; " +
					"do not estimate, convert or invent figures."
			default:
				log.Info("agent grounding check", "step", step, "outcome", "grounded", "figures", g.Figures)
				g.Outcome = GroundingShown
				return finish(g, text)
			}
			log.Warn("agent grounding check", "step", step, "outcome", "failed", "reason", problem,
				"figures", g.Figures, "unsupported", len(g.Unsupported), "retried", g.Retried)
			if g.Retried || step == s.cfg.MaxSteps {
				outcome := GroundingWithheld
				if text == "" {
					outcome = GroundingComposed
				}
				return fallback(outcome, problem, g)
			}
			g.Retried = true
			if text != "" {
				msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeAI, text))
			}
			msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeHuman, retry))
			force = t.calls == 0 && hasTools
			continue
		}

		// The assistant turn carries its text and every tool call; then
		// exactly one tool message answers each call ID.
		ai := llms.MessageContent{Role: llms.ChatMessageTypeAI}
		if strings.TrimSpace(text) != "" {
			ai.Parts = append(ai.Parts, llms.TextPart(text))
		}
		seen := make(map[string]bool, len(calls))
		for i := range calls {
			// Every call needs its own ID, the key of its one tool message.
			if calls[i].ID == "" || seen[calls[i].ID] {
				calls[i].ID = fmt.Sprintf("%scall_%d_%d", calls[i].ID, step, i+1)
			}
			seen[calls[i].ID] = true
			ai.Parts = append(ai.Parts, calls[i])
		}
		msgs = append(msgs, ai)
		repeats := 0
		for _, c := range calls {
			t.calls++
			key := callKey(c)
			if earlier, ok := t.seen[key]; ok {
				// A repeated identical call gets the earlier result with a
				// note instead of running again.
				repeats++
				log.Warn("agent repeated tool call", "step", step, "tool", c.FunctionCall.Name, "tool_call_id", c.ID)
				msgs = append(msgs, toolMessage(c, clip(repeatNote(c.FunctionCall.Name, earlier), s.cfg.MaxResultChars)))
				continue
			}
			rec, content := s.runTool(ctx, log, q.Role, step, c)
			ans.ToolCalls = append(ans.ToolCalls, rec)
			t.seen[key] = content
			if rec.Error == "" {
				tables, charts := displayOf(rec.Result)
				ans.Tables = append(ans.Tables, tables...)
				ans.Charts = append(ans.Charts, charts...)
				t.ev.addJSON(rec.Result)
				t.ev.addJSON(rec.Arguments)
				t.results = append(t.results, llms.ToolCallResponse{ToolCallID: c.ID, Name: c.FunctionCall.Name, Content: content})
			}
			msgs = append(msgs, toolMessage(c, clip(content, s.cfg.MaxResultChars)))
		}
		if repeats == len(calls) {
			t.repeatSteps++
			if t.repeatSteps >= 2 {
				return fallback(GroundingComposed, "it kept repeating the same tool call", g)
			}
		}
	}
	log.Warn("agent step limit reached", "max_steps", s.cfg.MaxSteps)
	return fallback(GroundingComposed, fmt.Sprintf("it did not finish within %d steps", s.cfg.MaxSteps), g)
}

// turn is the state of one Ask.
type turn struct {
	ev          *evidence
	results     []llms.ToolCallResponse // successful tool results, in call order
	seen        map[string]string       // callKey -> the result sent to the model
	calls       int                     // tool calls the model asked for
	repeatSteps int                     // steps whose calls were all repeats
	steps       int
}

// baseEvidence is what grounds figures before any tool runs: the question,
// the earlier turns (their answers passed this check) and the as-of date.
func (s *Service) baseEvidence(q Question, asOf time.Time) *evidence {
	ev := newEvidence()
	ev.addText(q.Text, true)
	h := q.History
	if len(h) > s.cfg.HistoryTurns {
		h = h[len(h)-s.cfg.HistoryTurns:]
	}
	for _, t := range h {
		ev.addText(t.Question, true)
		ev.addText(t.Answer, true)
		for _, c := range t.ToolCalls {
			if c.Error == "" {
				ev.addJSON(c.Result)
				ev.addJSON(c.Arguments)
			}
		}
	}
	if !asOf.IsZero() {
		ev.addDate(asOf)
	}
	return ev
}

// compose writes the tool results as an answer with Config.Composer, or a
// plain listing when none is set or it fails.
func (s *Service) compose(ctx context.Context, log *slog.Logger, question string, results []llms.ToolCallResponse) string {
	if s.cfg.Composer != nil {
		text, err := s.cfg.Composer.Compose(ctx, question, results)
		if err == nil && strings.TrimSpace(text) != "" {
			return strings.TrimSpace(text)
		}
		log.Warn("agent composer failed", "err", err)
	}
	parts := make([]string, 0, len(results))
	for _, r := range results {
		parts = append(parts, "The "+r.Name+" tool returned: "+clip(strings.TrimSpace(r.Content), 1500))
	}
	return strings.Join(parts, "\n\n")
}

func toolMessage(c llms.ToolCall, content string) llms.MessageContent {
	return llms.MessageContent{
		Role: llms.ChatMessageTypeTool,
		Parts: []llms.ContentPart{llms.ToolCallResponse{
			ToolCallID: c.ID,
			Name:       c.FunctionCall.Name,
			Content:    content,
		}},
	}
}

// callKey identifies a call by tool name and arguments in canonical JSON
// (object keys sorted), so reordered keys are the same call.
func callKey(c llms.ToolCall) string {
	args := strings.TrimSpace(c.FunctionCall.Arguments)
	var v any
	if json.Unmarshal([]byte(args), &v) == nil {
		if b, err := json.Marshal(v); err == nil {
			args = string(b)
		}
	}
	return c.FunctionCall.Name + "\x00" + args
}

// repeatNote is the tool message answering a repeated call.
func repeatNote(name, earlier string) string {
	b, _ := json.Marshal(map[string]any{
		"repeated_call": true,
		"note": "You already called " + name + " with these arguments in this turn; its result is repeated here. " +
			"Do not call it again: answer the question from this result.",
		"result": rawJSON(earlier),
	})
	return string(b)
}

// collectChoices joins the text of all choices and gathers their tool calls.
// OpenAI returns one choice; Anthropic one choice per content block.
func collectChoices(resp *llms.ContentResponse) (string, []llms.ToolCall) {
	if resp == nil {
		return "", nil
	}
	var text []string
	var calls []llms.ToolCall
	for _, ch := range resp.Choices {
		if ch == nil {
			continue
		}
		if strings.TrimSpace(ch.Content) != "" {
			text = append(text, ch.Content)
		}
		for _, tc := range ch.ToolCalls {
			if tc.FunctionCall == nil {
				continue
			}
			fc := *tc.FunctionCall
			tc.FunctionCall = &fc
			if tc.Type == "" {
				tc.Type = "function"
			}
			calls = append(calls, tc)
		}
		if len(ch.ToolCalls) == 0 && ch.FuncCall != nil {
			fc := *ch.FuncCall
			calls = append(calls, llms.ToolCall{Type: "function", FunctionCall: &fc})
		}
	}
	return strings.Join(text, "\n"), calls
}

// runTool runs one tool call for role and returns its record and the text
// for the model. It never executes a tool that role was not offered.
func (s *Service) runTool(ctx context.Context, log *slog.Logger, role Role, step int, c llms.ToolCall) (ToolCall, string) {
	name := c.FunctionCall.Name
	args := strings.TrimSpace(c.FunctionCall.Arguments)
	if args == "" {
		args = "{}"
	}
	rec := ToolCall{ID: c.ID, Name: name, Arguments: rawJSON(args)}
	tl := log.With("step", step, "tool", name, "tool_call_id", c.ID)

	t, ok := s.tools[role][name]
	if !ok {
		rec.Error = fmt.Sprintf("tool %q is not available", name)
		tl.Warn("agent tool refused", "outcome", "not_offered")
		return rec, errorJSON(rec.Error, "Call only the tools listed for this conversation: "+strings.Join(s.toolNames(role), ", ")+".")
	}
	tl.Debug("agent tool arguments", "arguments", args)
	callCtx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	t0 := time.Now()
	out, err := callTool(callCtx, t, args)
	cancel()
	ms := time.Since(t0).Milliseconds()
	if err != nil {
		rec.Error = err.Error()
		tl.Warn("agent tool failed", "outcome", "error", "latency_ms", ms, "err", err)
		b, _ := json.Marshal(map[string]any{"error": rec.Error, "retryable": false})
		return rec, string(b)
	}
	rec.Result = rawJSON(out)
	outcome := "ok"
	if isErrorResult(out) {
		outcome = "tool_error_result"
	}
	tl.Info("agent tool call", "outcome", outcome, "latency_ms", ms, "result_chars", len(out))
	tl.Debug("agent tool result", "result", out)
	return rec, out
}

// callTool calls t, turning a panic into an error naming the tool.
func callTool(ctx context.Context, t Tool, args string) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tool %s panicked: %v", t.Name(), r)
		}
	}()
	out, err = t.Call(ctx, args)
	if err != nil {
		return "", fmt.Errorf("tool %s: %w", t.Name(), err)
	}
	return out, nil
}

func (s *Service) toolNames(role Role) []string {
	names := make([]string, 0, len(s.defs[role]))
	for _, d := range s.defs[role] {
		names = append(names, d.Function.Name)
	}
	return names
}

// rawJSON returns s as a JSON document: s itself when valid, else s as a JSON string.
func rawJSON(s string) json.RawMessage {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func errorJSON(msg, hint string) string {
	b, _ := json.Marshal(map[string]string{"error": msg, "hint": hint})
	return string(b)
}

func isErrorResult(out string) bool {
	var v struct {
		Error any `json:"error"`
	}
	return json.Unmarshal([]byte(out), &v) == nil && v.Error != nil
}

// clip cuts s to at most n bytes (on a rune boundary) and marks the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n[result cut at %d of %d characters]", cut, len(s))
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// tokenUsage is the token count of one or more model calls.
type tokenUsage struct{ input, output, total int }

func (u *tokenUsage) add(v tokenUsage) {
	u.input += v.input
	u.output += v.output
	u.total += v.total
}

// usageOf reads token counts from the GenerationInfo of the first choice
// that has them (OpenAI: PromptTokens/CompletionTokens/TotalTokens;
// Anthropic: InputTokens/OutputTokens).
func usageOf(resp *llms.ContentResponse) tokenUsage {
	if resp == nil {
		return tokenUsage{}
	}
	for _, ch := range resp.Choices {
		if ch == nil || ch.GenerationInfo == nil {
			continue
		}
		gi := ch.GenerationInfo
		u := tokenUsage{
			input:  firstInt(gi, "PromptTokens", "InputTokens"),
			output: firstInt(gi, "CompletionTokens", "OutputTokens"),
			total:  firstInt(gi, "TotalTokens"),
		}
		if u.total == 0 {
			u.total = u.input + u.output
		}
		if u != (tokenUsage{}) {
			return u
		}
	}
	return tokenUsage{}
}

func firstInt(m map[string]any, keys ...string) int {
	for _, k := range keys {
		switch v := m[k].(type) {
		case int:
			return v
		case int64:
			return int(v)
		case int32:
			return int(v)
		case float64:
			return int(v)
		}
	}
	return 0
}

// StallError reports a model call given up because the model produced no
// output for Wait: before its first output (FirstOutput) or between two
// streamed chunks.
type StallError struct {
	Wait        time.Duration
	FirstOutput bool
}

func (e *StallError) Error() string {
	if e.FirstOutput {
		return fmt.Sprintf("model produced no output within %s", e.Wait)
	}
	return fmt.Sprintf("model stalled: no output for %s", e.Wait)
}

// errorKind is a short description of a failed model call for the user.
func errorKind(err error) string {
	var st *StallError
	if errors.As(err, &st) {
		return st.Error()
	}
	return "the model server returned an error"
}

// errNotStreamed reports a streamed request answered without a stream.
var errNotStreamed = errors.New("model server did not stream its answer")

// streamer is implemented by models that can stream (NewModel's
// OpenAI-compatible client).
type streamer interface{ streams() bool }

// generate makes one model call. A server that fails a request with
// tool_choice "required" or streaming is asked again without them, and if
// that works, not asked with them again (llama-cpp-python's function-calling
// format accepts only "auto" and cannot stream a tool call).
func (s *Service) generate(ctx context.Context, log *slog.Logger, step int, msgs []llms.MessageContent, opts []llms.CallOption, forced bool) (*llms.ContentResponse, error) {
	st, ok := s.cfg.Model.(streamer)
	stream := ok && st.streams() && !s.cfg.DisableStreaming && !s.noStream.Load()
	required := forced && !s.noRequired.Load()
	type attempt struct{ stream, required bool }
	attempts := []attempt{{stream, required}}
	if required {
		attempts = append(attempts, attempt{stream, false})
	}
	if stream {
		attempts = append(attempts, attempt{false, required})
		if required {
			attempts = append(attempts, attempt{false, false})
		}
	}
	var resp *llms.ContentResponse
	var err error
	for i, a := range attempts {
		o := opts
		if required && !a.required {
			o = append(o[:len(o):len(o)], llms.WithToolChoice("auto"))
		}
		resp, err = s.call(ctx, msgs, o, a.stream)
		var stall *StallError
		if err == nil && i > 0 {
			if stream && !a.stream {
				s.noStream.Store(true)
				log.Warn("agent model server fails streamed requests; calling it unstreamed", "step", step,
					"call_timeout", s.cfg.CallTimeout.String())
			}
			if required && !a.required {
				s.noRequired.Store(true)
				log.Warn("agent model server rejects tool_choice required; asking in words only", "step", step)
			}
		}
		if err == nil || ctx.Err() != nil || errors.As(err, &stall) {
			return resp, err
		}
	}
	return resp, err
}

// call makes one model call bounded as Config.CallTimeout and IdleTimeout
// say; giving up cancels the request, which closes its connection.
func (s *Service) call(ctx context.Context, msgs []llms.MessageContent, opts []llms.CallOption, stream bool) (*llms.ContentResponse, error) {
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var started atomic.Bool
	timer := time.AfterFunc(s.cfg.CallTimeout, func() {
		if started.Load() {
			cancel(&StallError{Wait: s.cfg.IdleTimeout})
			return
		}
		cancel(&StallError{Wait: s.cfg.CallTimeout, FirstOutput: true})
	})
	defer timer.Stop()
	if stream {
		opts = append(opts, llms.WithStreamingFunc(func(context.Context, []byte) error {
			started.Store(true)
			timer.Reset(s.cfg.IdleTimeout)
			return nil
		}))
	}
	resp, err := s.cfg.Model.GenerateContent(callCtx, msgs, opts...)
	// A cancelled stream may come back as a partial response without an
	// error (langchaingo ends the stream quietly): a cancelled call failed.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var stall *StallError
	if cause := context.Cause(callCtx); errors.As(cause, &stall) {
		return nil, cause
	}
	if err == nil && stream && !started.Load() {
		// A server that answers a streamed request with a plain body
		// leaves langchaingo an empty response.
		return nil, errNotStreamed
	}
	return resp, err
}
