import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHealthReport } from '../../../../src/engine/db/inspections/health-report.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';
import { findingsOf, objectsOf, testSessionSettings } from './report-helpers.js';

describe('wraparound and sequence checks on planted problems', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_wrap');
    const sql = (text: string) => scratch.admin.query(text);
    // a sequence at 96 % of its own maximum
    await sql(`create sequence invoice_no maxvalue 1000`);
    await sql(`select setval('invoice_no', 960)`);
    // an int4 column fed by a bigint sequence, at 97.8 % of the int4 range
    await sql(`create sequence legacy_ids`);
    await sql(`create table legacy_orders (id int primary key default nextval('legacy_ids'), note text)`);
    await sql(`select setval('legacy_ids', 2100000000)`);
    // an int4 column fed by a bigint sequence, still far from the limit
    await sql(`create table young_orders (id serial primary key)`);
    await sql(`alter sequence young_orders_id_seq as bigint`);
    // healthy: identity column and a fresh bigint sequence on a bigint column
    await sql(`create table fine (id bigint generated always as identity primary key)`);
    await sql(`create table frozen_test (id int primary key)`);
    await sql(`insert into frozen_test values (1)`);
    target = await TargetDatabase.connect(scratch.url, testSessionSettings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('finds the sequence at 96 % of its maximum as critical', async () => {
    const report = await runHealthReport(target, { families: ['wraparound'] });
    const finding = findingsOf(report, 'sequence_exhaustion').find((f) => f.object === 'public.invoice_no');
    expect(finding).toMatchObject({ severity: 'critical', sql: 'ALTER SEQUENCE public.invoice_no AS bigint;' });
  });

  it('finds the int4 column fed by a bigint sequence against the int4 limit', async () => {
    const report = await runHealthReport(target, { families: ['wraparound'] });
    const finding = findingsOf(report, 'sequence_exhaustion').find((f) => f.object.includes('legacy_orders'));
    expect(finding?.object).toBe('public.legacy_ids -> public.legacy_orders.id');
    expect(finding?.severity).toBe('critical');
    expect(finding?.detail).toMatch(/column public\.legacy_orders\.id \(integer\)/);
    expect(finding?.sql).toMatch(/^ALTER TABLE public\.legacy_orders ALTER COLUMN id TYPE bigint;/);
  });

  it('notes an int4 column fed by a bigint sequence before it is close, and nothing for healthy ones', async () => {
    const report = await runHealthReport(target, { families: ['wraparound'] });
    expect(objectsOf(report, 'sequence_column_type')).toEqual(['public.young_orders.id']);
    expect(findingsOf(report, 'sequence_column_type')[0]?.severity).toBe('info');
    expect(objectsOf(report, 'sequence_exhaustion')).toEqual(['public.invoice_no', 'public.legacy_ids -> public.legacy_orders.id']);
  });

  it('measures xid age per database and table against autovacuum_freeze_max_age', async () => {
    const healthy = await runHealthReport(target, { families: ['wraparound'] });
    expect(findingsOf(healthy, 'xid_wraparound').filter((f) => f.object.includes(scratch.name) || f.object.startsWith('public.'))).toEqual([]);
    // A tiny share makes every age count: the check must then name this database and its tables.
    const strict = await runHealthReport(target, { families: ['wraparound'], thresholds: { wraparoundWarningShare: 1e-9 } });
    const objects = objectsOf(strict, 'xid_wraparound');
    expect(objects).toContain(`database ${scratch.name}`);
    expect(objects).toContain('public.frozen_test');
    expect(findingsOf(strict, 'xid_wraparound').find((f) => f.object === 'public.frozen_test')?.sql).toBe('VACUUM (FREEZE, VERBOSE) public.frozen_test;');
  });
});
