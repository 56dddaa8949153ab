import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { adviseIndexes, type WorkloadQuery } from '../../../src/engine/advisor/advise-indexes.js';
import { exhaustiveSelection, greedySelection } from '../../../src/engine/advisor/index-selection.js';
import { planNodes } from '../../../src/engine/plan/index.js';
import { readRelationFacts } from '../../../src/engine/plan/relation-facts.js';
import { covers } from '../../../src/engine/advisor/index-candidates.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

const schema = `
  create table customers (id int primary key, email text not null, region text not null, created_at timestamptz not null);
  create table orders (id int primary key, customer_id int not null, status text not null, created_at timestamptz not null, total numeric not null);
  create table items (id int primary key, order_id int not null, product_id int not null, qty int not null);
  create table products (id int primary key, category int not null, price numeric not null, name text not null);
  create table events (id int primary key, user_id int not null, kind text not null, at timestamptz not null);
  insert into customers select g, 'user' || g || '@example.com', 'region' || (g % 50), now() - g * interval '1 hour' from generate_series(1, 20000) g;
  insert into orders select g, 1 + g % 20000, case when g % 100 = 0 then 'open' else 'done' end, now() - g * interval '1 minute', g % 1000 from generate_series(1, 60000) g;
  insert into items select g, 1 + g % 60000, 1 + g % 5000, 1 + g % 7 from generate_series(1, 60000) g;
  insert into products select g, g % 200, g % 997, 'product ' || g from generate_series(1, 5000) g;
  insert into events select g, 1 + g % 20000, case when g % 500 = 0 then 'refund' else 'view' end, now() - g * interval '1 second' from generate_series(1, 60000) g;
  create index orders_created_at on orders (created_at);
  create index customers_region_unused on customers (region, created_at);
  create index products_category_dup1 on products (category);
  create index products_category_dup2 on products (category);
  analyze;`;

// 24 queries over 5 tables with different weights: lookups, ranges, joins, sorts, aggregates.
const workload: WorkloadQuery[] = [
  { sql: 'select * from orders where customer_id = 42', weight: 50 },
  { sql: 'select * from orders where customer_id = 7 and created_at > now() - interval \'30 days\'', weight: 20 },
  { sql: 'select sum(total) from orders where customer_id = 99', weight: 10 },
  { sql: "select * from orders where status = 'open' order by created_at desc limit 20", weight: 30 },
  { sql: "select count(*) from orders where status = 'open'", weight: 5 },
  { sql: 'select * from items where order_id = 1234', weight: 40 },
  { sql: 'select order_id, qty from items where product_id = 77', weight: 15 },
  { sql: 'select sum(qty) from items where product_id = 12', weight: 5 },
  { sql: 'select * from products where category = 17 order by price limit 10', weight: 10 },
  { sql: 'select * from products where price between 100 and 105', weight: 3 },
  { sql: "select * from products where name = 'product 42'", weight: 8 },
  { sql: 'select * from events where user_id = 5 order by at desc limit 50', weight: 25 },
  { sql: "select * from events where kind = 'refund' and at > now() - interval '1 day'", weight: 6 },
  { sql: 'select count(*) from events where user_id = 300', weight: 4 },
  { sql: "select * from customers where email = 'user5@example.com'", weight: 35 },
  { sql: "select c.email, o.total from customers c join orders o on o.customer_id = c.id where c.email = 'user9@example.com'", weight: 12 },
  { sql: 'select o.id, i.qty from orders o join items i on i.order_id = o.id where o.customer_id = 321', weight: 9 },
  { sql: 'select p.name, i.qty from items i join products p on p.id = i.product_id where i.order_id = 555', weight: 7 },
  { sql: "select * from customers where created_at > now() - interval '2 days'", weight: 2 },
  { sql: 'select customer_id, count(*) from orders group by customer_id', weight: 1 },
  { sql: 'select * from orders where total > 998', weight: 2 },
  { sql: 'select e.kind, count(*) from events e where e.user_id = 77 group by e.kind', weight: 3 },
  { sql: 'insert into orders values (100001, 1, \'open\', now(), 5)', weight: 200 },
  { sql: 'update orders set status = \'done\' where id = 17', weight: 100 },
];

describe('index advisor verified with hypopg', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    expect(inject('hypopgAvailable'), 'the test server needs hypopg (apt-get install postgresql-15-hypopg)').toBe(true);
    scratch = await createScratchDatabase('pgdba_advisor');
    await scratch.admin.query(`create extension hypopg; ${schema}`);
    target = await TargetDatabase.connect(scratch.url, { statementTimeoutMs: 30_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000, poolSize: 2 });
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('finds the missing index and the before/after plans show the switch', async () => {
    const advice = await adviseIndexes(target, [{ sql: 'select * from orders where customer_id = 42' }]);
    expect(advice.verified).toBe(true);
    expect(advice.recommendations[0]).toMatchObject({
      table: 'orders',
      columns: ['customer_id'],
      sql: 'CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);',
      rollback: 'DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx;',
      verified: true,
    });
    expect(advice.recommendations[0]!.sizeBytes).toBeGreaterThan(0);
    const { before, after } = advice.plans[0]!;
    expect(planNodes(before).some((n) => n.nodeType === 'Seq Scan' && n.relation === 'orders')).toBe(true);
    const indexNode = planNodes(after).find((n) => n.index?.includes('btree_orders_customer_id'));
    expect(indexNode?.nodeType).toMatch(/Index Scan|Bitmap Index Scan/);
    expect(after.totalCost).toBeLessThan(before.totalCost / 10);
    // Hypothetical indexes are gone afterwards, and nothing real was created.
    const { rows } = await scratch.admin.query("select count(*)::int as n from pg_indexes where tablename = 'orders'");
    expect(rows[0].n).toBe(2);
  });

  it('never recommends an index that an existing index covers', async () => {
    const advice = await adviseIndexes(target, workload, { maxIndexes: 8 });
    const facts = await readRelationFacts(target, ['customers', 'orders', 'items', 'products', 'events'].map((name) => ({ name })));
    expect(advice.recommendations.length).toBeGreaterThan(2);
    for (const rec of advice.recommendations) {
      const table = facts.find((f) => f.name === rec.table)!;
      const candidate = { id: rec.name, schema: rec.schema, table: rec.table, keys: rec.columns.map((c) => ({ column: c.replace(/ DESC$/, ''), descending: c.endsWith(' DESC') })), equalityPrefix: 0, include: rec.include, reasons: [] };
      expect(table.indexes.filter((index) => covers(index, candidate)).map((i) => i.name)).toEqual([]);
    }
    // products (category) already has two indexes: nothing leading with category alone is proposed.
    expect(advice.recommendations.some((r) => r.table === 'products' && r.columns.join() === 'category')).toBe(false);
    expect(advice.recommendations.some((r) => r.table === 'orders' && r.columns.join() === 'created_at')).toBe(false);
  });

  it('greedy reaches at least 95 % of the exhaustive optimum on a 24-query workload', async () => {
    let greedy = 0;
    let exhaustive = 0;
    let candidates = 0;
    await adviseIndexes(target, workload, {
      maxIndexes: 3,
      maxCandidates: 16,
      inspectSelection: async (problem, budget) => {
        candidates = problem.candidates.length;
        greedy = (await greedySelection(problem, budget)).benefit;
        exhaustive = (await exhaustiveSelection(problem, budget)).benefit;
      },
    });
    expect(workload.length).toBeGreaterThanOrEqual(20);
    expect(candidates).toBeGreaterThan(5);
    expect(exhaustive).toBeGreaterThan(0);
    expect(greedy).toBeGreaterThanOrEqual(0.95 * exhaustive);
  });

  it('suggests dropping unused and duplicate indexes the workload does not need', async () => {
    // Only tables the workload touches are judged; EXPLAIN does not count as a scan.
    const advice = await adviseIndexes(target, [workload[0]!, workload[10]!, workload[14]!]);
    const drops = advice.drops.map((d) => `${d.kind}:${d.index}`).sort();
    expect(drops).toEqual([
      'redundant:products_category_dup2',
      'unused:customers_region_unused',
      'unused:orders_created_at',
      'unused:products_category_dup1',
    ]);
    const dup = advice.drops.find((d) => d.index === 'products_category_dup2')!;
    expect(dup.sql).toBe('DROP INDEX CONCURRENTLY public.products_category_dup2;');
    expect(dup.rollback).toBe('CREATE INDEX CONCURRENTLY products_category_dup2 ON public.products USING btree (category);');
  });

  it('reports queries it cannot cost instead of failing the whole advice', async () => {
    const advice = await adviseIndexes(target, [{ sql: 'select * from orders where customer_id = 1' }, { sql: 'select * from nowhere' }, { sql: 'selec 1' }]);
    expect(advice.queries[1]!.skipped).toMatch(/relation "nowhere" does not exist/);
    expect(advice.queries[2]!.skipped).toMatch(/does not parse/);
    expect(advice.recommendations[0]?.columns).toEqual(['customer_id']);
  });
});

describe('index advisor without hypopg', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_advisor_nohypo');
    // An existing index already has the name the advisor would pick for (customer_id).
    await scratch.admin.query(`create table orders (id int primary key, customer_id int not null); insert into orders select g, g % 100 from generate_series(1, 1000) g;
      create index orders_customer_id_idx on orders (id, customer_id); analyze;`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('offers heuristic candidates labelled unverified and says how to enable hypopg', async () => {
    const advice = await adviseIndexes(target, [{ sql: 'select * from orders where customer_id = 5' }]);
    expect(advice.verified).toBe(false);
    expect(advice.hypopg.state).toBe('not-created');
    expect(advice.hypopg.howToEnable).toMatch(/CREATE EXTENSION hypopg/);
    expect(advice.recommendations).toHaveLength(1);
    expect(advice.recommendations[0]).toMatchObject({ columns: ['customer_id'], verified: false, name: 'orders_customer_id_2_idx' });
  });
});
