package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/planner"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/tools"
)

// App holds what the commands share: configuration, logger, and lazily the
// store and the agent. Close releases them.
type App struct {
	Env    map[string]string
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader

	Config Config
	Logger *slog.Logger
	// defaultLogLevel applies when ROIBOT_LOG_LEVEL is unset.
	defaultLogLevel string
	store           *postgres.Store
	agent           *agent.Service
	// planner is the offline planner of agent (also its composer); its
	// vocabulary is refreshed after an import in this process.
	planner *planner.Planner
	// migrated records that this process applied the migrations.
	migrated bool
}

func (a *App) loadConfig() error {
	c, err := LoadConfig(a.Env)
	if err != nil {
		return err
	}
	if c.LogLevel == "" {
		c.LogLevel = a.defaultLogLevel
	}
	a.Config = c
	a.Logger, err = newLogger(c, a.Stderr)
	if err != nil {
		return err
	}
	slog.SetDefault(a.Logger)
	return nil
}

// Store opens the database (once).
func (a *App) Store(ctx context.Context) (*postgres.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	s, err := postgres.Open(ctx, postgres.Config{
		URL: string(a.Config.DatabaseURL), Schema: a.Config.DBSchema, MaxConns: a.Config.DBMaxConns,
		QueryTimeout: a.Config.QueryTimeout, Logger: a.Logger, EmbeddingDimension: a.Config.EmbeddingDim,
		Location: a.Config.Location(), ReportingCurrency: a.Config.ReportingCurrency,
	})
	if err != nil {
		return nil, fmt.Errorf("%w (is the database running? make db starts the embedded one)", err)
	}
	a.Logger.Debug("database", "version", s.Version())
	a.store = s
	return s, nil
}

// migratedStore opens the store and applies the migrations, once per App
// (a command that imports, generates data and then chats migrates once).
func (a *App) migratedStore(ctx context.Context) (*postgres.Store, error) {
	s, err := a.Store(ctx)
	if err != nil || a.migrated {
		return s, err
	}
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	a.migrated = true
	return s, nil
}

// Agent builds the agent over the store and the configured model (once).
func (a *App) Agent(ctx context.Context) (*agent.Service, error) {
	if a.agent != nil {
		return a.agent, nil
	}
	// Migrating first keeps a configured schema to itself (its tables
	// exist, so nothing resolves to public's) and is a no-op when current.
	s, err := a.migratedStore(ctx)
	if err != nil {
		return nil, err
	}
	_, last, err := s.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return nil, fmt.Errorf("no orders in the database (run roibot import online-retail FILE, or make demo): %w", err)
	}
	// Relative periods ("last quarter") resolve against the last order's
	// date in the business time zone, as the tools read days.
	last = last.In(a.Config.Location())
	countries, channels, campaigns, categories, err := s.Names(ctx)
	if err != nil {
		return nil, err
	}
	offline := planner.New(planner.Config{AsOf: last, Vocabulary: planner.Vocabulary{
		Countries: countries, Campaigns: campaigns, Categories: categories,
		Channels: channels,
	}})
	model, err := agent.NewModel(agent.ProviderConfig{
		Provider: a.Config.Provider(),
		APIKey:   a.apiKey(),
		BaseURL:  a.baseURL(),
		Model:    a.modelName(),
		Offline:  offline,
	})
	if err != nil {
		return nil, err
	}
	// The offline planner composes the answer from tool results when a
	// model's text is withheld (figures no tool returned) or missing.
	var composer agent.Composer = offline
	a.planner = offline
	fs, emb, err := a.feedback(ctx)
	feedbackOK := err == nil
	if err != nil {
		// A model the endpoint rejects, an unusable vector or a dimension
		// mismatch is a configuration error to fix before start-up.
		var cfgErr *embeddingConfigError
		if errors.Is(err, knowledge.ErrDimensionMismatch) || errors.As(err, &cfgErr) {
			return nil, err
		}
		// An unreachable embedding endpoint must not take the analytics
		// down: the feedback tools are left out and the log says why.
		a.Logger.Warn("feedback tools unavailable", "error", err)
	}
	// A real provider also scores the sentiment of feedback the dialogue
	// stores; the offline planner cannot, so VADER stays.
	var sentiment knowledge.SentimentScorer
	if a.Config.Provider() != agent.ProviderOffline {
		sentiment = &knowledge.LLMSentiment{Model: model, Timeout: a.Config.LLMTimeout}
	}
	var texts tools.CustomerTextReader
	if feedbackOK {
		texts = fs
	}
	byRole := map[agent.Role][]agent.Tool{}
	for _, e := range tools.Catalog(tools.Config{Store: s, Location: a.Config.Location(),
		Feedback: fs, Embedder: emb, ConversationID: agent.ConversationIDFrom, Sentiment: sentiment, Datasets: s, Texts: texts,
		MMM: mmmStore{s: s, loc: a.Config.Location()}}) {
		if !feedbackOK && tools.IsFeedbackTool(e.Tool.Name()) {
			continue
		}
		for _, r := range e.Roles {
			byRole[agent.Role(r)] = append(byRole[agent.Role(r)], e.Tool)
		}
	}
	// The offline planner composes the answer from the whole result (it
	// summarises large tables itself), so its results are not cut to fit
	// an LLM's context.
	maxResult := 0
	if a.Config.Provider() == agent.ProviderOffline {
		maxResult = planner.MaxResultChars
	}
	svc, err := agent.New(agent.Config{
		Model: model, Tools: byRole, MaxSteps: a.Config.MaxSteps, CallTimeout: a.Config.LLMTimeout, MaxResultChars: maxResult,
		MaxTokens: a.Config.LLMMaxTokens, IdleTimeout: a.Config.LLMIdleTimeout, DisableStreaming: !a.Config.LLMStream,
		Composer: composer,
		AsOf:     func() time.Time { return last }, Logger: a.Logger,
	})
	if err != nil {
		return nil, err
	}
	a.Logger.Debug("agent ready", "provider", a.Config.Provider(), "as_of", last.Format(time.DateOnly))
	a.agent = svc
	return svc, nil
}

// llmSentiment returns a sentiment scorer over the configured LLM
// provider, or nil for the offline provider: the planner cannot judge
// sentiment, so VADER stays the method there.
func (a *App) llmSentiment() (*knowledge.LLMSentiment, error) {
	if a.Config.Provider() == agent.ProviderOffline {
		return nil, nil
	}
	model, err := agent.NewModel(agent.ProviderConfig{
		Provider: a.Config.Provider(), APIKey: a.apiKey(), BaseURL: a.baseURL(), Model: a.modelName(),
	})
	if err != nil {
		return nil, err
	}
	return &knowledge.LLMSentiment{Model: model, Timeout: a.Config.LLMTimeout}, nil
}

func (a *App) apiKey() string {
	switch a.Config.Provider() {
	case agent.ProviderOpenAI:
		if a.Config.OpenAIAPIKey == "" && a.Config.OpenAIBaseURL != "" {
			// Local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio)
			// usually take any key; the client needs a non-empty one.
			return "not-needed"
		}
		return string(a.Config.OpenAIAPIKey)
	case agent.ProviderAnthropic:
		return string(a.Config.AnthropicAPIKey)
	}
	return ""
}

func (a *App) baseURL() string {
	switch a.Config.Provider() {
	case agent.ProviderOpenAI:
		return a.Config.OpenAIBaseURL
	case agent.ProviderAnthropic:
		return a.Config.AnthropicBaseURL
	case agent.ProviderOllama:
		return a.Config.OllamaBaseURL
	}
	return ""
}

func (a *App) modelName() string {
	switch a.Config.Provider() {
	case agent.ProviderOpenAI:
		return a.Config.OpenAIModel
	case agent.ProviderAnthropic:
		return a.Config.AnthropicModel
	case agent.ProviderOllama:
		return a.Config.OllamaModel
	}
	return ""
}

// Close releases the store.
func (a *App) Close() {
	if a.store != nil {
		a.store.Close()
		a.store = nil
		a.migrated = false
	}
}

// refreshVocabulary hands the planner the data's names again after an
// import in this process (no-op before the agent is built or when the
// import failed); a failure is logged, the old names stay.
func (a *App) refreshVocabulary(ctx context.Context, importErr *error) {
	if *importErr != nil || a.planner == nil || a.store == nil {
		return
	}
	countries, channels, campaigns, categories, err := a.store.Names(ctx)
	if err != nil {
		a.Logger.Warn("planner vocabulary not refreshed", "error", err)
		return
	}
	a.planner.SetVocabulary(planner.Vocabulary{Countries: countries, Campaigns: campaigns, Categories: categories, Channels: channels})
}
