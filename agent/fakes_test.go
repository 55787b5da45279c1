package agent_test

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/tmc/langchaingo/llms"
)

// fakeModel is a hand-written llms.Model that answers every call with Text.
type fakeModel struct{ Text string }

func (m *fakeModel) GenerateContent(context.Context, []llms.MessageContent, ...llms.CallOption) (*llms.ContentResponse, error) {
	return &llms.ContentResponse{Choices: []*llms.ContentChoice{{Content: m.Text}}}, nil
}

func (m *fakeModel) Call(ctx context.Context, prompt string, opts ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, m, prompt, opts...)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// asOf is the data's as-of date of the tests: the last order of Online Retail.
var asOf = time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)
