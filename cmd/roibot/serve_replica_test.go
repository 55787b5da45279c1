package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/roibot/roibot/postgres/pgtest"
)

// TestServe_ReplicaLeavesLiveTurns: a second serve process starting while
// the first is still answering a turn does not run that turn again (its
// owner's heartbeat is fresh); the turn is answered once, by its owner.
func TestServe_ReplicaLeavesLiveTurns(t *testing.T) {
	slack := newFakeSlackAPI(t)
	env := map[string]string{
		"DATABASE_URL": pgtest.URL(t), "ROIBOT_DB_SCHEMA": pgtest.NewSchema(t),
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": testSigningSecret,
		"ROIBOT_SLACK_MODE": "events", "SLACK_API_URL": slack.url(),
		"ROIBOT_MARKETER_CHANNELS": "C1", "ROIBOT_LLM_PROVIDER": "offline",
	}
	runRoibot(t, env, "import", "online-retail", "testdata/retail_small.csv")
	ctx := context.Background()

	slack.stallUsers.Store(true) // A's turn is held after its placeholder
	a, appA := startMain(t, env)
	defer appA.Close()
	a.heartbeat(ctx)
	body := mentionEvent("EvReplica", "C1", "1700000003.000100", "How many customers do we have?")
	ts, sig := signBody(body, time.Now(), testSigningSecret)
	req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	rec := httptest.NewRecorder()
	a.Bot.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("delivery: %d", rec.Code)
	}
	placeholders := func() int {
		n := 0
		for _, p := range slack.snapshot() {
			if p["method"] == "chat.postMessage" && p["thread_ts"] == "1700000003.000100" {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(30 * time.Second)
	for placeholders() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if placeholders() != 1 {
		t.Fatalf("placeholders = %d; want A's one", placeholders())
	}

	// B starts (heartbeat + resume) while A is alive and still answering.
	b, appB := startMain(t, env)
	defer appB.Close()
	b.heartbeat(ctx)
	time.Sleep(300 * time.Millisecond)
	if n := placeholders(); n != 1 {
		t.Errorf("after a replica started, placeholders = %d; want 1 (the live turn is left to its owner)", n)
	}

	// A finishes: exactly one answer, in A's placeholder.
	slack.stallUsers.Store(false)
	slack.unstall()
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := a.Bot.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Bot.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	updates := 0
	for _, p := range slack.snapshot() {
		if p["method"] == "chat.update" {
			updates++
		}
	}
	if updates != 1 || placeholders() != 1 {
		t.Errorf("%d placeholders and %d updates; want exactly one answer", placeholders(), updates)
	}
}
