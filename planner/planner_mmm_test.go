package planner_test

import (
	"reflect"
	"testing"

	"github.com/roibot/roibot/planner"
)

// TestPlanner_MMM checks the mmm intent's questions that are not in the
// corpus: the tool and every argument.
func TestPlanner_MMM(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: evalVocabulary})
	offered := roleTools()["marketer"]
	for _, tc := range []struct {
		q    string
		tool string
		args map[string]any
	}{
		{"How incremental is our email?", "mmm", map[string]any{"action": "roas", "channel": "email"}},
		{"what if we cut tv by 40%", "mmm", map[string]any{"action": "what_if", "channel": "tv", "change": -0.4}},
		{"What happens if we double display spend?", "mmm", map[string]any{"action": "what_if", "channel": "display", "change": 1.0}},
		{"How should we split a budget of 20000 a week?", "mmm", map[string]any{"action": "budget"}},
		{"Which ROAS should I believe for email?", "mmm", map[string]any{"action": "triangulate", "channel": "email"}},
		{"如果我们把电视广告削减40%会怎样？", "mmm", map[string]any{"action": "what_if", "channel": "tv", "change": -0.4}},
		{"邮件营销的增量效果怎么样", "mmm", map[string]any{"action": "roas", "channel": "email"}},
	} {
		got := p.Plan(tc.q, offered)
		if got.Tool != tc.tool {
			t.Errorf("Plan(%q) tool = %q (text %q); want %q", tc.q, got.Tool, got.Text, tc.tool)
			continue
		}
		if !reflect.DeepEqual(got.Args, tc.args) {
			t.Errorf("Plan(%q) args = %v; want %v", tc.q, got.Args, tc.args)
		}
	}
}
