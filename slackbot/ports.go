package slackbot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/roibot/roibot/agent"
)

// Asker answers one question; *agent.Service satisfies it.
type Asker interface {
	Ask(ctx context.Context, q agent.Question) (agent.Answer, error)
}

// Dedup remembers which Slack deliveries were already taken.
//
// Claim reports true the first time key is claimed within ttl and false for
// every later claim of the same key until ttl has passed. It must be atomic
// across processes sharing the store (an INSERT … ON CONFLICT DO NOTHING),
// since Slack retries may reach another replica.
//
// Keys are at most a few dozen bytes: "slack:event:<event_id>",
// "slack:msg:<channel>:<ts>" and "slack:cmd:<trigger_id>". ttl is at least
// MinDedupTTL; expired keys may be deleted at any time.
type Dedup interface {
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// Conversations stores the finished turns of each conversation.
//
// A conversation is one Slack thread, identified as team:channel:thread_ts
// (see ConversationID). LoadTurns returns at most limit of the latest turns,
// oldest first.
type Conversations interface {
	LoadTurns(ctx context.Context, conversationID string, limit int) ([]agent.Turn, error)
	AppendTurn(ctx context.Context, conversationID string, t agent.Turn) error
}

// Auditor records every tool call made on someone's behalf.
type Auditor interface {
	Audit(ctx context.Context, e AuditEntry) error
}

// AuditEntry is one tool call as the audit log keeps it: who asked (Slack
// user ID and the role they were given), where (channel and conversation),
// which tool with which JSON arguments, and the outcome ("ok" or
// "error: " followed by the tool's error text).
type AuditEntry struct {
	UserID         string          `json:"user_id"`
	Role           agent.Role      `json:"role"`
	Channel        string          `json:"channel"`
	ConversationID string          `json:"conversation_id"`
	Tool           string          `json:"tool"`
	Arguments      json.RawMessage `json:"arguments"`
	Outcome        string          `json:"outcome"`
	At             time.Time       `json:"at"`
}

// ConversationID returns the conversation key of a Slack thread:
// team:channel:thread_ts, where threadTS is the ts of the thread's first
// message (the message's own ts when it is not in a thread).
func ConversationID(team, channel, threadTS string) string {
	return team + ":" + channel + ":" + threadTS
}
