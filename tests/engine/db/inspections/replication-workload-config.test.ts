import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHealthReport } from '../../../../src/engine/db/inspections/health-report.js';
import { readTopStatementsReport, reviewConfiguration } from '../../../../src/engine/db/inspections/review.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';
import { findingsOf, testSessionSettings } from './report-helpers.js';

describe('replication, workload and configuration checks', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const slot = `pgdba_test_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_rwc');
    await scratch.admin.query(`create table items (id int primary key, kind int)`);
    await scratch.admin.query(`insert into items select g, g % 7 from generate_series(1, 1000) g`);
    // Per-database settings: visible to new sessions with source "database".
    await scratch.admin.query(`alter database ${scratch.name} set work_mem = '3MB'`);
    await scratch.admin.query(`alter database ${scratch.name} set log_min_duration_statement = -1`);
    // An inactive physical slot that reserves WAL from now on.
    await scratch.admin.query(`select pg_create_physical_replication_slot($1, true)`, [slot]);
    target = await TargetDatabase.connect(scratch.url, testSessionSettings);
  });
  afterAll(async () => {
    await scratch?.admin.query('select pg_drop_replication_slot($1)', [slot]).catch(() => undefined);
    await target?.close();
    await scratch?.drop();
  });

  it('reports the inactive replication slot retaining WAL', async () => {
    const report = await runHealthReport(target, { families: ['replication'] });
    const finding = findingsOf(report, 'replication_slot').find((f) => f.object === `slot ${slot}`);
    expect(finding?.severity).toBe('warning');
    expect(finding?.detail).toMatch(/inactive and retains/);
    expect(finding?.sql).toMatch(new RegExp(`^SELECT pg_drop_replication_slot\\('${slot}'\\)`));
    expect(report.checks.find((c) => c.check === 'replication_lag')?.status).toBe('ran');
  });

  it('says exactly how to enable pg_stat_statements when it is missing', async () => {
    const report = await runHealthReport(target, { families: ['workload'] });
    expect(findingsOf(report, 'pg_stat_statements_missing')).toMatchObject([
      { object: 'pg_stat_statements', severity: 'info', sql: 'CREATE EXTENSION pg_stat_statements;' },
    ]);
    const statements = await readTopStatementsReport(target);
    expect(statements).toMatchObject({ installed: false, statements: [], enableSql: 'CREATE EXTENSION pg_stat_statements;' });
  });

  it('lists top statements and flags slow ones once the extension is installed', async () => {
    await scratch.admin.query('create extension if not exists pg_stat_statements');
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    for (let i = 0; i < 12; i += 1) await client.query('select count(*) from items where kind = $1', [i % 7]);
    await client.end();
    // pgdba's own catalog queries run in this database too: look past the top 10.
    const statements = await readTopStatementsReport(target, 100);
    expect(statements.installed).toBe(true);
    const counted = statements.statements.find((s) => s.query === 'select count(*) from items where kind = $1');
    expect(counted?.calls).toBe(12);
    const report = await runHealthReport(target, { families: ['workload'], thresholds: { slowStatementMeanMs: 0, slowStatementMinCalls: 12, topStatementsLimit: 100 } });
    expect(findingsOf(report, 'slow_statement').map((f) => f.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^12 calls averaging .*select count\(\*\) from items where kind = \$1/)]),
    );
    expect(report.topStatements.length).toBeGreaterThan(0);
  });

  it('lists non-default settings with their source and recommends logging slow statements', async () => {
    const review = await reviewConfiguration(target);
    expect(review.nonDefault.find((s) => s.name === 'work_mem')).toMatchObject({ value: '3072', unit: 'kB', source: 'database' });
    // pgdba's own session settings are not "non-default settings of the server".
    expect(review.nonDefault.find((s) => s.name === 'default_transaction_read_only')).toBeUndefined();
    const logging = review.recommendations.find((f) => f.object === 'log_min_duration_statement');
    expect(logging).toMatchObject({ check: 'config_logging', severity: 'info' });
    expect(logging?.sql).toMatch(/ALTER SYSTEM SET log_min_duration_statement = '250ms'/);
    expect(review.checks).toMatchObject([{ check: 'configuration', status: 'ran' }]);
  });
});
