---- tern: disable-tx ----
-- HNSW index (cosine) over feedback embeddings, in its own file outside a
-- transaction as index builds over large tables should be. It is created
-- only where feedback_embeddings exists (pgvector available). The build is
-- not CONCURRENTLY because a DO block cannot run a concurrent build; the
-- table is created empty by 003, so nothing is locked for long. The
-- operator class is a template value (tern evaluates migrations as Go
-- text/template): vector_cosine_ops for a vector column, halfvec_cosine_ops
-- for a halfvec one (more than 2,000 dimensions).
do $$
begin
    if to_regclass('feedback_embeddings') is not null then
        execute 'create index if not exists feedback_embeddings_hnsw_idx
                 on feedback_embeddings using hnsw (embedding {{.EmbeddingOps}})
                 with (m = 16, ef_construction = 64)';
    end if;
end
$$;

---- create above / drop below ----
drop index if exists feedback_embeddings_hnsw_idx;
