-- Customer feedback with full-text search. This file is a Go text/template
-- evaluated by tern with postgres.Store's migration data (EmbeddingType,
-- EmbeddingDim). The embedding table and its
-- HNSW index exist only where the vector extension is available (any
-- PostgreSQL with pgvector 0.7+); on a plain
-- PostgreSQL search falls back to full text.
create table feedback (
    feedback_id     bigserial primary key,
    body            text not null check (length(body) > 0),
    rating          smallint check (rating between 1 and 5),
    customer_id     text,
    product         text not null default '',
    category        text not null default '',
    source          text not null,
    source_ref      text,
    consent         boolean not null default false,
    created_at      timestamptz not null default now(),
    sentiment       double precision,
    sentiment_label text,
    themes          text[] not null default '{}',
    tsv             tsvector generated always as (to_tsvector('english', body)) stored,
    unique (source, source_ref)
);
create index feedback_tsv_idx on feedback using gin (tsv);
create index feedback_created_idx on feedback (created_at);

do $$
begin
    if exists (select 1 from pg_available_extensions where name = 'vector') then
        -- In public, not in the first schema of the search_path (a
        -- ROIBOT_DB_SCHEMA): every roibot schema of the database shares
        -- the extension, and dropping one schema must not drop it. Where
        -- it is already installed (e.g. in a schema "extensions"), that
        -- installation is used: postgres.Open puts its schema on every
        -- connection's search_path.
        create extension if not exists vector schema public;
        -- The type and dimension come from the configuration when
        -- `roibot migrate` runs (ROIBOT_EMBEDDING_DIM, default 384, the
        -- local embedder's): vector(n) up to 2,000 dimensions, halfvec(n)
        -- above, up to 4,000, since pgvector's HNSW index holds at most
        -- 2,000 dimensions of vector and 4,000 of halfvec. `roibot` checks
        -- the configured embedder against this column at start-up.
        execute 'create table feedback_embeddings (
            feedback_id bigint primary key references feedback (feedback_id) on delete cascade,
            model       text not null,
            embedding   {{.EmbeddingType}}({{.EmbeddingDim}}) not null
        )';
    end if;
end
$$;

-- Dialogue state of feedback collection, one row per conversation.
create table feedback_dialogues (
    conversation_id text primary key,
    state           jsonb not null,
    updated_at      timestamptz not null default now()
);

---- create above / drop below ----
drop table feedback_dialogues;
drop table if exists feedback_embeddings;
drop table feedback;
