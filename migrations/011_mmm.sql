-- Weekly media-mix data sets: `roibot import mmm_weekly FILE` (dataset =
-- the file's base name) and the SYNTHETIC MMM scenario of demo-data
-- (dataset synthetic_mmm, its generating truth in truth). One row per
-- dataset and week (the week's first day in the business time zone);
-- spend per channel, controls and 0/1 events per named series; lift tests
-- and, for the scenario, aggregated touchpoint paths for attribution.
create table mmm_datasets (
    dataset     text primary key,
    currency    text not null check (currency ~ '^[A-Z]{3}$'),
    synthetic   boolean not null default false,
    source      text not null default '',
    truth       jsonb,
    imported_at timestamptz not null default now()
);

create table mmm_weeks (
    dataset text not null references mmm_datasets on delete cascade,
    week    date not null,
    outcome double precision not null,
    primary key (dataset, week)
);

create table mmm_series (
    dataset text not null,
    week    date not null,
    kind    text not null check (kind in ('spend', 'control', 'event')),
    name    text not null,
    value   double precision not null,
    primary key (dataset, kind, name, week),
    foreign key (dataset, week) references mmm_weeks on delete cascade,
    check (kind <> 'spend' or value >= 0)
);

create table mmm_lift_tests (
    dataset     text not null references mmm_datasets on delete cascade,
    channel     text not null,
    start_week  date not null,
    end_week    date not null check (end_week >= start_week),
    incremental double precision not null,
    se          double precision not null check (se > 0),
    primary key (dataset, channel, start_week, end_week)
);

create table mmm_paths (
    dataset     text not null references mmm_datasets on delete cascade,
    path        text not null,
    conversions double precision not null,
    value       double precision not null,
    nulls       double precision not null,
    primary key (dataset, path)
);

---- create above / drop below ----

drop table mmm_paths;
drop table mmm_lift_tests;
drop table mmm_series;
drop table mmm_weeks;
drop table mmm_datasets;
