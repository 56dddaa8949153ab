import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { suggestRewritesTool } from '../../src/tools/suggest-rewrites.js';
import type { CodeBlock } from '../../src/tools/reply.js';
import { ToolInputError } from '../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('suggest_rewrites tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_rewrites_tool');
    await scratch.admin.query(`create table accounts (id int primary key, email text);
      create table refunds (id int primary key, account_id int);
      insert into accounts select g, 'a' || g from generate_series(1, 20000) g;
      insert into refunds select g, g * 3 from generate_series(1, 5000) g; analyze;`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('rewrites NOT IN with before/after planner cost and keeps it as a recommendation', async () => {
    const recommendations = new Keyv();
    const sql = 'select a.id from accounts a where a.id not in (select account_id from refunds)';
    const result = await suggestRewritesTool.run({ sql }, { target: async () => target, recommendations });
    const data = result.data as { suggestions: { kind: string; costs?: { before: number; after: number } }[]; recommendationIds: string[] };
    const notIn = data.suggestions.find((s) => s.kind === 'not-in-subquery')!;
    expect(notIn.costs!.before).toBeGreaterThan(0);
    expect(notIn.costs!.after).toBeGreaterThan(0);
    const code = result.reply.blocks.filter((b): b is CodeBlock => b.type === 'code').map((b) => b.code);
    expect(code).toContain('select a.id from accounts a where NOT EXISTS (SELECT 1 from refunds WHERE refunds.account_id = a.id)');
    expect(await recommendations.get(data.recommendationIds[0]!)).toMatchObject({ type: 'query', status: 'pending' });
  });

  it('says so when there is nothing to rewrite, and refuses unparsable SQL', async () => {
    const result = await suggestRewritesTool.run({ sql: 'select email from accounts where id = 3' }, { target: async () => target });
    expect(result.reply.blocks[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/Nothing in this query/) });
    await expect(suggestRewritesTool.run({ sql: 'select from from' }, { target: async () => target })).rejects.toBeInstanceOf(ToolInputError);
  });
});
