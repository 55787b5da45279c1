package planner_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/roibot/roibot/planner"
)

// TestPlanner_SegmentTools checks the issue 7 questions and the report
// filters the planner extracts.
func TestPlanner_SegmentTools(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	all := allAnalystTools()
	tests := []struct {
		q, tool string
		args    map[string]any
	}{
		{"Run k-means with 5 clusters on our customers", "segment_customers", map[string]any{"k": float64(5), "method": "kmeans"}},
		{"Market basket rules for Germany", "association_rules", map[string]any{"country": "Germany"}},
		{"Report on at-risk customers in the Netherlands", "segment_report", map[string]any{"segment": "at_risk", "country": "Netherlands"}},
		{"Report on top CLV tier customers in France", "segment_report", map[string]any{"clv_tier": "top", "country": "France"}},
		{"Segment report for hibernating customers in the bottom tier", "segment_report", map[string]any{"segment": "hibernating", "clv_tier": "low"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := p.Plan(tt.q, all)
			if got.Tool != tt.tool {
				t.Fatalf("Plan(%q).Tool = %q; want %q (text %q)", tt.q, got.Tool, tt.tool, got.Text)
			}
			b, _ := json.Marshal(got.Args)
			var norm map[string]any
			json.Unmarshal(b, &norm)
			if !reflect.DeepEqual(norm, tt.args) {
				t.Errorf("Plan(%q).Args = %v; want %v", tt.q, norm, tt.args)
			}
		})
	}
}
