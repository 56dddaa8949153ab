import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { explainQuery, ExplainInputError, planNodes } from '../../../src/engine/plan/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

describe('safe EXPLAIN on a real server', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_explain');
    await scratch.admin.query(`
      create table customers (id int primary key, email text not null, region text not null);
      create table orders (id int primary key, customer_id int not null, status text not null, total numeric not null);
      insert into customers select g, 'user' || g || '@example.com', 'region' || (g % 10) from generate_series(1, 2000) g;
      insert into orders select g, 1 + g % 2000, case when g % 50 = 0 then 'open' else 'done' end, g % 700 from generate_series(1, 20000) g;
      analyze;`);
    target = await TargetDatabase.connect(scratch.url, { statementTimeoutMs: 15_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000, poolSize: 2 });
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('returns the estimated plan tree with node types, relations, rows and costs', async () => {
    const result = await explainQuery(target, 'select o.id from orders o join customers c on c.id = o.customer_id where c.id = 7');
    expect(result.analyzed).toBe(false);
    const nodes = planNodes(result.plan);
    expect(result.plan.nodeCount).toBe(nodes.length);
    const scanOnCustomers = nodes.find((n) => n.relation === 'customers');
    expect(scanOnCustomers).toMatchObject({ nodeType: 'Index Only Scan', index: 'customers_pkey', schema: 'public', alias: 'c' });
    expect(nodes.find((n) => n.relation === 'orders')?.nodeType).toBe('Seq Scan');
    for (const node of nodes) {
      expect(node.estimated.totalCost).toBeGreaterThanOrEqual(node.estimated.startupCost);
      expect(node.actual).toBeUndefined();
    }
    expect(result.plan.root.children.length).toBeGreaterThan(0);
    expect(result.plan.totalCost).toBe(result.plan.root.estimated.totalCost);
  });

  it('with analyze adds actual rows, loops, exclusive time and buffers', async () => {
    const result = await explainQuery(target, "select count(*) from orders where status = 'open'", { analyze: true });
    expect(result.analyzed).toBe(true);
    expect(result.plan.executionMs).toBeGreaterThan(0);
    const nodes = planNodes(result.plan);
    const scan = nodes.find((n) => n.relation === 'orders')!;
    expect(scan.actualTotalRows).toBe(400);
    expect(scan.details.rowsRemovedByFilter).toBeGreaterThan(0);
    expect(scan.buffers!.sharedHit + scan.buffers!.sharedRead).toBeGreaterThan(0);
    for (const node of nodes) {
      expect(node.exclusiveMs!).toBeLessThanOrEqual(node.inclusiveMs! + 1e-9);
      expect(node.exclusiveMs!).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses ANALYZE of a write and leaves the data untouched', async () => {
    const error = await explainQuery(target, "update orders set status = 'x'", { analyze: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExplainInputError);
    expect((error as Error).message).toMatch(/EXPLAIN ANALYZE executes the statement.*UPDATE.*guarded path/);
    const lockingRead = await explainQuery(target, 'select * from orders for update', { analyze: true }).catch((e: unknown) => e);
    expect((lockingRead as Error).message).toMatch(/FOR UPDATE/);
    const { rows } = await scratch.admin.query("select count(*)::int as n from orders where status = 'x'");
    expect(rows[0].n).toBe(0);
  });

  it('refuses ANALYZE of a SELECT that calls a side-effecting function, and nothing runs', async () => {
    await scratch.admin.query('create sequence if not exists explain_probe_seq');
    for (const sql of [
      "select nextval('explain_probe_seq')",
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'nobody'",
    ]) {
      const error = await explainQuery(target, sql, { analyze: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExplainInputError);
      expect((error as Error).message).toContain('not known to be free of side effects');
    }
    const { rows } = await scratch.admin.query('select last_value::int as v, is_called from explain_probe_seq');
    expect(rows[0]).toEqual({ v: 1, is_called: false });
  });

  it('runs ANALYZE of a SELECT whose functions are known read-only', async () => {
    const result = await explainQuery(target, "select count(*), lower(max(status)) from orders where status = 'open'", { analyze: true });
    expect(result.analyzed).toBe(true);
  });

  it('explains a write without executing it', async () => {
    const result = await explainQuery(target, 'delete from orders where id = 5');
    expect(result.statementKind).toBe('delete');
    expect(result.plan.root.nodeType).toBe('ModifyTable');
    const { rows } = await scratch.admin.query('select count(*)::int as n from orders where id = 5');
    expect(rows[0].n).toBe(1);
  });

  it.each([
    ['selec * from orders', /does not parse: syntax error at or near "selec"/],
    ['select 1; select 2', /Found 2 statements/],
    ['explain select 1', /already starts with EXPLAIN/],
    ['vacuum orders', /this is a Vacuum statement/],
    ['   ', /No SQL was given/],
    ['select * from no_such_table', /PostgreSQL rejected the query: relation "no_such_table" does not exist/],
  ])('refuses %j with a clear reason', async (sql, message) => {
    const error = await explainQuery(target, sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExplainInputError);
    expect((error as Error).message).toMatch(message);
  });

  it('binds given parameter values', async () => {
    const result = await explainQuery(target, 'select * from orders where customer_id = $1 and status = $2', { params: ['12', 'open'], analyze: true });
    expect(result.parameterMode).toBe('given');
    const scan = planNodes(result.plan).find((n) => n.relation === 'orders')!;
    expect(scan.details.filter).toContain("'open'::text");
    expect(scan.actualTotalRows).toBe(0);
  });

  it('samples parameter values from pg_stats when the server cannot plan generically', async () => {
    const version = await target.serverVersionNum();
    const result = await explainQuery(target, 'select * from orders where status = $1 and total > $2');
    if (version >= 160000) {
      expect(result.parameterMode).toBe('generic');
      return;
    }
    expect(result.parameterMode).toBe('sampled');
    expect(result.parameters[0]).toMatchObject({ position: 1, value: 'done', source: 'pg_stats most common value of orders.status' });
    expect(result.parameters[1]?.source).toMatch(/histogram bound .* of orders\.total/);
    const inList = await explainQuery(target, 'select * from orders o where o.status in ($1, $2) and o.customer_id between $3 and $4');
    expect(inList.parameters.map((p) => p.source.replace(/ of .*/, ''))).toEqual([
      'pg_stats most common value',
      'pg_stats most common value',
      'pg_stats histogram bound (lower quartile)',
      'pg_stats histogram bound (upper quartile)',
    ]);
  });

  it('says which parameters it could not find values for', async () => {
    const error = await explainQuery(target, 'select $1::int + 1').catch((e: unknown) => e);
    if ((await target.serverVersionNum()) >= 160000) {
      expect((error as { parameterMode?: string }).parameterMode).toBe('generic');
      return;
    }
    expect((error as Error).message).toMatch(/no sample value was found for \$1.*params/);
    const wrongCount = await explainQuery(target, 'select * from orders where id = $1', { params: ['1', '2'] }).catch((e: unknown) => e);
    expect((wrongCount as Error).message).toMatch(/uses parameters \$1\.\.\$1 but 2 values were given/);
  });
});
