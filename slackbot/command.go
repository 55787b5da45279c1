package slackbot

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/roibot/roibot/agent"
)

// command is a /roibot invocation queued for the pool.
type command struct {
	sc       slack.SlashCommand
	question string
	report   bool
	received time.Time
}

// commandReply is the immediate, ephemeral answer to a slash command
// (the HTTP response body, or the Socket Mode acknowledgement payload).
type commandReply struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

func ephemeral(text string) *commandReply {
	return &commandReply{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// HelpText is the answer to "/roibot help".
const HelpText = "*roibot* answers marketing questions from your data.\n" +
	"• `/roibot ask <question>`: e.g. `/roibot ask ROAS by channel last quarter`\n" +
	"• `/roibot report <segment or topic>`: a segment report, e.g. `/roibot report at_risk customers in Germany`\n" +
	"• `/roibot help`: this text\n" +
	"You can also mention @roibot in a channel or send it a direct message; " +
	"follow-ups in the same thread keep the context."

// intakeCommand parses a slash command and queues it. It returns the
// immediate ephemeral reply, or nil after Shutdown.
func (b *Bot) intakeCommand(ctx context.Context, sc slack.SlashCommand) *commandReply {
	text := strings.TrimSpace(sc.Text)
	sub, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	c := &command{sc: sc, received: time.Now()}
	switch strings.ToLower(sub) {
	case "", "help":
		return ephemeral(HelpText)
	case "ask":
		c.question = rest
	case "report":
		if rest != "" {
			c.question = "report on " + rest
		}
		c.report = true
	default:
		c.question = text
	}
	if c.question == "" {
		return ephemeral("Tell me what to look at, e.g. `/roibot ask revenue by country in 2011-Q4`.")
	}
	switch r := b.intake(ctx, job{cmd: c}, key("slack:cmd:", sc.TriggerID)); r {
	case closed:
		return nil
	case accepted, duplicate:
		return ephemeral("Working on it…")
	case rateLimited:
		return ephemeral(RateLimitText)
	default:
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack command",
			slog.String("channel", sc.ChannelID), slog.Int64("latency_ms", 0),
			slog.String("outcome", r.String()))
		return ephemeral("roibot is busy right now; please try again in a minute.")
	}
}

// runCommand answers a queued slash command in its channel.
func (b *Bot) runCommand(j job) {
	c := j.cmd
	ctx, cancel := context.WithTimeout(b.base, b.cfg.TurnTimeout)
	defer cancel()
	sc := c.sc
	t := turnLog{channel: sc.ChannelID, start: c.received}
	defer func() { b.logTurn(ctx, &t) }()
	defer b.finish(ctx, j, &t)

	role, reason, rerr := b.roles.resolve(ctx, sc.TeamID, sc.ChannelID, sc.UserID)
	t.role, t.roleReason = role, reason
	if rerr != nil {
		t.note("role_error", rerr)
	}
	if c.report && role == agent.RoleCustomer {
		t.outcome = "denied"
		b.respondEphemeral(ctx, sc.ResponseURL, "Reports are available to analysts and marketers.")
		return
	}
	q := agent.Question{Text: c.question, Role: role, ConversationID: ConversationID(sc.TeamID, sc.ChannelID, "cmd:"+sc.TriggerID)}
	ans, err := b.cfg.Asker.Ask(ctx, q)
	b.audit(ctx, sc.UserID, role, sc.ChannelID, q.ConversationID, ans)
	if err != nil {
		t.fail("ask_error", err)
		if !b.keepForRestart() {
			b.respondEphemeral(ctx, sc.ResponseURL, userError(ctx, t.ref))
		}
		return
	}

	blocks, files := Render(ans)
	head := slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
		"<@"+sc.UserID+"> asked: "+escapeMrkdwn(c.question), false, false))
	blocks = append([]slack.Block{head}, blocks...)
	if len(blocks) > MaxBlocks {
		blocks = blocks[:MaxBlocks]
	}
	ts, err := b.post(ctx, sc.ChannelID,
		slack.MsgOptionText(fallbackText(ans.Text), false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		// Not a channel member, for example: answer through response_url,
		// which cannot carry files.
		if sc.ResponseURL == "" {
			t.fail("post_error", err)
			return
		}
		if len(files) > 0 {
			blocks = append(blocks, noteBlock("Tables and charts could not be attached here: invite @roibot to the channel to get them."))
		}
		werr := b.respond(ctx, sc.ResponseURL, &slack.WebhookMessage{
			ResponseType: slack.ResponseTypeInChannel,
			Text:         fallbackText(ans.Text),
			Blocks:       &slack.Blocks{BlockSet: blocks},
		})
		if werr != nil {
			t.fail("post_error", werr)
			return
		}
		t.outcome = "answered"
		return
	}
	t.threadTS = ts
	// Follow-ups in the answer's thread continue this conversation.
	conv := ConversationID(sc.TeamID, sc.ChannelID, ts)
	if err := b.cfg.Conversations.AppendTurn(ctx, conv, agent.Turn{Question: c.question, Answer: ans.Text, ToolCalls: ans.ToolCalls}); err != nil {
		t.note("append_error", err)
	}
	if err := b.uploadAll(ctx, sc.ChannelID, ts, files); err != nil {
		t.fail("upload_error", err)
		return
	}
	t.outcome = "answered"
}

// respondEphemeral tells only the invoking user, through response_url.
func (b *Bot) respondEphemeral(ctx context.Context, responseURL, text string) {
	if responseURL == "" {
		return
	}
	err := b.respond(ctx, responseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text})
	if err != nil && !errors.Is(err, errResponseURL) { // a refused address is logged by responseURL
		b.log.LogAttrs(ctx, slog.LevelWarn, "slack response_url failed", slog.Any("error", err))
	}
}

// respond posts msg to responseURL, which must be a Slack address
// (responseURL): every post to a response_url goes through here.
func (b *Bot) respond(ctx context.Context, responseURL string, msg *slack.WebhookMessage) error {
	if b.responseURL(responseURL) == "" {
		return errResponseURL
	}
	ctx, cancel := detached(ctx)
	defer cancel()
	_, err := retry(ctx, func() (struct{}, error) {
		return struct{}{}, slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.webhooks, msg)
	})
	return err
}

// errResponseURL is respond's error for an empty or non-Slack response_url.
var errResponseURL = errors.New("response_url is not a Slack hooks address")

// responseURL returns u when it is an https address on one of
// Config.ResponseURLHosts (Slack's hooks), else "" (logged): roibot posts
// answers only to Slack.
func (b *Bot) responseURL(u string) string {
	if u == "" {
		return ""
	}
	pu, err := url.Parse(u)
	if err == nil && pu.User == nil && (pu.Scheme == "https" || (pu.Scheme == "http" && isLoopback(pu.Hostname()))) {
		for _, h := range b.cfg.ResponseURLHosts {
			if strings.EqualFold(pu.Host, h) || strings.EqualFold(pu.Hostname(), h) {
				return u
			}
		}
	}
	b.log.LogAttrs(context.Background(), slog.LevelWarn, "slack response_url refused: not a Slack host",
		slog.String("host", truncate(hostOf(u), 100)))
	return ""
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Host
	}
	return "unparseable"
}

// isLoopback reports whether host is a loopback address (plain http is
// accepted only there, for tests against a local fake Slack).
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// truncate cuts s to at most n bytes (valid UTF-8), marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…(truncated)"
}
