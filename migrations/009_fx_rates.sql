-- Exchange rates for reporting in one currency: on day, 1 unit of currency
-- is worth rate units of to_currency (the reporting currency,
-- ROIBOT_REPORTING_CURRENCY). Amounts on a day without a rate use the
-- latest earlier rate; amounts with no rate on or before their day are
-- left out of converted answers and named.
create table fx_rates (
    day         date not null,
    currency    text not null check (currency ~ '^[A-Z]{3}$'),
    rate        numeric(20, 10) not null check (rate > 0),
    to_currency text not null default 'GBP' check (to_currency ~ '^[A-Z]{3}$'),
    primary key (to_currency, currency, day)
);

---- create above / drop below ----

drop table fx_rates;
