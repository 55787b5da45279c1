package tools

// Tool names: the stable snake_case names the model calls (docs/tools.md).
// The planner and the CLI refer to tools by these constants, so that each
// name is spelled once in the module.
const (
	NameRevenue           = "revenue_summary"
	NameRFM               = "rfm_segments"
	NameHistoricalCLV     = "historical_clv"
	NamePredictCLV        = "predict_clv"
	NameCustomerProfile   = "customer_profile"
	NameROI               = "compute_roi"
	NameAttribution       = "compare_attribution"
	NameFunnel            = "funnel_analysis"
	NameSegment           = "segment_customers"
	NameRules             = "association_rules"
	NameReport            = "segment_report"
	NameSearchFeedback    = "search_feedback"
	NameSummarizeFeedback = "summarize_feedback"
	NameRecordFeedback    = "record_feedback"
)
