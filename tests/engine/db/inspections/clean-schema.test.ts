import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHealthReport } from '../../../../src/engine/db/inspections/health-report.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';
import { testSessionSettings } from './report-helpers.js';

describe('a clean schema', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_clean');
    const sql = (text: string) => scratch.admin.query(text);
    await sql(`create table customers (id bigint generated always as identity primary key, email text not null unique)`);
    await sql(`create table orders (id bigint generated always as identity primary key,
                                    customer_id bigint not null references customers (id), total numeric not null)`);
    await sql(`create index orders_customer_id_idx on orders (customer_id)`);
    await sql(`insert into customers (email) select 'c' || g || '@example.org' from generate_series(1, 2000) g`);
    await sql(`insert into orders (customer_id, total) select 1 + g % 2000, g from generate_series(1, 5000) g`);
    await sql(`vacuum analyze customers, orders`);
    await sql(`create view big_orders as select * from orders where total > 1000`);
    target = await TargetDatabase.connect(scratch.url, testSessionSettings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  // Activity, replication and configuration are server-wide: other test files plant problems
  // there concurrently and the test cluster runs with fsync off, so they are checked elsewhere.
  it('produces no warnings with the default thresholds', async () => {
    const report = await runHealthReport(target, { families: ['indexes', 'tables', 'wraparound', 'workload'] });
    expect(report.checks.filter((c) => c.status !== 'ran')).toEqual([]);
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.summary).toMatchObject({ warning: 0, critical: 0 });
  });
});
