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
	NameMMM               = "mmm"
	NameChurnRisk         = "churn_risk"
	NameResponse          = "response_propensity"
)

// Argument keys of the tools' JSON schemas that callers building
// arguments (the offline planner) refer to. TestArgKeys checks that each
// is a property of some tool's schema.
const (
	ArgPeriod        = "period"
	ArgFrom          = "from"
	ArgTo            = "to"
	ArgCountry       = "country"
	ArgChannel       = "channel"
	ArgCampaign      = "campaign"
	ArgGroupBy       = "group_by"
	ArgAttribution   = "attribution"
	ArgBasis         = "basis"
	ArgModel         = "model"
	ArgModels        = "models"
	ArgSegment       = "segment"
	ArgCustomerID    = "customer_id"
	ArgLimit         = "limit"
	ArgHorizonDays   = "horizon_days"
	ArgRankBy        = "rank_by"
	ArgK             = "k"
	ArgMethod        = "method"
	ArgCluster       = "cluster"
	ArgCLVTier       = "clv_tier"
	ArgSentiment     = "sentiment"
	ArgQuery         = "query"
	ArgCategory      = "category"
	ArgMessage       = "message"
	ArgLookbackDays  = "lookback_days"
	ArgWindowDays    = "window_days"
	ArgMinSupport    = "min_support"
	ArgMinConfidence = "min_confidence"
	ArgMinLift       = "min_lift"
)

// ArgKeys lists the Arg constants.
var ArgKeys = []string{ArgPeriod, ArgFrom, ArgTo, ArgCountry, ArgChannel, ArgCampaign, ArgGroupBy, ArgAttribution,
	ArgBasis, ArgModel, ArgModels, ArgSegment, ArgCustomerID, ArgLimit, ArgHorizonDays, ArgRankBy, ArgK, ArgMethod,
	ArgCluster, ArgCLVTier, ArgSentiment, ArgQuery, ArgCategory, ArgMessage, ArgLookbackDays, ArgWindowDays,
	ArgMinSupport, ArgMinConfidence, ArgMinLift}
