-- Customers, products, orders and order lines (Online Retail, CDNOW or the
-- generic CSV import). Money is stored in minor currency units (bigint).
create table customers (
    customer_id text primary key,
    country     text,
    source      text not null
);

create table products (
    stock_code  text primary key,
    description text not null default '',
    category    text not null default ''
);

-- One row per invoice. customer_id is null for anonymous invoices, which are
-- kept for basket analysis and excluded from customer metrics.
create table orders (
    invoice_no      text primary key,
    customer_id     text references customers (customer_id),
    country         text not null default '',
    invoiced_at     timestamptz not null,
    is_cancellation boolean not null default false,
    currency        text not null default 'GBP',
    source          text not null
);
create index orders_customer_idx on orders (customer_id, invoiced_at);
create index orders_invoiced_at_idx on orders (invoiced_at);

-- One row per invoice line, line_no being the line's position within its
-- invoice in the source file (so a re-import is idempotent). amount is
-- quantity x unit_price in minor units; is_return marks cancellations and
-- negative quantities, which purchase metrics exclude.
create table order_lines (
    invoice_no  text not null references orders (invoice_no),
    line_no     integer not null,
    stock_code  text not null default '',
    description text not null default '',
    quantity    integer not null,
    unit_price  numeric(14, 4) not null check (unit_price >= 0),
    amount      bigint not null,
    is_return   boolean not null default false,
    primary key (invoice_no, line_no)
);
create index order_lines_stock_idx on order_lines (stock_code);

---- create above / drop below ----
drop table order_lines;
drop table orders;
drop table products;
drop table customers;
