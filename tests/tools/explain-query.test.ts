import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import type { Plan } from '../../src/engine/plan/index.js';
import { explainQueryTool } from '../../src/tools/explain-query.js';
import type { CodeBlock, ImageBlock } from '../../src/tools/reply.js';
import { ToolInputError } from '../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('explain_query tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_explain_tool');
    await scratch.admin.query(`
      create table events (id int primary key, kind text not null, payload text);
      insert into events select g, case when g % 100 = 0 then 'rare' else 'common' end, repeat('x', 50) from generate_series(1, 30000) g;
      analyze events;`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('returns the parsed plan tree as data and the plan text, tips and diagram in the reply', async () => {
    const input = explainQueryTool.input.parse({ sql: "select * from events where kind = 'rare'", analyze: true });
    const result = await explainQueryTool.run(input, context());
    const data = result.data as { plan: Plan; text: string; summary: string; tips: { kind: string }[] };
    expect(data.plan.root).toMatchObject({ nodeType: 'Seq Scan', relation: 'events', estimated: { rows: expect.any(Number) } });
    expect(data.plan.root.actual?.rows).toBe(300);
    expect(data.text).toContain('Seq Scan on events');
    expect(data.summary).toMatch(/total cost .* execution/);
    expect(data.tips.map((t) => t.kind)).toContain('seq-scan-filter');
    const image = result.reply.blocks.find((b): b is ImageBlock => b.type === 'image')!;
    const meta = await sharp(image.png).metadata();
    expect(meta.format).toBe('png');
    const code = result.reply.blocks.find((b): b is CodeBlock => b.type === 'code')!;
    expect(code.code).toBe(data.text);
  });

  it('turns unparsable SQL into a ToolInputError', async () => {
    const input = explainQueryTool.input.parse({ sql: 'select from where' });
    await expect(explainQueryTool.run(input, context())).rejects.toBeInstanceOf(ToolInputError);
  });

  it('rejects input without SQL at the schema', () => {
    expect(explainQueryTool.input.safeParse({ sql: '' }).success).toBe(false);
    expect(explainQueryTool.input.safeParse({ sql: 'select 1', verbose: true }).success).toBe(false);
  });
});
