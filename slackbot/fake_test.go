package slackbot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"

	"github.com/roibot/roibot/agent"
)

const (
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	testTeam   = "T0TEAM"
	testBotID  = "UBOT"
)

// call is one Web API call the fake Slack received.
type call struct {
	Method string
	Params map[string]string
}

// upload is one file received at an upload_url.
type upload struct {
	FileID   string
	Filename string
	Content  []byte
}

// fakeSlack is a slacktest server whose handlers record what the bot sent.
type fakeSlack struct {
	srv *slacktest.Server

	mu         sync.Mutex
	calls      []call
	uploads    map[string]upload
	users      map[string]map[string]any // users.info "user" objects by ID
	groups     map[string][]string       // usergroups.users.list by group ID
	limit429   int                       // chat.postMessage answers 429 this many times
	got429     int
	nextTS     int
	nextFileID int
	responses  []map[string]any      // bodies posted to response_url
	socket     func(*websocket.Conn) // serves a Socket Mode connection
	thread     []map[string]any      // conversations.replies messages
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{uploads: map[string]upload{}, users: map[string]map[string]any{}, groups: map[string][]string{}}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.postMessage)
		c.Handle("/chat.update", f.update)
		c.Handle("/conversations.replies", f.replies)
		c.Handle("/users.info", f.userInfo)
		c.Handle("/usergroups.users.list", f.groupMembers)
		c.Handle("/files.getUploadURLExternal", f.getUploadURL)
		c.Handle("/upload/", f.receiveUpload)
		c.Handle("/files.completeUploadExternal", f.completeUpload)
		c.Handle("/response/", f.responseURL)
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"ok": true, "url": f.srv.GetWSURL() + "-socket-mode"})
		})
		c.Handle("/ws-socket-mode", slacktest.Websocket(func(c *websocket.Conn) {
			f.mu.Lock()
			serve := f.socket
			f.mu.Unlock()
			if serve != nil {
				serve(c)
			}
		}))
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func params(r *http.Request) map[string]string {
	p := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		for k, v := range m {
			switch v := v.(type) {
			case string:
				p[k] = v
			default:
				b, _ := json.Marshal(v)
				p[k] = string(b)
			}
		}
		return p
	}
	_ = r.ParseForm()
	for k := range r.Form {
		p[k] = r.Form.Get(k)
	}
	return p
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeSlack) record(method string, p map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{Method: method, Params: p})
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	p := params(r)
	f.mu.Lock()
	if f.limit429 > 0 {
		f.limit429--
		f.got429++
		f.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	f.nextTS++
	ts := fmt.Sprintf("1800000000.%06d", f.nextTS)
	f.mu.Unlock()
	p["ts"] = ts
	f.record("chat.postMessage", p)
	writeJSON(w, map[string]any{"ok": true, "channel": p["channel"], "ts": ts,
		"message": map[string]any{"text": p["text"], "ts": ts}})
}

func (f *fakeSlack) update(w http.ResponseWriter, r *http.Request) {
	p := params(r)
	f.record("chat.update", p)
	writeJSON(w, map[string]any{"ok": true, "channel": p["channel"], "ts": p["ts"], "text": p["text"]})
}

func (f *fakeSlack) replies(w http.ResponseWriter, r *http.Request) {
	f.record("conversations.replies", params(r))
	f.mu.Lock()
	msgs := f.thread
	f.mu.Unlock()
	if msgs == nil {
		msgs = []map[string]any{}
	}
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

func (f *fakeSlack) userInfo(w http.ResponseWriter, r *http.Request) {
	p := params(r)
	f.mu.Lock()
	u, ok := f.users[p["user"]]
	f.mu.Unlock()
	if !ok {
		u = map[string]any{"id": p["user"], "team_id": testTeam, "name": "member"}
	}
	writeJSON(w, map[string]any{"ok": true, "user": u})
}

func (f *fakeSlack) groupMembers(w http.ResponseWriter, r *http.Request) {
	p := params(r)
	f.mu.Lock()
	users := f.groups[p["usergroup"]]
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "users": users})
}

func (f *fakeSlack) getUploadURL(w http.ResponseWriter, r *http.Request) {
	p := params(r)
	f.mu.Lock()
	f.nextFileID++
	id := fmt.Sprintf("F%03d", f.nextFileID)
	f.mu.Unlock()
	p["file_id"] = id
	f.record("files.getUploadURLExternal", p)
	writeJSON(w, map[string]any{"ok": true, "file_id": id, "upload_url": f.srv.GetAPIURL() + "upload/" + id})
}

func (f *fakeSlack) receiveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	file, hdr, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, _ := io.ReadAll(file)
	f.mu.Lock()
	f.uploads[id] = upload{FileID: id, Filename: hdr.Filename, Content: b}
	f.mu.Unlock()
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(b)))
}

func (f *fakeSlack) completeUpload(w http.ResponseWriter, r *http.Request) {
	p := params(r)
	f.record("files.completeUploadExternal", p)
	var files []map[string]any
	_ = json.Unmarshal([]byte(p["files"]), &files)
	writeJSON(w, map[string]any{"ok": true, "files": files})
}

func (f *fakeSlack) responseURL(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	_ = json.NewDecoder(r.Body).Decode(&m)
	f.mu.Lock()
	f.responses = append(f.responses, m)
	f.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

// callsTo returns the recorded calls of one method.
func (f *fakeSlack) callsTo(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// uploaded returns the uploaded files in upload order, with the
// completeUploadExternal call that shared each.
func (f *fakeSlack) uploaded() []struct {
	upload
	Complete call
} {
	var out []struct {
		upload
		Complete call
	}
	for _, c := range f.callsTo("files.completeUploadExternal") {
		var files []struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal([]byte(c.Params["files"]), &files)
		f.mu.Lock()
		for _, fs := range files {
			out = append(out, struct {
				upload
				Complete call
			}{f.uploads[fs.ID], c})
		}
		f.mu.Unlock()
	}
	return out
}

// fakeAsker is an Asker answering through AskFn and counting calls.
type fakeAsker struct {
	AskFn func(ctx context.Context, q agent.Question) (agent.Answer, error)

	calls     atomic.Int64
	mu        sync.Mutex
	questions []agent.Question
}

func (a *fakeAsker) Ask(ctx context.Context, q agent.Question) (agent.Answer, error) {
	a.calls.Add(1)
	a.mu.Lock()
	a.questions = append(a.questions, q)
	a.mu.Unlock()
	return a.AskFn(ctx, q)
}

func (a *fakeAsker) Questions() []agent.Question {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]agent.Question(nil), a.questions...)
}

// answerWith returns an AskFn giving ans to every question.
func answerWith(ans agent.Answer) func(context.Context, agent.Question) (agent.Answer, error) {
	return func(context.Context, agent.Question) (agent.Answer, error) { return ans, nil }
}

// newTestBot starts a Bot against f; it is shut down (drained) at cleanup.
func newTestBot(t testing.TB, f *fakeSlack, asker Asker, mods ...func(*Config)) *Bot {
	t.Helper()
	cfg := Config{
		APIURL:        f.srv.GetAPIURL(),
		BotToken:      "xoxb-test-token",
		SigningSecret: testSecret,
		Asker:         asker,
		Dedup:         &MemoryDedup{},
		Conversations: &MemoryConversations{},
		Auditor:       &MemoryAuditor{},
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		TurnTimeout:   10 * time.Second,
		// The fake serves response_url on loopback.
		ResponseURLHosts: []string{strings.TrimSuffix(strings.TrimPrefix(f.srv.GetAPIURL(), "http://"), "/")},
		UserRate:         -1,
	}
	for _, m := range mods {
		m(&cfg)
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})
	return b
}

// drain shuts b down and waits for every queued turn to finish, so the
// fake Slack holds everything the bot will ever send.
func drain(t testing.TB, b *Bot) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// sign returns Slack's signature headers for body at time at.
func sign(h http.Header, body []byte, at time.Time, secret string) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

func signedRequest(path string, body []byte, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", contentType)
	sign(r.Header, body, time.Now(), testSecret)
	return r
}

// deliver sends a signed Events API request to h and returns the status.
func deliver(t testing.TB, h http.Handler, body []byte, retryNum int) *httptest.ResponseRecorder {
	t.Helper()
	r := signedRequest("/slack/events", body, "application/json")
	if retryNum > 0 {
		r.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retryNum))
		r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// eventBody builds an event_callback envelope.
func eventBody(eventID string, ev map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": time.Now().Unix(), "event": ev,
		"authorizations": []any{map[string]any{"team_id": testTeam, "user_id": testBotID, "is_bot": true}},
	})
	return b
}

func mention(channel, user, text, ts, threadTS string) map[string]any {
	ev := map[string]any{"type": "app_mention", "channel": channel, "user": user,
		"text": "<@" + testBotID + "> " + text, "ts": ts, "event_ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

func dm(channel, user, text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel_type": "im", "channel": channel, "user": user,
		"text": text, "ts": ts, "event_ts": ts}
}

// blocksText flattens the "blocks" JSON of a chat call into its texts.
func blocksText(t testing.TB, c call) string {
	t.Helper()
	var blocks []struct {
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
		Fields []struct {
			Text string `json:"text"`
		} `json:"fields"`
		Elements []struct {
			Text string `json:"text"`
		} `json:"elements"`
	}
	if s := c.Params["blocks"]; s != "" {
		if err := json.Unmarshal([]byte(s), &blocks); err != nil {
			t.Fatalf("blocks of %s: %v", c.Method, err)
		}
	}
	var sb strings.Builder
	for _, b := range blocks {
		if b.Text != nil {
			sb.WriteString(b.Text.Text + "\n")
		}
		for _, f := range b.Fields {
			sb.WriteString(f.Text + "\n")
		}
		for _, e := range b.Elements {
			sb.WriteString(e.Text + "\n")
		}
	}
	return sb.String()
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func nopBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// waitFor polls cond until it holds or five seconds pass.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
