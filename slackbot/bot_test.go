package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roibot/roibot/agent"
)

// roasAnswer is a canned answer with key figures and one tool call.
func roasAnswer() agent.Answer {
	return agent.Answer{
		Text: "**ROAS** for 2011-Q4 was 4.20 overall (revenue ÷ ad spend, last-touch attribution). Email led at 7.85.",
		ToolCalls: []agent.ToolCall{{
			ID: "call_1", Name: "compute_roi",
			Arguments: json.RawMessage(`{"group_by":"channel","period":"2011-Q4"}`),
			Result:    json.RawMessage(`{"roas":4.2}`),
		}},
		Tables: []agent.Table{{
			Title:   "ROAS by channel",
			Columns: []string{"channel", "ROAS"},
			Rows:    [][]string{{"email", "7.85"}, {"paid_search", "3.10"}, {"display", "1.42"}},
		}},
	}
}

func TestBot_AppMention(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	auditor := &MemoryAuditor{}
	b := newTestBot(t, f, asker, func(c *Config) { c.Auditor = auditor })

	body := eventBody("Ev001", mention("C1", "U1", "ROAS by channel last quarter?", "1700000000.000100", ""))
	if w := deliver(t, b.Handler(), body, 0); w.Code != http.StatusOK {
		t.Fatalf("POST /slack/events = %d; want 200", w.Code)
	}
	drain(t, b)

	posts := f.callsTo("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("chat.postMessage calls = %d; want 1", len(posts))
	}
	if got := posts[0].Params["thread_ts"]; got != "1700000000.000100" {
		t.Errorf("placeholder thread_ts = %q; want 1700000000.000100", got)
	}
	if got := posts[0].Params["text"]; got != WorkingText {
		t.Errorf("placeholder text = %q; want %q", got, WorkingText)
	}
	updates := f.callsTo("chat.update")
	if len(updates) != 1 {
		t.Fatalf("chat.update calls = %d; want 1", len(updates))
	}
	if got, want := updates[0].Params["ts"], posts[0].Params["ts"]; got != want {
		t.Errorf("chat.update ts = %q; want the placeholder's %q", got, want)
	}
	text := blocksText(t, updates[0])
	for _, want := range []string{"*ROAS* for 2011-Q4 was 4.20", "*email*\n7.85", "*paid_search*\n3.10", "*display*\n1.42"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer blocks = %q; want them to contain %q", text, want)
		}
	}
	if n := asker.calls.Load(); n != 1 {
		t.Errorf("Ask calls = %d; want 1", n)
	}
	q := asker.Questions()[0]
	if q.Text != "ROAS by channel last quarter?" {
		t.Errorf("Question.Text = %q; want the text without the mention", q.Text)
	}
	if want := testTeam + ":C1:1700000000.000100"; q.ConversationID != want {
		t.Errorf("Question.ConversationID = %q; want %q", q.ConversationID, want)
	}
	if q.Role != agent.RoleCustomer {
		t.Errorf("Question.Role = %q; want customer (no roles configured)", q.Role)
	}
	entries := auditor.Entries()
	if len(entries) != 1 {
		t.Fatalf("audit entries = %d; want 1", len(entries))
	}
	e := entries[0]
	if e.UserID != "U1" || e.Channel != "C1" || e.Tool != "compute_roi" || e.Outcome != "ok" ||
		string(e.Arguments) != `{"group_by":"channel","period":"2011-Q4"}` || e.ConversationID != q.ConversationID {
		t.Errorf("audit entry = %+v; want U1 in C1 calling compute_roi with its arguments, outcome ok", e)
	}
}

func TestBot_Dedup(t *testing.T) {
	t.Run("RetriesWhileProcessing", func(t *testing.T) {
		f := newFakeSlack(t)
		release := make(chan struct{})
		asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
			<-release // still processing while the retries arrive
			return roasAnswer(), nil
		}}
		b := newTestBot(t, f, asker)
		body := eventBody("Ev002", mention("C1", "U1", "ROAS?", "1700000000.000200", ""))
		for retry := range 3 {
			if w := deliver(t, b.Handler(), body, retry); w.Code != http.StatusOK {
				t.Fatalf("delivery with X-Slack-Retry-Num %d = %d; want 200", retry, w.Code)
			}
		}
		close(release)
		drain(t, b)
		if n := asker.calls.Load(); n != 1 {
			t.Errorf("Ask calls = %d; want 1", n)
		}
		if n := len(f.callsTo("chat.postMessage")); n != 1 {
			t.Errorf("chat.postMessage calls = %d; want 1", n)
		}
		if n := len(f.callsTo("chat.update")); n != 1 {
			t.Errorf("chat.update calls = %d; want 1", n)
		}
	})
	t.Run("SameMessageOtherEventID", func(t *testing.T) {
		f := newFakeSlack(t)
		asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
		b := newTestBot(t, f, asker)
		deliver(t, b.Handler(), eventBody("Ev003", mention("C1", "U1", "ROAS?", "1700000000.000300", "")), 0)
		deliver(t, b.Handler(), eventBody("Ev004", mention("C1", "U1", "ROAS?", "1700000000.000300", "")), 0)
		drain(t, b)
		if n := asker.calls.Load(); n != 1 {
			t.Errorf("Ask calls = %d; want 1 for two events of one message", n)
		}
	})
	t.Run("IgnoredEvents", func(t *testing.T) {
		f := newFakeSlack(t)
		asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
		b := newTestBot(t, f, asker)
		bot := dm("D1", "U2", "hi", "1.1")
		bot["bot_id"] = "B1"
		own := dm("D1", testBotID, "hi", "1.2")
		edited := dm("D1", "U2", "hi", "1.3")
		edited["subtype"] = "message_changed"
		channelMsg := dm("C1", "U2", "hi", "1.4")
		channelMsg["channel_type"] = "channel"
		for i, ev := range []map[string]any{bot, own, edited, channelMsg} {
			if w := deliver(t, b.Handler(), eventBody(fmt.Sprintf("EvI%d", i), ev), 0); w.Code != http.StatusOK {
				t.Errorf("event %d = %d; want 200", i, w.Code)
			}
		}
		drain(t, b)
		if n := asker.calls.Load(); n != 0 {
			t.Errorf("Ask calls = %d; want 0 for bot, own, edited and channel messages", n)
		}
		if n := len(f.callsTo("chat.postMessage")); n != 0 {
			t.Errorf("chat.postMessage calls = %d; want 0", n)
		}
	})
}

func TestHandler_Verification(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker)
	h := b.Handler()
	body := eventBody("Ev010", mention("C1", "U1", "ROAS?", "1700000000.001000", ""))

	t.Run("Forged", func(t *testing.T) {
		r := signedRequest("/slack/events", body, "application/json")
		r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32))
		w := serve(h, r)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("forged signature = %d; want 401", w.Code)
		}
	})
	t.Run("WrongSecret", func(t *testing.T) {
		r := signedRequest("/slack/events", body, "application/json")
		sign(r.Header, body, time.Now(), "another-secret")
		if w := serve(h, r); w.Code != http.StatusUnauthorized {
			t.Errorf("wrong secret = %d; want 401", w.Code)
		}
	})
	t.Run("BodyChanged", func(t *testing.T) {
		r := signedRequest("/slack/events", body, "application/json")
		r.Body = nopBody(bytes.Replace(body, []byte("ROAS?"), []byte("ROI?!"), 1))
		if w := serve(h, r); w.Code != http.StatusUnauthorized {
			t.Errorf("altered body = %d; want 401", w.Code)
		}
	})
	t.Run("Stale", func(t *testing.T) {
		r := signedRequest("/slack/events", body, "application/json")
		sign(r.Header, body, time.Now().Add(-6*time.Minute), testSecret)
		if w := serve(h, r); w.Code != http.StatusUnauthorized {
			t.Errorf("6-minute-old timestamp = %d; want 401", w.Code)
		}
	})
	t.Run("Unsigned", func(t *testing.T) {
		r := signedRequest("/slack/events", body, "application/json")
		r.Header.Del("X-Slack-Signature")
		if w := serve(h, r); w.Code != http.StatusUnauthorized {
			t.Errorf("unsigned = %d; want 401", w.Code)
		}
	})
	t.Run("Commands", func(t *testing.T) {
		form := []byte("command=%2Froibot&text=ask+ROAS&user_id=U1&channel_id=C1&team_id=" + testTeam)
		r := signedRequest("/slack/commands", form, "application/x-www-form-urlencoded")
		sign(r.Header, form, time.Now().Add(-6*time.Minute), testSecret)
		if w := serve(h, r); w.Code != http.StatusUnauthorized {
			t.Errorf("stale slash command = %d; want 401", w.Code)
		}
	})
	drain(t, b)
	if n := asker.calls.Load(); n != 0 {
		t.Errorf("Ask calls = %d; want 0 after rejected requests", n)
	}
	if n := len(f.callsTo("chat.postMessage")); n != 0 {
		t.Errorf("chat.postMessage calls = %d; want 0", n)
	}
}

func TestHandler_URLVerification(t *testing.T) {
	f := newFakeSlack(t)
	b := newTestBot(t, f, &fakeAsker{AskFn: answerWith(agent.Answer{})})
	body := []byte(`{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	w := deliver(t, b.Handler(), body, 0)
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification = %d %q; want 200 and the challenge", w.Code, w.Body.String())
	}
}

func TestBot_Roles(t *testing.T) {
	roles := RoleConfig{
		UserGroups:       map[string]agent.Role{"S_ANALYSTS": agent.RoleAnalyst, "S_MARKETING": agent.RoleMarketer},
		Channels:         map[string]agent.Role{"C_MKT": agent.RoleMarketer},
		FeedbackChannels: []string{"C_FEEDBACK"},
	}
	tests := []struct {
		name    string
		user    map[string]any
		ev      map[string]any
		want    agent.Role
		groupOf string
	}{
		{"GuestDM", map[string]any{"id": "UG", "team_id": testTeam, "is_restricted": true}, dm("D1", "UG", "hi", "2.1"), agent.RoleCustomer, "S_ANALYSTS"},
		{"SingleChannelGuest", map[string]any{"id": "UG", "team_id": testTeam, "is_ultra_restricted": true}, mention("C_MKT", "UG", "hi", "2.2", ""), agent.RoleCustomer, ""},
		{"SlackConnect", map[string]any{"id": "UX", "team_id": "T_OTHER"}, mention("C_MKT", "UX", "hi", "2.3", ""), agent.RoleCustomer, "S_ANALYSTS"},
		{"Stranger", map[string]any{"id": "UX", "team_id": testTeam, "is_stranger": true}, dm("D1", "UX", "hi", "2.4"), agent.RoleCustomer, ""},
		{"MemberOutsideGroupsDM", map[string]any{"id": "UM", "team_id": testTeam}, dm("D1", "UM", "hi", "2.5"), agent.RoleCustomer, ""},
		{"FeedbackChannel", map[string]any{"id": "UA", "team_id": testTeam}, mention("C_FEEDBACK", "UA", "hi", "2.6", ""), agent.RoleCustomer, "S_ANALYSTS"},
		{"AnalystDM", map[string]any{"id": "UA", "team_id": testTeam}, dm("D1", "UA", "hi", "2.7"), agent.RoleAnalyst, "S_ANALYSTS"},
		{"MarketingChannel", map[string]any{"id": "UM", "team_id": testTeam}, mention("C_MKT", "UM", "hi", "2.8", ""), agent.RoleMarketer, ""},
		{"AnalystInMarketingChannel", map[string]any{"id": "UA", "team_id": testTeam}, mention("C_MKT", "UA", "hi", "2.9", ""), agent.RoleAnalyst, "S_ANALYSTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			id := tt.user["id"].(string)
			f.users[id] = tt.user
			if tt.groupOf != "" {
				f.groups[tt.groupOf] = []string{id}
			}
			asker := &fakeAsker{AskFn: answerWith(agent.Answer{Text: "Thanks, noted."})}
			b := newTestBot(t, f, asker, func(c *Config) { c.Roles = roles })
			deliver(t, b.Handler(), eventBody("Ev-"+tt.name, tt.ev), 0)
			drain(t, b)
			qs := asker.Questions()
			if len(qs) != 1 {
				t.Fatalf("Ask calls = %d; want 1", len(qs))
			}
			if qs[0].Role != tt.want {
				t.Errorf("Question.Role = %q; want %q", qs[0].Role, tt.want)
			}
		})
	}
	t.Run("LookupFailsClosed", func(t *testing.T) {
		f := newFakeSlack(t)
		asker := &fakeAsker{AskFn: answerWith(agent.Answer{Text: "ok"})}
		// A client pointed at a closed port cannot look anyone up.
		b := newTestBot(t, f, asker, func(c *Config) { c.Roles = roles; c.APIURL = "http://127.0.0.1:1/" })
		role, reason, err := b.roles.resolve(context.Background(), testTeam, "D1", "UA")
		if role != agent.RoleCustomer || reason != "lookup_failed" || err == nil {
			t.Errorf("resolve with Slack unreachable = %q (%s, %v); want customer, lookup_failed and an error", role, reason, err)
		}
	})
}

func TestBot_LargeTableAsCSV(t *testing.T) {
	f := newFakeSlack(t)
	table := agent.Table{Title: "CLV by customer", Columns: []string{"customer_id", "country", "clv_gbp"}}
	for i := range 60 {
		table.Rows = append(table.Rows, []string{fmt.Sprint(12346 + i), "United Kingdom", fmt.Sprintf("%d.%02d", 100+i*7, i)})
	}
	asker := &fakeAsker{AskFn: answerWith(agent.Answer{Text: "Top 60 customers by historical CLV.", Tables: []agent.Table{table}})}
	b := newTestBot(t, f, asker)
	deliver(t, b.Handler(), eventBody("Ev020", mention("C1", "U1", "CLV top 60", "1700000000.002000", "")), 0)
	drain(t, b)

	ups := f.uploaded()
	if len(ups) != 1 {
		t.Fatalf("uploaded files = %d; want 1 CSV", len(ups))
	}
	u := ups[0]
	lines := strings.Split(strings.TrimRight(string(u.Content), "\n"), "\n")
	if len(lines) != 61 {
		t.Errorf("CSV lines = %d; want 61 (header + 60 rows)", len(lines))
	}
	if lines[0] != "customer_id,country,clv_gbp" || lines[60] != "12405,United Kingdom,513.59" {
		t.Errorf("CSV first/last line = %q / %q; want header and 12405,United Kingdom,513.59", lines[0], lines[60])
	}
	if u.Filename != "clv_by_customer.csv" {
		t.Errorf("file name = %q; want clv_by_customer.csv", u.Filename)
	}
	if got := u.Complete.Params["channel_id"]; got != "C1" {
		t.Errorf("completeUploadExternal channel_id = %q; want C1", got)
	}
	if got := u.Complete.Params["thread_ts"]; got != "1700000000.002000" {
		t.Errorf("completeUploadExternal thread_ts = %q; want 1700000000.002000", got)
	}
	text := blocksText(t, f.callsTo("chat.update")[0])
	if strings.Contains(text, "12405") {
		t.Errorf("message blocks contain table rows: %q; want the table only in the CSV", text)
	}
	if !strings.Contains(text, "60 rows × 3 columns") || !strings.Contains(text, "attached as clv_by_customer.csv") {
		t.Errorf("message blocks = %q; want a line saying the 60-row table is attached as CSV", text)
	}
}

func TestBot_ChartPNG(t *testing.T) {
	f := newFakeSlack(t)
	chart := agent.Chart{Title: "ROAS by channel", Kind: "bar", Labels: []string{"email", "paid_search", "display"},
		Values: []float64{7.85, 3.10, 1.42}, Unit: "ROAS (x)"}
	asker := &fakeAsker{AskFn: answerWith(agent.Answer{Text: "Email leads.", Charts: []agent.Chart{chart}})}
	b := newTestBot(t, f, asker)
	deliver(t, b.Handler(), eventBody("Ev030", mention("C1", "U1", "chart ROAS", "1700000000.003000", "")), 0)
	drain(t, b)

	ups := f.uploaded()
	if len(ups) != 1 {
		t.Fatalf("uploaded files = %d; want 1 PNG", len(ups))
	}
	if !bytes.HasPrefix(ups[0].Content, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("uploaded chart starts %q; want the PNG signature", ups[0].Content[:min(8, len(ups[0].Content))])
	}
	if got := ups[0].Complete.Params["thread_ts"]; got != "1700000000.003000" {
		t.Errorf("chart thread_ts = %q; want 1700000000.003000", got)
	}
	gets := f.callsTo("files.getUploadURLExternal")
	if alt := gets[0].Params["alt_txt"]; !strings.Contains(alt, "email 7.85 ROAS (x)") {
		t.Errorf("chart alt text = %q; want the values", alt)
	}
}

func TestBot_ThreadFollowUp(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: func(_ context.Context, q agent.Question) (agent.Answer, error) {
		if strings.Contains(q.Text, "Germany") {
			return agent.Answer{Text: "Germany: £221,698.20 in 2011-Q4."}, nil
		}
		return agent.Answer{Text: "United Kingdom: £3,215,817.44 in 2011-Q4."}, nil
	}}
	b := newTestBot(t, f, asker)
	h := b.Handler()
	deliver(t, h, eventBody("Ev040", mention("C1", "U1", "revenue by country in 2011-Q4", "1700000000.004000", "")), 0)
	// Wait for the first turn before the follow-up, as a person would.
	waitFor(t, func() bool { return len(f.callsTo("chat.update")) == 1 })
	deliver(t, h, eventBody("Ev041", mention("C1", "U1", "and for Germany?", "1700000000.004100", "1700000000.004000")), 0)
	drain(t, b)

	qs := asker.Questions()
	if len(qs) != 2 {
		t.Fatalf("Ask calls = %d; want 2", len(qs))
	}
	if qs[1].ConversationID != qs[0].ConversationID {
		t.Errorf("follow-up ConversationID = %q; want the thread's %q", qs[1].ConversationID, qs[0].ConversationID)
	}
	want := agent.Turn{Question: "revenue by country in 2011-Q4", Answer: "United Kingdom: £3,215,817.44 in 2011-Q4."}
	if len(qs[1].History) != 1 || qs[1].History[0].Question != want.Question || qs[1].History[0].Answer != want.Answer {
		t.Errorf("follow-up History = %+v; want [%+v]", qs[1].History, want)
	}
	if n := len(qs[0].History); n != 0 {
		t.Errorf("first question History has %d turns; want 0", n)
	}
	posts := f.callsTo("chat.postMessage")
	if len(posts) != 2 || posts[1].Params["thread_ts"] != "1700000000.004000" {
		t.Errorf("follow-up placeholder = %+v; want it in thread 1700000000.004000", posts)
	}
}

func TestBot_RateLimitRetry(t *testing.T) {
	f := newFakeSlack(t)
	f.limit429 = 1
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker)
	start := time.Now()
	deliver(t, b.Handler(), eventBody("Ev050", mention("C1", "U1", "ROAS?", "1700000000.005000", "")), 0)
	drain(t, b)
	if f.got429 != 1 {
		t.Errorf("429 answers = %d; want 1", f.got429)
	}
	if n := len(f.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("successful chat.postMessage calls = %d; want 1 (retried once)", n)
	}
	if n := len(f.callsTo("chat.update")); n != 1 {
		t.Errorf("chat.update calls = %d; want 1", n)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("turn took %v; want at least the 1s Retry-After", d)
	}
}

func TestBot_AskError(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: func(context.Context, agent.Question) (agent.Answer, error) {
		return agent.Answer{}, fmt.Errorf("llm: connection refused to 10.0.0.7")
	}}
	var logs bytes.Buffer
	b := newTestBot(t, f, asker, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	deliver(t, b.Handler(), eventBody("Ev060", mention("C1", "U1", "ROAS?", "1700000000.006000", "")), 0)
	drain(t, b)
	ups := f.callsTo("chat.update")
	if len(ups) != 1 {
		t.Fatalf("chat.update calls = %d; want 1", len(ups))
	}
	text := ups[0].Params["text"]
	var rec struct {
		Ref, Outcome, EventID string
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"slack turn"`) {
			var m map[string]any
			_ = json.Unmarshal([]byte(line), &m)
			rec.Ref, _ = m["ref"].(string)
			rec.Outcome, _ = m["outcome"].(string)
			rec.EventID, _ = m["event_id"].(string)
		}
	}
	if rec.Ref == "" || !strings.Contains(text, rec.Ref) {
		t.Errorf("error reply = %q, logged ref = %q; want the reply to show the logged reference", text, rec.Ref)
	}
	if strings.Contains(text, "10.0.0.7") {
		t.Errorf("error reply = %q; want plain words without internals", text)
	}
	if rec.Outcome != "ask_error" || rec.EventID != "Ev060" {
		t.Errorf("turn log outcome, event_id = %q, %q; want ask_error, Ev060", rec.Outcome, rec.EventID)
	}
}

func TestBot_SlashCommand(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: answerWith(roasAnswer())}
	b := newTestBot(t, f, asker, func(c *Config) {
		c.Roles = RoleConfig{UserGroups: map[string]agent.Role{"S_ANALYSTS": agent.RoleAnalyst}}
	})
	f.groups["S_ANALYSTS"] = []string{"UA"}
	h := b.Handler()
	command := func(text, user string) (int, commandReply) {
		form := "command=%2Froibot&team_id=" + testTeam + "&channel_id=C1&user_id=" + user +
			"&trigger_id=" + user + strings.ReplaceAll(text, " ", "_") +
			"&response_url=" + f.srv.GetAPIURL() + "response/1&text=" + strings.ReplaceAll(text, " ", "+")
		w := serve(h, signedRequest("/slack/commands", []byte(form), "application/x-www-form-urlencoded"))
		var reply commandReply
		_ = json.Unmarshal(w.Body.Bytes(), &reply)
		return w.Code, reply
	}
	if code, reply := command("help", "UA"); code != http.StatusOK || reply.Text != HelpText || reply.ResponseType != "ephemeral" {
		t.Errorf("/roibot help = %d %+v; want 200 and the ephemeral help", code, reply)
	}
	if code, reply := command("report at_risk customers", "UA"); code != http.StatusOK || reply.Text != "Working on it…" {
		t.Errorf("/roibot report = %d %+v; want 200 and an ephemeral working note", code, reply)
	}
	command("report lost customers", "UC") // a customer: refused
	drain(t, b)

	qs := asker.Questions()
	if len(qs) != 1 || qs[0].Text != "report on at_risk customers" || qs[0].Role != agent.RoleAnalyst {
		t.Fatalf("questions = %+v; want one analyst question \"report on at_risk customers\"", qs)
	}
	posts := f.callsTo("chat.postMessage")
	if len(posts) != 1 || posts[0].Params["channel"] != "C1" || posts[0].Params["thread_ts"] != "" {
		t.Fatalf("chat.postMessage = %+v; want one answer in channel C1", posts)
	}
	if text := blocksText(t, posts[0]); !strings.Contains(text, "<@UA> asked: report on at_risk customers") || !strings.Contains(text, "*email*\n7.85") {
		t.Errorf("answer blocks = %q; want the question and the figures", text)
	}
	f.mu.Lock()
	responses := f.responses
	f.mu.Unlock()
	if len(responses) != 1 || responses[0]["response_type"] != "ephemeral" || !strings.Contains(fmt.Sprint(responses[0]["text"]), "analysts") {
		t.Errorf("response_url posts = %+v; want one ephemeral refusal for the customer", responses)
	}
}

func TestBot_Shutdown(t *testing.T) {
	f := newFakeSlack(t)
	started := make(chan struct{})
	var once sync.Once
	asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
		once.Do(func() { close(started) })
		time.Sleep(100 * time.Millisecond)
		return roasAnswer(), nil
	}}
	b := newTestBot(t, f, asker)
	h := b.Handler()
	deliver(t, h, eventBody("Ev070", mention("C1", "U1", "ROAS?", "1700000000.007000", "")), 0)
	<-started
	drain(t, b) // waits for the in-flight turn
	if n := len(f.callsTo("chat.update")); n != 1 {
		t.Errorf("chat.update calls after Shutdown = %d; want the in-flight turn finished (1)", n)
	}
	if w := deliver(t, h, eventBody("Ev071", mention("C1", "U1", "ROAS?", "1700000000.007100", "")), 0); w.Code != http.StatusServiceUnavailable {
		t.Errorf("event after Shutdown = %d; want 503 so Slack retries elsewhere", w.Code)
	}
	if n := asker.calls.Load(); n != 1 {
		t.Errorf("Ask calls = %d; want 1", n)
	}
}

func TestSecret_Redacted(t *testing.T) {
	s := Secret("xoxb-123-456-abcdef")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "token", s, "cfg", Config{BotToken: s, SigningSecret: s, AppToken: s})
	out := buf.String() + fmt.Sprintf("%v %s %+v %#v", s, s, Config{BotToken: s}, s)
	if strings.Contains(out, "abcdef") {
		t.Errorf("logged/printed output = %q; want the secret redacted", out)
	}
	if s.Reveal() != "xoxb-123-456-abcdef" {
		t.Errorf("Reveal() = %q; want the value", s.Reveal())
	}
}

func TestBot_ThreadFromSlack(t *testing.T) {
	f := newFakeSlack(t)
	f.thread = []map[string]any{
		{"type": "message", "user": "U1", "text": "<@" + testBotID + "> revenue by country in 2011-Q4", "ts": "1700000000.010000"},
		{"type": "message", "user": testBotID, "bot_id": "B1", "text": "United Kingdom: £3,215,817.44.", "ts": "1700000000.010001", "thread_ts": "1700000000.010000"},
		{"type": "message", "user": "U1", "text": "<@" + testBotID + "> and for Germany?", "ts": "1700000000.010100", "thread_ts": "1700000000.010000"},
	}
	asker := &fakeAsker{AskFn: answerWith(agent.Answer{Text: "Germany: £221,698.20."})}
	b := newTestBot(t, f, asker) // empty conversation store, as after a restart
	deliver(t, b.Handler(), eventBody("Ev080", mention("C1", "U1", "and for Germany?", "1700000000.010100", "1700000000.010000")), 0)
	drain(t, b)

	replies := f.callsTo("conversations.replies")
	if len(replies) != 1 || replies[0].Params["channel"] != "C1" || replies[0].Params["ts"] != "1700000000.010000" {
		t.Fatalf("conversations.replies calls = %+v; want one for C1 thread 1700000000.010000", replies)
	}
	qs := asker.Questions()
	want := agent.Turn{Question: "revenue by country in 2011-Q4", Answer: "United Kingdom: £3,215,817.44."}
	if len(qs) != 1 || len(qs[0].History) != 1 || qs[0].History[0].Question != want.Question || qs[0].History[0].Answer != want.Answer {
		t.Errorf("History from Slack = %+v; want [%+v]", qs[0].History, want)
	}
}

func TestBot_QueueFull(t *testing.T) {
	f := newFakeSlack(t)
	release := make(chan struct{})
	asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
		<-release
		return agent.Answer{Text: "done"}, nil
	}}
	b := newTestBot(t, f, asker, func(c *Config) { c.Workers = 1; c.QueueSize = 1 })
	h := b.Handler()
	deliver(t, h, eventBody("Ev090", mention("C1", "U1", "one", "1700000000.011000", "")), 0)
	waitFor(t, func() bool { return asker.calls.Load() == 1 })                                // the worker is busy
	deliver(t, h, eventBody("Ev091", mention("C1", "U1", "two", "1700000000.012000", "")), 0) // queued
	w := deliver(t, h, eventBody("Ev092", mention("C1", "U1", "three", "1700000000.013000", "")), 0)
	if w.Code != http.StatusOK {
		t.Errorf("event with the queue full = %d; want 200 (Slack must not retry)", w.Code)
	}
	waitFor(t, func() bool {
		for _, c := range f.callsTo("chat.postMessage") {
			if c.Params["thread_ts"] == "1700000000.013000" {
				return true
			}
		}
		return false
	})
	close(release)
	drain(t, b)
	var busy []string
	for _, c := range f.callsTo("chat.postMessage") {
		if c.Params["text"] == BusyText {
			busy = append(busy, c.Params["thread_ts"])
		}
	}
	if len(busy) != 1 || busy[0] != "1700000000.013000" {
		t.Errorf("busy replies in threads %v; want one, in 1700000000.013000", busy)
	}
	if n := asker.calls.Load(); n != 2 {
		t.Errorf("Ask calls = %d; want 2 (the third message was turned away)", n)
	}
}

func TestBot_ShutdownDeadline(t *testing.T) {
	f := newFakeSlack(t)
	asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
		<-ctx.Done() // a turn that only ends when cancelled
		return agent.Answer{}, ctx.Err()
	}}
	b := newTestBot(t, f, asker)
	deliver(t, b.Handler(), eventBody("Ev100", mention("C1", "U1", "slow", "1700000000.014000", "")), 0)
	waitFor(t, func() bool { return asker.calls.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown with a stuck turn = %v; want context.DeadlineExceeded", err)
	}
	// The cancelled turn still tells the user.
	waitFor(t, func() bool {
		ups := f.callsTo("chat.update")
		return len(ups) == 1 && strings.Contains(ups[0].Params["text"], "restarted")
	})
}
