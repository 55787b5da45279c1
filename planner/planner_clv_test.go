package planner_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tmc/langchaingo/llms"

	"github.com/roibot/roibot/agent/agenttest"
	"github.com/roibot/roibot/planner"
)

// clvTools are predict_clv and customer_profile with their schema's
// argument names (docs/tools.md).
func clvTools(withProfile bool) []llms.Tool {
	tools := []llms.Tool{{Type: "function", Function: &llms.FunctionDefinition{Name: "predict_clv",
		Parameters: agenttest.Schema("customer_id", "country", "segment", "horizon_days", "limit", "model", "rank_by", "group_by")}}}
	if withProfile {
		tools = append(tools, llms.Tool{Type: "function", Function: &llms.FunctionDefinition{Name: "customer_profile",
			Parameters: agenttest.Schema("customer_id")}})
	}
	return tools
}

func TestPlanner_CLVQuestions(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	tests := []struct {
		q       string
		profile bool
		tool    string
		args    map[string]any
	}{
		{"Which customers are most likely to buy again in the next 3 months?", true, "predict_clv", map[string]any{"horizon_days": float64(90)}},
		{"What is the probability that customer 12347 is still active?", true, "predict_clv", map[string]any{"customer_id": "12347"}},
		{"Who are our most valuable customers over the next year by predicted CLV?", true, "predict_clv",
			map[string]any{"horizon_days": float64(365), "rank_by": "clv"}},
		{"Predicted customer lifetime value by country for the next 6 months", true, "predict_clv",
			map[string]any{"horizon_days": float64(180), "rank_by": "clv", "group_by": "country"}},
		{"Show me the profile of customer 12347", true, "customer_profile", map[string]any{"customer_id": "12347"}},
		{"Tell me about customer 12347", true, "customer_profile", map[string]any{"customer_id": "12347"}},
		// Without the profile tool the question falls back to predict_clv.
		{"Show me the profile of customer 12347", false, "predict_clv", map[string]any{"customer_id": "12347"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := p.Plan(tt.q, clvTools(tt.profile))
			b, _ := json.Marshal(got.Args)
			var args map[string]any
			_ = json.Unmarshal(b, &args)
			if got.Tool != tt.tool || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("Plan(%q) = %s %v; want %s %v", tt.q, got.Tool, args, tt.tool, tt.args)
			}
		})
	}
}
