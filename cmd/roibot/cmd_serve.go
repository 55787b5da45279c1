package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/slackbot"
)

func newServeCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the Slack app (Socket Mode by default; ROIBOT_SLACK_MODE=events serves the HTTP Events API)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := app.NewMain(cmd.Context())
			if err != nil {
				return err
			}
			return m.Run(cmd.Context())
		},
	}
}

// Main is the wired Slack service: Run blocks until ctx ends, then shuts
// down gracefully (stop intake, drain in-flight turns before
// ROIBOT_SHUTDOWN_TIMEOUT).
type Main struct {
	app    *App
	Bot    *slackbot.Bot
	Server *http.Server // nil in Socket Mode
}

// NewMain wires store, agent and Slack bot from the configuration.
func (a *App) NewMain(ctx context.Context) (*Main, error) {
	if err := a.Config.ValidateSlack(); err != nil {
		return nil, fmt.Errorf("serve: %w (see the README's Slack section)", err)
	}
	s, err := a.migratedStore(ctx)
	if err != nil {
		return nil, err
	}
	svc, err := a.Agent(ctx)
	if err != nil {
		return nil, err
	}
	roles := slackbot.RoleConfig{Channels: map[string]agent.Role{}, UserGroups: map[string]agent.Role{}, FeedbackChannels: a.Config.FeedbackChannels}
	for _, c := range a.Config.MarketerChannels {
		roles.Channels[c] = agent.RoleMarketer
	}
	for _, c := range a.Config.AnalystChannels {
		roles.Channels[c] = agent.RoleAnalyst
	}
	for _, g := range a.Config.MarketerGroups {
		roles.UserGroups[g] = agent.RoleMarketer
	}
	for _, g := range a.Config.AnalystGroups {
		roles.UserGroups[g] = agent.RoleAnalyst
	}
	bot, err := slackbot.New(slackbot.Config{
		BotToken: slackbot.Secret(a.Config.SlackBotToken), AppToken: slackbot.Secret(a.Config.SlackAppToken),
		SigningSecret: slackbot.Secret(a.Config.SlackSigningSecret), APIURL: a.Config.SlackAPIURL,
		Asker: svc, Dedup: s, Conversations: turnStore{s}, Auditor: auditStore{s},
		Roles: roles, Workers: a.Config.SlackWorkers, TurnTimeout: a.Config.TurnTimeout, Logger: a.Logger,
	})
	if err != nil {
		return nil, err
	}
	m := &Main{app: a, Bot: bot}
	if a.Config.SlackMode == "events" {
		m.Server = &http.Server{Addr: a.Config.HTTPAddr, Handler: bot.Handler(), ReadHeaderTimeout: 5 * time.Second}
	}
	return m, nil
}

// Run serves until ctx ends.
func (m *Main) Run(ctx context.Context) error {
	log := m.app.Logger
	errc := make(chan error, 1)
	if m.Server != nil {
		log.Info("serving Slack Events API", "addr", m.Server.Addr)
		// Exits when Shutdown closes the listener.
		go func() { errc <- m.Server.ListenAndServe() }()
	} else {
		log.Info("connecting to Slack in Socket Mode")
		// Exits when ctx ends or Shutdown is called.
		go func() { errc <- m.Bot.RunSocketMode(ctx) }()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), m.app.Config.ShutdownTimeout)
	defer cancel()
	if m.Server != nil {
		_ = m.Server.Shutdown(sctx)
	}
	if err := m.Bot.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "error", err)
	}
	if runErr != nil && !errors.Is(runErr, http.ErrServerClosed) && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}

// Close releases the store.
func (m *Main) Close() { m.app.Close() }

// turnStore adapts the store's JSON turns to slackbot.Conversations.
type turnStore struct{ s *postgres.Store }

func (t turnStore) LoadTurns(ctx context.Context, id string, limit int) ([]agent.Turn, error) {
	raw, err := t.s.LoadTurnsJSON(ctx, id, limit)
	if err != nil {
		return nil, err
	}
	out := make([]agent.Turn, 0, len(raw))
	for _, r := range raw {
		var turn agent.Turn
		if err := json.Unmarshal(r, &turn); err != nil {
			return nil, fmt.Errorf("load turns %s: %w", id, err)
		}
		out = append(out, turn)
	}
	return out, nil
}

func (t turnStore) AppendTurn(ctx context.Context, id string, turn agent.Turn) error {
	b, err := json.Marshal(turn)
	if err != nil {
		return err
	}
	return t.s.AppendTurnJSON(ctx, id, b)
}

// auditStore adapts the store's audit log to slackbot.Auditor.
type auditStore struct{ s *postgres.Store }

func (a auditStore) Audit(ctx context.Context, e slackbot.AuditEntry) error {
	return a.s.Audit(ctx, postgres.AuditRecord{At: e.At, UserID: e.UserID, Channel: e.Channel, ConversationID: e.ConversationID,
		Role: string(e.Role), Tool: e.Tool, Arguments: e.Arguments, Outcome: e.Outcome})
}
