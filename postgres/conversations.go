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

// AddPending remembers a turn under key, owned by the serve instance
// owner; a key already pending keeps its first turn and owner.
func (s *Store) AddPending(ctx context.Context, key string, turn []byte, owner string) error {
	if !json.Valid(turn) {
		return fmt.Errorf("add pending %s: not valid JSON", key)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := s.delivery.Exec(ctx, `insert into pending_turns (turn_key, turn, owner) values ($1, $2::jsonb, $3)
		on conflict (turn_key) do nothing`, key, string(turn), owner); err != nil {
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

// Heartbeat records that the serve instance is alive now (see
// TakeOverPendingTurns) and forgets instances not seen for a day.
func (s *Store) Heartbeat(ctx context.Context, instance string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	_, err := s.delivery.Exec(ctx, `with gone as (delete from serve_instances where seen_at < now() - interval '1 day')
		insert into serve_instances (instance_id, seen_at) values ($1, now())
		on conflict (instance_id) do update set seen_at = excluded.seen_at`, instance)
	if err != nil {
		return fmt.Errorf("heartbeat %s: %w", instance, translate(err))
	}
	return nil
}

// TakeOverPendingTurns makes instance the owner of every pending turn whose
// owner has not sent a heartbeat within lease (a process that died, or the
// rows of a version without owners), counts one more attempt for each, and
// returns them, oldest first. It is one statement, so two instances never
// take the same turn, and turns of live instances are left alone.
func (s *Store) TakeOverPendingTurns(ctx context.Context, instance string, lease time.Duration) ([]PendingTurn, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.delivery.Query(ctx, `with up as (
			update pending_turns p set attempts = attempts + 1, owner = $1
			where p.owner <> $1 and not exists (
				select 1 from serve_instances i
				where i.instance_id = p.owner and i.seen_at > now() - make_interval(secs => $2))
			returning turn_key, turn::text, placeholder, attempts, created_at)
		select * from up order by created_at, turn_key`, instance, lease.Seconds())
	if err != nil {
		return nil, fmt.Errorf("take over pending: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PendingTurn, error) {
		var p PendingTurn
		var turn string
		err := r.Scan(&p.Key, &turn, &p.Placeholder, &p.Attempts, &p.Created)
		p.Turn = []byte(turn)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("take over pending: %w", translate(err))
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
