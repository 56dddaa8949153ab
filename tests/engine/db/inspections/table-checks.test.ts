import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runHealthReport } from '../../../../src/engine/db/inspections/health-report.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';
import { findingsOf, objectsOf, testSessionSettings } from './report-helpers.js';

const thresholds = {
  bloatMinBytes: 64 * 1024,
  deadTupleMinCount: 1_000,
  staleMinRows: 1_000,
  toastMinBytes: 64 * 1024,
  toastMinShare: 0.5,
};

describe('table checks on planted problems', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_tbl');
    const sql = (text: string) => scratch.admin.query(text);
    // dead tuples, never analysed, autovacuum disabled on the table
    await sql(`create table audit_log (id int primary key, note text) with (autovacuum_enabled = false)`);
    await sql(`insert into audit_log select g, 'n' || g from generate_series(1, 20000) g`);
    await sql(`delete from audit_log where id % 2 = 0`);
    // bloated table: 90 % deleted, then vacuumed (pages stay, tuples are gone)
    await sql(`create table sessions (id int primary key, data text) with (autovacuum_enabled = false)`);
    await sql(`insert into sessions select g, repeat('s', 80) from generate_series(1, 50000) g`);
    await sql(`delete from sessions where id % 10 <> 0`);
    // Vacuum only once the delete's statistics are published, or they would re-add the dead tuples afterwards.
    await vi.waitFor(async () => {
      const { rows } = await sql(`select n_tup_del::int as n from pg_stat_user_tables where relname = 'sessions'`);
      if (rows[0]?.n !== 45000) throw new Error('delete statistics not published yet');
    }, { timeout: 10_000, interval: 100 });
    await sql(`vacuum analyze sessions`);
    // no primary key
    await sql(`create table raw_import (line text)`);
    // large values stored out of line (TOAST): random text does not compress
    await sql(`create table documents (id int primary key, body text)`);
    await sql(`insert into documents select g, (select string_agg(md5(random()::text || g || s), '') from generate_series(1, 100) s) from generate_series(1, 200) g`);
    target = await TargetDatabase.connect(scratch.url, testSessionSettings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('finds dead tuples on the table that lost half its rows', async () => {
    await expect.poll(async () => objectsOf(await runHealthReport(target, { families: ['tables'], thresholds }), 'dead_tuples'), { timeout: 15_000 })
      .toEqual(['public.audit_log']);
    const report = await runHealthReport(target, { families: ['tables'], thresholds });
    expect(findingsOf(report, 'dead_tuples')[0]?.sql).toBe('VACUUM (ANALYZE, VERBOSE) public.audit_log;');
  });

  it('finds the table that was never analysed', async () => {
    await expect.poll(async () => objectsOf(await runHealthReport(target, { families: ['tables'], thresholds }), 'stale_statistics'), { timeout: 15_000 })
      .toContain('public.audit_log');
  });

  it('reports tables whose autovacuum is disabled as warnings', async () => {
    const report = await runHealthReport(target, { families: ['tables'], thresholds });
    expect(objectsOf(report, 'table_autovacuum_settings')).toEqual(['public.audit_log', 'public.sessions']);
    expect(findingsOf(report, 'table_autovacuum_settings').every((f) => f.severity === 'warning')).toBe(true);
    expect(findingsOf(report, 'table_autovacuum_settings')[0]?.sql).toBe('ALTER TABLE public.audit_log RESET (autovacuum_enabled);');
  });

  it('estimates bloat of the table that was 90 % deleted', async () => {
    const report = await runHealthReport(target, { families: ['tables'], thresholds });
    expect(objectsOf(report, 'table_bloat')).toEqual(['public.sessions']);
    expect(findingsOf(report, 'table_bloat')[0]?.detail).toMatch(/estimated free space/);
  });

  it('finds the table without a primary key', async () => {
    const report = await runHealthReport(target, { families: ['tables'], thresholds });
    expect(objectsOf(report, 'no_primary_key')).toEqual(['public.raw_import']);
    expect(findingsOf(report, 'no_primary_key')[0]?.severity).toBe('warning');
  });

  it('reports a table made mostly of TOAST', async () => {
    const report = await runHealthReport(target, { families: ['tables'], thresholds });
    expect(objectsOf(report, 'toast_size')).toEqual(['public.documents']);
  });
});
