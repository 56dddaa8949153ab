import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTool } from '../../../src/bot/approvals/audit-tool.js';
import type { CodeBlock, TableBlock } from '../../../src/tools/reply.js';
import { alice, bob, createFixture, eve, type Fixture } from './workflow-fixture.js';

let fx: Fixture;
let requestId: string;

beforeAll(async () => {
  fx = await createFixture('pgdba_audit');
  const workflow = fx.workflow();
  const { request } = await workflow.createRequest({ sql: 'analyze orders', requester: alice, source: 'person', reason: 'fresh stats' });
  requestId = request.id;
  await workflow.handleApprovalAction({ action: 'approve', requestId, user: eve });
  await workflow.handleApprovalAction({ action: 'approve', requestId, user: bob });
});

afterAll(async () => {
  await fx.close();
});

describe('audit tool', () => {
  it('lists the trail of a request: request, refusal, approval, execution start and end', async () => {
    const tool = createAuditTool(fx.workflow().audit);
    const result = await tool.run(tool.input.parse({ requestId }), { target: async () => fx.target });
    expect(result.data.records.map((r) => [r.kind, r.actor?.id ?? null])).toEqual([
      ['requested', 'UALICE'],
      ['refused', 'UEVE'],
      ['approved', 'UBOB'],
      ['execution-started', null],
      ['execution-finished', null],
    ]);
    const table = result.reply.blocks.find((b): b is TableBlock => b.type === 'table')!;
    expect(table.rows[0]!.slice(1, 4)).toEqual([requestId, 'requested', 'alice (slack)']);
    expect(table.rows[4]![4]).toMatch(/^succeeded in \d+\.\d s$/);
  });

  it('exports as JSON that parses back to the same records', async () => {
    const tool = createAuditTool(fx.workflow().audit);
    const result = await tool.run(tool.input.parse({ format: 'json', kind: 'execution-finished' }), { target: async () => fx.target });
    const code = result.reply.blocks.find((b): b is CodeBlock => b.type === 'code')!;
    const exported = JSON.parse(code.code) as { records: { requestId: string; details: { status: string } }[] };
    expect(exported.records).toHaveLength(1);
    expect(exported.records[0]).toMatchObject({ requestId, details: { status: 'succeeded' } });
  });

  it('says when there is nothing to show', async () => {
    const tool = createAuditTool(fx.workflow().audit);
    const result = await tool.run(tool.input.parse({ requestId: 'chg-00000000' }), { target: async () => fx.target });
    expect(result.reply.blocks).toEqual([{ type: 'text', text: 'No audit records for chg-00000000.' }]);
  });
});
