import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHealthReport } from '../../../../src/engine/db/inspections/health-report.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, serverUrl, type ScratchDatabase } from '../../../helpers/database.js';
import { objectsOf, statusOf, testSessionSettings } from './report-helpers.js';

const statsChecks = ['long_running_query', 'idle_in_transaction', 'blocking_tree', 'replication_lag'];

describe('a role without pg_read_all_stats', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const role = `pgdba_low_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_priv');
    await scratch.admin.query(`create role ${role} login`);
    await scratch.admin.query(`create table ledger (entry text)`);
    // A sequence near its end that the role may not read.
    await scratch.admin.query(`create sequence secret_ids maxvalue 100`);
    await scratch.admin.query(`select setval('secret_ids', 99)`);
    const url = new URL(scratch.url);
    url.username = role;
    target = await TargetDatabase.connect(url.toString(), testSessionSettings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
    const server = new pg.Client({ connectionString: serverUrl() });
    await server.connect();
    await server.query(`drop role if exists ${role}`);
    await server.end();
  });

  it('names the missing privilege for each check that needs it while the others run', async () => {
    const report = await runHealthReport(target);
    for (const check of statsChecks) {
      expect(statusOf(report, check)).toMatchObject({ status: 'no_privilege', privilege: 'pg_read_all_stats' });
      expect(statusOf(report, check)?.message).toContain(`GRANT pg_read_all_stats TO ${role};`);
    }
    const others = report.checks.filter((c) => !statsChecks.includes(c.check));
    expect(others.filter((c) => c.status !== 'ran')).toEqual([]);
    expect(objectsOf(report, 'no_primary_key')).toEqual(['public.ledger']);
  });

  it('says which sequences it could not read instead of guessing', async () => {
    const report = await runHealthReport(target, { families: ['wraparound'] });
    expect(objectsOf(report, 'sequence_exhaustion')).toEqual([]);
    expect(statusOf(report, 'sequence_exhaustion')?.message).toMatch(/1 sequence\(s\) skipped: the role needs USAGE or SELECT/);
  });

  it('runs the activity checks once granted pg_read_all_stats', async () => {
    await scratch.admin.query(`grant pg_read_all_stats to ${role}`);
    const report = await runHealthReport(target, { families: ['activity', 'replication'] });
    expect(report.checks.every((c) => c.status === 'ran')).toBe(true);
  });
});

describe('faults in one check', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  let locker: pg.Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_fault');
    await scratch.admin.query(`create table busy (id int primary key, v text)`);
    await scratch.admin.query(`create table heap_only (v text)`);
    await scratch.admin.query(`create sequence busy_seq`);
    target = await TargetDatabase.connect(scratch.url, { ...testSessionSettings, lockTimeoutMs: 30_000 });
    locker = new pg.Client({ connectionString: scratch.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await target?.close();
    await scratch?.drop();
  });

  it('a statement timeout fails only the check whose query timed out', async () => {
    // ALTER SEQUENCE holds a lock that reading the sequence's value waits for.
    await locker.query('begin');
    await locker.query('alter sequence busy_seq restart with 10');
    try {
      const report = await runHealthReport(target, { queryTimeoutMs: 1_500, families: ['indexes', 'tables', 'wraparound', 'configuration'] });
      expect(statusOf(report, 'sequence_exhaustion')).toMatchObject({ status: 'failed' });
      expect(statusOf(report, 'sequence_exhaustion')?.message).toMatch(/^statement timeout: canceling statement due to statement timeout/);
      expect(report.checks.filter((c) => c.check !== 'sequence_exhaustion' && c.status !== 'ran')).toEqual([]);
      expect(objectsOf(report, 'no_primary_key')).toEqual(['public.heap_only']);
    } finally {
      await locker.query('rollback');
    }
  });

  it('a table locked ACCESS EXCLUSIVE does not stall the report: its sizes come from the catalog', async () => {
    await locker.query('begin');
    await locker.query('lock table heap_only in access exclusive mode');
    try {
      const report = await runHealthReport(target, { queryTimeoutMs: 5_000, families: ['tables', 'indexes'] });
      expect(report.checks.filter((c) => c.status !== 'ran')).toEqual([]);
      expect(objectsOf(report, 'no_primary_key')).toEqual(['public.heap_only']);
    } finally {
      await locker.query('rollback');
    }
  });
});
