package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultMaxSteps       = 6
	DefaultCallTimeout    = 300 * time.Second
	DefaultMaxTokens      = 512
	DefaultHistoryTurns   = 6
	DefaultHistoryChars   = 8000
	DefaultMaxResultChars = 24000
)

// Config configures a Service.
type Config struct {
	// Model answers and chooses tools: a provider from NewModel or a Planner.
	Model llms.Model
	// Tools lists the tools offered per role. A role absent from the map
	// gets no tools; customers should get only the feedback tools.
	Tools map[Role][]Tool
	// MaxSteps bounds the model calls per question (default 6). When the
	// model still asks for tools after MaxSteps calls, Ask answers that it
	// could not finish.
	MaxSteps int
	// CallTimeout bounds each model call and each tool call (default
	// 300s: a small model on a CPU needed 106-208 s for the first call with
	// the full tool prompt of ~4,400 tokens, see docs/llm.md).
	CallTimeout time.Duration
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
// Tool failures do not fail Ask: they go back to the model as text and are
// recorded in Answer.ToolCalls. Ask returns an error for an invalid role or
// empty question, a failed model call or a cancelled ctx; the Answer then
// still holds the tool calls made so far.
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

	opts := []llms.CallOption{llms.WithMaxTokens(s.cfg.MaxTokens)}
	if defs := s.defs[q.Role]; len(defs) > 0 {
		// tool_choice "auto" on every request with tools: without it some
		// servers (llama-cpp-python's function-calling chat formats) leave
		// the tools out of the prompt and the model answers from nothing.
		opts = append(opts, llms.WithTools(defs), llms.WithToolChoice("auto"))
	}
	var usage tokenUsage
	for step := 1; step <= s.cfg.MaxSteps; step++ {
		if err := ctx.Err(); err != nil {
			return ans, fmt.Errorf("ask step %d: %w", step, err)
		}
		callCtx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
		t0 := time.Now()
		resp, err := s.cfg.Model.GenerateContent(callCtx, msgs, opts...)
		cancel()
		if err != nil {
			log.Warn("agent model call failed", "step", step, "latency_ms", time.Since(t0).Milliseconds(), "err", err)
			return ans, fmt.Errorf("ask step %d: generate content: %w", step, err)
		}
		text, calls := collectChoices(resp)
		u := usageOf(resp)
		usage.add(u)
		log.Info("agent iteration", "step", step, "tool_calls", len(calls),
			"latency_ms", time.Since(t0).Milliseconds(),
			"input_tokens", u.input, "output_tokens", u.output, "total_tokens", u.total)

		if len(calls) == 0 {
			ans.Text = strings.TrimSpace(text)
			if ans.Text == "" {
				ans.Text = "I could not produce an answer to that. Please rephrase the question."
			}
			log.Info("agent answered", "steps", step, "tool_calls", len(ans.ToolCalls),
				"latency_ms", time.Since(start).Milliseconds(),
				"input_tokens", usage.input, "output_tokens", usage.output, "total_tokens", usage.total)
			log.Debug("agent answer", "text", ans.Text)
			return ans, nil
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
		for _, c := range calls {
			rec, content := s.runTool(ctx, log, q.Role, step, c)
			ans.ToolCalls = append(ans.ToolCalls, rec)
			if rec.Error == "" {
				tables, charts := displayOf(rec.Result)
				ans.Tables = append(ans.Tables, tables...)
				ans.Charts = append(ans.Charts, charts...)
			}
			msgs = append(msgs, llms.MessageContent{
				Role: llms.ChatMessageTypeTool,
				Parts: []llms.ContentPart{llms.ToolCallResponse{
					ToolCallID: c.ID,
					Name:       c.FunctionCall.Name,
					Content:    clip(content, s.cfg.MaxResultChars),
				}},
			})
		}
	}
	log.Warn("agent step limit reached", "max_steps", s.cfg.MaxSteps, "tool_calls", len(ans.ToolCalls),
		"latency_ms", time.Since(start).Milliseconds(),
		"input_tokens", usage.input, "output_tokens", usage.output, "total_tokens", usage.total)
	ans.Text = fmt.Sprintf("I could not finish answering this within %d steps, so I have no reliable answer. "+
		"Please ask a narrower question (one metric, one period).", s.cfg.MaxSteps)
	return ans, nil
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
