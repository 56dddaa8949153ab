import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableDescription } from '../../src/engine/db/inspections/schema-browser.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { describeTableTool } from '../../src/tools/describe-table.js';
import type { TableBlock } from '../../src/tools/reply.js';
import { ToolInputError } from '../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('describe_table tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tool_describe');
    await scratch.admin.query(`
      create table products (id int primary key, sku text not null unique, price numeric(8,2) default 0);
      create index products_price_idx on products (price);`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('shows columns, constraints and indexes', async () => {
    const result = await describeTableTool.run(describeTableTool.input.parse({ table: 'products' }), context());
    const table = result.data as TableDescription;
    expect(table.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['id integer', 'sku text', 'price numeric(8,2)']);
    const tables = result.reply.blocks.filter((b): b is TableBlock => b.type === 'table');
    expect(tables.map((t) => t.title)).toEqual(['Columns', 'Constraints', 'Indexes']);
    expect(tables[2]!.rows.map((r) => r[0])).toEqual(['products_pkey', 'products_price_idx', 'products_sku_key']);
  });

  it('suggests similar names for an unknown table', async () => {
    const error = await describeTableTool.run(describeTableTool.input.parse({ table: 'product' }), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolInputError);
    expect((error as Error).message).toBe('There is no table or view named "product". Did you mean public.products?');
  });

  it('rejects an empty or multi-statement name at the schema', () => {
    expect(describeTableTool.input.safeParse({ table: '' }).success).toBe(false);
    expect(describeTableTool.input.safeParse({ table: 'a; drop table b' }).success).toBe(false);
  });
});
