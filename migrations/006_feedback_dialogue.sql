-- The order a feedback is about, as the collection dialogue asks for it
-- ("order 536365"); empty for reviews and feedback about a product. The
-- dialogue's idempotency key is stored as source_ref, so the existing
-- unique (source, source_ref) makes a repeated confirm store one row.
alter table feedback add column order_id text not null default '';
create index feedback_category_idx on feedback (lower(category));

---- create above / drop below ----
drop index feedback_category_idx;
alter table feedback drop column order_id;
