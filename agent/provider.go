package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/openai"
)

// Providers accepted by NewModel.
const (
	ProviderOffline   = "offline"
	ProviderOpenAI    = "openai"
	ProviderAnthropic = "anthropic"
	ProviderOllama    = "ollama"
)

// Default endpoints and models used when ProviderConfig leaves them empty.
const (
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultOpenAIModel      = "gpt-4o-mini"
	DefaultAnthropicBaseURL = "https://api.anthropic.com/v1"
	DefaultAnthropicModel   = "claude-3-5-haiku-latest"
	DefaultOllamaBaseURL    = "http://localhost:11434/v1"
	DefaultOllamaModel      = "llama3.1"
)

// ProviderConfig selects and configures an LLM provider. Every value is
// passed explicitly to langchaingo; its environment fallbacks
// (OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENAI_BASE_URL, …) are never used.
type ProviderConfig struct {
	// Provider is "offline", "openai", "anthropic" or "ollama".
	Provider string
	// APIKey is required for openai and anthropic; ollama ignores it
	// unless set (default token "ollama").
	APIKey string
	// BaseURL overrides the endpoint. For openai it may point at any
	// OpenAI-compatible server (vLLM, llama.cpp, LM Studio), e.g.
	// "http://localhost:8000/v1".
	BaseURL string
	// Model is the provider's model name; empty picks the Default…Model.
	Model string
	// HTTPClient, when set, carries the requests (timeouts, proxies, tests).
	HTTPClient *http.Client
	// Offline is the model of provider "offline": the planner package's
	// deterministic Planner, which cmd builds (agent knows no tool, so it
	// cannot build the planner itself).
	Offline llms.Model
}

// NewModel returns the llms.Model for p: p.Offline (the offline planner), an OpenAI
// client, an Anthropic client, or Ollama's OpenAI-compatible /v1 endpoint
// through the OpenAI client (langchaingo's own Ollama client drops tools).
// It fails for an unknown provider and names a missing API key.
func NewModel(p ProviderConfig) (llms.Model, error) {
	switch strings.ToLower(strings.TrimSpace(p.Provider)) {
	case ProviderOffline:
		if p.Offline == nil {
			return nil, errors.New("new model offline: no offline model given (cmd passes planner.New)")
		}
		return p.Offline, nil
	case ProviderOpenAI:
		if p.APIKey == "" {
			return nil, errors.New("new model openai: API key is empty (set the OpenAI API key)")
		}
		return newOpenAI(p.APIKey, or(p.BaseURL, DefaultOpenAIBaseURL), or(p.Model, DefaultOpenAIModel), p.HTTPClient)
	case ProviderOllama:
		return newOpenAI(or(p.APIKey, "ollama"), or(p.BaseURL, DefaultOllamaBaseURL), or(p.Model, DefaultOllamaModel), p.HTTPClient)
	case ProviderAnthropic:
		if p.APIKey == "" {
			return nil, errors.New("new model anthropic: API key is empty (set the Anthropic API key)")
		}
		opts := []anthropic.Option{
			anthropic.WithToken(p.APIKey),
			anthropic.WithModel(or(p.Model, DefaultAnthropicModel)),
			anthropic.WithBaseURL(strings.TrimRight(or(p.BaseURL, DefaultAnthropicBaseURL), "/")),
		}
		opts = append(opts, anthropic.WithHTTPClient(resending(p.HTTPClient)))
		m, err := anthropic.New(opts...)
		if err != nil {
			return nil, fmt.Errorf("new model anthropic: %w", err)
		}
		return anthropicModel{m}, nil
	}
	return nil, &ArgError{Arg: "provider", Value: p.Provider, Want: "offline, openai, anthropic or ollama"}
}

func newOpenAI(token, baseURL, model string, hc *http.Client) (llms.Model, error) {
	opts := []openai.Option{
		openai.WithToken(token),
		openai.WithBaseURL(strings.TrimRight(baseURL, "/")),
		openai.WithModel(model),
		openai.WithOrganization(""),
	}
	// Arguments sent as a JSON object instead of a string are accepted
	// (argsfix.go); a dropped connection is resent once (resending).
	opts = append(opts, openai.WithHTTPClient(withArgsTransport(resending(hc))))
	m, err := openai.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("new model openai: %w", err)
	}
	// OpenAI's own API takes max_completion_tokens (and reasoning models
	// reject max_tokens); OpenAI-compatible servers (llama.cpp, vLLM,
	// Ollama) read only max_tokens and would ignore the newer field.
	legacy := strings.TrimRight(baseURL, "/") != DefaultOpenAIBaseURL
	return openAIModel{LLM: m, legacyMaxTokens: legacy}, nil
}

// openAIModel is langchaingo's OpenAI client sending the token bound in the
// field its server reads.
type openAIModel struct {
	*openai.LLM
	legacyMaxTokens bool
}

// GenerateContent implements llms.Model.
func (m openAIModel) GenerateContent(ctx context.Context, msgs []llms.MessageContent, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	if m.legacyMaxTokens {
		opts = append(opts, openai.WithLegacyMaxTokensField())
	}
	return m.LLM.GenerateContent(ctx, msgs, opts...)
}

// streams reports that the client can stream (langchaingo assembles
// OpenAI-style tool-call deltas).
func (openAIModel) streams() bool { return true }

// Call implements llms.Model.
func (m openAIModel) Call(ctx context.Context, prompt string, opts ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, m, prompt, opts...)
}

// resending returns a copy of hc (nil: a client with the default
// transport) whose transport sends a request again, once, on a new
// connection when the connection failed before any response arrived. A
// server that drops a connection it keeps alive (llama-cpp-python's does
// after an exception in a streamed response) otherwise fails the next
// request with "failed to reach API server": Go does not resend a POST.
// A chat or embedding request has no effect to repeat.
func resending(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = resendTransport{base}
	return c
}

type resendTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t resendTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil || req.Context().Err() != nil || (req.Body != nil && req.GetBody == nil) {
		return resp, err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return resp, err
	}
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		body, gerr := req.GetBody()
		if gerr != nil {
			return resp, err
		}
		again.Body = body
	}
	return t.base.RoundTrip(again)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// anthropicModel adapts langchaingo's Anthropic client, which sends only
// the first part of an assistant message (so text followed by tool calls,
// or several tool calls, lose all but one part). It splits such a message
// into consecutive assistant messages of one part each; the Messages API
// joins consecutive same-role turns, so the request keeps every tool_use.
type anthropicModel struct{ *anthropic.LLM }

// GenerateContent implements llms.Model.
func (m anthropicModel) GenerateContent(ctx context.Context, msgs []llms.MessageContent, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	split := make([]llms.MessageContent, 0, len(msgs))
	for _, mc := range msgs {
		if mc.Role != llms.ChatMessageTypeAI || len(mc.Parts) <= 1 {
			split = append(split, mc)
			continue
		}
		for _, p := range mc.Parts {
			split = append(split, llms.MessageContent{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{p}})
		}
	}
	return m.LLM.GenerateContent(ctx, split, opts...)
}

// Call implements llms.Model.
func (m anthropicModel) Call(ctx context.Context, prompt string, opts ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, m, prompt, opts...)
}
