package planner_test

import (
	"testing"

	"github.com/roibot/roibot/planner"
)

// TestPlanner_SegmentTools checks the issue 7 questions and the report
// filters the planner extracts.
func TestPlanner_SegmentTools(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	checkPlans(t, p, []planCase{
		{"Run k-means with 5 clusters on our customers", "segment_customers", map[string]any{"k": float64(5), "method": "kmeans"}},
		{"Market basket rules for Germany", "association_rules", map[string]any{"country": "Germany"}},
		{"Report on at-risk customers in the Netherlands", "segment_report", map[string]any{"segment": "at_risk", "country": "Netherlands"}},
		{"Report on top CLV tier customers in France", "segment_report", map[string]any{"clv_tier": "top", "country": "France"}},
		{"Segment report for hibernating customers in the bottom tier", "segment_report", map[string]any{"segment": "hibernating", "clv_tier": "low"}},
	})
}
