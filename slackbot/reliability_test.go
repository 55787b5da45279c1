package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roibot/roibot/agent"
)

// A turn acknowledged by a process that then died is answered by the next
// start: its "Working on it…" placeholder is updated, no second one posted.
func TestBot_ResumeAfterCrash(t *testing.T) {
	pending := &MemoryPending{}
	// The crashed run: the event was claimed, remembered and its
	// placeholder posted, then the process died (no DonePending).
	crashed := job{msg: &message{eventID: "Ev900", team: testTeam, channel: "C1", user: "U1",
		text: "ROAS by channel last quarter?", ts: "1700000000.009000", threadTS: "1700000000.009000", received: time.Now()}}
	raw, err := encodeJob(crashed)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = pending.AddPending(ctx, "slack:event:Ev900", raw)
	_ = pending.SetPlaceholder(ctx, "slack:event:Ev900", "1700000000.777777")

	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker, func(c *Config) { c.Pending = pending })
	n, err := b.Resume(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Resume = %d, %v; want 1 turn queued", n, err)
	}
	drain(t, b)
	if got := len(f.callsTo("chat.postMessage")); got != 0 {
		t.Errorf("chat.postMessage calls = %d; want 0 (the placeholder exists)", got)
	}
	updates := f.callsTo("chat.update")
	if len(updates) != 1 || updates[0].Params["ts"] != "1700000000.777777" {
		t.Fatalf("chat.update = %+v; want one update of placeholder 1700000000.777777", updates)
	}
	if text := blocksText(t, updates[0]); !strings.Contains(text, "*ROAS* for 2011-Q4 was 4.20") {
		t.Errorf("resumed answer = %q; want the answer", text)
	}
	if qs := asker.Questions(); len(qs) != 1 || qs[0].Text != "ROAS by channel last quarter?" {
		t.Errorf("questions = %+v; want the crashed turn's question", qs)
	}
	if left, _ := pending.ListPending(ctx); len(left) != 0 {
		t.Errorf("pending after the answer = %d; want 0", len(left))
	}
}

// A turn that keeps crashing the process is given up with an apology in
// place of its placeholder.
func TestBot_ResumeGivesUp(t *testing.T) {
	pending := &MemoryPending{}
	raw, _ := encodeJob(job{msg: &message{eventID: "Ev901", team: testTeam, channel: "C1", user: "U1",
		text: "x", ts: "1700000000.009100", threadTS: "1700000000.009100"}})
	ctx := context.Background()
	_ = pending.AddPending(ctx, "slack:event:Ev901", raw)
	for range MaxResumeAttempts {
		_, _ = pending.ListPending(ctx) // earlier starts that crashed again
	}
	f := newFakeSlack(t)
	// The placeholder was posted but never recorded: found in the thread.
	f.thread = []map[string]any{{"ts": "1700000000.888888", "bot_id": "B1", "user": testBotID, "text": WorkingText}}
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker, func(c *Config) { c.Pending = pending })
	if n, err := b.Resume(ctx); err != nil || n != 0 {
		t.Fatalf("Resume = %d, %v; want 0 turns queued", n, err)
	}
	drain(t, b)
	updates := f.callsTo("chat.update")
	if len(updates) != 1 || updates[0].Params["ts"] != "1700000000.888888" || updates[0].Params["text"] != RestartedText {
		t.Fatalf("chat.update = %+v; want the placeholder replaced by RestartedText", updates)
	}
	if asker.calls.Load() != 0 {
		t.Errorf("Ask calls = %d; want 0", asker.calls.Load())
	}
}

// A graceful shutdown whose deadline passes leaves the running and queued
// turns pending, without an error reply, for the next start.
// durablePending stands for a Pending that survives restarts (the
// postgres store): a MemoryPending that says it is durable.
type durablePending struct{ *MemoryPending }

func (durablePending) Durable() bool { return true }

func TestBot_ShutdownKeepsPending(t *testing.T) {
	pending := durablePending{&MemoryPending{}}
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
		<-ctx.Done()
		return agent.Answer{}, ctx.Err()
	}}
	b := newTestBot(t, f, asker, func(c *Config) { c.Pending = pending; c.Workers = 1 })
	h := b.Handler()
	deliver(t, h, eventBody("Ev910", mention("C1", "U1", "first", "1700000000.010000", "")), 0)
	deliver(t, h, eventBody("Ev911", mention("C1", "U2", "second", "1700000000.011000", "")), 0)
	waitFor(t, func() bool { return asker.calls.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := b.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v; want the deadline", err)
	}
	time.Sleep(200 * time.Millisecond) // let the cancelled worker finish
	list, _ := pending.ListPending(context.Background())
	keys := map[string]bool{}
	for _, p := range list {
		keys[p.Key] = true
	}
	if !keys["slack:event:Ev910"] || !keys["slack:event:Ev911"] || len(keys) != 2 {
		t.Errorf("pending after shutdown = %v; want Ev910 (running) and Ev911 (queued)", keys)
	}
	if n := len(f.callsTo("chat.update")); n != 0 {
		t.Errorf("chat.update calls = %d; want 0 (no error shown: the next start answers)", n)
	}
}

// One user over the limit gets a polite reply and no turn; another user is
// still answered.
func TestBot_UserRateLimit(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker, func(c *Config) { c.UserRate = 1; c.UserBurst = 2 })
	h := b.Handler()
	for _, ts := range []string{"1700000000.020001", "1700000000.020002", "1700000000.020003", "1700000000.020004"} {
		deliver(t, h, eventBody("EvF"+ts[len(ts)-1:], mention("C1", "UFLOOD", "q", ts, "")), 0)
	}
	deliver(t, h, eventBody("EvOther", mention("C1", "UCALM", "q", "1700000000.020100", "")), 0)
	drain(t, b)
	asked := map[string]int{}
	for _, q := range asker.Questions() {
		asked[strings.Split(q.ConversationID, ":")[2]]++
	}
	if got := asker.calls.Load(); got != 3 {
		t.Errorf("Ask calls = %d; want 3 (2 of the flooding user's burst + 1 of the other user)", got)
	}
	limited := 0
	for _, p := range f.callsTo("chat.postMessage") {
		if p.Params["text"] == RateLimitText {
			limited++
		}
	}
	if limited != 2 {
		t.Errorf("rate-limit replies = %d; want 2", limited)
	}
	if asked["1700000000.020100"] != 1 {
		t.Errorf("the other user's question was not answered: %v", asked)
	}
}

// The tool calls of a turn that failed (here: its deadline) are audited.
func TestBot_AuditFailedTurn(t *testing.T) {
	f := newFakeSlack(t)
	auditor := &MemoryAuditor{}
	asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
		return agent.Answer{ToolCalls: []agent.ToolCall{{ID: "c1", Name: "compute_roi",
			Arguments: json.RawMessage(`{"period":"2011"}`), Result: json.RawMessage(`{}`)}}}, context.DeadlineExceeded
	}}
	b := newTestBot(t, f, asker, func(c *Config) { c.Auditor = auditor })
	deliver(t, b.Handler(), eventBody("Ev920", mention("C1", "U1", "ROI 2011", "1700000000.030000", "")), 0)
	drain(t, b)
	e := auditor.Entries()
	if len(e) != 1 || e[0].Tool != "compute_roi" || string(e[0].Arguments) != `{"period":"2011"}` || e[0].UserID != "U1" {
		t.Fatalf("audit entries = %+v; want the failed turn's compute_roi call", e)
	}
}

// A slash command whose response_url is not a Slack host gets no post
// there, even for the refusal that goes only to response_url.
func TestBot_ResponseURLOnlySlack(t *testing.T) {
	var hits atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer evil.Close()
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker)
	form := "command=%2Froibot&team_id=" + testTeam + "&channel_id=C1&user_id=UC&trigger_id=T1" +
		"&response_url=" + evil.URL + "/hook&text=report+lost+customers"
	serve(b.Handler(), signedRequest("/slack/commands", []byte(form), "application/x-www-form-urlencoded"))
	drain(t, b)
	if hits.Load() != 0 {
		t.Errorf("posts to a non-Slack response_url = %d; want 0", hits.Load())
	}
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://hooks.slack.com/commands/T1/123/abc", true},
		{"http://hooks.slack.com/commands/T1/123/abc", false},
		{"https://hooks.slack.com.evil.example/x", false},
		{"https://user@hooks.slack.com/x", false},
		{"https://evil.example/?u=https://hooks.slack.com/", false},
	} {
		b2 := &Bot{cfg: Config{ResponseURLHosts: DefaultResponseURLHosts}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if got := b2.responseURL(tc.url) != ""; got != tc.want {
			t.Errorf("responseURL(%q) accepted = %v; want %v", tc.url, got, tc.want)
		}
	}
}

// A forged request with a 1 MB timestamp header writes a bounded log line.
func TestBot_RejectionLogIsBounded(t *testing.T) {
	var logs bytes.Buffer
	f := newFakeSlack(t)
	b := newTestBot(t, f, &fakeAsker{AskFn: answerWith(roasAnswer())}, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	body := eventBody("Ev930", mention("C1", "U1", "x", "1700000000.040000", ""))
	r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	r.Header.Set("X-Slack-Request-Timestamp", strings.Repeat("9", 1<<20))
	r.Header.Set("X-Slack-Signature", "v0=00")
	if w := serve(b.Handler(), r); w.Code != http.StatusUnauthorized {
		t.Fatalf("forged request = %d; want 401", w.Code)
	}
	drain(t, b)
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "slack request rejected") && len(line) > 1000 {
			t.Fatalf("rejection log line is %d bytes; want under 1000", len(line))
		}
	}
	if !strings.Contains(logs.String(), "slack request rejected") {
		t.Errorf("no rejection logged: %q", logs.String())
	}
}

// A client that sends its body slowly is cut off after the read timeout.
func TestBot_HTTPServerReadTimeout(t *testing.T) {
	f := newFakeSlack(t)
	b := newTestBot(t, f, &fakeAsker{AskFn: answerWith(roasAnswer())})
	srv := b.HTTPServer("127.0.0.1:0", 300*time.Millisecond)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }() // exits when Close is called below
	defer srv.Close()
	if srv.MaxHeaderBytes != 64<<10 || srv.ReadHeaderTimeout != 5*time.Second {
		t.Errorf("MaxHeaderBytes, ReadHeaderTimeout = %d, %v; want 65536, 5s", srv.MaxHeaderBytes, srv.ReadHeaderTimeout)
	}
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	for {
		if _, err := conn.Read(buf); err != nil {
			break // closed (or an error response, then closed)
		}
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("slow body held the connection for %v; want it cut after ~300ms", el)
	}
}

// A process that died between posting its placeholder and recording it:
// the resumed turn finds the placeholder in the thread and updates it.
func TestBot_ResumeFindsUnrecordedPlaceholder(t *testing.T) {
	pending := &MemoryPending{}
	raw, _ := encodeJob(job{msg: &message{eventID: "Ev902", team: testTeam, channel: "C1", user: "U1",
		text: "ROAS by channel last quarter?", ts: "1700000000.009200", threadTS: "1700000000.009200"}})
	ctx := context.Background()
	_ = pending.AddPending(ctx, "slack:event:Ev902", raw)
	f := newFakeSlack(t)
	f.thread = []map[string]any{
		{"ts": "1700000000.009200", "user": "U1", "text": "<@" + testBotID + "> ROAS by channel last quarter?"},
		{"ts": "1700000000.009100", "bot_id": "B1", "user": testBotID, "text": WorkingText}, // an older turn's
		{"ts": "1700000000.009300", "bot_id": "B1", "user": testBotID, "text": WorkingText},
	}
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker, func(c *Config) { c.Pending = pending })
	if n, err := b.Resume(ctx); err != nil || n != 1 {
		t.Fatalf("Resume = %d, %v; want 1", n, err)
	}
	drain(t, b)
	if n := len(f.callsTo("chat.postMessage")); n != 0 {
		t.Errorf("chat.postMessage calls = %d; want 0", n)
	}
	if ups := f.callsTo("chat.update"); len(ups) != 1 || ups[0].Params["ts"] != "1700000000.009300" {
		t.Errorf("chat.update = %+v; want one update of the placeholder 1700000000.009300", ups)
	}
}

// Slack unreachable at start-up: one plain-words error, then at most one
// summary a minute, and an info line once connected.
func TestBot_ConnectionFailureLogging(t *testing.T) {
	var logs bytes.Buffer
	f := newFakeSlack(t)
	b := newTestBot(t, f, &fakeAsker{AskFn: answerWith(roasAnswer())}, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	ctx := context.Background()
	for range 20 {
		b.connectionFailed(ctx, errors.New("dial tcp: lookup wss-primary.slack.com: no such host"))
	}
	b.connected(ctx)
	out := logs.String()
	if n := strings.Count(out, "level=ERROR"); n != 1 || !strings.Contains(out, "check network access to slack.com") || !strings.Contains(out, "HTTPS_PROXY") {
		t.Errorf("error lines = %d in %q; want 1 naming what to check", n, out)
	}
	if n := strings.Count(out, "still cannot connect"); n != 0 {
		t.Errorf("summary lines within a minute = %d; want 0", n)
	}
	if !strings.Contains(out, "connected to Slack in Socket Mode") || !strings.Contains(out, "failed_attempts=20") {
		t.Errorf("log = %q; want the connection noted with 20 failed attempts", out)
	}
}

// flakyDedup fails every claim after the first n succeed.
type flakyDedup struct {
	MemoryDedup
	ok atomic.Int64
}

func (d *flakyDedup) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if d.ok.Add(-1) < 0 {
		return false, errors.New("store unreachable")
	}
	return d.MemoryDedup.Claim(ctx, key, ttl)
}

// When the store cannot decide a claim, a retry of a message this process
// is already answering starts no second answer.
func TestBot_DedupStoreDown(t *testing.T) {
	f := newFakeSlack(t)
	release := make(chan struct{})
	asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
		<-release
		return roasAnswer(), nil
	}}
	dedup := &flakyDedup{}
	dedup.ok.Store(2) // the first delivery's two keys; then the store is down
	b := newTestBot(t, f, asker, func(c *Config) { c.Dedup = dedup })
	body := eventBody("Ev940", mention("C1", "U1", "ROAS?", "1700000000.050000", ""))
	for retry := range 3 {
		deliver(t, b.Handler(), body, retry)
	}
	// A new message while the store is down is still answered, once.
	deliver(t, b.Handler(), eventBody("Ev941", mention("C1", "U2", "ROI?", "1700000000.051000", "")), 0)
	deliver(t, b.Handler(), eventBody("Ev941", mention("C1", "U2", "ROI?", "1700000000.051000", "")), 1)
	close(release)
	drain(t, b)
	if n := asker.calls.Load(); n != 2 {
		t.Errorf("Ask calls = %d; want 2 (one per message, none for the retries)", n)
	}
}
