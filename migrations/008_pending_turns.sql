-- Slack turns acknowledged but not yet answered (slackbot.Pending): a
-- restart runs them again or apologises, so no message is left with
-- "Working on it…" forever. Expired delivery claims are swept by serve
-- (index on expires_at).
create table pending_turns (
    turn_key    text primary key,
    turn        jsonb not null,
    placeholder text not null default '',
    attempts    int not null default 0,
    created_at  timestamptz not null default now()
);

create index delivery_claims_expires_at on delivery_claims (expires_at);

---- create above / drop below ----
drop index delivery_claims_expires_at;
drop table pending_turns;
