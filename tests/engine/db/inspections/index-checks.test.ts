import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHealthReport } from '../../../../src/engine/db/inspections/health-report.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';
import { findingsOf, objectsOf, statusOf, testSessionSettings } from './report-helpers.js';

const thresholds = {
  unusedIndexMinBytes: 0,
  unusedIndexMinStatsAgeDays: 0,
  bloatMinBytes: 64 * 1024,
  bloatMinRatio: 0.3,
  seqScanMinRows: 10_000,
  seqScanMinRowsRead: 100_000,
};

describe('index checks on planted problems', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_idx');
    const sql = (text: string) => scratch.admin.query(text);
    await sql(`create table accounts (id int primary key, email text, region int, created_at date)`);
    await sql(`insert into accounts select g, 'u' || g || '@x', g % 50, date '2024-01-01' + g % 300 from generate_series(1, 2000) g`);
    // duplicate: same column twice; the older one is kept
    await sql(`create index accounts_email_idx on accounts (email)`);
    await sql(`create index accounts_email_copy on accounts (email)`);
    // redundant: (region) is a prefix of (region, created_at)
    await sql(`create index accounts_region_idx on accounts (region)`);
    await sql(`create index accounts_region_created_idx on accounts (region, created_at)`);
    // invalid: a failed CREATE UNIQUE INDEX CONCURRENTLY on duplicate values leaves an INVALID index
    await sql(`create table tags (id int primary key, label text)`);
    await sql(`insert into tags values (1, 'same'), (2, 'same')`);
    await expect(sql(`create unique index concurrently tags_label_key on tags (label)`)).rejects.toThrow(/could not create unique index/);
    // foreign key without index, and one with an index (not reported)
    await sql(`create table orders (id int primary key, account_id int references accounts (id), tag_id int references tags (id))`);
    await sql(`create index orders_tag_id_idx on orders (tag_id)`);
    // bloated index: delete 90 % of the rows, vacuum keeps the pages
    await sql(`create table events (id int primary key, payload text) with (autovacuum_enabled = false)`);
    await sql(`insert into events select g, repeat('x', 50) from generate_series(1, 60000) g`);
    await sql(`delete from events where id % 10 <> 0`);
    await sql(`vacuum analyze events`);
    // sequential scans on a 20,000-row table without index on the filtered column
    await sql(`create table readings (id int primary key, sensor int, value float8)`);
    await sql(`insert into readings select g, g % 100, random() from generate_series(1, 20000) g`);
    await sql(`analyze accounts, readings, tags, orders`);
    for (let i = 0; i < 8; i += 1) await sql(`select count(*) from readings where sensor = ${i}`);
    target = await TargetDatabase.connect(scratch.url, testSessionSettings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('finds the duplicate index and keeps the older twin', async () => {
    const report = await runHealthReport(target, { families: ['indexes'], thresholds });
    expect(objectsOf(report, 'duplicate_index')).toEqual(['public.accounts_email_copy']);
    expect(findingsOf(report, 'duplicate_index')[0]?.sql).toBe('DROP INDEX CONCURRENTLY public.accounts_email_copy;');
  });

  it('finds the index covered by a longer one as redundant', async () => {
    const report = await runHealthReport(target, { families: ['indexes'], thresholds });
    expect(objectsOf(report, 'redundant_index')).toEqual(['public.accounts_region_idx']);
  });

  it('finds the invalid index left by a failed CREATE INDEX CONCURRENTLY', async () => {
    const report = await runHealthReport(target, { families: ['indexes'], thresholds });
    expect(objectsOf(report, 'invalid_index')).toEqual(['public.tags_label_key']);
    expect(findingsOf(report, 'invalid_index')[0]?.recommendation).toMatch(/duplicate values/);
  });

  it('finds the foreign key without an index and not the indexed one', async () => {
    const report = await runHealthReport(target, { families: ['indexes'], thresholds });
    expect(objectsOf(report, 'foreign_key_without_index')).toEqual(['public.orders (account_id)']);
    expect(findingsOf(report, 'foreign_key_without_index')[0]?.sql).toBe('CREATE INDEX CONCURRENTLY ON public.orders (account_id);');
  });

  it('reports never-scanned indexes but not primary keys, and not one that was scanned', async () => {
    await expect.poll(async () => {
      await scratch.admin.query('set enable_seqscan = off');
      await scratch.admin.query(`select count(*) from accounts where region = 3 and created_at > '2024-02-01'`);
      await scratch.admin.query('reset enable_seqscan');
      const report = await runHealthReport(target, { families: ['indexes'], thresholds });
      return objectsOf(report, 'unused_index');
    }, { timeout: 15_000 }).not.toContain('public.accounts_region_created_idx');
    const report = await runHealthReport(target, { families: ['indexes'], thresholds });
    const unused = objectsOf(report, 'unused_index');
    expect(unused).toContain('public.accounts_email_idx');
    expect(unused).toContain('public.orders_tag_id_idx');
    expect(unused.filter((o) => o.endsWith('_pkey'))).toEqual([]);
    expect(findingsOf(report, 'unused_index')[0]?.detail).toMatch(/never scanned/);
  });

  it('estimates the bloat of the index whose rows were mostly deleted', async () => {
    const report = await runHealthReport(target, { families: ['indexes'], thresholds });
    expect(objectsOf(report, 'index_bloat')).toEqual(['public.events_pkey']);
    expect(findingsOf(report, 'index_bloat')[0]?.sql).toBe('REINDEX INDEX CONCURRENTLY public.events_pkey;');
  });

  it('flags the table read by sequential scans once statistics arrive', async () => {
    await expect.poll(async () => {
      const report = await runHealthReport(target, { families: ['indexes'], thresholds });
      return objectsOf(report, 'high_sequential_scans');
    }, { timeout: 15_000 }).toEqual(['public.readings']);
  });

  it('runs every index check with a handful of catalog queries', async () => {
    const report = await runHealthReport(target, { families: ['indexes'], thresholds });
    expect(report.checks.every((c) => c.status === 'ran')).toBe(true);
    expect(statusOf(report, 'index_bloat')?.findings).toBe(1);
    expect(report.catalogQueries).toBeLessThanOrEqual(8);
  });
});
