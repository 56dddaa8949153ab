import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHealthReport } from '../../../../src/engine/db/inspections/health-report.js';
import { readActivity } from '../../../../src/engine/db/inspections/review.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';
import { findingsOf, objectsOf, testSessionSettings } from './report-helpers.js';

const thresholds = { idleInTransactionSeconds: 0, longRunningQuerySeconds: 0.2 };

async function connect(url: string, application: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: url, application_name: application });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return { client, pid: rows[0]!.pid };
}

describe('activity checks on live sessions', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const clients: pg.Client[] = [];
  let holder: { client: pg.Client; pid: number };
  let waiter: { client: pg.Client; pid: number };
  let secondWaiter: { client: pg.Client; pid: number };
  let sleeper: { client: pg.Client; pid: number };
  const pending: Promise<unknown>[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_act');
    await scratch.admin.query('create table accounts (id int primary key, balance int)');
    await scratch.admin.query('insert into accounts values (1, 100), (2, 200)');
    holder = await connect(scratch.url, 'planted-holder');
    waiter = await connect(scratch.url, 'planted-waiter');
    secondWaiter = await connect(scratch.url, 'planted-waiter-2');
    sleeper = await connect(scratch.url, 'planted-sleeper');
    clients.push(holder.client, waiter.client, secondWaiter.client, sleeper.client);
    // The holder updates a row and stays idle in transaction; two UPDATEs of that row queue behind it.
    await holder.client.query('begin');
    await holder.client.query('update accounts set balance = balance + 1 where id = 1');
    pending.push(waiter.client.query('update accounts set balance = balance - 1 where id = 1').catch(() => undefined));
    pending.push(secondWaiter.client.query('update accounts set balance = 0 where id = 1').catch(() => undefined));
    pending.push(sleeper.client.query('select pg_sleep(60)').catch(() => undefined));
    target = await TargetDatabase.connect(scratch.url, testSessionSettings);
  });
  afterAll(async () => {
    await scratch?.admin.query('select pg_cancel_backend($1), pg_cancel_backend($2), pg_cancel_backend($3)', [sleeper.pid, waiter.pid, secondWaiter.pid]).catch(() => undefined);
    await holder?.client.query('rollback').catch(() => undefined);
    await Promise.all(pending);
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await target?.close();
    await scratch?.drop();
  });

  it('shows the blocked UPDATEs as a tree under the idle-in-transaction holder', async () => {
    await expect.poll(async () => {
      const report = await runHealthReport(target, { families: ['activity'], thresholds });
      return findingsOf(report, 'blocking_tree').find((f) => f.object.startsWith(`pid ${holder.pid} `))?.detail ?? '';
    }, { timeout: 15_000 }).toMatch(new RegExp(`pid ${holder.pid} blocks 2 session\\(s\\)[\\s\\S]*pid ${waiter.pid}[\\s\\S]*pid ${secondWaiter.pid}|pid ${holder.pid} blocks 2 session\\(s\\)[\\s\\S]*pid ${secondWaiter.pid}[\\s\\S]*pid ${waiter.pid}`));
    const report = await runHealthReport(target, { families: ['activity'], thresholds });
    const tree = findingsOf(report, 'blocking_tree').find((f) => f.object.startsWith(`pid ${holder.pid} `));
    expect(tree?.object).toBe(`pid ${holder.pid} (postgres@${scratch.name}, planted-holder)`);
    expect(tree?.recommendation).toMatch(/idle in transaction/);
    expect(tree?.sql).toBe(`SELECT pg_cancel_backend(${holder.pid}); -- then, if needed: SELECT pg_terminate_backend(${holder.pid});`);
  });

  it('finds the session idle in transaction', async () => {
    const report = await runHealthReport(target, { families: ['activity'], thresholds });
    expect(objectsOf(report, 'idle_in_transaction')).toContain(`pid ${holder.pid} (postgres@${scratch.name}, planted-holder)`);
    expect(objectsOf(report, 'idle_in_transaction')).not.toContain(`pid ${waiter.pid} (postgres@${scratch.name}, planted-waiter)`);
  });

  it('finds the long-running query', async () => {
    await expect.poll(async () => objectsOf(await runHealthReport(target, { families: ['activity'], thresholds }), 'long_running_query'), { timeout: 10_000 })
      .toContain(`pid ${sleeper.pid} (postgres@${scratch.name}, planted-sleeper)`);
    const report = await runHealthReport(target, { families: ['activity'], thresholds });
    expect(findingsOf(report, 'long_running_query').find((f) => f.object.startsWith(`pid ${sleeper.pid} `))?.detail).toMatch(/select pg_sleep\(60\)/);
  });

  it('compares connections in use with max_connections', async () => {
    const relaxed = await runHealthReport(target, { families: ['activity'], thresholds });
    expect(objectsOf(relaxed, 'connection_usage')).toEqual([]);
    const strict = await runHealthReport(target, { families: ['activity'], thresholds: { ...thresholds, connectionWarningShare: 0.01, connectionCriticalShare: 0.99 } });
    expect(findingsOf(strict, 'connection_usage')).toMatchObject([{ object: 'max_connections', severity: 'warning' }]);
  });

  it('reports cache hit ratios below the threshold once enough blocks were read', async () => {
    // A backend publishes its block counters when it exits: read the table from a short-lived session.
    const reader = await connect(scratch.url, 'planted-reader');
    await reader.client.query('select sum(balance) from accounts');
    await reader.client.end();
    await expect.poll(async () => {
      const strict = await runHealthReport(target, { families: ['activity'], thresholds: { cacheHitMinBlocks: 1, cacheHitMinRatio: 1.01 } });
      return objectsOf(strict, 'cache_hit_ratio');
    }, { timeout: 15_000 }).toContain(`table cache of ${scratch.name}`);
    const relaxed = await runHealthReport(target, { families: ['activity'] });
    expect(objectsOf(relaxed, 'cache_hit_ratio')).toEqual([]);
  });

  it('summarises sessions by state for the activity tool', async () => {
    const activity = await readActivity(target, { thresholds });
    const pids = activity.sessions.map((s) => s.pid);
    expect(pids).toEqual(expect.arrayContaining([holder.pid, waiter.pid, secondWaiter.pid, sleeper.pid]));
    expect(activity.connections.byState['idle in transaction']).toBeGreaterThanOrEqual(1);
    expect(activity.connections.max).toBeGreaterThan(0);
  });
});
