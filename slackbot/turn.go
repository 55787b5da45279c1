package slackbot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/roibot/roibot/agent"
)

// WorkingText is the placeholder posted in the thread at once and then
// replaced by the answer.
const WorkingText = "Working on it…"

// BusyText is posted in the thread when the queue is full.
const BusyText = "I'm handling many questions right now and couldn't take this one. Please ask again in a minute."

// turnLog collects the one log record written per turn.
type turnLog struct {
	eventID, channel, threadTS string
	retryNum                   int
	role                       agent.Role
	roleReason                 string
	start                      time.Time
	outcome                    string
	ref                        string
	err                        error
	notes                      []slog.Attr
	text                       string
}

// fail marks the turn failed with a fresh reference ID shown to the user.
func (t *turnLog) fail(outcome string, err error) {
	t.outcome, t.err = outcome, err
	if t.ref == "" {
		t.ref = newRef()
	}
}

// note records a problem that did not stop the turn.
func (t *turnLog) note(key string, err error) {
	t.notes = append(t.notes, slog.String(key, err.Error()))
}

func (b *Bot) logTurn(ctx context.Context, t *turnLog) {
	level := slog.LevelInfo
	if t.err != nil {
		level = slog.LevelError
	}
	if t.outcome == "" {
		t.outcome = "unknown"
	}
	attrs := []slog.Attr{
		slog.String("event_id", t.eventID),
		slog.String("channel", t.channel),
		slog.String("thread_ts", t.threadTS),
		slog.Int64("latency_ms", time.Since(t.start).Milliseconds()),
		slog.String("outcome", t.outcome),
		slog.String("role", string(t.role)),
		slog.String("role_reason", t.roleReason),
	}
	if t.retryNum > 0 {
		attrs = append(attrs, slog.Int("retry_num", t.retryNum))
	}
	if t.ref != "" {
		attrs = append(attrs, slog.String("ref", t.ref))
	}
	if t.err != nil {
		attrs = append(attrs, slog.String("error", t.err.Error()))
	}
	attrs = append(attrs, t.notes...)
	if t.text != "" && b.log.Enabled(ctx, slog.LevelDebug) {
		attrs = append(attrs, slog.String("text", t.text))
	}
	b.log.LogAttrs(context.WithoutCancel(ctx), level, "slack turn", attrs...)
}

// newRef returns a short reference ID that ties a user-visible error to
// its log record.
func newRef() string {
	var p [4]byte
	_, _ = rand.Read(p[:])
	return hex.EncodeToString(p[:])
}

// userError is what a user sees when a turn fails: plain words and the
// reference ID.
func userError(ctx context.Context, ref string) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "Sorry, that took too long and I stopped. Try a narrower question (a shorter period or one channel). Reference: `" + ref + "`."
	case errors.Is(ctx.Err(), context.Canceled):
		return "Sorry, roibot restarted before finishing this answer. Please ask again. Reference: `" + ref + "`."
	}
	return "Sorry, something went wrong while answering. Please try again; if it keeps happening, share this with the roibot team. Reference: `" + ref + "`."
}

// detached returns a context that survives ctx's cancellation for up to
// ten seconds, to tell the user about a failure after a timeout.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// finish forgets a turn's pending record, unless the turn was cut short by
// Shutdown's deadline: then it stays pending and the next start answers it
// (Resume), so a graceful shutdown loses no queued or running turn.
func (b *Bot) finish(ctx context.Context, j job, t *turnLog) {
	if b.keepForRestart() && t.outcome != "answered" && t.outcome != "help" && t.outcome != "denied" {
		t.outcome = "left_pending"
		return
	}
	b.forget(ctx, j.key)
}

// keepForRestart reports whether a turn cut short now should stay pending
// for the next start instead of telling the user: only after Shutdown's
// deadline cancelled the turns, and only with a Pending that survives the
// restart (Pending.Durable; otherwise the user is told to ask again).
func (b *Bot) keepForRestart() bool {
	return b.base.Err() != nil && b.cfg.Pending.Durable()
}

// runMessage answers one app mention or DM in its thread.
func (b *Bot) runMessage(j job) {
	m := j.msg
	ctx, cancel := context.WithTimeout(b.base, b.cfg.TurnTimeout)
	defer cancel()
	t := turnLog{eventID: m.eventID, channel: m.channel, threadTS: m.threadTS, retryNum: m.retry, start: m.received, text: m.text}
	if j.resumed {
		t.notes = append(t.notes, slog.Bool("resumed", true))
	}
	defer func() { b.logTurn(ctx, &t) }()
	defer b.finish(ctx, j, &t)

	if m.text == "" {
		if _, err := b.post(ctx, m.channel, slack.MsgOptionTS(m.threadTS), slack.MsgOptionText(HelpText, false)); err != nil {
			t.fail("post_error", err)
			return
		}
		t.outcome = "help"
		return
	}

	placeholder := j.placeholder
	if placeholder == "" && j.resumed {
		// The previous run may have died between posting its placeholder
		// and recording it: find it in the thread rather than post another.
		placeholder = b.findPlaceholder(ctx, m)
	}
	if placeholder == "" {
		ts, err := b.post(ctx, m.channel, slack.MsgOptionTS(m.threadTS), slack.MsgOptionText(WorkingText, false))
		if err != nil {
			t.fail("post_error", err)
			return
		}
		placeholder = ts
		b.placeholderPosted(ctx, j.key, ts)
	}
	role, reason, rerr := b.roles.resolve(ctx, m.team, m.channel, m.user)
	t.role, t.roleReason = role, reason
	if rerr != nil {
		t.note("role_error", rerr)
	}

	conv := ConversationID(m.team, m.channel, m.threadTS)
	history, err := b.cfg.Conversations.LoadTurns(ctx, conv, b.cfg.HistoryLimit)
	if err != nil {
		t.note("history_error", err) // answer without history
	}
	if len(history) == 0 && m.threadTS != m.ts {
		// A thread the store does not know (memory lost on restart, or
		// started before roibot joined): read it back from Slack.
		history, err = b.threadHistory(ctx, m)
		if err != nil {
			t.note("replies_error", err)
		}
	}
	q := agent.Question{Text: m.text, Role: role, ConversationID: conv, History: history}
	ans, err := b.cfg.Asker.Ask(ctx, q)
	// Every tool call is audited, those of a turn that then failed too.
	b.audit(ctx, m.user, role, m.channel, conv, ans)
	if err != nil {
		t.fail("ask_error", err)
		if !b.keepForRestart() {
			b.showError(ctx, m.channel, placeholder, t.ref)
		}
		return
	}

	blocks, files := Render(ans)
	if len(blocks) == 0 {
		blocks = []slack.Block{noteBlock("I have no answer to that. Try rephrasing, or /roibot help.")}
	}
	if err := b.update(ctx, m.channel, placeholder,
		slack.MsgOptionText(fallbackText(ans.Text), false), slack.MsgOptionBlocks(blocks...)); err != nil {
		// Slack refused the blocks (invalid_blocks, msg_too_long…): the
		// plain text still answers the question.
		t.note("blocks_error", err)
		if err := b.update(ctx, m.channel, placeholder, slack.MsgOptionText(fallbackText(ans.Text), false)); err != nil {
			t.fail("update_error", err)
			b.showError(ctx, m.channel, placeholder, t.ref)
			return
		}
	}
	if err := b.cfg.Conversations.AppendTurn(ctx, conv, agent.Turn{Question: m.text, Answer: ans.Text, ToolCalls: ans.ToolCalls}); err != nil {
		t.note("append_error", err)
	}
	if err := b.uploadAll(ctx, m.channel, m.threadTS, files); err != nil {
		t.fail("upload_error", err)
		ctx2, cancel := detached(ctx)
		defer cancel()
		_, _ = b.post(ctx2, m.channel, slack.MsgOptionTS(m.threadTS),
			slack.MsgOptionText("I couldn't attach the tables or charts for this answer (reference `"+t.ref+"`).", false))
		return
	}
	t.outcome = "answered"
}

// replies reads the first 200 messages of m's thread
// (conversations.replies, retried as every Slack call).
func (b *Bot) replies(ctx context.Context, m *message) ([]slack.Message, error) {
	msgs, err := retry(ctx, func() ([]slack.Message, error) {
		msgs, _, _, err := b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: m.channel, Timestamp: m.threadTS, Limit: 200,
		})
		return msgs, err
	})
	if err != nil {
		return nil, fmt.Errorf("conversations.replies %s %s: %w", m.channel, m.threadTS, err)
	}
	return msgs, nil
}

// findPlaceholder returns the ts of a "Working on it…" message the bot
// posted in m's thread after m, or "" when there is none (or the thread
// cannot be read).
func (b *Bot) findPlaceholder(ctx context.Context, m *message) string {
	msgs, err := b.replies(ctx, m)
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack placeholder lookup failed", slog.String("event_id", m.eventID), slog.Any("error", err))
		return ""
	}
	for _, msg := range msgs {
		if msg.Text == WorkingText && msg.BotID != "" && tsAfter(msg.Timestamp, m.ts) {
			return msg.Timestamp
		}
	}
	return ""
}

// tsAfter reports whether Slack timestamp a ("seconds.micros") is later
// than b.
func tsAfter(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) > len(bs)
	}
	if as != bs {
		return as > bs
	}
	return af > bf
}

// showError replaces the placeholder with a plain-words error.
func (b *Bot) showError(ctx context.Context, channel, ts, ref string) {
	text := userError(ctx, ref)
	ctx, cancel := detached(ctx)
	defer cancel()
	if err := b.update(ctx, channel, ts, slack.MsgOptionText(text, false)); err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack error reply failed", slog.String("ref", ref), slog.Any("error", err))
	}
}

// replyBusy tells users whose message found the queue full to ask again.
// It runs until Shutdown closes the busy queue.
func (b *Bot) replyBusy() {
	defer b.wg.Done()
	for j := range b.busy {
		ctx, cancel := context.WithTimeout(b.base, 30*time.Second)
		text := BusyText
		if j.reply != "" {
			text = j.reply
		}
		switch {
		case j.msg != nil:
			if _, err := b.post(ctx, j.msg.channel, slack.MsgOptionTS(j.msg.threadTS), slack.MsgOptionText(text, false)); err != nil {
				b.log.LogAttrs(ctx, slog.LevelWarn, "slack busy reply failed", slog.String("event_id", j.msg.eventID), slog.Any("error", err))
			}
		case j.cmd != nil:
			// The command's acknowledgement already said so.
		}
		cancel()
	}
}

// GroundingAuditTool is the Tool of the audit entry recording the check
// of an answer's figures against its tool results (agent.Grounding): its
// arguments carry the figure count, the unsupported figures and whether the
// model was asked again; its outcome is the grounding outcome ("shown",
// "withheld", "composed"), followed by ": " and the reason when not shown.
const GroundingAuditTool = "grounding_check"

// audit writes one AuditEntry per tool call and one for the grounding
// check. Failures are logged, not shown: the answer has already been
// computed.
func (b *Bot) audit(ctx context.Context, user string, role agent.Role, channel, conv string, ans agent.Answer) {
	now := time.Now().UTC()
	entries := make([]AuditEntry, 0, len(ans.ToolCalls)+1)
	for _, c := range ans.ToolCalls {
		outcome := "ok"
		if c.Error != "" {
			outcome = "error: " + c.Error
		}
		entries = append(entries, AuditEntry{UserID: user, Role: role, Channel: channel, ConversationID: conv,
			Tool: c.Name, Arguments: c.Arguments, Outcome: outcome, At: now})
	}
	if g := ans.Grounding; g != nil {
		args, _ := json.Marshal(map[string]any{"figures": g.Figures, "unsupported": g.Unsupported, "retried": g.Retried})
		outcome := g.Outcome
		if g.Reason != "" {
			outcome += ": " + g.Reason
		}
		entries = append(entries, AuditEntry{UserID: user, Role: role, Channel: channel, ConversationID: conv,
			Tool: GroundingAuditTool, Arguments: args, Outcome: outcome, At: now})
	}
	for _, e := range entries {
		if err := b.cfg.Auditor.Audit(ctx, e); err != nil {
			b.log.LogAttrs(ctx, slog.LevelError, "slack audit failed", slog.String("tool", e.Tool),
				slog.String("conversation_id", conv), slog.Any("error", err))
		}
	}
}

// post sends chat.postMessage, retrying rate limits, and returns the ts.
func (b *Bot) post(ctx context.Context, channel string, opts ...slack.MsgOption) (string, error) {
	return retry(ctx, func() (string, error) {
		_, ts, err := b.api.PostMessageContext(ctx, channel, opts...)
		return ts, err
	})
}

// update sends chat.update, retrying rate limits.
func (b *Bot) update(ctx context.Context, channel, ts string, opts ...slack.MsgOption) error {
	_, err := retry(ctx, func() (string, error) {
		_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return "", err
	})
	return err
}

// fallbackText is the plain text of a message (notifications, screen
// readers), trimmed well under Slack's 40,000-character limit.
func fallbackText(s string) string {
	const max = 2900
	s = toMrkdwn(s)
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndexAny(s[:max], "\n ")
	if cut < max/2 {
		cut = max
	}
	return strings.ToValidUTF8(s[:cut], "") + "…"
}

// threadHistory rebuilds a thread's turns from conversations.replies:
// each user message followed by the bot's reply is one turn. The message
// being answered and "Working on it…" placeholders are skipped.
func (b *Bot) threadHistory(ctx context.Context, m *message) ([]agent.Turn, error) {
	msgs, err := b.replies(ctx, m)
	if err != nil {
		return nil, err
	}
	var turns []agent.Turn
	var question string
	for _, msg := range msgs {
		if msg.Timestamp == m.ts || msg.Text == WorkingText {
			continue
		}
		fromBot := msg.BotID != "" && (m.botUserID == "" || msg.User == m.botUserID || msg.User == "")
		switch {
		case fromBot && question != "":
			turns = append(turns, agent.Turn{Question: question, Answer: msg.Text})
			question = ""
		case !fromBot && msg.BotID == "" && msg.SubType == "":
			question = stripMention(msg.Text, m.botUserID)
		}
	}
	if len(turns) > b.cfg.HistoryLimit {
		turns = turns[len(turns)-b.cfg.HistoryLimit:]
	}
	return turns, nil
}
