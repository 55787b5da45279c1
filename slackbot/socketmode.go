package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode connects to Slack over Socket Mode with the app-level token
// and serves events until ctx ends or Shutdown is called; it then returns
// nil (ctx.Err() when ctx ended first, ErrClosed when called after
// Shutdown). Every envelope is acknowledged at once, then claimed through
// Dedup and queued, so a redelivered envelope (same event_id, or same
// channel and message ts) never starts a second turn.
func (b *Bot) RunSocketMode(ctx context.Context) error {
	if b.cfg.Client == nil && b.cfg.AppToken == "" {
		return errors.New("socket mode: AppToken (xapp-…) is required")
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	b.socketID++
	id := b.socketID
	b.sockets[id] = cancel
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.sockets, id)
		b.mu.Unlock()
		cancel()
	}()

	smc := socketmode.New(b.api)
	errc := make(chan error, 1)
	go func() { errc <- smc.RunContext(ctx) }() // exits when ctx is canceled
	for {
		select {
		case <-ctx.Done():
			<-errc
			return parent.Err() // nil when Shutdown ended the run
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-smc.Events:
			if err := b.handleSocketEvent(ctx, smc, evt); err != nil {
				return err
			}
		}
	}
}

func (b *Bot) handleSocketEvent(ctx context.Context, smc *socketmode.Client, evt socketmode.Event) error {
	switch evt.Type {
	case socketmode.EventTypeInvalidAuth:
		return errors.New("socket mode: Slack rejected the app-level token (SLACK_APP_TOKEN); generate a new xapp- token with the connections:write scope")
	case socketmode.EventTypeConnectionError:
		b.connectionFailed(ctx, evt.Data)
		return nil
	case socketmode.EventTypeConnected:
		b.connected(ctx)
		return nil
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed, socketmode.EventTypeErrorBadMessage:
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack socket mode", slog.String("event", string(evt.Type)),
			slog.String("detail", truncate(fmt.Sprint(evt.Data), 300)))
		return nil
	}
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return nil // hello, connecting, connected, disconnect
	}
	req := *evt.Request
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		b.ack(ctx, smc, req, nil)
		var env envelope
		if err := json.Unmarshal(req.Payload, &env); err != nil {
			b.log.LogAttrs(ctx, slog.LevelWarn, "slack socket mode bad payload", slog.Any("error", err))
			return nil
		}
		if env.Type == "event_callback" {
			b.intakeEnvelope(ctx, &env, req.RetryAttempt)
		}
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			b.ack(ctx, smc, req, nil)
			return nil
		}
		// The acknowledgement carries the immediate reply (help text or
		// "working on it"); Slack shows it to the user only.
		reply := b.intakeCommand(ctx, sc)
		if reply == nil {
			reply = ephemeral("roibot is restarting; please try again in a minute.")
		}
		b.ack(ctx, smc, req, reply)
	default:
		b.ack(ctx, smc, req, nil)
	}
	return nil
}

func (b *Bot) ack(ctx context.Context, smc *socketmode.Client, req socketmode.Request, payload any) {
	if err := smc.AckCtx(ctx, req.EnvelopeID, payload); err != nil && ctx.Err() == nil {
		// Slack redelivers unacknowledged envelopes; Dedup absorbs them.
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack socket mode ack failed",
			slog.String("envelope_id", req.EnvelopeID), slog.Any("error", err))
	}
}

// connLog keeps Socket Mode connection trouble to a few log lines: the
// first failure in plain words (what failed, what to check), then at most
// one summary a minute until the connection is made. slack-go's client
// retries with exponential backoff capped at five minutes.
type connLog struct {
	mu        sync.Mutex
	failures  int
	since     time.Time
	lastShown time.Time
}

// connectionSummaryEvery is how often a still-failing connection is logged.
const connectionSummaryEvery = time.Minute

func (b *Bot) connectionFailed(ctx context.Context, data any) {
	detail := fmt.Sprint(data)
	next := ""
	if ce, ok := data.(*slack.ConnectionErrorEvent); ok {
		detail = ce.Error()
		next = ce.Backoff.Round(time.Second).String()
	}
	now := time.Now()
	b.conn.mu.Lock()
	b.conn.failures++
	n := b.conn.failures
	if n == 1 {
		b.conn.since = now
	}
	show := n == 1 || now.Sub(b.conn.lastShown) >= connectionSummaryEvery
	if show {
		b.conn.lastShown = now
	}
	since := b.conn.since
	b.conn.mu.Unlock()
	if !show {
		b.log.LogAttrs(ctx, slog.LevelDebug, "slack socket mode connection failed", slog.Int("attempt", n),
			slog.String("error", truncate(detail, 300)))
		return
	}
	if n == 1 {
		b.log.LogAttrs(ctx, slog.LevelError, "cannot connect to Slack in Socket Mode: check network access to slack.com and wss-primary.slack.com, proxy settings (HTTPS_PROXY) and DNS; retrying with backoff",
			slog.String("error", truncate(detail, 300)), slog.String("next_try_in", next))
		return
	}
	b.log.LogAttrs(ctx, slog.LevelWarn, "still cannot connect to Slack in Socket Mode; retrying with backoff",
		slog.Int("attempts", n), slog.Duration("for", now.Sub(since).Round(time.Second)),
		slog.String("error", truncate(detail, 300)), slog.String("next_try_in", next))
}

func (b *Bot) connected(ctx context.Context) {
	b.conn.mu.Lock()
	n, since := b.conn.failures, b.conn.since
	b.conn.failures = 0
	b.conn.mu.Unlock()
	attrs := []slog.Attr{}
	if n > 0 {
		attrs = append(attrs, slog.Int("failed_attempts", n), slog.Duration("after", time.Since(since).Round(time.Second)))
	}
	b.log.LogAttrs(ctx, slog.LevelInfo, "connected to Slack in Socket Mode", attrs...)
}
