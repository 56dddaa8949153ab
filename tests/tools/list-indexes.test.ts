import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexInfo } from '../../src/engine/db/inspections/catalog/indexes.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { listIndexesTool } from '../../src/tools/list-indexes.js';
import type { ImageBlock, TableBlock } from '../../src/tools/reply.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('list_indexes tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tool_indexes');
    await scratch.admin.query(`
      create table a (id int primary key, v int);
      create index a_v_idx on a (v);
      create table b (id int primary key);`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('lists the indexes of one table with usage and a chart', async () => {
    const result = await listIndexesTool.run(listIndexesTool.input.parse({ table: 'a' }), context());
    expect((result.data as { indexes: IndexInfo[]; total: number }).indexes.map((i) => i.name).sort()).toEqual(['a_pkey', 'a_v_idx']);
    const table = result.reply.blocks.find((b): b is TableBlock => b.type === 'table')!;
    expect(table.rows.map((r) => r[0]).sort()).toEqual(['public.a_pkey', 'public.a_v_idx']);
    expect(result.reply.blocks.find((b): b is ImageBlock => b.type === 'image')?.fileName).toBe('index-usage.png');
  });

  it('lists every index when no table is given', async () => {
    const result = await listIndexesTool.run(listIndexesTool.input.parse({}), context());
    expect((result.data as { indexes: IndexInfo[]; total: number }).indexes.map((i) => i.name).sort()).toEqual(['a_pkey', 'a_v_idx', 'b_pkey']);
  });

  it('says so when a table has no indexes', async () => {
    await scratch.admin.query('create table c (v int)');
    const result = await listIndexesTool.run(listIndexesTool.input.parse({ table: 'c' }), context());
    expect(result.reply.blocks).toEqual([{ type: 'text', text: 'No indexes on *c*.' }]);
  });
});
