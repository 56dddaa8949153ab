import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecommendationStore } from '../../../src/engine/advisor/recommendations.js';
import { parseApprovalPayload } from '../../../src/bot/approvals/index.js';
import { createRequestChangeTool, type ApprovalToolContext } from '../../../src/bot/approvals/request-change-tool.js';
import type { ActionsBlock } from '../../../src/tools/reply.js';
import { alice, bob, createFixture, indexValid, type Fixture } from './workflow-fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture('pgdba_reqtool');
});

afterAll(async () => {
  await fx.close();
});

describe('request_change tool', () => {
  it('creates a pending request and returns the approval card; approving it through the card payload executes', async () => {
    const workflow = fx.workflow();
    const tool = createRequestChangeTool(workflow);
    const context: ApprovalToolContext = { target: async () => fx.target, user: alice };
    const result = await tool.run(tool.input.parse({ sql: 'create index orders_plain_idx on orders (customer_id)', reason: 'slow lookups' }), context);
    expect(result.data).toMatchObject({ status: 'pending', class: 'ddl', lock: 'SHARE', rollback: ['DROP INDEX CONCURRENTLY IF EXISTS orders_plain_idx'] });
    expect(result.data.lint.map((l) => l.rule)).toEqual(['require-concurrent-index-creation', 'missing-lock-timeout']);
    expect(await indexValid(fx.db, 'orders_plain_idx')).toBeUndefined();

    const approve = result.reply.blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.actions).find((a) => a.id === 'approval-approve')!;
    const clicked = parseApprovalPayload(approve.payload)!;
    const outcome = await workflow.handleApprovalAction({ ...clicked, user: bob });
    expect(outcome.outcome).toBe('executed');
    expect(await indexValid(fx.db, 'orders_plain_idx')).toBe(true);
  });

  it('applies a stored recommendation by id, carrying its evidence, and marks it applied once executed', async () => {
    const recommendations = new Keyv({ namespace: 'recommendations' });
    const rec = await new RecommendationStore(recommendations).upsert({
      type: 'index',
      title: 'Index orders (note)',
      impactScore: 80,
      estimatedSaving: { value: 90, unit: 'percent', text: '90% less cost' },
      evidence: { summary: 'seq scan of 60,000 rows for each lookup by note' },
      sql: 'CREATE INDEX CONCURRENTLY orders_note_rec_idx ON orders (note)',
      rollback: 'DROP INDEX CONCURRENTLY orders_note_rec_idx',
      explanation: 'Lookups by note scan the whole table.',
    });
    const workflow = fx.workflow({ recommendations });
    const tool = createRequestChangeTool(workflow);
    const context: ApprovalToolContext = { target: async () => fx.target, user: alice, recommendations };
    const result = await tool.run(tool.input.parse({ recommendationId: rec.id }), context);
    const request = (await workflow.get(result.data.requestId))!;
    expect(request).toMatchObject({ source: 'recommendation', recommendationId: rec.id, title: 'Index orders (note)', reason: 'Lookups by note scan the whole table.' });
    expect(JSON.stringify(result.reply)).toContain('seq scan of 60,000 rows for each lookup by note');
    const outcome = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob });
    expect(outcome.outcome).toBe('executed');
    expect((await new RecommendationStore(recommendations).get(rec.id))!.status).toBe('applied');
  });

  it('rejects input with none or more than one of sql, recommendationId and guardedAction', () => {
    const tool = createRequestChangeTool(fx.workflow());
    expect(tool.input.safeParse({}).success).toBe(false);
    expect(tool.input.safeParse({ sql: 'analyze orders', recommendationId: 'rec-1a2b3c4d' }).success).toBe(false);
    expect(tool.input.safeParse({ sql: 'analyze orders', guardedAction: { kind: 'vacuum_analyze', table: 'orders' } }).success).toBe(false);
    expect(tool.input.safeParse({ guardedAction: { kind: 'terminate_backend', pid: -3 } }).success).toBe(false);
    expect(tool.input.safeParse({ guardedAction: { kind: 'drop_table', table: 'orders' } }).success).toBe(false);
  });

  it('builds the SQL of a guarded action itself, with the reason the view gave', async () => {
    const workflow = fx.workflow();
    const tool = createRequestChangeTool(workflow);
    const context: ApprovalToolContext = { target: async () => fx.target, user: alice };
    const result = await tool.run(tool.input.parse({ guardedAction: { kind: 'vacuum_analyze', table: 'public.orders' }, reason: 'public.orders has 30,000 dead tuples' }), context);
    expect(result.data).toMatchObject({ status: 'pending', class: 'maintenance', lock: 'SHARE UPDATE EXCLUSIVE' });
    const request = (await workflow.get(result.data.requestId))!;
    expect(request).toMatchObject({ sql: 'VACUUM (ANALYZE) public.orders', title: 'VACUUM (ANALYZE) public.orders', reason: 'public.orders has 30,000 dead tuples' });
    await expect(tool.run(tool.input.parse({ guardedAction: { kind: 'drop_index', index: 'a.b.c' } }), context)).rejects.toThrow(/"a\.b\.c" is not a valid \[schema\.\]name\. Give the name as schema\.name/);
  });

  it('says a recommendation id is unknown', async () => {
    const tool = createRequestChangeTool(fx.workflow());
    await expect(tool.run(tool.input.parse({ recommendationId: 'rec-00000000' }), { target: async () => fx.target, recommendations: new Keyv() })).rejects.toThrow(/No recommendation with id "rec-00000000"/);
  });
});
