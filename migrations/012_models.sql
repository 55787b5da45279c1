-- Trained predictive models (roibot model train, and the scheduled
-- retraining of roibot serve): one row per version of a named model
-- ("churn", "response:ifood"). window_from/window_to is the training
-- window (churn: labels read from window_from to window_to; features from
-- before window_from), data_through the newest order or feedback time the
-- training saw. model is the model chosen on validation, metrics every
-- model's validation and test figures, params the settings. active marks
-- the version answers use: a retrained version that scores a lower AUC on
-- the latest holdout than the active one is stored with active = false.
create table models (
    name          text not null,
    version       integer not null,
    trained_at    timestamptz not null,
    window_from   timestamptz,
    window_to     timestamptz,
    data_through  timestamptz,
    features      text[] not null,
    model         text not null,
    params        jsonb not null,
    metrics       jsonb not null,
    holdout_auc   double precision not null,
    active        boolean not null,
    note          text not null default '',
    primary key (name, version)
);
create unique index models_one_active_idx on models (name) where active;

---- create above / drop below ----

drop table models;
