package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/postgres/pgtest"
	"github.com/roibot/roibot/slackbot"
)

const testSigningSecret = "e2e-signing-secret"

// slackRecorder is a slacktest server that records chat.postMessage and
// chat.update calls.
type slackRecorder struct {
	srv   *slacktest.Server
	mu    sync.Mutex
	posts []map[string]string
}

func newSlackRecorder(t *testing.T) *slackRecorder {
	r := &slackRecorder{}
	record := func(method string) http.HandlerFunc {
		return func(w http.ResponseWriter, req *http.Request) {
			_ = req.ParseForm()
			p := map[string]string{"method": method}
			for k, v := range req.Form {
				p[k] = v[0]
			}
			r.mu.Lock()
			r.posts = append(r.posts, p)
			n := len(r.posts)
			p["_ts"] = fmt.Sprintf("1700000000.%06d", n) // the ts answered below
			r.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, p["channel"], n)
		}
	}
	r.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", record("chat.postMessage"))
		c.Handle("/chat.update", record("chat.update"))
		c.Handle("/users.info", func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true,"user":{"id":"U1","team_id":"T1","is_restricted":false}}`)
		})
		c.Handle("/usergroups.users.list", func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true,"users":["U1"]}`)
		})
		c.Handle("/conversations.replies", func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true,"messages":[]}`)
		})
	})
	r.srv.Start()
	t.Cleanup(r.srv.Stop)
	return r
}

func (r *slackRecorder) calls(method string) []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]string
	for _, p := range r.posts {
		if p["method"] == method {
			out = append(out, p)
		}
	}
	return out
}

func signedEvent(t *testing.T, body []byte, retry int) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(testSigningSecret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return req
}

// eventsEnv imports testdata/retail_small.csv into a fresh schema and
// returns the environment of an Events API bot over it that answers
// marketers in channel C1, with the recorder of its Slack API calls.
func eventsEnv(t *testing.T) (map[string]string, *slackRecorder) {
	t.Helper()
	url := pgtest.URL(t)
	slack := newSlackRecorder(t)
	env := map[string]string{
		"DATABASE_URL": url, "ROIBOT_DB_SCHEMA": pgtest.NewSchema(t),
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": testSigningSecret,
		"ROIBOT_SLACK_MODE": "events", "SLACK_API_URL": slack.srv.GetAPIURL(),
		"ROIBOT_MARKETER_CHANNELS": "C1",
	}
	runRoibot(t, env, "import", "online-retail", "testdata/retail_small.csv")
	return env, slack
}

// startMain wires the service over env as roibot serve does; the caller
// closes the App.
func startMain(t *testing.T, env map[string]string) (*Main, *App) {
	t.Helper()
	app := &App{Env: env, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	if err := app.loadConfig(); err != nil {
		t.Fatal(err)
	}
	m, err := app.NewMain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m, app
}

// TestServe_EventsAPI runs the wired Slack service (store-backed dedup,
// conversation memory and audit log) on a small real dataset: one app
// mention, delivered three times across a restart, gets exactly one
// threaded answer with the right number, and the tool call is audited.
func TestServe_EventsAPI(t *testing.T) {
	env, slack := eventsEnv(t)

	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1700000000.000100",
			"text": "<@UBOT> How many customers do we have?"},
	})
	m, app := startMain(t, env)
	for retry := 0; retry < 2; retry++ {
		rec := httptest.NewRecorder()
		m.Bot.Handler().ServeHTTP(rec, signedEvent(t, body, retry))
		if rec.Code != http.StatusOK {
			t.Fatalf("delivery %d: status %d; want 200", retry, rec.Code)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Bot.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	app.Close()

	// A restart forgets nothing: the third delivery is still a duplicate.
	m2, app2 := startMain(t, env)
	rec := httptest.NewRecorder()
	m2.Bot.Handler().ServeHTTP(rec, signedEvent(t, body, 2))
	if err := m2.Bot.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	defer app2.Close()

	posts, updates := slack.calls("chat.postMessage"), slack.calls("chat.update")
	if len(posts) != 1 || len(updates) != 1 {
		t.Fatalf("%d posts and %d updates; want exactly one threaded answer (1 placeholder + 1 update)", len(posts), len(updates))
	}
	if posts[0]["thread_ts"] != "1700000000.000100" {
		t.Errorf("placeholder thread_ts = %q; want the mention's ts", posts[0]["thread_ts"])
	}
	// The fixture holds 3 customers with purchases.
	if answer := updates[0]["blocks"] + updates[0]["text"]; !strings.Contains(answer, `*customers*\n3`) {
		t.Errorf("answer = %s; want the customer count 3", answer)
	}
	s, err := app2.Store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	audit, err := s.AuditLog(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: the grounding check of the answer, then the tool call.
	if len(audit) != 2 || audit[1].Tool != "revenue_summary" || audit[1].UserID != "U1" || audit[1].Channel != "C1" || audit[1].Role != "marketer" || audit[1].Outcome != "ok" {
		t.Errorf("audit log = %+v; want one ok revenue_summary call by U1 in C1 as marketer, then the grounding check", audit)
	}
	if len(audit) == 2 && (audit[0].Tool != slackbot.GroundingAuditTool || audit[0].Outcome != agent.GroundingShown || audit[0].UserID != "U1" ||
		!strings.Contains(string(audit[0].Arguments), `"retried": false`)) {
		t.Errorf("audit log[0] = %+v; want the grounding check of the answer, shown", audit[0])
	}
	turns, err := s.LoadTurnsJSON(ctx, "T1:C1:1700000000.000100", 10)
	if err != nil || len(turns) != 1 || !strings.Contains(string(turns[0]), "How many customers") {
		t.Errorf("conversation turns = %q, %v; want the one turn stored", turns, err)
	}
}
