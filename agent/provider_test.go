package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/agent/agenttest"
	"github.com/tmc/langchaingo/llms"
)

func TestNewModel(t *testing.T) {
	// Environment fallbacks of langchaingo must never supply a key.
	t.Setenv("OPENAI_API_KEY", "sk-from-env")
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")

	t.Run("AnthropicWithKey", func(t *testing.T) {
		if _, err := agent.NewModel(agent.ProviderConfig{Provider: "anthropic", APIKey: "sk-ant-test", Model: "claude-test"}); err != nil {
			t.Errorf("NewModel(anthropic, key) error = %v; want nil", err)
		}
	})
	t.Run("AnthropicWithoutKey", func(t *testing.T) {
		_, err := agent.NewModel(agent.ProviderConfig{Provider: "anthropic"})
		if err == nil || !strings.Contains(err.Error(), "Anthropic API key") {
			t.Errorf("NewModel(anthropic, no key) error = %v; want one naming the Anthropic API key", err)
		}
	})
	t.Run("OpenAIWithoutKey", func(t *testing.T) {
		_, err := agent.NewModel(agent.ProviderConfig{Provider: "openai", BaseURL: "http://localhost:8000/v1"})
		if err == nil || !strings.Contains(err.Error(), "OpenAI API key") {
			t.Errorf("NewModel(openai, no key) error = %v; want one naming the OpenAI API key", err)
		}
	})
	t.Run("OllamaWithoutKey", func(t *testing.T) {
		if _, err := agent.NewModel(agent.ProviderConfig{Provider: "ollama"}); err != nil {
			t.Errorf("NewModel(ollama) error = %v; want nil", err)
		}
	})
	t.Run("Offline", func(t *testing.T) {
		offline := &fakeModel{}
		m, err := agent.NewModel(agent.ProviderConfig{Provider: "offline", Offline: offline})
		if err != nil || m != llms.Model(offline) {
			t.Errorf("NewModel(offline) = %T, %v; want the Offline model", m, err)
		}
		if _, err := agent.NewModel(agent.ProviderConfig{Provider: "offline"}); err == nil {
			t.Errorf("NewModel(offline, no Offline model) error = nil; want an error")
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		_, err := agent.NewModel(agent.ProviderConfig{Provider: "gemini"})
		var ae *agent.ArgError
		if !errors.As(err, &ae) || ae.Arg != "provider" {
			t.Errorf("NewModel(gemini) error = %v; want an ArgError for provider", err)
		}
	})
}

// TestService_Ask_Ollama checks that ollama goes through the OpenAI
// client to the /v1 endpoint with the default token.
func TestService_Ask_Ollama(t *testing.T) {
	srv := newScriptedServer(t, textReply("Hello."))
	m, err := agent.NewModel(agent.ProviderConfig{Provider: "ollama", BaseURL: srv.URL + "/v1", Model: "qwen2.5", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := agent.New(agent.Config{Model: m, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "Hi", Role: agent.RoleAnalyst})
	if err != nil || ans.Text != "Hello." {
		t.Fatalf("Ask() = %q, %v; want Hello.", ans.Text, err)
	}
	if got := srv.auth[0]; got != "Bearer ollama" {
		t.Errorf("Authorization = %q; want Bearer ollama", got)
	}
	if got := srv.Requests()[0].Model; got != "qwen2.5" {
		t.Errorf("model = %q; want qwen2.5", got)
	}
}

// TestService_Ask_Anthropic runs the loop against a scripted Messages API
// server: the reply carries text and two tool_use blocks, and the second
// request must carry both tool_use blocks and one tool_result for each.
func TestService_Ask_Anthropic(t *testing.T) {
	replies := []string{
		`{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","stop_reason":"tool_use",` +
			`"content":[{"type":"text","text":"Let me look."},` +
			`{"type":"tool_use","id":"toolu_1","name":"revenue_summary","input":{"period":"2011-Q4"}},` +
			`{"type":"tool_use","id":"toolu_2","name":"compute_roi","input":{"group_by":"channel"}}],` +
			`"usage":{"input_tokens":50,"output_tokens":10}}`,
		`{"id":"msg_2","type":"message","role":"assistant","model":"claude-test","stop_reason":"end_turn",` +
			`"content":[{"type":"text","text":"Revenue in 2011-Q4 was 100.00 GBP."}],"usage":{"input_tokens":80,"output_tokens":12}}`,
	}
	srv, requests := anthropicServer(t, replies...)
	m, err := agent.NewModel(agent.ProviderConfig{Provider: "anthropic", APIKey: "sk-ant-test", BaseURL: srv.URL + "/v1",
		Model: "claude-test", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tools, _ := agenttest.Catalog(func(name, _ string) (string, error) { return `{"tool":"` + name + `"}`, nil })
	svc, err := agent.New(agent.Config{Model: m, Tools: tools, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue and ROAS last quarter", Role: agent.RoleMarketer})
	if err != nil {
		t.Fatalf("Ask error: %v", err)
	}
	if ans.Text != "Revenue in 2011-Q4 was 100.00 GBP." || len(ans.ToolCalls) != 2 {
		t.Fatalf("Ask() = %q with %d tool calls; want the final text and 2 calls", ans.Text, len(ans.ToolCalls))
	}
	bodies, keys := requests()
	if keys[0] != "sk-ant-test" {
		t.Errorf("x-api-key = %q; want the configured key", keys[0])
	}
	if tl, _ := bodies[0]["tools"].([]any); len(tl) != 12 {
		t.Errorf("first request has %d tools; want 12", len(tl))
	}
	// Gather the content blocks of the second request by type.
	uses, results := map[string]bool{}, map[string]string{}
	msgs, _ := bodies[1]["messages"].([]any)
	for _, raw := range msgs {
		msg, _ := raw.(map[string]any)
		blocks, _ := msg["content"].([]any)
		for _, rb := range blocks {
			b, _ := rb.(map[string]any)
			switch b["type"] {
			case "tool_use":
				uses[b["id"].(string)] = true
			case "tool_result":
				id := b["tool_use_id"].(string)
				if _, dup := results[id]; dup {
					t.Errorf("two tool_result blocks for %s", id)
				}
				results[id], _ = b["content"].(string)
			}
		}
	}
	if !uses["toolu_1"] || !uses["toolu_2"] {
		t.Errorf("second request tool_use ids = %v; want toolu_1 and toolu_2", uses)
	}
	if results["toolu_1"] != `{"tool":"revenue_summary"}` || results["toolu_2"] != `{"tool":"compute_roi"}` {
		t.Errorf("second request tool results = %v; want one per tool_use", results)
	}
}

// anthropicServer is a Messages API server (POST /v1/messages) that
// answers the n-th request with replies[n] (the last one repeats);
// requests returns the JSON bodies and x-api-key headers received so far.
func anthropicServer(t *testing.T, replies ...string) (srv *httptest.Server, requests func() ([]map[string]any, []string)) {
	t.Helper()
	var (
		mu     sync.Mutex
		bodies []map[string]any
		keys   []string
	)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/messages" {
			http.Error(w, "unexpected path "+r.URL.Path, http.StatusNotFound)
			return
		}
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		mu.Lock()
		n := len(bodies)
		bodies = append(bodies, body)
		keys = append(keys, r.Header.Get("x-api-key"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, replies[min(n, len(replies)-1)])
	}))
	t.Cleanup(srv.Close)
	return srv, func() ([]map[string]any, []string) {
		mu.Lock()
		defer mu.Unlock()
		return bodies, keys
	}
}

// TestService_Ask_AnthropicGrounding: with Anthropic (whose langchaingo
// client sends no tool_choice) an answer with figures but no tool call is
// sent back once with the request in words, and the grounded answer that
// follows the tool call is shown.
func TestService_Ask_AnthropicGrounding(t *testing.T) {
	replies := []string{
		`{"id":"m1","type":"message","role":"assistant","model":"c","stop_reason":"end_turn",` +
			`"content":[{"type":"text","text":"Revenue was about £3.5 million last quarter."}],"usage":{"input_tokens":5,"output_tokens":5}}`,
		`{"id":"m2","type":"message","role":"assistant","model":"c","stop_reason":"tool_use",` +
			`"content":[{"type":"tool_use","id":"toolu_1","name":"revenue_summary","input":{"period":"2011-Q4"}}],"usage":{"input_tokens":5,"output_tokens":5}}`,
		`{"id":"m3","type":"message","role":"assistant","model":"c","stop_reason":"end_turn",` +
			`"content":[{"type":"text","text":"Revenue in 2011-Q4 was £2,164,215.43 from 6,542 orders."}],"usage":{"input_tokens":5,"output_tokens":5}}`,
	}
	srv, requests := anthropicServer(t, replies...)
	m, err := agent.NewModel(agent.ProviderConfig{Provider: "anthropic", APIKey: "k", BaseURL: srv.URL + "/v1", Model: "c", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tools, _ := agenttest.Catalog(func(string, string) (string, error) {
		return `{"period":{"from":"2011-10-01","to":"2012-01-01","label":"2011-Q4"},"revenue":2164215.43,"orders":6542}`, nil
	})
	svc, err := agent.New(agent.Config{Model: m, Tools: tools, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue last quarter?", Role: agent.RoleAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Revenue in 2011-Q4 was £2,164,215.43 from 6,542 orders."; ans.Text != want || ans.Grounding == nil ||
		ans.Grounding.Outcome != agent.GroundingShown || !ans.Grounding.Retried {
		t.Fatalf("Ask() = %q, %+v; want %q shown after a retry", ans.Text, ans.Grounding, want)
	}
	bodies, _ := requests()
	if len(bodies) != 3 {
		t.Fatalf("requests = %d; want 3", len(bodies))
	}
	msgs, _ := bodies[1]["messages"].([]any)
	last, _ := json.Marshal(msgs[len(msgs)-1])
	if !strings.Contains(string(last), "called no tool") {
		t.Errorf("retry's last message = %s; want the request for a tool call in words", last)
	}
	if _, ok := bodies[1]["tool_choice"]; ok {
		t.Logf("the Anthropic client now sends tool_choice %v", bodies[1]["tool_choice"])
	}
}
