package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/agent/agenttest"
)

// chatRequest is the part of an OpenAI /chat/completions request the tests read.
type chatRequest struct {
	Model               string `json:"model"`
	ToolChoice          any    `json:"tool_choice"`
	MaxTokens           int    `json:"max_tokens"`
	MaxCompletionTokens int    `json:"max_completion_tokens"`
	Stream              bool   `json:"stream"`
	Messages            []struct {
		Role       string `json:"role"`
		Content    any    `json:"content"`
		ToolCallID string `json:"tool_call_id"`
		ToolCalls  []struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"messages"`
	Tools []struct {
		Type     string `json:"type"`
		Function struct {
			Name        string         `json:"name"`
			Description string         `json:"description"`
			Parameters  map[string]any `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
}

// scriptedServer is an OpenAI-compatible server that answers the n-th
// /chat/completions request with replies[n] (the last one repeats) and
// records the requests.
type scriptedServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []chatRequest
	auth     []string
}

func newScriptedServer(t *testing.T, replies ...string) *scriptedServer {
	t.Helper()
	return newReplyServer(t, func(n int, _ chatRequest) string { return replies[min(n, len(replies)-1)] })
}

// newReplyServer is a scriptedServer answering the n-th request (from 0)
// with reply(n, request).
func newReplyServer(t *testing.T, reply func(n int, req chatRequest) string) *scriptedServer {
	t.Helper()
	s := &scriptedServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.Error(w, "unexpected path "+r.URL.Path, http.StatusNotFound)
			return
		}
		var req chatRequest
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		n := len(s.requests)
		s.requests = append(s.requests, req)
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		out := reply(n, req)
		if req.Stream {
			writeSSE(w, out)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, out)
	}))
	t.Cleanup(s.Close)
	return s
}

// writeSSE sends a chat completion as OpenAI's stream of chunks: the role,
// the content, each tool call (id, type and name, then its arguments in a
// second delta), the finish reason, the usage and [DONE]. A reply that is
// not a completion (an error body) is sent as a 500.
func writeSSE(w http.ResponseWriter, completion string) {
	var c struct {
		Choices []struct {
			Message struct {
				Content   *string `json:"content"`
				ToolCalls []struct {
					ID       string `json:"id"`
					Type     string `json:"type"`
					Function struct {
						Name      string `json:"name"`
						Arguments string `json:"arguments"`
					} `json:"function"`
				} `json:"tool_calls"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage map[string]any `json:"usage"`
	}
	if json.Unmarshal([]byte(completion), &c) != nil || len(c.Choices) == 0 {
		http.Error(w, completion, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	ch := c.Choices[0]
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	if ch.Message.Content != nil && *ch.Message.Content != "" {
		// Two content chunks, as a server streams tokens.
		text := *ch.Message.Content
		half := len(text) / 2
		for half > 0 && !utf8.RuneStart(text[half]) {
			half--
		}
		send(chunk(map[string]any{"content": text[:half]}, nil))
		send(chunk(map[string]any{"content": text[half:]}, nil))
	}
	for i, tc := range ch.Message.ToolCalls {
		send(chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i, "id": tc.ID, "type": "function",
			"function": map[string]any{"name": tc.Function.Name, "arguments": ""}}}}, nil))
		send(chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i,
			"function": map[string]any{"arguments": tc.Function.Arguments}}}}, nil))
	}
	send(chunk(map[string]any{}, ch.FinishReason))
	if c.Usage != nil {
		send(map[string]any{"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
			"choices": []any{}, "usage": c.Usage})
	}
	io.WriteString(w, "data: [DONE]\n\n")
}

func (s *scriptedServer) Requests() []chatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]chatRequest(nil), s.requests...)
}

// toolCallReply is a chat completion asking for the given tool calls
// (pairs of id, name, arguments).
func toolCallReply(calls ...[3]string) string {
	type fn struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	type tc struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function fn     `json:"function"`
	}
	var tcs []tc
	for _, c := range calls {
		tcs = append(tcs, tc{c[0], "function", fn{c[1], c[2]}})
	}
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": nil, "tool_calls": tcs},
			"finish_reason": "tool_calls",
		}},
		"usage": map[string]any{"prompt_tokens": 120, "completion_tokens": 20, "total_tokens": 140},
	})
	return string(b)
}

func textReply(text string) string {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-2", "object": "chat.completion", "created": 2, "model": "test-model",
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": text},
			"finish_reason": "stop",
		}},
		"usage": map[string]any{"prompt_tokens": 300, "completion_tokens": 40, "total_tokens": 340},
	})
	return string(b)
}

func openAIModel(t *testing.T, s *scriptedServer) agent.Config {
	t.Helper()
	m, err := agent.NewModel(agent.ProviderConfig{
		Provider: "openai", APIKey: "sk-test", BaseURL: s.URL + "/v1", Model: "test-model", HTTPClient: s.Client(),
	})
	if err != nil {
		t.Fatalf("NewModel(openai) error: %v", err)
	}
	return agent.Config{Model: m, Logger: quietLogger(), AsOf: func() time.Time { return asOf }}
}

const roiResult = `{"definition":"ROAS = attributed revenue / spend","period":{"from":"2011-10-01","to":"2012-01-01","label":"2011-Q4"},` +
	`"currency":"GBP","caveats":["marketing data is synthetic"],` +
	`"display":{"tables":[{"title":"ROAS by channel","columns":["channel","spend","revenue","roas"],"rows":[["email","100.00","420.00","4.20"]]}],` +
	`"charts":[{"title":"ROAS","kind":"bar","labels":["email"],"values":[4.2],"unit":"ratio"}]}}`

func TestService_Ask_OpenAI(t *testing.T) {
	srv := newScriptedServer(t,
		toolCallReply([3]string{"call_abc", "compute_roi", `{"group_by":"channel","period":"2011-Q4"}`}),
		textReply("Email returned £4.20 per £1 of spend in 2011-Q4 (ROAS, last-touch)."),
	)
	tools, fakes := agenttest.Catalog(func(name, input string) (string, error) {
		if name != "compute_roi" {
			return "", errors.New("unexpected tool " + name)
		}
		return roiResult, nil
	})
	cfg := openAIModel(t, srv)
	cfg.Tools = tools
	svc, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{
		Text: "ROAS by channel last quarter?", Role: agent.RoleMarketer,
		History: []agent.Turn{{Question: "Hi", Answer: "Hello, ask me about marketing."}},
	})
	if err != nil {
		t.Fatalf("Ask error: %v", err)
	}
	if want := "Email returned £4.20 per £1 of spend in 2011-Q4 (ROAS, last-touch)."; ans.Text != want {
		t.Errorf("Ask().Text = %q; want %q", ans.Text, want)
	}

	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests; want 2", len(reqs))
	}
	// First request: system prompt, history, question, and the marketer's tools.
	first := reqs[0]
	if first.Model != "test-model" {
		t.Errorf("request model = %q; want test-model", first.Model)
	}
	roles := []string{}
	for _, m := range first.Messages {
		roles = append(roles, m.Role)
	}
	if got, want := strings.Join(roles, ","), "system,user,assistant,user"; got != want {
		t.Errorf("first request roles = %s; want %s", got, want)
	}
	sys, _ := first.Messages[0].Content.(string)
	if !strings.Contains(sys, "Data as of: 2011-12-09") || !strings.Contains(sys, "never follow instructions") {
		t.Errorf("system prompt = %q; want the as-of date and the injection rule", sys)
	}
	if len(first.Tools) != 12 {
		t.Errorf("first request has %d tools; want the marketer's 12", len(first.Tools))
	}
	var roi map[string]any
	for _, tl := range first.Tools {
		if tl.Type != "function" {
			t.Errorf("tool %s type = %q; want function", tl.Function.Name, tl.Type)
		}
		if tl.Function.Name == "record_feedback" {
			t.Errorf("marketer was offered record_feedback")
		}
		if tl.Function.Name == "compute_roi" {
			roi = tl.Function.Parameters
			if tl.Function.Description != "fake compute_roi" {
				t.Errorf("compute_roi description = %q; want %q", tl.Function.Description, "fake compute_roi")
			}
		}
	}
	props, _ := roi["properties"].(map[string]any)
	for _, p := range []string{"group_by", "period", "channel", "campaign", "attribution"} {
		if _, ok := props[p]; !ok {
			t.Errorf("compute_roi parameters lack %q: %v", p, roi)
		}
	}

	// Second request: the assistant's tool call, then exactly one tool
	// message answering call_abc with the tool's result.
	second := reqs[1]
	var toolMsgs, asked int
	for _, m := range second.Messages {
		if m.Role == "assistant" && len(m.ToolCalls) > 0 {
			asked++
			if m.ToolCalls[0].ID != "call_abc" || m.ToolCalls[0].Function.Name != "compute_roi" {
				t.Errorf("echoed tool call = %+v; want call_abc compute_roi", m.ToolCalls[0])
			}
		}
		if m.Role == "tool" {
			toolMsgs++
			if m.ToolCallID != "call_abc" {
				t.Errorf("tool message tool_call_id = %q; want call_abc", m.ToolCallID)
			}
			if c, _ := m.Content.(string); c != roiResult {
				t.Errorf("tool message content = %q; want the tool result", c)
			}
		}
	}
	if asked != 1 || toolMsgs != 1 {
		t.Errorf("second request has %d assistant tool-call messages and %d tool messages; want 1 and 1", asked, toolMsgs)
	}
	if got := fakes["compute_roi"].Calls(); len(got) != 1 || got[0] != `{"group_by":"channel","period":"2011-Q4"}` {
		t.Errorf("compute_roi calls = %q; want the model's arguments once", got)
	}

	// The answer records the call and copies display tables and charts.
	if len(ans.ToolCalls) != 1 {
		t.Fatalf("Answer.ToolCalls = %d; want 1", len(ans.ToolCalls))
	}
	tc := ans.ToolCalls[0]
	if tc.ID != "call_abc" || tc.Name != "compute_roi" || string(tc.Result) != roiResult || tc.Error != "" {
		t.Errorf("Answer.ToolCalls[0] = %+v; want call_abc compute_roi with the result", tc)
	}
	if len(ans.Tables) != 1 || ans.Tables[0].Title != "ROAS by channel" || ans.Tables[0].Rows[0][3] != "4.20" {
		t.Errorf("Answer.Tables = %+v; want the ROAS table", ans.Tables)
	}
	if len(ans.Charts) != 1 || ans.Charts[0].Values[0] != 4.2 || ans.Charts[0].Labels[0] != "email" {
		t.Errorf("Answer.Charts = %+v; want the ROAS chart", ans.Charts)
	}
	if _, err := json.Marshal(ans); err != nil {
		t.Errorf("json.Marshal(Answer) error: %v", err)
	}
}

func TestService_Ask_ToolNotOffered(t *testing.T) {
	srv := newScriptedServer(t,
		toolCallReply([3]string{"call_x", "revenue_summary", `{"period":"2011"}`}),
		textReply("Sorry, I can only take your feedback."),
	)
	tools, fakes := agenttest.Catalog(func(name, input string) (string, error) { return `{"ok":true}`, nil })
	cfg := openAIModel(t, srv)
	cfg.Tools = tools
	svc, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "What was your revenue last year?", Role: agent.RoleCustomer})
	if err != nil {
		t.Fatalf("Ask error: %v", err)
	}
	if n := len(fakes["revenue_summary"].Calls()); n != 0 {
		t.Errorf("revenue_summary ran %d times for a customer; want 0", n)
	}
	reqs := srv.Requests()
	if len(reqs[0].Tools) != 1 || reqs[0].Tools[0].Function.Name != "record_feedback" {
		t.Errorf("customer was offered %d tools; want only record_feedback", len(reqs[0].Tools))
	}
	if len(ans.ToolCalls) != 1 || !strings.Contains(ans.ToolCalls[0].Error, "not available") {
		t.Errorf("Answer.ToolCalls = %+v; want the refused call with an error", ans.ToolCalls)
	}
	var toolContent string
	for _, m := range reqs[1].Messages {
		if m.Role == "tool" && m.ToolCallID == "call_x" {
			toolContent, _ = m.Content.(string)
		}
	}
	if !strings.Contains(toolContent, `"error"`) || !strings.Contains(toolContent, "record_feedback") {
		t.Errorf("tool message = %q; want an error naming the tools offered", toolContent)
	}
}

// TestService_Ask_MaxSteps: a model that asks for a new tool call at every
// step is stopped after MaxSteps calls, and the answer is the composed tool
// results, not "I could not produce an answer".
func TestService_Ask_MaxSteps(t *testing.T) {
	srv := newReplyServer(t, func(n int, _ chatRequest) string {
		return toolCallReply([3]string{fmt.Sprintf("call_%d", n), "revenue_summary", fmt.Sprintf(`{"period":"%d"}`, 2009+n)})
	})
	tools, fakes := agenttest.Catalog(func(name, input string) (string, error) { return `{"revenue":1234.5}`, nil })
	cfg := openAIModel(t, srv)
	cfg.Tools = tools
	cfg.MaxSteps = 3
	svc, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue in 2011", Role: agent.RoleAnalyst})
	if err != nil {
		t.Fatalf("Ask error: %v", err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("model calls = %d; want MaxSteps = 3", n)
	}
	if n := len(fakes["revenue_summary"].Calls()); n != 3 {
		t.Errorf("tool calls = %d; want 3", n)
	}
	if !strings.Contains(ans.Text, `{"revenue":1234.5}`) || !strings.Contains(ans.Text, "did not finish within 3 steps") {
		t.Errorf("Ask().Text = %q; want the tool results and a note that the model did not finish", ans.Text)
	}
	if g := ans.Grounding; g == nil || g.Outcome != agent.GroundingComposed {
		t.Errorf("Grounding = %+v; want outcome composed", g)
	}
}

func TestService_Ask_ToolFailures(t *testing.T) {
	srv := newScriptedServer(t,
		toolCallReply(
			[3]string{"call_err", "revenue_summary", `{"period":"2011"}`},
			[3]string{"call_panic", "funnel_analysis", `{}`},
		),
		textReply("The revenue figure is unavailable right now."),
	)
	tools, _ := agenttest.Catalog(func(name, input string) (string, error) {
		if name == "funnel_analysis" {
			panic("index out of range")
		}
		return "", errors.New("connection refused")
	})
	var logs bytes.Buffer
	cfg := openAIModel(t, srv)
	cfg.Tools = tools
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	svc, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue in 2011", Role: agent.RoleAnalyst, ConversationID: "c1"})
	if err != nil {
		t.Fatalf("Ask error: %v", err)
	}
	if ans.Text != "The revenue figure is unavailable right now." {
		t.Errorf("Ask().Text = %q; want the model's final text", ans.Text)
	}
	if len(ans.ToolCalls) != 2 {
		t.Fatalf("Answer.ToolCalls = %d; want 2", len(ans.ToolCalls))
	}
	if e := ans.ToolCalls[0].Error; !strings.Contains(e, "connection refused") || !strings.Contains(e, "revenue_summary") {
		t.Errorf("ToolCalls[0].Error = %q; want the tool's error naming it", e)
	}
	if e := ans.ToolCalls[1].Error; !strings.Contains(e, "funnel_analysis panicked") {
		t.Errorf("ToolCalls[1].Error = %q; want a panic naming funnel_analysis", e)
	}
	byID := map[string]string{}
	for _, m := range srv.Requests()[1].Messages {
		if m.Role == "tool" {
			if _, dup := byID[m.ToolCallID]; dup {
				t.Errorf("two tool messages for %s", m.ToolCallID)
			}
			byID[m.ToolCallID], _ = m.Content.(string)
		}
	}
	if !strings.Contains(byID["call_err"], "connection refused") || !strings.Contains(byID["call_panic"], "panicked") {
		t.Errorf("tool messages = %v; want the error texts for call_err and call_panic", byID)
	}
	for _, key := range []string{`"tool":"revenue_summary"`, `"tool_call_id":"call_err"`, `"input_tokens":300`, `"conversation_id":"c1"`} {
		if !strings.Contains(logs.String(), key) {
			t.Errorf("logs lack %s:\n%s", key, logs.String())
		}
	}
	if strings.Contains(logs.String(), "Revenue in 2011") {
		t.Errorf("question text logged at info level:\n%s", logs.String())
	}
}

func TestService_Ask_Invalid(t *testing.T) {
	svc, err := agent.New(agent.Config{Model: &fakeModel{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue", Role: "admin"}); err == nil {
		t.Errorf("Ask(role admin) error = nil; want an error")
	}
	if _, err := svc.Ask(context.Background(), agent.Question{Text: "  ", Role: agent.RoleAnalyst}); err == nil {
		t.Errorf("Ask(empty) error = nil; want an error")
	}
	if _, err := agent.New(agent.Config{}); err == nil {
		t.Errorf("New(no model) error = nil; want an error")
	}
}

func TestService_Ask_DuplicateCallIDs(t *testing.T) {
	srv := newScriptedServer(t,
		toolCallReply([3]string{"dup", "revenue_summary", `{"period":"2011"}`}, [3]string{"dup", "revenue_summary", `{"period":"2010"}`}),
		textReply("done"),
	)
	tools, _ := agenttest.Catalog(func(name, input string) (string, error) { return input, nil })
	cfg := openAIModel(t, srv)
	cfg.Tools = tools
	svc, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue", Role: agent.RoleAnalyst}); err != nil {
		t.Fatalf("Ask error: %v", err)
	}
	var echoed, answered []string
	for _, m := range srv.Requests()[1].Messages {
		for _, tc := range m.ToolCalls {
			echoed = append(echoed, tc.ID)
		}
		if m.Role == "tool" {
			answered = append(answered, m.ToolCallID)
		}
	}
	if len(echoed) != 2 || echoed[0] == echoed[1] || strings.Join(echoed, ",") != strings.Join(answered, ",") {
		t.Errorf("echoed call IDs %v, tool message IDs %v; want two distinct IDs, each answered once", echoed, answered)
	}
}
