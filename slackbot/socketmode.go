package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

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
		return errors.New("socket mode: invalid app-level token")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError,
		socketmode.EventTypeErrorWriteFailed, socketmode.EventTypeErrorBadMessage:
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack socket mode", slog.String("event", string(evt.Type)),
			slog.String("detail", fmt.Sprint(evt.Data)))
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
