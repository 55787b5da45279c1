package agent_test

import (
	"reflect"
	"testing"

	"github.com/tmc/langchaingo/llms"

	"github.com/roibot/roibot/agent"
)

func TestPlanner_MMM(t *testing.T) {
	p := agent.NewPlanner(agent.PlannerConfig{AsOf: asOf, Vocabulary: vocabulary})
	mmm := llms.Tool{Type: "function", Function: &llms.FunctionDefinition{Name: "mmm", Parameters: objectSchema(map[string]string{"change": "number", "budget": "number"},
		"action", "dataset", "channel", "change", "budget", "from", "to")}}
	tools := append(allAnalystTools(), mmm)
	for _, tc := range []struct {
		q    string
		tool string
		args map[string]any
	}{
		{"What is the incremental ROAS of each channel?", "mmm", map[string]any{"action": "roas"}},
		{"What if we cut display by 20%?", "mmm", map[string]any{"action": "what_if", "channel": "display", "change": -0.2}},
		{"What happens if we double paid social spend?", "mmm", map[string]any{"action": "what_if", "channel": "paid_social", "change": 1.0}},
		{"How should we split the budget across channels?", "mmm", map[string]any{"action": "budget"}},
		{"Which ROAS should I believe for display?", "mmm", map[string]any{"action": "triangulate", "channel": "display"}},
		{"Show the response curve for paid search", "mmm", map[string]any{"action": "response_curve", "channel": "paid_search"}},
		{"Is TV spend incremental?", "mmm", map[string]any{"action": "roas", "channel": "tv"}},
		{"展示广告的增量ROAS是多少？", "mmm", map[string]any{"action": "roas", "channel": "display"}},
		{"如果我们把展示广告削减20%会怎样？", "mmm", map[string]any{"action": "what_if", "channel": "display", "change": -0.2}},
		{"下个季度的预算应该怎么分配？我们该如何分配预算", "mmm", map[string]any{"action": "budget"}},
		{"展示广告的ROAS我应该相信哪个？", "mmm", map[string]any{"action": "triangulate", "channel": "display"}},
		{"电视广告有增量效果吗？", "mmm", map[string]any{"action": "roas", "channel": "tv"}},
		// Plain ROAS stays with attribution-based compute_roi.
		{"Show ROAS for each channel in 2011", "compute_roi", nil},
	} {
		got := p.Plan(tc.q, tools)
		if got.Tool != tc.tool {
			t.Errorf("Plan(%q) tool = %q (text %q); want %q", tc.q, got.Tool, got.Text, tc.tool)
			continue
		}
		if tc.args != nil && !reflect.DeepEqual(got.Args, tc.args) {
			t.Errorf("Plan(%q) args = %v; want %v", tc.q, got.Args, tc.args)
		}
	}
}
