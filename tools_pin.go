//go:build tools

package roibot
import (
 _ "github.com/slack-go/slack"
 _ "github.com/slack-go/slack/slacktest"
 _ "github.com/slack-go/slack/socketmode"
 _ "github.com/tmc/langchaingo/llms/openai"
 _ "github.com/tmc/langchaingo/llms/anthropic"
 _ "github.com/tmc/langchaingo/tools"
 _ "github.com/tmc/langchaingo/embeddings"
 _ "github.com/pgvector/pgvector-go/pgx"
 _ "github.com/jackc/pgx/v5/pgxpool"
 _ "github.com/jackc/tern/v2/migrate"
 _ "gonum.org/v1/gonum/optimize"
 _ "gonum.org/v1/plot/plotter"
 _ "github.com/spf13/cobra"
 _ "github.com/caarlos0/env/v11"
 _ "github.com/santhosh-tekuri/jsonschema/v6"
)

