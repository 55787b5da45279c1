package slackbot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// maxBody bounds request bodies read before verification.
const maxBody = 1 << 20

// maxLoggedReason bounds the rejection reason written to the log.
const maxLoggedReason = 200

// envelope is the outer Events API payload, shared by HTTP and Socket Mode.
type envelope struct {
	Type           string `json:"type"`
	Challenge      string `json:"challenge"`
	TeamID         string `json:"team_id"`
	EventID        string `json:"event_id"`
	Event          event  `json:"event"`
	Authorizations []struct {
		UserID string `json:"user_id"`
		IsBot  bool   `json:"is_bot"`
	} `json:"authorizations"`
}

// event is the inner event of an app_mention or message.
type event struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	Team        string `json:"team"`
	UserTeam    string `json:"user_team"`
}

// message is a user message the bot answers.
type message struct {
	eventID     string
	team        string
	channel     string
	channelType string
	user        string
	text        string
	ts          string
	threadTS    string
	botUserID   string // the bot's own user ID, when known
	retry       int
	received    time.Time
}

var (
	mentionRE        = regexp.MustCompile(`<@([UW][A-Z0-9]+)(\|[^>]*)?>`)
	leadingMentionRE = regexp.MustCompile(`^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>`)
)

// stripMention removes mentions of the bot from text (the leading mention
// when the bot's ID is unknown); other people's mentions stay.
func stripMention(text, botUser string) string {
	if botUser == "" {
		text = leadingMentionRE.ReplaceAllString(text, "")
	} else {
		text = mentionRE.ReplaceAllStringFunc(text, func(m string) string {
			if mentionRE.FindStringSubmatch(m)[1] == botUser {
				return ""
			}
			return m
		})
	}
	return unescape(strings.TrimSpace(text))
}

// messageFrom returns the message an envelope asks the bot to answer, or
// false for events it ignores: bot messages (its own included), edits,
// deletions and every other subtype (file_share included), message events
// outside DMs, and unknown event types.
func (b *Bot) messageFrom(env *envelope) (*message, bool) {
	ev := env.Event
	if ev.BotID != "" || ev.User == "" || ev.Subtype != "" || ev.TS == "" || ev.Channel == "" {
		return nil, false
	}
	botUser := b.cfg.BotUserID
	for _, a := range env.Authorizations {
		if a.IsBot && botUser == "" {
			botUser = a.UserID
		}
		if a.IsBot && a.UserID == ev.User {
			return nil, false
		}
	}
	if ev.User == botUser {
		return nil, false
	}
	switch ev.Type {
	case "app_mention":
	case "message":
		if ev.ChannelType != "im" {
			return nil, false
		}
	default:
		return nil, false
	}
	team := env.TeamID
	if team == "" {
		team = ev.Team
	}
	thread := ev.ThreadTS
	if thread == "" {
		thread = ev.TS
	}
	return &message{
		eventID:     env.EventID,
		team:        team,
		channel:     ev.Channel,
		channelType: ev.ChannelType,
		user:        ev.User,
		text:        stripMention(ev.Text, botUser),
		ts:          ev.TS,
		threadTS:    thread,
		botUserID:   botUser,
		received:    time.Now(),
	}, true
}

// key returns the Dedup key prefix+id, or "" (no claim) when id is empty.
func key(prefix, id string) string {
	if id == "" {
		return ""
	}
	return prefix + id
}

// unescape undoes Slack's &amp; &lt; &gt; escaping of message text.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// intakeEnvelope dedupes and queues an event_callback envelope.
func (b *Bot) intakeEnvelope(ctx context.Context, env *envelope, retry int) intakeResult {
	m, ok := b.messageFrom(env)
	if !ok {
		return ignored
	}
	m.retry = retry
	r := b.intake(ctx, job{msg: m}, key("slack:event:", env.EventID), key("slack:msg:", m.channel+":"+m.ts))
	switch r {
	case busyQueue, dropped:
		// The only record of this message: no turn will run for it.
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack turn",
			slog.String("event_id", m.eventID), slog.String("channel", m.channel),
			slog.String("thread_ts", m.threadTS), slog.Int64("latency_ms", 0),
			slog.String("outcome", r.String()))
	case duplicate:
		b.log.LogAttrs(ctx, slog.LevelDebug, "slack delivery duplicate",
			slog.String("event_id", m.eventID), slog.String("channel", m.channel),
			slog.String("ts", m.ts), slog.Int("retry_num", retry))
	}
	return r
}

// Handler returns the HTTP Events API endpoints:
//
//	POST /slack/events         Events API (url_verification and event_callback)
//	POST /slack/commands       slash commands (/roibot)
//	POST /slack/interactivity  interactive payloads (acknowledged, not used yet)
//
// Every request is verified against SigningSecret over the raw body
// (HMAC-SHA256 of "v0:timestamp:body") and its timestamp must be within
// five minutes; otherwise the answer is 401. Verified events are answered
// with 200 at once and processed on the worker pool, after Shutdown with
// 503 so Slack retries them elsewhere.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", b.serveEvents)
	mux.HandleFunc("POST /slack/commands", b.serveCommands)
	mux.HandleFunc("POST /slack/interactivity", b.serveInteractivity)
	return mux
}

// verify reads the body and checks Slack's signature and timestamp. On
// failure it has already answered the request.
func (b *Bot) verify(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return nil, false
	}
	sv, err := slack.NewSecretsVerifier(r.Header, b.cfg.SigningSecret.Reveal())
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		// The reason can quote request headers: capped, so a huge header
		// cannot flood the log.
		b.log.LogAttrs(r.Context(), slog.LevelWarn, "slack request rejected",
			slog.String("path", truncate(r.URL.Path, 100)), slog.String("reason", truncate(err.Error(), maxLoggedReason)))
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func (b *Bot) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := b.verify(w, r)
	if !ok {
		return
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	switch env.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, env.Challenge)
		return
	case "event_callback":
		retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
		if b.intakeEnvelope(r.Context(), &env, retry) == closed {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (b *Bot) serveCommands(w http.ResponseWriter, r *http.Request) {
	body, ok := b.verify(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sc := slack.SlashCommand{
		Token:       "",
		TeamID:      form.Get("team_id"),
		ChannelID:   form.Get("channel_id"),
		ChannelName: form.Get("channel_name"),
		UserID:      form.Get("user_id"),
		Command:     form.Get("command"),
		Text:        form.Get("text"),
		ResponseURL: form.Get("response_url"),
		TriggerID:   form.Get("trigger_id"),
	}
	reply := b.intakeCommand(r.Context(), sc)
	if reply == nil {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(reply)
}

func (b *Bot) serveInteractivity(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.verify(w, r); !ok {
		return
	}
	// No interactive components are sent yet; acknowledge so Slack does
	// not show the user an error.
	w.WriteHeader(http.StatusOK)
}

// DefaultHTTPReadTimeout bounds reading one whole HTTP request (headers and
// body): Slack sends small bodies at once, so a slow body is an attack.
const DefaultHTTPReadTimeout = 10 * time.Second

// HTTPServer returns an http.Server for Handler on addr with bounds a
// public endpoint needs: headers within 5 s and at most 64 KiB, the whole
// request within readTimeout (DefaultHTTPReadTimeout when zero), the
// response within 15 s (answers are sent later through the Web API) and
// idle keep-alive connections closed after a minute.
func (b *Bot) HTTPServer(addr string, readTimeout time.Duration) *http.Server {
	if readTimeout <= 0 {
		readTimeout = DefaultHTTPReadTimeout
	}
	return &http.Server{
		Addr:              addr,
		Handler:           b.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelWarn),
	}
}
