// Command roibot answers marketing questions — ROI/ROAS and attribution,
// CLV, RFM, funnels, segments, baskets and customer feedback — from data in
// PostgreSQL, in a terminal chat or in Slack.
//
// Usage: roibot migrate | import | demo-data | demo | chat | ask | tools | serve | …
// (roibot help lists every command and its flags).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd(environ()).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "roibot:", err)
		os.Exit(1)
	}
}

func environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// newRootCmd builds the command tree over the given environment.
func newRootCmd(env map[string]string) *cobra.Command {
	app := &App{Env: env, Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin}
	root := &cobra.Command{
		Use:           "roibot",
		Short:         "Marketing analytics agent: ROI, attribution, CLV, RFM, funnels, segments and feedback",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			app.Stdout, app.Stderr, app.Stdin = cmd.OutOrStdout(), cmd.ErrOrStderr(), cmd.InOrStdin()
			app.defaultLogLevel = "warn"
			if cmd.Name() == "serve" {
				app.defaultLogLevel = "info"
			}
			return app.loadConfig()
		},
		PersistentPostRun: func(*cobra.Command, []string) { app.Close() },
	}
	for _, c := range commands(app) {
		root.AddCommand(c)
	}
	return root
}

// commands lists every subcommand; each lives in its own cmd_*.go file.
func commands(app *App) []*cobra.Command {
	return []*cobra.Command{
		newMigrateCmd(app),
		newImportCmd(app),
		newDemoDataCmd(app),
		newDemoCmd(app),
		newChatCmd(app),
		newAskCmd(app),
		newToolsCmd(app),
		newServeCmd(app),
		newCLVCmd(app),
		newRFMCmd(app),
		newSegmentCmd(app),
		newRulesCmd(app),
		newReportCmd(app),
		newAttributionCmd(app),
		newROICmd(app),
		newMMMCmd(app),
		newReembedCmd(app),
		newModelCmd(app),
	}
}

// newLogger builds the process logger from the configuration.
func newLogger(c Config, w interface{ Write([]byte) (int, error) }) (*slog.Logger, error) {
	var level slog.Level
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, errors.New("ROIBOT_LOG_LEVEL: want debug, info, warn or error")
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}
