package slackbot

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestBot_SocketMode(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	acks := make(chan string, 10)
	payload := json.RawMessage(eventBody("EvS1", mention("C1", "U1", "ROAS?", "1700000000.009000", "")))
	f.socket = func(c *websocket.Conn) {
		_ = c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		// The same event twice: a redelivery gets a new envelope_id.
		_ = c.WriteJSON(map[string]any{"type": "events_api", "envelope_id": "env-1", "payload": payload})
		_ = c.WriteJSON(map[string]any{"type": "events_api", "envelope_id": "env-2", "payload": payload,
			"retry_attempt": 1, "retry_reason": "timeout"})
		for {
			var ack struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if err := c.ReadJSON(&ack); err != nil {
				return
			}
			acks <- ack.EnvelopeID
		}
	}
	b := newTestBot(t, f, asker, func(c *Config) { c.AppToken = "xapp-1-test" })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.RunSocketMode(ctx) }()

	for _, want := range []string{"env-1", "env-2"} {
		select {
		case got := <-acks:
			if got != want {
				t.Errorf("ack envelope_id = %q; want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no ack for %s within 5s", want)
		}
	}
	waitFor(t, func() bool { return len(f.callsTo("chat.update")) == 1 })
	drain(t, b) // Shutdown also ends RunSocketMode
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunSocketMode after Shutdown = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunSocketMode still running 5s after Shutdown")
	}
	if n := asker.calls.Load(); n != 1 {
		t.Errorf("Ask calls = %d; want 1 for an event delivered twice", n)
	}
	if n := len(f.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("chat.postMessage calls = %d; want 1", n)
	}
}
