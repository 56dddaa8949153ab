import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatementsReport } from '../../src/engine/db/inspections/review.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import type { CodeBlock, ImageBlock, TableBlock } from '../../src/tools/reply.js';
import { topStatementsTool } from '../../src/tools/top-statements.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('top_statements tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tool_statements');
    await scratch.admin.query('create table t (v int)');
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('says how to enable pg_stat_statements when it is missing', async () => {
    const result = await topStatementsTool.run(topStatementsTool.input.parse({}), context());
    expect((result.data as StatementsReport).installed).toBe(false);
    expect(result.reply.blocks.find((b): b is CodeBlock => b.type === 'code')?.code).toBe('CREATE EXTENSION pg_stat_statements;');
  });

  it('shows the top statements with a chart once installed', async () => {
    await scratch.admin.query('create extension pg_stat_statements');
    for (let i = 0; i < 5; i += 1) await scratch.admin.query('select count(*) from t where v > $1', [i]);
    const result = await topStatementsTool.run(topStatementsTool.input.parse({ limit: 50 }), context());
    const data = result.data as StatementsReport;
    expect(data.statements.find((s) => s.query === 'select count(*) from t where v > $1')?.calls).toBe(5);
    const table = result.reply.blocks.find((b): b is TableBlock => b.type === 'table')!;
    expect(table.rows.map((r) => r[0])).toContain('select count(*) from t where v > $1');
    expect(result.reply.blocks.find((b): b is ImageBlock => b.type === 'image')?.fileName).toBe('top-statements.png');
  });
});
