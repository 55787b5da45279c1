package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/robfig/cron/v3"

	"github.com/roibot/roibot/postgres"
)

// Secret is a credential; it never appears in logs or %v output.
type Secret string

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value {
	if s == "" {
		return slog.StringValue("")
	}
	return slog.StringValue("[redacted]")
}

// String redacts the secret in fmt output.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// DefaultDBPort is the port of the embedded PostgreSQL that scripts/db.sh
// (make db, make demo) starts when ROIBOT_DB_PORT is unset.
const DefaultDBPort = 54329

// embeddedURL is the embedded server's DATABASE_URL on port, the address
// scripts/db.sh prints.
func embeddedURL(port int) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// Config is roibot's whole configuration, read once from the environment.
// The README's configuration table lists the same variables.
type Config struct {
	DatabaseURL Secret `env:"DATABASE_URL"`
	DBSchema    string `env:"ROIBOT_DB_SCHEMA"` // empty: public
	DBMaxConns  int32  `env:"ROIBOT_DB_MAX_CONNS" envDefault:"8"`
	// DBPort is the embedded server's port (scripts/db.sh reads the same
	// variable); it makes the DATABASE_URL when that is unset.
	DBPort       int           `env:"ROIBOT_DB_PORT" envDefault:"54329"`
	QueryTimeout time.Duration `env:"ROIBOT_QUERY_TIMEOUT" envDefault:"30s"`
	TimeZone     string        `env:"ROIBOT_TIMEZONE" envDefault:"UTC"`
	// ReportingCurrency is the currency answers add amounts up in; amounts
	// in other currencies are converted with the imported fx_rates.
	ReportingCurrency string `env:"ROIBOT_REPORTING_CURRENCY" envDefault:"GBP"`

	// LLMProvider is offline, openai, anthropic or ollama; empty picks
	// openai when OPENAI_API_KEY is set, anthropic when ANTHROPIC_API_KEY is
	// set, else offline.
	LLMProvider      string `env:"ROIBOT_LLM_PROVIDER"`
	OpenAIAPIKey     Secret `env:"OPENAI_API_KEY"`
	OpenAIBaseURL    string `env:"OPENAI_BASE_URL"`
	OpenAIModel      string `env:"OPENAI_MODEL"`
	AnthropicAPIKey  Secret `env:"ANTHROPIC_API_KEY"`
	AnthropicBaseURL string `env:"ANTHROPIC_BASE_URL"`
	AnthropicModel   string `env:"ANTHROPIC_MODEL"`
	OllamaBaseURL    string `env:"OLLAMA_BASE_URL"`
	OllamaModel      string `env:"OLLAMA_MODEL"`
	// LLMTimeout bounds one model call and one tool call; the default
	// leaves a small model on a CPU time for the first call with the full
	// tool prompt (236.5 s measured at load ~15, docs/llm.md).
	LLMTimeout time.Duration `env:"ROIBOT_LLM_TIMEOUT" envDefault:"300s"`
	// LLMIdleTimeout bounds the gap between streamed chunks of a model
	// call; LLMStream=false sends calls unstreamed (bounded by LLMTimeout).
	LLMIdleTimeout time.Duration `env:"ROIBOT_LLM_IDLE_TIMEOUT" envDefault:"60s"`
	LLMStream      bool          `env:"ROIBOT_LLM_STREAM" envDefault:"true"`
	// LLMMaxTokens bounds the tokens generated per model call (max_tokens).
	LLMMaxTokens int           `env:"ROIBOT_LLM_MAX_TOKENS" envDefault:"512"`
	MaxSteps     int           `env:"ROIBOT_MAX_STEPS" envDefault:"6"`
	TurnTimeout  time.Duration `env:"ROIBOT_TURN_TIMEOUT" envDefault:"600s"`

	// EmbeddingDim is the length of the feedback vectors: the local
	// HashEmbedder's, and the size `roibot migrate` creates the vector
	// column with (vector up to 2,000, halfvec up to 4,000). A remote
	// embedder must produce vectors of this length.
	EmbeddingDim int `env:"ROIBOT_EMBEDDING_DIM" envDefault:"384"`
	// EmbeddingURL, when set, is the base URL of an OpenAI-compatible
	// /embeddings endpoint (OpenAI, Ollama, TEI, vLLM) used instead of the
	// local HashEmbedder; EmbeddingModel names its model.
	EmbeddingURL    string `env:"ROIBOT_EMBEDDING_URL"`
	EmbeddingModel  string `env:"ROIBOT_EMBEDDING_MODEL"`
	EmbeddingAPIKey Secret `env:"ROIBOT_EMBEDDING_API_KEY"`

	SlackBotToken      Secret        `env:"SLACK_BOT_TOKEN"`
	SlackAppToken      Secret        `env:"SLACK_APP_TOKEN"`
	SlackSigningSecret Secret        `env:"SLACK_SIGNING_SECRET"`
	SlackMode          string        `env:"ROIBOT_SLACK_MODE" envDefault:"socket"`
	SlackAPIURL        string        `env:"SLACK_API_URL"` // default https://slack.com/api/ (tests point it at slacktest)
	HTTPAddr           string        `env:"ROIBOT_HTTP_ADDR" envDefault:":8080"`
	SlackWorkers       int           `env:"ROIBOT_SLACK_WORKERS" envDefault:"4"`
	ShutdownTimeout    time.Duration `env:"ROIBOT_SHUTDOWN_TIMEOUT" envDefault:"30s"`
	// Role mapping: comma-separated channel ids and user-group ids.
	AnalystChannels  []string `env:"ROIBOT_ANALYST_CHANNELS" envSeparator:","`
	MarketerChannels []string `env:"ROIBOT_MARKETER_CHANNELS" envSeparator:","`
	FeedbackChannels []string `env:"ROIBOT_FEEDBACK_CHANNELS" envSeparator:","`
	AnalystGroups    []string `env:"ROIBOT_ANALYST_GROUPS" envSeparator:","`
	MarketerGroups   []string `env:"ROIBOT_MARKETER_GROUPS" envSeparator:","`
	LogLevel         string   `env:"ROIBOT_LOG_LEVEL"` // default: info for serve, warn for the CLI
	LogFormat        string   `env:"ROIBOT_LOG_FORMAT" envDefault:"text"`
	// RetrainSchedule (cron syntax, e.g. "0 6 * * *": daily at 06:00 in
	// ROIBOT_TIMEZONE) makes roibot serve retrain the churn model when new
	// orders have arrived; empty: no retraining. DigestChannel receives
	// the retraining digest.
	RetrainSchedule   string `env:"ROIBOT_RETRAIN_SCHEDULE"`
	DigestChannel     string `env:"ROIBOT_DIGEST_CHANNEL"`
	location          *time.Location
	effectiveProvider string
}

// LoadConfig decodes the configuration from lookup (os.LookupEnv in main;
// a map in tests) and validates it.
func LoadConfig(environ map[string]string) (Config, error) {
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: environ}); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if c.DatabaseURL == "" {
		if c.DBPort < 1 || c.DBPort > 65535 {
			return c, fmt.Errorf("ROIBOT_DB_PORT %d: want a port, 1..65535", c.DBPort)
		}
		c.DatabaseURL = Secret(embeddedURL(c.DBPort))
	}
	return c, c.Validate()
}

// Validate checks values that would otherwise fail later and obscurely.
func (c *Config) Validate() error {
	var errs []error
	u, err := url.Parse(string(c.DatabaseURL))
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		errs = append(errs, errors.New("DATABASE_URL: want postgres://user@host:port/db"))
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		errs = append(errs, fmt.Errorf("ROIBOT_TIMEZONE %q: %v", c.TimeZone, err))
	}
	c.location = loc
	if cur := c.ReportingCurrency; len(cur) != 3 || strings.Trim(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs = append(errs, fmt.Errorf("ROIBOT_REPORTING_CURRENCY %q: want an ISO 4217 code of 3 upper-case letters, e.g. GBP", cur))
	}
	if c.RetrainSchedule != "" {
		if _, err := cron.ParseStandard(c.RetrainSchedule); err != nil {
			errs = append(errs, fmt.Errorf("ROIBOT_RETRAIN_SCHEDULE %q: want cron syntax, e.g. \"0 6 * * *\": %v", c.RetrainSchedule, err))
		}
	}
	switch p := strings.ToLower(c.LLMProvider); p {
	case "":
		switch {
		case c.OpenAIAPIKey != "":
			c.effectiveProvider = "openai"
		case c.AnthropicAPIKey != "":
			c.effectiveProvider = "anthropic"
		default:
			c.effectiveProvider = "offline"
		}
	case "offline", "openai", "anthropic", "ollama":
		c.effectiveProvider = p
	default:
		errs = append(errs, fmt.Errorf("ROIBOT_LLM_PROVIDER %q: want offline, openai, anthropic or ollama", c.LLMProvider))
	}
	if c.effectiveProvider == "openai" && c.OpenAIAPIKey == "" && c.OpenAIBaseURL == "" {
		errs = append(errs, errors.New("ROIBOT_LLM_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server)"))
	}
	if c.effectiveProvider == "anthropic" && c.AnthropicAPIKey == "" {
		errs = append(errs, errors.New("ROIBOT_LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY"))
	}
	if c.SlackBotToken != "" && !strings.HasPrefix(string(c.SlackBotToken), "xoxb-") {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN: want a bot token starting with xoxb-"))
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(string(c.SlackAppToken), "xapp-") {
		errs = append(errs, errors.New("SLACK_APP_TOKEN: want an app-level token starting with xapp-"))
	}
	switch c.SlackMode {
	case "socket", "events":
	default:
		errs = append(errs, fmt.Errorf("ROIBOT_SLACK_MODE %q: want socket or events", c.SlackMode))
	}
	if c.EmbeddingDim < 16 || c.EmbeddingDim > postgres.MaxHalfvecDimension {
		errs = append(errs, fmt.Errorf("ROIBOT_EMBEDDING_DIM %d: want 16..%d (pgvector's HNSW index holds up to %d dimensions, stored as halfvec above %d)",
			c.EmbeddingDim, postgres.MaxHalfvecDimension, postgres.MaxHalfvecDimension, postgres.MaxVectorDimension))
	}
	for name, d := range map[string]time.Duration{"ROIBOT_QUERY_TIMEOUT": c.QueryTimeout, "ROIBOT_LLM_TIMEOUT": c.LLMTimeout,
		"ROIBOT_LLM_IDLE_TIMEOUT": c.LLMIdleTimeout,
		"ROIBOT_TURN_TIMEOUT":     c.TurnTimeout, "ROIBOT_SHUTDOWN_TIMEOUT": c.ShutdownTimeout} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s %s: want a positive duration such as 30s", name, d))
		}
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("ROIBOT_LOG_FORMAT %q: want text or json", c.LogFormat))
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 1000 {
		errs = append(errs, fmt.Errorf("ROIBOT_DB_MAX_CONNS %d: want 1..1000 connections", c.DBMaxConns))
	}
	if c.LLMMaxTokens < 16 || c.LLMMaxTokens > 32768 {
		errs = append(errs, fmt.Errorf("ROIBOT_LLM_MAX_TOKENS %d: want 16..32768", c.LLMMaxTokens))
	}
	if c.MaxSteps < 1 || c.MaxSteps > 20 {
		errs = append(errs, fmt.Errorf("ROIBOT_MAX_STEPS %d: want 1..20", c.MaxSteps))
	}
	return errors.Join(errs...)
}

// ValidateSlack checks what `roibot serve` needs on top of Validate.
func (c *Config) ValidateSlack() error {
	var errs []error
	if c.SlackBotToken == "" {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN is not set"))
	}
	switch c.SlackMode {
	case "socket":
		if c.SlackAppToken == "" {
			errs = append(errs, errors.New("SLACK_APP_TOKEN is not set (Socket Mode needs an app-level token, xapp-…)"))
		}
	case "events":
		if c.SlackSigningSecret == "" {
			errs = append(errs, errors.New("SLACK_SIGNING_SECRET is not set (the Events API needs it to verify requests)"))
		}
	}
	return errors.Join(errs...)
}

// Location returns the business time zone.
func (c *Config) Location() *time.Location {
	if c.location == nil {
		return time.UTC
	}
	return c.location
}

// Provider returns the LLM provider in effect.
func (c *Config) Provider() string { return c.effectiveProvider }
