package main

// The attack suite: hostile and heavy use of `roibot serve`, bounded in
// count and time, against loopback only. `make test` runs a short form
// (figures printed with -v); `make attack` runs the full counts
// (ROIBOT_ATTACK_FULL=1). Every figure it prints is quoted in the README.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/roibot/roibot/postgres/pgtest"
	"github.com/roibot/roibot/tools"
)

// attackFull reports whether the full counts were asked for (make attack).
func attackFull() bool { return os.Getenv("ROIBOT_ATTACK_FULL") == "1" }

// fakeSlackAPI is a minimal Slack Web API on loopback whose users.info or
// chat.update can be made to hang, to hold a turn in the middle.
type fakeSlackAPI struct {
	srv *httptest.Server

	mu          sync.Mutex
	n           int
	posts       []map[string]string // chat.postMessage and chat.update, in order
	stallUsers  atomic.Bool
	stallUpdate atomic.Bool
	release     chan struct{} // closed by unstall: stalled handlers return
	releaseOnce sync.Once
}

// unstall lets every held request return (also at cleanup).
func (f *fakeSlackAPI) unstall() { f.releaseOnce.Do(func() { close(f.release) }) }

// stall holds a request until its client goes away or the test ends. The
// body is read first: net/http notices a closed connection only then.
func (f *fakeSlackAPI) stall(r *http.Request) {
	_ = r.ParseForm()
	select {
	case <-r.Context().Done():
	case <-f.release:
	}
}

func newFakeSlackAPI(t *testing.T) *fakeSlackAPI {
	f := &fakeSlackAPI{release: make(chan struct{})}
	mux := http.NewServeMux()
	record := func(method string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if method == "chat.update" && f.stallUpdate.Load() {
				f.stall(r)
				return
			}
			_ = r.ParseForm()
			p := map[string]string{"method": method}
			for k, v := range r.Form {
				p[k] = v[0]
			}
			f.mu.Lock()
			f.n++
			ts := fmt.Sprintf("1800000000.%06d", f.n)
			if method == "chat.update" {
				ts = p["ts"]
			}
			p["result_ts"] = ts
			f.posts = append(f.posts, p)
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, p["channel"], ts)
		}
	}
	mux.HandleFunc("/chat.postMessage", record("chat.postMessage"))
	mux.HandleFunc("/chat.update", record("chat.update"))
	mux.HandleFunc("/users.info", func(w http.ResponseWriter, r *http.Request) {
		if f.stallUsers.Load() {
			f.stall(r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"user":{"id":"U1","team_id":"T1","is_restricted":false}}`)
	})
	mux.HandleFunc("/usergroups.users.list", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"users":["U1"]}`)
	})
	mux.HandleFunc("/conversations.replies", func(w http.ResponseWriter, r *http.Request) {
		// The thread as Slack would return it: the bot's messages in it.
		_ = r.ParseForm()
		thread := r.Form.Get("ts")
		msgs := []map[string]any{}
		f.mu.Lock()
		for _, p := range f.posts {
			if p["method"] == "chat.postMessage" && p["thread_ts"] == thread {
				msgs = append(msgs, map[string]any{"ts": p["result_ts"], "bot_id": "B1", "user": "UBOT", "text": p["text"]})
			}
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": msgs})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.unstall) // runs first
	return f
}

func (f *fakeSlackAPI) url() string { return f.srv.URL + "/" }

// placeholders returns the "Working on it…" posts by thread.
func (f *fakeSlackAPI) snapshot() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]string(nil), f.posts...)
}

func signBody(body []byte, at time.Time, secret string) (string, string) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return ts, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

func mentionEvent(eventID, channel, ts, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": eventID, "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_mention", "user": "U1", "channel": channel, "ts": ts,
			"text": "<@UBOT> " + text},
	})
	return b
}

// TestAttack_ForgedRequests sends forged and replayed requests of every
// kind to the wired Events API: none may start a turn.
func TestAttack_ForgedRequests(t *testing.T) {
	env, slack := eventsEnv(t)
	m, app := startMain(t, env)
	defer app.Close()
	h := m.Bot.Handler()
	// Control: the same mention, genuinely signed, is accepted and
	// answered; without it the zero counts below would also hold for a
	// handler that refused everything.
	const genuineTS = "1700000002.000001"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signedEvent(t, mentionEvent("EvGenuine", "C1", genuineTS, "How many customers do we have?"), 0))
	if rec.Code != http.StatusOK {
		t.Fatalf("genuine signed request: status %d; want 200", rec.Code)
	}
	const n = 1000
	accepted, kinds := 0, map[string]int{}
	for i := range n {
		body := mentionEvent(fmt.Sprintf("EvForged%d", i), "C1", fmt.Sprintf("1700000001.%06d", i), "How many customers do we have?")
		req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		var kind string
		switch i % 8 {
		case 0: // no signature at all
			kind = "unsigned"
		case 1: // signed with another secret
			kind = "wrong_secret"
			ts, sig := signBody(body, time.Now(), "not-the-secret")
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sig)
		case 2: // a genuine signature replayed after six minutes
			kind = "replayed"
			ts, sig := signBody(body, time.Now().Add(-6*time.Minute), testSigningSecret)
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sig)
		case 3: // signed, then the body tampered with
			kind = "tampered"
			ts, sig := signBody(body, time.Now(), testSigningSecret)
			tampered := bytes.Replace(body, []byte("How many"), []byte("Drop every"), 1)
			req = httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(tampered))
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sig)
		case 4: // timestamp from the future
			kind = "future"
			ts, sig := signBody(body, time.Now().Add(10*time.Minute), testSigningSecret)
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sig)
		case 5: // another signature version
			kind = "v1_signature"
			ts, sig := signBody(body, time.Now(), testSigningSecret)
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", "v1="+strings.TrimPrefix(sig, "v0="))
		case 6: // a huge timestamp header
			kind = "huge_header"
			req.Header.Set("X-Slack-Request-Timestamp", strings.Repeat("9", 64<<10))
			req.Header.Set("X-Slack-Signature", "v0=00")
		case 7: // the signature of another body
			kind = "other_body"
			ts, sig := signBody(mentionEvent("EvOther", "C1", "1", "x"), time.Now(), testSigningSecret)
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sig)
		}
		kinds[kind]++
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			accepted++
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Bot.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	posts, genuine := 0, 0
	for _, p := range slack.calls("chat.postMessage") {
		if p["thread_ts"] == genuineTS {
			genuine++
			continue
		}
		posts++
	}
	if genuine != 1 {
		t.Errorf("genuine signed request: %d placeholders posted in its thread; want 1", genuine)
	}
	t.Logf("attack: forged/replayed requests: %d sent (%v), %d accepted, %d Slack posts", n, kinds, accepted, posts)
	if accepted != 0 || posts != 0 {
		t.Errorf("forged/replayed requests: %d accepted, %d posts; want 0 and 0", accepted, posts)
	}
}

// TestAttack_KillMidTurn kills `roibot serve` with SIGKILL while a turn is
// in flight (held in users.info, before the tools, or in chat.update, after
// them), restarts it, and counts the messages left without an answer or an
// apology in place of their "Working on it…".
func TestAttack_KillMidTurn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := pgtest.URL(t)
	schema := pgtest.NewSchema(t)
	kills := 3
	if attackFull() {
		kills = 10
	}
	bin := filepath.Join(t.TempDir(), "roibot")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	slack := newFakeSlackAPI(t)
	env := map[string]string{
		"DATABASE_URL": url, "ROIBOT_DB_SCHEMA": schema,
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": testSigningSecret,
		"ROIBOT_SLACK_MODE": "events", "SLACK_API_URL": slack.url(),
		"ROIBOT_MARKETER_CHANNELS": "C1", "ROIBOT_LLM_PROVIDER": "offline",
	}
	runRoibot(t, env, "import", "online-retail", "testdata/retail_small.csv")

	var lastLogs *bytes.Buffer
	start := func() (*exec.Cmd, string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "ROIBOT_HTTP_ADDR="+addr, "ROIBOT_LOG_LEVEL=info")
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		logs := &bytes.Buffer{}
		lastLogs = logs
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				c.Close()
				return cmd, addr
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("serve did not listen on %s within 60s: %s", addr, logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	send := func(addr string, body []byte) {
		ts, sig := signBody(body, time.Now(), testSigningSecret)
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("deliver: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("deliver: status %d", resp.StatusCode)
		}
	}
	waitPosts := func(cond func([]map[string]string) bool, within time.Duration) bool {
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if cond(slack.snapshot()) {
				return true
			}
			time.Sleep(50 * time.Millisecond)
		}
		return false
	}

	var placeholders []string
	for i := range kills {
		stallUpdate := i%2 == 1
		slack.stallUsers.Store(!stallUpdate)
		slack.stallUpdate.Store(stallUpdate)
		cmd, addr := start()
		before := len(slack.snapshot())
		msgTS := fmt.Sprintf("1700000002.%06d", i)
		send(addr, mentionEvent(fmt.Sprintf("EvKill%d", i), "C1", msgTS, "How many customers do we have?"))
		var ph string
		ok := waitPosts(func(p []map[string]string) bool {
			for _, c := range p[before:] {
				if c["method"] == "chat.postMessage" && c["thread_ts"] == msgTS {
					ph = c["result_ts"]
					return true
				}
			}
			return false
		}, 30*time.Second)
		if !ok {
			_ = cmd.Process.Kill()
			t.Fatalf("kill %d: no placeholder posted", i)
		}
		placeholders = append(placeholders, ph)
		if stallUpdate {
			time.Sleep(500 * time.Millisecond) // the tools run, the update hangs
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	// Restart with Slack answering: every killed turn must be finished.
	slack.stallUsers.Store(false)
	slack.stallUpdate.Store(false)
	cmd, _ := start()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	answered := func(p []map[string]string) int {
		n := 0
		for _, ph := range placeholders {
			for _, c := range p {
				if c["method"] == "chat.update" && c["ts"] == ph && c["text"] != "" {
					n++
					break
				}
			}
		}
		return n
	}
	waitPosts(func(p []map[string]string) bool { return answered(p) == len(placeholders) }, 90*time.Second)
	p := slack.snapshot()
	got := answered(p)
	extra := 0
	for _, c := range p {
		if c["method"] == "chat.postMessage" && c["text"] == "Working on it…" {
			extra++
		}
	}
	extra -= len(placeholders)
	t.Logf("attack: kill -9 mid-turn: %d kills, %d answered or apologised after restart, %d left with \"Working on it…\", %d extra placeholders",
		kills, got, len(placeholders)-got, extra)
	if got != len(placeholders) || extra != 0 {
		for i, ph := range placeholders {
			var seen []string
			for _, c := range p {
				if c["ts"] == ph || c["result_ts"] == ph {
					seen = append(seen, c["method"]+":"+c["text"])
				}
			}
			t.Logf("placeholder %d (%s): %q", i, ph, seen)
		}
		t.Logf("last serve's log:\n%s", lastLogs.String())
		t.Errorf("after %d kills: %d placeholders replaced, %d extra placeholders; want %d and 0", kills, got, extra, len(placeholders))
	}
}

// TestAttack_WorstArguments calls every tool with the worst arguments an
// attacker can send (huge and far-future periods, tiny supports, maximal k
// and horizons, NUL bytes, megabyte strings, deep nesting): each must come
// back within the turn deadline with a result or a clear argument error
// (both text with a nil error), never a panic or a store error, with the
// process's memory under 1 GiB throughout.
func TestAttack_WorstArguments(t *testing.T) {
	url := pgtest.URL(t)
	env := map[string]string{"DATABASE_URL": url, "ROIBOT_DB_SCHEMA": pgtest.NewSchema(t)}
	// ROIBOT_ATTACK_DATABASE_URL (optional, set by hand) runs the worst
	// arguments against a database holding the full demo data instead of the
	// small fixture; neither make test nor make attack sets it.
	if u := os.Getenv("ROIBOT_ATTACK_DATABASE_URL"); u != "" {
		env = map[string]string{"DATABASE_URL": u}
	} else {
		runRoibot(t, env, "import", "online-retail", "testdata/retail_small.csv")
	}
	app := &App{Env: env, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	if err := app.loadConfig(); err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ctx := context.Background()
	s, err := app.migratedStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, emb, err := app.feedback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var catalog []tools.Tool
	for _, e := range tools.Catalog(tools.Config{Store: s, Location: app.Config.Location(), Feedback: fs, Embedder: emb,
		ConversationID: func(context.Context) string { return "attack" }}) {
		catalog = append(catalog, e.Tool)
	}
	megabyte := strings.Repeat("A", 1<<20)
	deep := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	worst := []string{
		`{"period":"2011-01-01..9999-12-31"}`,
		`{"from":"0001-01-01","to":"9999-12-31"}`,
		`{"min_support":0.0001,"min_confidence":0,"min_lift":0}`,
		`{"min_support":0.002}`,
		`{"k":1000000,"top_n":1000000,"limit":1000000,"horizon_days":1000000}`,
		`{"country":"Ger\u0000many","customer_id":"\u0000"}`,
		`{"query":"` + megabyte + `","country":"` + megabyte + `"}`,
		`{"segment":"` + megabyte + `"}`,
		deep,
		`[` + strings.Repeat(`"x",`, 100000) + `"x"]`,
		`{"period":"2011-Q4","group_by":"channel","model":"markov","lookback_days":100000}`,
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // samples memory until stop is closed
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	calls, failed := 0, 0
	deadline := app.Config.TurnTimeout
	for _, tool := range catalog {
		for _, args := range worst {
			calls++
			cctx, cancel := context.WithTimeout(ctx, deadline)
			start := time.Now()
			if os.Getenv("ROIBOT_ATTACK_TRACE") != "" {
				t.Logf("calling %s(%.60s…)", tool.Name(), args)
			}
			out, err := func() (out string, err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				return tool.Call(cctx, args)
			}()
			el := time.Since(start)
			cancel()
			if el > 2*time.Second {
				t.Logf("slow: %s(%.60s…) took %v: %.120q, %v", tool.Name(), args, el.Round(time.Millisecond), out, err)
			}
			// An argument error is observation text with a nil error; a
			// non-nil error is a panic (recoverTool) or a failure of the
			// store on arguments that should have been refused.
			if err != nil || out == "" || el > deadline+5*time.Second {
				failed++
				t.Errorf("%s(%.80s…) = %.200q, %v after %v; want a result or an argument error within %v", tool.Name(), args, out, err, el, deadline)
			}
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("attack: worst tool arguments: %d calls, %d crashes or overruns, peak Go memory %d MiB", calls, failed, peak.Load()>>20)
	if peak.Load() > 1<<30 {
		t.Errorf("peak memory %d MiB; want under 1024 MiB", peak.Load()>>20)
	}
}
