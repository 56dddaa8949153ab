import Keyv from 'keyv';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import type { IndexAdvice, Recommendation } from '../../src/engine/advisor/index.js';
import { adviseIndexesTool } from '../../src/tools/advise-indexes.js';
import type { CodeBlock, ImageBlock } from '../../src/tools/reply.js';
import { ToolInputError } from '../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('advise_indexes tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    expect(inject('hypopgAvailable'), 'the test server needs hypopg').toBe(true);
    scratch = await createScratchDatabase('pgdba_advise_tool');
    await scratch.admin.query(`create extension hypopg; create extension pg_stat_statements;
      create table orders (id int primary key, customer_id int not null, total int not null);
      insert into orders select g, g % 5000, g % 100 from generate_series(1, 50000) g; analyze;`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('recommends the missing index with its script, plan diagram and stored recommendation', async () => {
    const recommendations = new Keyv();
    const input = adviseIndexesTool.input.parse({ sql: 'select * from orders where customer_id = 42' });
    const result = await adviseIndexesTool.run(input, { target: async () => target, recommendations });
    const data = result.data as IndexAdvice & { recommendationIds: string[] };
    expect(data.recommendations[0]?.sql).toBe('CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);');
    const scripts = result.reply.blocks.filter((b): b is CodeBlock => b.type === 'code').map((b) => b.code);
    expect(scripts).toContain('CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);');
    expect(scripts).toContain('DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx;');
    const image = result.reply.blocks.find((b): b is ImageBlock => b.type === 'image')!;
    expect((await sharp(image.png).metadata()).format).toBe('png');
    const stored = (await recommendations.get(data.recommendationIds[0]!)) as Recommendation;
    expect(stored).toMatchObject({ type: 'index', status: 'pending', sql: data.recommendations[0]!.sql });
    expect(stored.impactScore).toBeGreaterThan(50);
  });

  it('takes the workload from pg_stat_statements', async () => {
    await scratch.admin.query('select pg_stat_statements_reset()');
    for (let i = 0; i < 5; i += 1) await scratch.admin.query('select * from orders where customer_id = $1', [i]);
    const result = await adviseIndexesTool.run(adviseIndexesTool.input.parse({ fromStatStatements: true }), { target: async () => target });
    const data = result.data as IndexAdvice;
    const query = data.queries.find((q) => q.sql.includes('customer_id = $1'));
    expect(query?.weight).toBe(5);
    expect(data.recommendations.map((r) => r.columns.join())).toContain('customer_id');
  });

  it('asks for a query when given nothing, and reports unparsable SQL as skipped', async () => {
    expect(adviseIndexesTool.input.safeParse({}).success).toBe(false);
    const result = await adviseIndexesTool.run(adviseIndexesTool.input.parse({ sql: 'selec 1' }), { target: async () => target });
    expect((result.data as IndexAdvice).queries[0]?.skipped).toMatch(/does not parse/);
    expect(adviseIndexesTool.input.safeParse({ queries: [] }).success).toBe(false);
  });

  it('explains that pg_stat_statements is missing instead of failing', async () => {
    const other = await createScratchDatabase('pgdba_advise_nopss');
    const otherTarget = await TargetDatabase.connect(other.url);
    try {
      const error = await adviseIndexesTool.run(adviseIndexesTool.input.parse({ fromStatStatements: true }), { target: async () => otherTarget }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolInputError);
      expect((error as Error).message).toMatch(/pg_stat_statements is not available in this database/);
    } finally {
      await otherTarget.close();
      await other.drop();
    }
  });
});
