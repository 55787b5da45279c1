-- Pending turns belong to the serve process that acknowledged them. A
-- process records itself in serve_instances (a heartbeat); another process
-- takes over a pending turn only when its owner's heartbeat is older than
-- the lease, so replicas starting up never rerun a turn a live replica is
-- still answering.
alter table pending_turns add column owner text not null default '';

create table serve_instances (
    instance_id text primary key,
    seen_at     timestamptz not null default now()
);

---- create above / drop below ----
drop table serve_instances;
alter table pending_turns drop column owner;
