package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/slackbot"
)

func newServeCmd(app *App) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Slack app (Socket Mode by default; ROIBOT_SLACK_MODE=events serves the HTTP Events API)",
		Example: "  roibot serve --check   # verify the database, Slack tokens, LLM and embeddings, then exit\n" +
			"  roibot serve           # answer in Slack until interrupted",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if check {
				return app.serveCheck(cmd.Context(), cmd.OutOrStdout())
			}
			m, err := app.NewMain(cmd.Context())
			if err != nil {
				return err
			}
			return m.Run(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "verify the database, the Slack tokens (auth.test, the app token), the LLM and the embedding endpoint, print one line each, and exit")
	return cmd
}

// Main is the wired Slack service: Run blocks until ctx ends, then shuts
// down gracefully (stop intake, drain in-flight turns before
// ROIBOT_SHUTDOWN_TIMEOUT).
type Main struct {
	app    *App
	Bot    *slackbot.Bot
	Server *http.Server // nil in Socket Mode
	store  *postgres.Store
	// instance names this process in serve_instances and owns its pending
	// turns.
	instance string
}

// claimSweepEvery is how often serve deletes expired delivery claims.
const claimSweepEvery = 10 * time.Minute

// heartbeatEvery is how often serve records that it is alive and takes over
// the pending turns of instances that are not; pendingLease is how long an
// instance's turns are left to it after its last heartbeat. A turn of a
// process that died is run again within about pendingLease + heartbeatEvery.
const (
	heartbeatEvery = 5 * time.Second
	pendingLease   = 20 * time.Second
)

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
	instance := newInstanceID()
	bot, err := slackbot.New(slackbot.Config{
		BotToken: slackbot.Secret(a.Config.SlackBotToken), AppToken: slackbot.Secret(a.Config.SlackAppToken),
		SigningSecret: slackbot.Secret(a.Config.SlackSigningSecret), APIURL: a.Config.SlackAPIURL,
		Asker: svc, Dedup: s, Conversations: turnStore{s}, Auditor: auditStore{s}, Pending: pendingStore{s: s, instance: instance},
		Roles: roles, Workers: a.Config.SlackWorkers, TurnTimeout: a.Config.TurnTimeout, Logger: a.Logger,
	})
	if err != nil {
		return nil, err
	}
	m := &Main{app: a, Bot: bot, store: s, instance: instance}
	if a.Config.SlackMode == "events" {
		m.Server = bot.HTTPServer(a.Config.HTTPAddr, 0)
	}
	return m, nil
}

// Run resumes the turns a stopped process left unanswered, then serves
// until ctx ends; meanwhile it sends its heartbeat (and takes over the turns
// of processes that stopped) every heartbeatEvery and deletes expired
// delivery claims every claimSweepEvery.
func (m *Main) Run(ctx context.Context) error {
	log := m.app.Logger
	c := &m.app.Config
	log.Info("roibot serve starting", "database", redactURL(string(c.DatabaseURL)), "schema", c.DBSchema,
		"slack_mode", c.SlackMode, "slack_api", slackAPIURL(c.SlackAPIURL), "llm", c.Provider(),
		"embeddings", map[bool]string{true: "local hash embedder", false: c.EmbeddingURL}[c.EmbeddingURL == ""],
		"workers", c.SlackWorkers, "check", "roibot serve --check verifies each of these")
	m.heartbeat(ctx)
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go m.sweepClaims(sweepCtx) // exits when Run returns
	go m.resumeLoop(sweepCtx)  // exits when Run returns
	if spec := m.app.Config.RetrainSchedule; spec != "" {
		r := &Retrainer{Store: m.store, Now: time.Now, Location: m.app.Config.Location(), Logger: log}
		if ch := m.app.Config.DigestChannel; ch != "" {
			r.Post = slackPoster(string(m.app.Config.SlackBotToken), m.app.Config.SlackAPIURL, ch)
		}
		stop, err := startRetraining(sweepCtx, spec, m.app.Config.Location(), 30*time.Minute, r)
		if err != nil {
			return err
		}
		defer stop() // waits for a running retraining
		log.Info("scheduled retraining", "schedule", spec, "digest_channel", m.app.Config.DigestChannel)
	}
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

// newInstanceID names this serve process: host, process id and 6 random
// bytes, unique across replicas and restarts.
func newInstanceID() string {
	host, _ := os.Hostname()
	var r [6]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%s-%d-%x", host, os.Getpid(), r)
}

// heartbeat records this instance as alive, then runs again the turns that
// dead instances (a previous run of this one included) left unanswered.
func (m *Main) heartbeat(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := m.store.Heartbeat(ctx, m.instance); err != nil {
		m.app.Logger.Warn("serve heartbeat failed", "error", err)
		return
	}
	if n, err := m.Bot.Resume(ctx); err != nil {
		m.app.Logger.Error("resuming unanswered turns failed", "error", err)
	} else if n > 0 {
		m.app.Logger.Info("resumed unanswered turns of a process that stopped", "turns", n)
	}
}

// resumeLoop runs heartbeat every heartbeatEvery until ctx ends.
func (m *Main) resumeLoop(ctx context.Context) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.heartbeat(ctx)
		}
	}
}

// sweepClaims deletes delivery claims expired for over an hour, every
// claimSweepEvery, until ctx ends.
func (m *Main) sweepClaims(ctx context.Context) {
	t := time.NewTicker(claimSweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := m.store.DeleteExpiredClaims(ctx, time.Hour)
			if err != nil && ctx.Err() == nil {
				m.app.Logger.Warn("sweeping expired delivery claims failed", "error", err)
			} else if n > 0 {
				m.app.Logger.Debug("swept expired delivery claims", "claims", n)
			}
		}
	}
}

// pendingStore adapts the store's pending turns to slackbot.Pending: turns
// belong to this serve instance, and ListPending takes over those of
// instances whose heartbeat is older than pendingLease.
type pendingStore struct {
	s        *postgres.Store
	instance string
}

func (p pendingStore) AddPending(ctx context.Context, key string, turn []byte) error {
	return p.s.AddPending(ctx, key, turn, p.instance)
}

func (p pendingStore) SetPlaceholder(ctx context.Context, key, ts string) error {
	return p.s.SetPlaceholder(ctx, key, ts)
}

func (p pendingStore) DonePending(ctx context.Context, key string) error {
	return p.s.DonePending(ctx, key)
}

// Durable implements slackbot.Pending: pending_turns outlive the process.
func (pendingStore) Durable() bool { return true }

func (p pendingStore) ListPending(ctx context.Context) ([]slackbot.PendingTurn, error) {
	list, err := p.s.TakeOverPendingTurns(ctx, p.instance, pendingLease)
	if err != nil {
		return nil, err
	}
	out := make([]slackbot.PendingTurn, len(list))
	for i, t := range list {
		out[i] = slackbot.PendingTurn{Key: t.Key, Turn: t.Turn, Placeholder: t.Placeholder, Attempts: t.Attempts, Created: t.Created}
	}
	return out, nil
}
