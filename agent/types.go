package agent

import (
	"context"
	"encoding/json"

	"github.com/tmc/langchaingo/llms"
)

// Role is who is asking; it decides which tools the agent may call.
type Role string

// Roles. Customers reach only the feedback tools.
const (
	RoleMarketer Role = "marketer"
	RoleAnalyst  Role = "analyst"
	RoleCustomer Role = "customer"
)

// ParseRole returns the Role named by s, or an error naming the value.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleMarketer, RoleAnalyst, RoleCustomer:
		return r, nil
	}
	return "", &ArgError{Arg: "role", Value: s, Want: "marketer, analyst or customer"}
}

// ArgError reports an invalid argument value.
type ArgError struct{ Arg, Value, Want string }

func (e *ArgError) Error() string {
	return "invalid " + e.Arg + " " + quote(e.Value) + ": want " + e.Want
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// Tool is what the agent needs from a tool: langchaingo's tools.Tool contract
// (Name, Description, Call) plus the JSON Schema of its arguments, which is
// sent to the model as the function's parameters.
//
// Call receives the arguments as a JSON object and returns the result as a
// JSON document. Problems the model can fix (bad arguments, no data) come
// back as text with a nil error; infrastructure failures as errors.
type Tool interface {
	Name() string
	Description() string
	Call(ctx context.Context, input string) (string, error)
	Parameters() map[string]any
}

// Question is one user turn.
type Question struct {
	Text string
	Role Role
	// ConversationID identifies the thread or chat session; Ask passes it
	// to tools in their context (see ConversationIDFrom).
	ConversationID string
	// History holds earlier turns of the same conversation, oldest first.
	History []Turn
}

// Turn is one finished question/answer exchange kept as conversation memory.
type Turn struct {
	Question  string     `json:"question"`
	Answer    string     `json:"answer"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
}

// ToolCall is one call the agent made, with its result or error.
// Arguments and Result are JSON documents.
type ToolCall struct {
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     string          `json:"error,omitempty"`
}

// Answer is the agent's reply to a Question.
type Answer struct {
	// Text is the answer in plain words (light Markdown), stating the
	// definition, period and caveats of every figure it gives.
	Text      string     `json:"answer"`
	ToolCalls []ToolCall `json:"tool_calls"`
	// Tables and Charts are display hints copied from tool results
	// (the "display" object of a result, see docs/tools.md).
	Tables []Table `json:"tables,omitempty"`
	Charts []Chart `json:"charts,omitempty"`
	// Grounding is the check of Text's figures against the tool results
	// (nil only for errors).
	Grounding *Grounding `json:"grounding,omitempty"`
}

// Composer writes an answer from a turn's tool results alone (the offline
// planner's composer in roibot). Ask shows its text, with a note, instead of
// a model answer whose figures no tool result supports or when the model
// gave no answer. results are in call order; each Content is the tool's
// JSON result.
type Composer interface {
	Compose(ctx context.Context, question string, results []llms.ToolCallResponse) (string, error)
}

// SelfGrounded is implemented by a model whose text holds only figures of
// the turn's tool results and the question, by construction (the offline
// planner composes its answers deterministically from them). Ask shows
// such a model's text without the figure check, which is for models that
// may invent figures.
type SelfGrounded interface {
	SelfGrounded() bool
}

func selfGrounded(m llms.Model) bool {
	sg, ok := m.(SelfGrounded)
	return ok && sg.SelfGrounded()
}

// Table is a rectangular result for display: Rows[i][j] is the cell of
// column Columns[j], already formatted as text.
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Chart is a chart for display. Kind "bar" (the default): one bar per
// label, Values in Unit. Kind "line" or "area" (stacked areas): Series share
// the x axis (XLabel), Unit is the y axis, Marks are points drawn over them,
// and Labels, when as many as the first series' points, label the x ticks.
type Chart struct {
	Title  string        `json:"title"`
	Kind   string        `json:"kind"` // "bar", "line", "area"
	Labels []string      `json:"labels"`
	Values []float64     `json:"values"`
	Unit   string        `json:"unit"`
	XLabel string        `json:"x_label,omitempty"`
	YLabel string        `json:"y_label,omitempty"` // names the measure; Unit is added in brackets
	Series []ChartSeries `json:"series,omitempty"`
	Marks  []ChartSeries `json:"marks,omitempty"`
}

// ChartSeries is one named line of a line or area chart: Y[i] at X[i].
type ChartSeries struct {
	Name string    `json:"name"`
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"`
}
