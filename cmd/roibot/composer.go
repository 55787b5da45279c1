package main

import (
	"context"
	"errors"
	"strings"

	"github.com/tmc/langchaingo/llms"

	"github.com/roibot/roibot/agent"
)

// modelComposer is the agent.Composer roibot wires: the offline planner,
// which answers a transcript ending in tool results with its composed
// answer (figures copied from the results, definitions, periods, caveats).
type modelComposer struct{ model llms.Model }

func newComposer(p agent.ProviderConfig) (modelComposer, error) {
	m, err := agent.NewModel(p)
	if err != nil {
		return modelComposer{}, err
	}
	return modelComposer{model: m}, nil
}

// Compose implements agent.Composer: the question, one assistant message
// calling each tool, and the results.
func (c modelComposer) Compose(ctx context.Context, question string, results []llms.ToolCallResponse) (string, error) {
	ai := llms.MessageContent{Role: llms.ChatMessageTypeAI}
	msgs := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, question)}
	var tools []llms.MessageContent
	for _, r := range results {
		ai.Parts = append(ai.Parts, llms.ToolCall{ID: r.ToolCallID, Type: "function",
			FunctionCall: &llms.FunctionCall{Name: r.Name, Arguments: "{}"}})
		tools = append(tools, llms.MessageContent{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{r}})
	}
	msgs = append(append(msgs, ai), tools...)
	resp, err := c.model.GenerateContent(ctx, msgs)
	if err != nil {
		return "", err
	}
	if resp == nil || len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Content) == "" {
		return "", errors.New("composer: empty answer")
	}
	return resp.Choices[0].Content, nil
}
