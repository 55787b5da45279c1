package slackbot

import (
	"context"
	"sync"
	"time"

	"github.com/roibot/roibot/agent"
)

// MemoryDedup is an in-process Dedup for tests and for running a single
// instance without a database. Claims are lost on restart and are not
// shared between processes. The zero value is ready to use.
type MemoryDedup struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	expires map[string]time.Time
	claims  int
}

// Claim implements Dedup.
func (d *MemoryDedup) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.expires == nil {
		d.expires = make(map[string]time.Time)
	}
	if exp, ok := d.expires[key]; ok && now.Before(exp) {
		return false, nil
	}
	d.expires[key] = now.Add(ttl)
	// Sweep expired keys now and then so the map stays bounded by traffic
	// within one ttl.
	if d.claims++; d.claims%1024 == 0 {
		for k, exp := range d.expires {
			if !now.Before(exp) {
				delete(d.expires, k)
			}
		}
	}
	return true, nil
}

// MemoryConversations is an in-process Conversations for tests and for
// running without a database; turns are lost on restart. The zero value is
// ready to use.
type MemoryConversations struct {
	mu    sync.Mutex
	turns map[string][]agent.Turn
}

// LoadTurns implements Conversations.
func (c *MemoryConversations) LoadTurns(_ context.Context, conversationID string, limit int) ([]agent.Turn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := c.turns[conversationID]
	if limit > 0 && len(ts) > limit {
		ts = ts[len(ts)-limit:]
	}
	return append([]agent.Turn(nil), ts...), nil
}

// AppendTurn implements Conversations.
func (c *MemoryConversations) AppendTurn(_ context.Context, conversationID string, t agent.Turn) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.turns == nil {
		c.turns = make(map[string][]agent.Turn)
	}
	c.turns[conversationID] = append(c.turns[conversationID], t)
	return nil
}

// MemoryAuditor is an in-process Auditor for tests and for running without
// a database: it keeps entries in memory only. The zero value is ready to use.
type MemoryAuditor struct {
	mu      sync.Mutex
	entries []AuditEntry
}

// Audit implements Auditor.
func (a *MemoryAuditor) Audit(_ context.Context, e AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return nil
}

// Entries returns a copy of the entries audited so far, oldest first.
func (a *MemoryAuditor) Entries() []AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]AuditEntry(nil), a.entries...)
}
