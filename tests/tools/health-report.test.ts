import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/engine/db/inspections/types.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { healthReportTool } from '../../src/tools/health-report.js';
import type { ImageBlock, TableBlock } from '../../src/tools/reply.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('health_report tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tool_health');
    await scratch.admin.query(`
      create table customers (id int primary key, email text);
      create table orders (id int primary key, customer_id int references customers (id));
      create index customers_email_a on customers (email);
      create index customers_email_b on customers (email);
      insert into customers select g, 'c' || g from generate_series(1, 1000) g;`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('returns the report as data and findings, fixes and charts in the reply', async () => {
    const result = await healthReportTool.run(healthReportTool.input.parse({ only: ['indexes', 'tables'] }), context());
    const report = result.data as HealthReport;
    expect(report.findings.map((f) => `${f.check} ${f.object}`)).toEqual(
      expect.arrayContaining(['duplicate_index public.customers_email_b', 'foreign_key_without_index public.orders (customer_id)']),
    );
    const table = result.reply.blocks.find((b): b is TableBlock => b.type === 'table')!;
    expect(table.rows.map((r) => r[2])).toEqual(expect.arrayContaining(['public.customers_email_b', 'public.orders (customer_id)']));
    const code = result.reply.blocks.find((b) => b.type === 'code');
    expect(code).toMatchObject({ code: expect.stringContaining('DROP INDEX CONCURRENTLY public.customers_email_b;') });
    const images = result.reply.blocks.filter((b): b is ImageBlock => b.type === 'image');
    expect(images.map((i) => i.fileName)).toEqual(['largest-tables.png', 'largest-indexes.png']);
    expect((await sharp(images[0]!.png).metadata()).format).toBe('png');
  });

  it('rejects an unknown check family at the schema', () => {
    expect(healthReportTool.input.safeParse({ only: ['vibes'] }).success).toBe(false);
  });
});
