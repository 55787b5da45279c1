-- Marketing layer: channels, campaigns, daily spend, touchpoints and funnel
-- events. synthetic marks rows made by `roibot demo-data`.
create table channels (
    channel   text primary key,
    kind      text not null default 'paid',  -- paid | owned | earned
    synthetic boolean not null default false
);

create table campaigns (
    campaign  text primary key,
    channel   text not null references channels (channel),
    starts_on date not null,
    ends_on   date not null check (ends_on >= starts_on),
    synthetic boolean not null default false
);

create table ad_spend (
    day       date not null,
    channel   text not null references channels (channel),
    campaign  text not null default '',
    cost      bigint not null check (cost >= 0),
    currency  text not null default 'GBP',
    synthetic boolean not null default false,
    primary key (day, channel, campaign)
);

create table touchpoints (
    touchpoint_id text primary key,
    customer_id   text not null references customers (customer_id),
    channel       text not null references channels (channel),
    campaign      text not null default '',
    touched_at    timestamptz not null,
    synthetic     boolean not null default false
);
create index touchpoints_customer_idx on touchpoints (customer_id, touched_at);

create table funnel_events (
    event_id   text primary key,
    session_id text not null,
    stage      text not null check (stage in ('visit', 'product_view', 'add_to_cart', 'checkout', 'purchase')),
    occurred_at timestamptz not null,
    channel    text not null references channels (channel),
    campaign   text not null default '',
    customer_id text,
    synthetic  boolean not null default false
);
create index funnel_events_at_idx on funnel_events (occurred_at);

-- What the synthetic generator built in, per channel: the revenue it made
-- last-touch attributable to the channel and the spend it generated, so
-- tests can check the tools against it.
create table synthetic_truth (
    channel            text primary key references channels (channel),
    last_touch_revenue bigint not null,
    cost               bigint not null,
    conversions        integer not null,
    seed               bigint not null
);

---- create above / drop below ----
drop table synthetic_truth;
drop table funnel_events;
drop table touchpoints;
drop table ad_spend;
drop table campaigns;
drop table channels;
