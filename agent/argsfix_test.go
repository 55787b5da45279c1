package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/agent/agenttest"
)

// TestService_Ask_ObjectArguments checks that tool-call arguments sent as
// a JSON object instead of a JSON string reach the tool, in plain and in
// streamed replies.
func TestService_Ask_ObjectArguments(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req struct {
					Stream bool `json:"stream"`
				}
				body, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(body, &req)
				mu.Lock()
				first := n == 0
				n++
				mu.Unlock()
				var msg map[string]any
				finish := "stop"
				if first {
					finish = "tool_calls"
					msg = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
						"index": 0, "id": "call_1", "type": "function",
						"function": map[string]any{"name": "revenue_summary", "arguments": map[string]any{"period": "2011"}},
					}}}
				} else {
					msg = map[string]any{"role": "assistant", "content": "Revenue in 2011 was 42."}
				}
				if req.Stream {
					w.Header().Set("Content-Type", "text/event-stream")
					b, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "model": "m",
						"choices": []any{map[string]any{"index": 0, "delta": msg}}})
					fmt.Fprintf(w, "data: %s\n\n", b)
					b, _ = json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "model": "m",
						"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": finish}}})
					fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"id": "c", "object": "chat.completion", "model": "m",
					"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}}})
			}))
			defer srv.Close()
			m, err := agent.NewModel(agent.ProviderConfig{Provider: "openai", APIKey: "sk-test", BaseURL: srv.URL + "/v1", Model: "m", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			tools, fakes := agenttest.Catalog(func(name, input string) (string, error) {
				return `{"period":{"from":"2011-01-01","to":"2012-01-01","label":"2011"},"revenue":42}`, nil
			})
			svc, err := agent.New(agent.Config{Model: m, Tools: tools, Logger: quietLogger(), DisableStreaming: !stream})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Ask(context.Background(), agent.Question{Text: "Revenue in 2011", Role: agent.RoleAnalyst}); err != nil {
				t.Fatalf("Ask error: %v", err)
			}
			if got := fakes["revenue_summary"].Calls(); len(got) != 1 || got[0] != `{"period":"2011"}` {
				t.Errorf("revenue_summary calls = %q; want [{\"period\":\"2011\"}]", got)
			}
		})
	}
}
