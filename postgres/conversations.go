package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Claim records key as delivered until ttl from now and reports whether
// this call was the first to claim it (an expired claim may be taken again).
// It is one atomic statement, safe across processes and restarts, run on
// the store's delivery pool so that it never waits behind analytics queries.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var n int
	err := s.delivery.QueryRow(ctx, `with ins as (
			insert into delivery_claims (claim_key, expires_at) values ($1, now() + make_interval(secs => $2))
			on conflict (claim_key) do update set expires_at = excluded.expires_at
			where delivery_claims.expires_at < now()
			returning 1)
		select count(*) from ins`, key, ttl.Seconds()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, translate(err))
	}
	return n == 1, nil
}

// AppendTurnJSON appends one conversation turn (a JSON document).
func (s *Store) AppendTurnJSON(ctx context.Context, conversationID string, turn []byte) error {
	if !json.Valid(turn) {
		return fmt.Errorf("append turn %s: not valid JSON", conversationID)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := s.pool.Exec(ctx, "insert into conversation_turns (conversation_id, turn) values ($1, $2::jsonb)", conversationID, string(turn)); err != nil {
		return fmt.Errorf("append turn %s: %w", conversationID, translate(err))
	}
	return nil
}

// LoadTurnsJSON returns the latest limit turns of a conversation, oldest first.
func (s *Store) LoadTurnsJSON(ctx context.Context, conversationID string, limit int) ([][]byte, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select turn::text from (
			select seq, turn from conversation_turns where conversation_id = $1 order by seq desc limit $2) t
		order by seq`, conversationID, limit)
	if err != nil {
		return nil, fmt.Errorf("load turns %s: %w", conversationID, translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]byte, error) {
		var s string
		err := r.Scan(&s)
		return []byte(s), err
	})
	if err != nil {
		return nil, fmt.Errorf("load turns %s: %w", conversationID, translate(err))
	}
	return out, nil
}

// AuditRecord is one tool call written to the audit log.
type AuditRecord struct {
	At             time.Time
	UserID         string
	Channel        string
	ConversationID string
	Role           string
	Tool           string
	Arguments      []byte // JSON, may be nil
	Outcome        string
}

// Audit appends r to the audit log.
func (s *Store) Audit(ctx context.Context, r AuditRecord) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var args *string
	if len(r.Arguments) > 0 && json.Valid(r.Arguments) {
		a := string(r.Arguments)
		args = &a
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	_, err := s.pool.Exec(ctx, `insert into audit_log (at, user_id, channel, conversation_id, role, tool, arguments, outcome)
		values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`, r.At, r.UserID, r.Channel, r.ConversationID, r.Role, r.Tool, args, r.Outcome)
	if err != nil {
		return fmt.Errorf("audit %s: %w", r.Tool, translate(err))
	}
	return nil
}

// AuditLog returns the newest limit audit records, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditRecord, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select at, user_id, channel, conversation_id, role, tool, coalesce(arguments::text, ''), outcome
		from audit_log order by audit_id desc limit $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditRecord, error) {
		var a AuditRecord
		var args string
		err := r.Scan(&a.At, &a.UserID, &a.Channel, &a.ConversationID, &a.Role, &a.Tool, &args, &a.Outcome)
		if args != "" {
			a.Arguments = []byte(args)
		}
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", translate(err))
	}
	return out, nil
}

// PendingTurn is one Slack turn acknowledged but not yet answered, as
// pending_turns keeps it (see slackbot.Pending).
type PendingTurn struct {
	Key         string
	Turn        []byte // JSON
	Placeholder string
	Attempts    int
	Created     time.Time
}

// AddPending remembers a turn under key; a key already pending keeps its
// first turn.
func (s *Store) AddPending(ctx context.Context, key string, turn []byte) error {
	if !json.Valid(turn) {
		return fmt.Errorf("add pending %s: not valid JSON", key)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := s.delivery.Exec(ctx, `insert into pending_turns (turn_key, turn) values ($1, $2::jsonb)
		on conflict (turn_key) do nothing`, key, string(turn)); err != nil {
		return fmt.Errorf("add pending %s: %w", key, translate(err))
	}
	return nil
}

// SetPlaceholder records the ts of the turn's "Working on it…" message.
func (s *Store) SetPlaceholder(ctx context.Context, key, ts string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := s.delivery.Exec(ctx, `update pending_turns set placeholder = $2 where turn_key = $1`, key, ts); err != nil {
		return fmt.Errorf("set placeholder %s: %w", key, translate(err))
	}
	return nil
}

// DonePending forgets a turn.
func (s *Store) DonePending(ctx context.Context, key string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := s.delivery.Exec(ctx, `delete from pending_turns where turn_key = $1`, key); err != nil {
		return fmt.Errorf("done pending %s: %w", key, translate(err))
	}
	return nil
}

// ListPendingTurns counts one more attempt for every pending turn and
// returns them, oldest first.
func (s *Store) ListPendingTurns(ctx context.Context) ([]PendingTurn, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `with up as (
			update pending_turns set attempts = attempts + 1
			returning turn_key, turn::text, placeholder, attempts, created_at)
		select * from up order by created_at, turn_key`)
	if err != nil {
		return nil, fmt.Errorf("list pending: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PendingTurn, error) {
		var p PendingTurn
		var turn string
		err := r.Scan(&p.Key, &turn, &p.Placeholder, &p.Attempts, &p.Created)
		p.Turn = []byte(turn)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("list pending: %w", translate(err))
	}
	return out, nil
}

// DeleteExpiredClaims deletes delivery claims that expired before
// now − grace and returns how many it deleted (claims are kept at least
// their ttl; serve sweeps them so the table stays bounded by traffic).
func (s *Store) DeleteExpiredClaims(ctx context.Context, grace time.Duration) (int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `delete from delivery_claims where expires_at < now() - make_interval(secs => $1)`, grace.Seconds())
	if err != nil {
		return 0, fmt.Errorf("delete expired claims: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}
