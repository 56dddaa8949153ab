/**
 * The demo shop database: realistic data with the problems a DBA meets every week, so a
 * newcomer sees real findings in the first minute.
 *
 * Planted problems:
 * - `orders` (300,000 rows) is queried by `customer_id`, which has no index (and is a foreign key).
 * - `orders_note_idx` is never used; `customers_email_idx` and `customers_email_key_dup` are duplicates.
 * - `audit_events` is bloated: 80 % of its rows were deleted and never vacuumed.
 * - `page_views` has no primary key.
 */

/**
 * Bump when the schema, the data or the way the image is built changes, so cached demo images
 * are rebuilt (2: images are checkpointed without recycled WAL segments).
 */
export const demoSchemaVersion = 2;

export const demoSchemaSql = `
create table customers (
  id bigint generated always as identity primary key,
  email text not null,
  full_name text not null,
  country char(2) not null,
  created_at timestamptz not null
);
create index customers_email_idx on customers (email);
create index customers_email_key_dup on customers (email);

create table products (
  id integer generated always as identity primary key,
  sku text not null unique,
  name text not null,
  price_cents integer not null
);

create table orders (
  id bigint generated always as identity primary key,
  customer_id bigint not null references customers (id),
  status text not null,
  total_cents integer not null,
  created_at timestamptz not null,
  shipped_at timestamptz,
  note text
);
create index orders_created_at_idx on orders (created_at);
create index orders_note_idx on orders (note);

create table audit_events (
  id bigint generated always as identity primary key,
  kind text not null,
  payload text not null,
  created_at timestamptz not null
);

create table page_views (
  path text not null,
  customer_id bigint,
  viewed_at timestamptz not null
);
`;

// Deterministic pseudo-random data from generate_series, so every demo shows the same numbers.
export const demoDataSql = `
insert into customers (email, full_name, country, created_at)
select 'customer' || g || '@example.com', 'Customer ' || g,
       (array['US','DE','FR','GB','IN','BR','JP','CA'])[1 + g % 8],
       timestamptz '2024-01-01' + (g * interval '37 minutes')
from generate_series(1::bigint, 20000) g;

insert into products (sku, name, price_cents)
select 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 100 + (g * 7919) % 20000
from generate_series(1::bigint, 500) g;

insert into orders (customer_id, status, total_cents, created_at, shipped_at, note)
select 1 + (g * 7919) % 20000,
       (array['paid','shipped','delivered','cancelled','refunded'])[1 + g % 5],
       500 + (g * 104729) % 50000,
       timestamptz '2024-01-01' + (g * interval '2 minutes'),
       case when g % 5 in (1, 2) then timestamptz '2024-01-02' + (g * interval '2 minutes') end,
       case when g % 50 = 0 then 'gift wrap' end
from generate_series(1::bigint, 300000) g;

insert into audit_events (kind, payload, created_at)
select (array['login','logout','password_change','order_update'])[1 + g % 4],
       repeat(md5(g::text), 4),
       timestamptz '2024-01-01' + (g * interval '1 minute')
from generate_series(1::bigint, 100000) g;
-- Analysed before the purge, then never vacuumed: stale statistics and dead tuples.
analyze audit_events;
delete from audit_events where id % 5 <> 0;

insert into page_views (path, customer_id, viewed_at)
select '/products/' || (1 + g % 500), 1 + (g * 31) % 20000, timestamptz '2024-06-01' + (g * interval '10 seconds')
from generate_series(1::bigint, 50000) g;

analyze customers;
analyze products;
analyze orders;
analyze page_views;
`;

/**
 * A small workload replayed at every start, since statistics counters do not survive the
 * demo image: it makes the used indexes look used and the checkout query look hot.
 */
export const demoWorkloadSql: readonly string[] = [
  ...Array.from({ length: 5 }, (_, i) => `select * from orders where customer_id = ${42 + i}`),
  ...Array.from({ length: 5 }, (_, i) => `select id, full_name from customers where email = 'customer${100 + i}@example.com'`),
  "select count(*) from orders where created_at >= '2024-03-01' and created_at < '2024-03-02'",
  'select p.name, count(*) from page_views v join products p on p.id::text = split_part(v.path, \'/\', 3) group by p.name order by 2 desc limit 5',
  "select count(*) from audit_events where kind = 'login'",
];
