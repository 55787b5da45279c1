package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// writeCompletion answers a scripted /chat/completions request with
// completion (a chat.completion JSON body), or, for a streamed request,
// with the same completion as OpenAI's stream of chunks: the role, the
// content, each tool call, the finish reason and [DONE].
func writeCompletion(w http.ResponseWriter, stream bool, completion string) {
	var c struct {
		Choices []struct {
			Message struct {
				Content   *string           `json:"content"`
				ToolCalls []json.RawMessage `json:"tool_calls"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
	}
	if !stream || json.Unmarshal([]byte(completion), &c) != nil || len(c.Choices) == 0 {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, completion)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	send := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	ch := c.Choices[0]
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	if ch.Message.Content != nil && *ch.Message.Content != "" {
		send(map[string]any{"content": *ch.Message.Content}, nil)
	}
	for i, tc := range ch.Message.ToolCalls {
		var call map[string]any
		json.Unmarshal(tc, &call)
		call["index"] = i
		send(map[string]any{"tool_calls": []any{call}}, nil)
	}
	send(map[string]any{}, ch.FinishReason)
	io.WriteString(w, "data: [DONE]\n\n")
}
