-- Conversation memory, Slack delivery de-duplication and the audit log.
create table conversation_turns (
    conversation_id text not null,
    seq             bigserial,
    turn            jsonb not null,
    created_at      timestamptz not null default now(),
    primary key (conversation_id, seq)
);

-- A delivery key (event id, or channel + message ts) claimed once; rows
-- past expires_at may be claimed again.
create table delivery_claims (
    claim_key  text primary key,
    expires_at timestamptz not null
);

create table audit_log (
    audit_id        bigserial primary key,
    at              timestamptz not null default now(),
    user_id         text not null default '',
    channel         text not null default '',
    conversation_id text not null default '',
    role            text not null default '',
    tool            text not null,
    arguments       jsonb,
    outcome         text not null
);

---- create above / drop below ----
drop table audit_log;
drop table delivery_claims;
drop table conversation_turns;
