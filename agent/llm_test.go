package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/roibot/roibot/agent"
)

// toolsIgnoredWithoutChoice answers like llama-cpp-python's
// function-calling chat formats: without tool_choice the tools are left
// out of the prompt and the model invents an answer; with "auto" it calls
// compute_roi, then answers from its result.
func toolsIgnoredWithoutChoice(n int, req chatRequest) string {
	if req.ToolChoice != "auto" {
		return textReply("The ROI by channel in Q4 2011 was $3.56 billion.")
	}
	for _, m := range req.Messages {
		if m.Role == "tool" {
			return textReply("Email's ROAS was 4.20 in 2011-Q4 (spend £100.00, revenue £420.00).")
		}
	}
	return toolCallReply([3]string{"call_1", "compute_roi", `{"group_by":"channel","period":"2011-Q4"}`})
}

// TestService_Ask_ToolChoiceAuto: every request with tools carries
// tool_choice "auto" and max_tokens, so a server that ignores tools
// without tool_choice calls them.
func TestService_Ask_ToolChoiceAuto(t *testing.T) {
	srv := newReplyServer(t, toolsIgnoredWithoutChoice)
	tools, fakes := catalog(func(name, input string) (string, error) {
		if name != "compute_roi" {
			return "", errors.New("unexpected tool " + name)
		}
		return roiResult, nil
	})
	cfg := openAIModel(t, srv)
	cfg.Tools = tools
	cfg.MaxTokens = 300
	svc, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: "ROI by channel last quarter?", Role: agent.RoleMarketer})
	if err != nil {
		t.Fatalf("Ask error: %v", err)
	}
	if n := len(fakes["compute_roi"].Calls()); n != 1 {
		t.Errorf("compute_roi ran %d times; want 1", n)
	}
	if want := "Email's ROAS was 4.20 in 2011-Q4 (spend £100.00, revenue £420.00)."; ans.Text != want {
		t.Errorf("Ask().Text = %q; want %q", ans.Text, want)
	}
	for i, r := range srv.Requests() {
		if r.ToolChoice != "auto" {
			t.Errorf("request %d tool_choice = %v; want auto", i, r.ToolChoice)
		}
		// A local OpenAI-compatible server reads max_tokens only.
		if r.MaxTokens != 300 || r.MaxCompletionTokens != 0 {
			t.Errorf("request %d max_tokens = %d, max_completion_tokens = %d; want 300 and unset", i, r.MaxTokens, r.MaxCompletionTokens)
		}
	}
	if strings.Contains(ans.Text, "billion") {
		t.Errorf("answer %q carries the invented figure", ans.Text)
	}
}
