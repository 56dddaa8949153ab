import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { suggestRewrites, type RewriteKind } from '../../../src/engine/advisor/query-rewrites.js';
import { explainQuery, parseExplainable, readRelationFacts } from '../../../src/engine/plan/index.js';
import { tablesOf } from '../../../src/engine/plan/query-tables.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

describe('query rewrite suggestions', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_rewrites');
    const wide = Array.from({ length: 14 }, (_, i) => `c${i} int`).join(', ');
    await scratch.admin.query(`
      create table customers (id int primary key, email text, region text);
      create table orders (id int primary key, customer_id int, code int, created_at timestamp, note text);
      create table wide (id int primary key, ${wide});
      create index orders_created_at on orders (created_at);
      create index orders_code on orders (code);
      create index customers_email on customers (email);
      insert into customers select g, 'u' || g, 'r' || g % 5 from generate_series(1, 1000) g;
      insert into orders select g, g % 1000, g % 300, now() - g * interval '1 hour', 'n' from generate_series(1, 5000) g;
      analyze;`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  async function rewrites(sql: string, withPlan = false) {
    const statement = await parseExplainable(sql);
    const facts = await readRelationFacts(target, tablesOf(statement.tree));
    const plan = withPlan ? (await explainQuery(target, sql)).plan : undefined;
    return suggestRewrites(statement, facts, plan);
  }
  const only = async (sql: string, kind: RewriteKind, withPlan = false) => (await rewrites(sql, withPlan)).find((r) => r.kind === kind);

  it('rewrites NOT IN (subquery) as NOT EXISTS, and the rewrite runs', async () => {
    const r = await only('select id from customers c where c.id not in (select customer_id from orders where code = 5)', 'not-in-subquery');
    expect(r?.rewrittenSql).toBe('select id from customers c where NOT EXISTS (SELECT 1 from orders WHERE orders.customer_id = c.id AND ( code = 5))');
    const plan = await explainQuery(target, r!.rewrittenSql!);
    expect(JSON.stringify(plan.plan.root)).toMatch(/Anti/);
  });

  it('splits OR across columns into UNION ALL branches', async () => {
    const r = await only("select * from customers where email = 'u5' or (region = 'r1')", 'or-to-union');
    expect(r?.rewrittenSql).toBe(
      "select * from customers WHERE (email = 'u5')\nUNION ALL\nselect * from customers WHERE (region = 'r1') AND (email = 'u5') IS NOT TRUE",
    );
    await expect(explainQuery(target, r!.rewrittenSql!)).resolves.toBeDefined();
  });

  it('turns a date cast on an indexed timestamp into a range', async () => {
    const r = await only("select * from orders where created_at::date = '2024-05-01' and code = 3", 'function-on-indexed-column');
    expect(r?.rewrittenSql).toBe("select * from orders where created_at >= '2024-05-01'::date AND created_at < '2024-05-01'::date + 1 and code = 3");
  });

  it('suggests an expression index for lower() on an indexed column', async () => {
    const r = await only("select * from customers where lower(email) = 'x'", 'function-on-indexed-column');
    expect(r?.supportingSql).toBe('CREATE INDEX CONCURRENTLY ON public.customers ((lower(email)));');
    expect(r?.rewrittenSql).toBeUndefined();
  });

  it('spots an implicit cast in the plan that defeats an index', async () => {
    const r = await only('select * from orders where code = 5.0', 'implicit-cast', true);
    expect(r?.title).toBe('orders.code (integer) is implicitly cast to numeric');
  });

  it('flags leading-wildcard LIKE with a trigram index', async () => {
    const r = await only("select * from customers where email like '%gmail.com'", 'leading-wildcard-like');
    expect(r?.supportingSql).toContain('USING gin (email gin_trgm_ops)');
  });

  it('flags SELECT * on a wide table and OFFSET pagination with a keyset template', async () => {
    expect((await only('select * from wide', 'select-star-wide-table'))?.title).toBe('SELECT * reads all 15 columns of wide');
    const keyset = await only('select id, code from orders where code > 3 order by id desc limit 20 offset 5000', 'offset-pagination');
    expect(keyset?.rewrittenSql).toBe('select id, code from orders where code > 3 AND id < :last_id order by id desc limit 20');
  });

  it('flags correlated subqueries in the select list', async () => {
    const r = await only('select c.id, (select count(*) from orders o where o.customer_id = c.id) from customers c', 'correlated-subquery');
    expect(r?.title).toMatch(/runs once per row/);
  });

  it('offers the planner estimate for count(*) over a huge table', async () => {
    // Planting the statistics of a 5-million-row table is quicker than loading one.
    await scratch.admin.query("update pg_class set reltuples = 5000000 where relname = 'wide'");
    const r = await only('select count(*) from wide', 'count-star-huge-table');
    expect(r?.rewrittenSql).toBe("SELECT reltuples::bigint AS estimated_rows FROM pg_class WHERE oid = 'public.wide'::regclass");
    expect(await only('select count(*) from customers', 'count-star-huge-table')).toBeUndefined();
  });

  it('says nothing about a query that is fine', async () => {
    expect(await rewrites('select id, email from customers where id = 5', true)).toEqual([]);
  });
});
