// Package agenttest provides fakes for tests of code that runs an
// agent.Service: a hand-written agent.Tool and a catalog of fake tools
// with the names and arguments of docs/tools.md. The agent's own tests
// and the planner's (which runs the planner through a Service) share it,
// as net/http's tests and its users share httptest.
//
// It is for tests only; no package of the program imports it.
package agenttest

import (
	"context"
	"sync"

	"github.com/roibot/roibot/agent"
)

// Tool is a hand-written fake of agent.Tool: Name, Description and
// Parameters return the fields, Call records its input and calls CallFn.
type Tool struct {
	NameV   string
	DescV   string
	ParamsV map[string]any
	CallFn  func(ctx context.Context, input string) (string, error)

	mu    sync.Mutex
	calls []string
}

func (t *Tool) Name() string               { return t.NameV }
func (t *Tool) Description() string        { return t.DescV }
func (t *Tool) Parameters() map[string]any { return t.ParamsV }

// Call implements agent.Tool.
func (t *Tool) Call(ctx context.Context, input string) (string, error) {
	t.mu.Lock()
	t.calls = append(t.calls, input)
	t.mu.Unlock()
	return t.CallFn(ctx, input)
}

// Calls returns the inputs the tool was called with, in order.
func (t *Tool) Calls() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.calls...)
}

// argTypes are the JSON Schema types of the catalog's arguments that are
// not strings.
var argTypes = map[string]string{
	"limit": "integer", "horizon_days": "integer", "k": "integer", "cluster": "integer",
	"lookback_days": "integer", "window_days": "integer", "rating_min": "integer", "rating_max": "integer",
	"discount_rate": "number", "min_support": "number", "min_confidence": "number", "min_lift": "number",
	"models": "array",
}

// Schema returns a JSON Schema object with the given properties, each of
// its type in the catalog (integer, number, array) or else a string.
func Schema(props ...string) map[string]any {
	p := map[string]any{}
	for _, name := range props {
		typ := "string"
		if t, ok := argTypes[name]; ok {
			typ = t
		}
		p[name] = map[string]any{"type": typ}
	}
	return map[string]any{"type": "object", "properties": p}
}

// Spec is one tool of the catalog: its name, the roles it is offered to
// and its argument names.
type Spec struct {
	Name  string
	Roles []agent.Role
	Args  []string
}

var analysts = []agent.Role{agent.RoleMarketer, agent.RoleAnalyst}

// Specs lists the tools of docs/tools.md with their argument names.
var Specs = []Spec{
	{"revenue_summary", analysts, []string{"period", "from", "to", "country"}},
	{"rfm_segments", analysts, []string{"as_of", "country", "segment", "customer_id", "limit"}},
	{"historical_clv", analysts, []string{"customer_id", "country", "discount_rate", "limit"}},
	{"predict_clv", analysts, []string{"customer_id", "country", "segment", "horizon_days", "limit", "model"}},
	{"compute_roi", analysts, []string{"group_by", "period", "from", "to", "channel", "campaign", "attribution", "basis", "lookback_days"}},
	{"compare_attribution", analysts, []string{"channel", "models", "model", "period", "lookback_days"}},
	{"funnel_analysis", analysts, []string{"channel", "campaign", "period", "compare_period", "window_days"}},
	{"segment_customers", analysts, []string{"k", "country", "method"}},
	{"association_rules", analysts, []string{"country", "min_support", "min_confidence", "min_lift", "limit"}},
	{"segment_report", analysts, []string{"segment", "country", "cluster", "clv_tier", "from", "to", "sentiment"}},
	{"search_feedback", analysts, []string{"query", "category", "product", "rating_min", "rating_max", "sentiment", "from", "to", "limit"}},
	{"summarize_feedback", analysts, []string{"query", "category", "product", "rating_min", "rating_max", "sentiment", "from", "to", "limit"}},
	{"record_feedback", []agent.Role{agent.RoleCustomer}, []string{"message"}},
}

// Catalog returns a fake Tool for every tool of Specs, by role, each
// answering with call(its name, its input), and the fakes by name.
func Catalog(call func(name, input string) (string, error)) (map[agent.Role][]agent.Tool, map[string]*Tool) {
	byRole := map[agent.Role][]agent.Tool{}
	byName := map[string]*Tool{}
	for _, spec := range Specs {
		name := spec.Name
		t := &Tool{
			NameV:   name,
			DescV:   "fake " + name,
			ParamsV: Schema(spec.Args...),
			CallFn: func(_ context.Context, input string) (string, error) {
				return call(name, input)
			},
		}
		byName[name] = t
		for _, r := range spec.Roles {
			byRole[r] = append(byRole[r], t)
		}
	}
	return byRole, byName
}
