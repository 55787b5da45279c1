package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Pending remembers the turns that were acknowledged to Slack but not yet
// answered. Slack does not redeliver an event it had acknowledged, so
// without it a crash (kill -9, out of memory, a lost machine) between the
// acknowledgement and the answer leaves the user with "Working on it…"
// forever, and a turn still queued at the end of a graceful shutdown is
// never answered.
//
// AddPending stores a turn under key (idempotent: a second add of the same
// key keeps the first); SetPlaceholder records the ts of the "Working on
// it…" message once it is posted, so a resumed turn updates it instead of
// posting another; DonePending forgets the turn whatever its outcome;
// ListPending returns the remembered turns this process should run again,
// oldest first, and counts one more attempt for each (the count survives
// restarts, so a turn that crashes the process every time is given up
// after MaxResumeAttempts). A store shared by several processes returns
// only turns whose owning process is gone and makes this process their
// owner, so a turn a live replica is still answering is never run twice.
// Durable reports whether the remembered turns survive a restart of the
// process (a database does, MemoryPending does not): only then does a turn
// cut short by Shutdown's deadline stay pending for the next start, instead
// of the user being told to ask again.
type Pending interface {
	AddPending(ctx context.Context, key string, turn []byte) error
	SetPlaceholder(ctx context.Context, key, ts string) error
	DonePending(ctx context.Context, key string) error
	ListPending(ctx context.Context) ([]PendingTurn, error)
	Durable() bool
}

// PendingTurn is one remembered turn: its key, the turn as stored by
// AddPending (a JSON document of this package), the placeholder ts (empty
// when none was posted yet) and how many times it has been listed,
// this listing included.
type PendingTurn struct {
	Key         string
	Turn        []byte
	Placeholder string
	Attempts    int
	Created     time.Time
}

// MaxResumeAttempts is how many times a pending turn is started again after
// a restart before roibot gives up and replaces its placeholder with an
// apology that asks the user to ask again.
const MaxResumeAttempts = 2

// RestartedText replaces the placeholder of a turn that could not be
// finished across restarts.
const RestartedText = "Sorry, roibot restarted several times while answering this and gave up. Please ask again (you can copy your question into this thread)."

// pendingJob is the stored form of a job: exactly one of Msg and Cmd.
type pendingJob struct {
	Msg *pendingMessage `json:"msg,omitempty"`
	Cmd *pendingCommand `json:"cmd,omitempty"`
}

type pendingMessage struct {
	EventID     string    `json:"event_id"`
	Team        string    `json:"team"`
	Channel     string    `json:"channel"`
	ChannelType string    `json:"channel_type"`
	User        string    `json:"user"`
	Text        string    `json:"text"`
	TS          string    `json:"ts"`
	ThreadTS    string    `json:"thread_ts"`
	BotUserID   string    `json:"bot_user_id"`
	Received    time.Time `json:"received"`
}

type pendingCommand struct {
	SC       slack.SlashCommand `json:"sc"`
	Question string             `json:"question"`
	Report   bool               `json:"report"`
	Received time.Time          `json:"received"`
}

func encodeJob(j job) ([]byte, error) {
	var p pendingJob
	switch {
	case j.msg != nil:
		m := j.msg
		p.Msg = &pendingMessage{EventID: m.eventID, Team: m.team, Channel: m.channel, ChannelType: m.channelType,
			User: m.user, Text: m.text, TS: m.ts, ThreadTS: m.threadTS, BotUserID: m.botUserID, Received: m.received}
	case j.cmd != nil:
		c := j.cmd
		p.Cmd = &pendingCommand{SC: c.sc, Question: c.question, Report: c.report, Received: c.received}
	default:
		return nil, fmt.Errorf("encode pending job: empty job")
	}
	return json.Marshal(p)
}

func decodeJob(b []byte) (job, error) {
	var p pendingJob
	if err := json.Unmarshal(b, &p); err != nil {
		return job{}, fmt.Errorf("decode pending job: %w", err)
	}
	switch {
	case p.Msg != nil:
		m := p.Msg
		return job{msg: &message{eventID: m.EventID, team: m.Team, channel: m.Channel, channelType: m.ChannelType,
			user: m.User, text: m.Text, ts: m.TS, threadTS: m.ThreadTS, botUserID: m.BotUserID, received: m.Received}}, nil
	case p.Cmd != nil:
		c := p.Cmd
		return job{cmd: &command{sc: c.SC, question: c.Question, report: c.Report, received: c.Received}}, nil
	}
	return job{}, fmt.Errorf("decode pending job: neither a message nor a command")
}

// pendingKey is the key a job is remembered under: its first claim key.
func pendingKey(keys []string) string {
	for _, k := range keys {
		if k != "" {
			return k
		}
	}
	return ""
}

// remember stores j as pending under key; failures are logged, not fatal
// (the turn still runs, it only cannot be resumed after a crash).
func (b *Bot) remember(ctx context.Context, key string, j job) {
	if key == "" {
		return
	}
	raw, err := encodeJob(j)
	if err == nil {
		err = b.cfg.Pending.AddPending(ctx, key, raw)
	}
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelError, "slack pending add failed", slog.String("key", key), slog.Any("error", err))
	}
}

// forget drops the pending record of a finished turn.
func (b *Bot) forget(ctx context.Context, key string) {
	if key == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := b.cfg.Pending.DonePending(ctx, key); err != nil {
		b.log.LogAttrs(ctx, slog.LevelError, "slack pending done failed", slog.String("key", key), slog.Any("error", err))
	}
}

// placeholderPosted records the placeholder's ts for a resumed turn.
func (b *Bot) placeholderPosted(ctx context.Context, key, ts string) {
	if key == "" || ts == "" {
		return
	}
	if err := b.cfg.Pending.SetPlaceholder(ctx, key, ts); err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack pending placeholder failed", slog.String("key", key), slog.Any("error", err))
	}
}

// Resume restarts the turns a previous run acknowledged but did not answer
// (see Pending): each is queued again, updating its "Working on it…"
// message when one was posted, until it has been tried MaxResumeAttempts
// times; after that its placeholder is replaced with RestartedText (or the
// user is told through response_url) and it is forgotten. Every tool is
// read-only except record_feedback, which stores a conversation's feedback
// once, so running a turn again is safe. Call Resume after New, before
// serving, and then periodically (a shared store hands over the turns of a
// process that died meanwhile); it returns how many turns were queued
// again. A full queue makes Resume wait for room until ctx ends.
func (b *Bot) Resume(ctx context.Context) (int, error) {
	list, err := b.cfg.Pending.ListPending(ctx)
	if err != nil {
		return 0, fmt.Errorf("resume pending turns: %w", err)
	}
	n := 0
	for _, p := range list {
		j, err := decodeJob(p.Turn)
		if err != nil {
			b.log.LogAttrs(ctx, slog.LevelError, "slack pending turn unreadable", slog.String("key", p.Key), slog.Any("error", err))
			b.forget(ctx, p.Key)
			continue
		}
		j.key, j.placeholder, j.resumed = p.Key, p.Placeholder, true
		if p.Attempts > MaxResumeAttempts {
			// Forgotten only once the user has been told; otherwise the
			// next start tries again.
			if b.giveUp(ctx, j) == nil {
				b.forget(ctx, p.Key)
			}
			continue
		}
		b.mu.RLock()
		queued := false
		if !b.closed {
			// Wait for room: the workers drain the queue, and the turn is
			// this process's now (a shared store handed it over).
			select {
			case b.queue <- j:
				queued = true
			case <-ctx.Done():
			}
		}
		b.mu.RUnlock()
		if !queued {
			// Shut down or out of time: it stays pending, and another
			// process takes it over once this one is gone.
			continue
		}
		n++
		b.log.LogAttrs(ctx, slog.LevelInfo, "slack turn resumed", slog.String("key", p.Key),
			slog.Int("attempt", p.Attempts), slog.Bool("had_placeholder", p.Placeholder != ""))
	}
	return n, nil
}

// giveUp tells the user a turn could not be finished; it returns the
// error of the Slack call that should have told them.
func (b *Bot) giveUp(ctx context.Context, j job) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var err error
	if j.msg != nil && j.placeholder == "" {
		// Died before recording its placeholder: find it in the thread.
		j.placeholder = b.findPlaceholder(ctx, j.msg)
	}
	switch {
	case j.msg != nil && j.placeholder != "":
		err = b.update(ctx, j.msg.channel, j.placeholder, slack.MsgOptionText(RestartedText, false))
	case j.msg != nil:
		_, err = b.post(ctx, j.msg.channel, slack.MsgOptionTS(j.msg.threadTS), slack.MsgOptionText(RestartedText, false))
	case j.cmd != nil:
		b.respondEphemeral(ctx, j.cmd.sc.ResponseURL, RestartedText)
	}
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack give-up reply failed; kept for the next start", slog.String("key", j.key), slog.Any("error", err))
		return err
	}
	b.log.LogAttrs(ctx, slog.LevelWarn, "slack turn", slog.String("key", j.key), slog.String("outcome", "given_up"))
	return nil
}

// MemoryPending is an in-process Pending for tests and for running without
// a database; it does not survive a restart. The zero value is ready to use.
type MemoryPending struct {
	mu    sync.Mutex
	turns map[string]*PendingTurn
}

// Durable implements Pending: false, the turns are lost with the process.
func (p *MemoryPending) Durable() bool { return false }

// AddPending implements Pending.
func (p *MemoryPending) AddPending(_ context.Context, key string, turn []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.turns == nil {
		p.turns = make(map[string]*PendingTurn)
	}
	if _, ok := p.turns[key]; !ok {
		p.turns[key] = &PendingTurn{Key: key, Turn: append([]byte(nil), turn...), Created: time.Now()}
	}
	return nil
}

// SetPlaceholder implements Pending.
func (p *MemoryPending) SetPlaceholder(_ context.Context, key, ts string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.turns[key]; ok {
		t.Placeholder = ts
	}
	return nil
}

// DonePending implements Pending.
func (p *MemoryPending) DonePending(_ context.Context, key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.turns, key)
	return nil
}

// ListPending implements Pending.
func (p *MemoryPending) ListPending(context.Context) ([]PendingTurn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PendingTurn, 0, len(p.turns))
	for _, t := range p.turns {
		t.Attempts++
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}
