package tools

import (
	"context"
	"time"

	"github.com/tmc/langchaingo/embeddings"

	"github.com/roibot/roibot/knowledge"
)

// Tool is the contract every tool here satisfies: langchaingo's tools.Tool
// (Name, Description, Call) plus the JSON Schema of its arguments.
type Tool interface {
	Name() string
	Description() string
	Parameters() map[string]any
	Call(ctx context.Context, input string) (string, error)
}

// Role names, as the agent spells them.
const (
	RoleMarketer = "marketer"
	RoleAnalyst  = "analyst"
	RoleCustomer = "customer"
)

// Entry is one tool with the roles allowed to call it.
type Entry struct {
	Tool  Tool
	Roles []string
}

// Store is everything the catalog's tools read.
type Store interface {
	RevenueReader
	OrderReader
	ROIReader
	SegmentReportReader
	BasketReader
	FunnelReader
}

// Config configures the catalog.
type Config struct {
	Store Store
	// Location is the business time zone periods and days are read in
	// (default UTC).
	Location *time.Location
	// Feedback stores and searches customer feedback; with nil, the
	// feedback tools fail with ErrNoFeedbackStore.
	Feedback FeedbackStore
	// Embedder embeds feedback search queries; it must match the vectors
	// Feedback stores.
	Embedder embeddings.Embedder
	// ConversationID returns the conversation of a tool call from its
	// context, for record_feedback (cmd wires agent.ConversationIDFrom).
	ConversationID func(ctx context.Context) string
	// Sentiment, when set, scores the sentiment of feedback record_feedback
	// stores (cmd wires a knowledge.LLMSentiment when a real LLM provider
	// is configured); nil keeps the offline VADER score.
	Sentiment knowledge.SentimentScorer
	// Datasets reads the modelling datasets (roibot model import) for
	// response_propensity; with nil that tool fails with ErrNoDatasets.
	Datasets DatasetReader
	// MMM reads stored weekly media-mix data; with nil the mmm tool answers
	// that there is none.
	MMM MMMReader
	// Texts, when set, adds the customers' feedback text features
	// (sentiment, themes, embedding components) to churn_risk's inputs.
	Texts CustomerTextReader
}

// FeedbackStore is everything the feedback tools need from storage.
type FeedbackStore interface {
	FeedbackReader
	DialogueStore
}

// Catalog returns every tool with its roles. Marketers and analysts get the
// analytics tools; customers get only the feedback collection tool.
func Catalog(cfg Config) []Entry {
	staff := []string{RoleMarketer, RoleAnalyst}
	l := loc(cfg.Location)
	clv := NewPredictCLV(cfg.Store, l)
	entries := []Entry{
		{Tool: Revenue{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: RFM{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: HistoricalCLV{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: ROI{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: clv, Roles: staff},
		{Tool: NewCustomerProfile(clv), Roles: staff},
		{Tool: Segment{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: Rules{Store: cfg.Store, Orders: cfg.Store, Location: l}, Roles: staff},
		{Tool: SegmentReport{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: Attribution{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: Funnel{Store: cfg.Store, Location: l}, Roles: staff},
		{Tool: churnRisk(cfg, l), Roles: staff},
		{Tool: NewResponsePropensity(cfg.Datasets), Roles: staff},
		{Tool: SearchFeedback{Store: cfg.Feedback, Embedder: cfg.Embedder, Orders: cfg.Store, Location: l}, Roles: staff},
		{Tool: SummarizeFeedback{Store: cfg.Feedback, Embedder: cfg.Embedder, Orders: cfg.Store, Location: l}, Roles: staff},
		{Tool: RecordFeedback{Store: cfg.Feedback, ConversationID: cfg.ConversationID, Sentiment: cfg.Sentiment}, Roles: []string{RoleCustomer}},
	}
	entries = append(entries, Entry{Tool: &MMM{Store: cfg.MMM}, Roles: staff})
	return entries
}

// IsFeedbackTool reports whether the named tool reads or writes feedback
// (and so needs the feedback store and embedder).
func IsFeedbackTool(name string) bool {
	switch name {
	case "search_feedback", "summarize_feedback", "record_feedback":
		return true
	}
	return false
}

// churnRisk builds churn_risk, with text features when cfg.Texts is set.
func churnRisk(cfg Config, l *time.Location) ChurnRisk {
	c := NewChurnRisk(cfg.Store, l)
	if cfg.Texts != nil {
		c.Text = FeedbackTextFeatures{Store: cfg.Texts}
	}
	return c
}
