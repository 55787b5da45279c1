-- Modelling datasets (roibot model import): tables with a row id, a binary
-- target and input columns, such as the iFood campaign sample or UCI Bank
-- Marketing. They are not roibot customers and never join the retail
-- tables. columns lists the inputs in order as [{"name", "kind"}] with kind
-- "numeric" or "categorical"; each row holds its numeric inputs in num (NaN
-- = missing) and its categorical inputs in cat ('' = missing), each in
-- column order within its kind.
create table model_datasets (
    name        text primary key check (name ~ '^[a-z0-9][a-z0-9_-]*$'),
    source      text not null,
    target      text not null,
    id_column   text not null default '',
    columns     jsonb not null,
    row_count   integer not null,
    positives   integer not null,
    imported_at timestamptz not null default now()
);

create table model_dataset_rows (
    dataset text not null references model_datasets (name) on delete cascade,
    row_no  integer not null,
    row_id  text not null,
    target  boolean not null,
    num     double precision[] not null,
    cat     text[] not null,
    primary key (dataset, row_no)
);

---- create above / drop below ----

drop table model_dataset_rows;
drop table model_datasets;
