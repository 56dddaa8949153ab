import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApprovalPayload, type ApprovalActionResult } from '../../../src/bot/approvals/index.js';
import type { ActionsBlock, CodeBlock, Progress, Reply } from '../../../src/tools/reply.js';
import { alice, bob, carol, createFixture, eve, indexValid, type Fixture } from './workflow-fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture('pgdba_appr');
});

afterAll(async () => {
  await fx.close();
});

function text(reply: Reply): string {
  return JSON.stringify(reply.blocks);
}

function buttons(reply: Reply): ActionsBlock['actions'] {
  return reply.blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.actions);
}

async function auditKinds(requestId: string): Promise<string[]> {
  return (await fx.workflow().audit.query({ requestId })).map((r) => r.kind);
}

describe('approval workflow (platform-neutral, real PostgreSQL)', () => {
  it('request → approval card → approve by an allowed user → index built concurrently and valid → audit trail', async () => {
    const workflow = fx.workflow();
    const { request, reply } = await workflow.createRequest({
      sql: 'CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)',
      requester: alice,
      source: 'recommendation',
      reason: 'Seq scans on orders by customer_id',
      evidence: { summary: 'cost 1234 → 8 with the index (hypopg)' },
      verifyQueries: ['select * from orders where customer_id = 42'],
    });
    expect(request.status).toBe('pending');
    const code = reply.blocks.filter((b): b is CodeBlock => b.type === 'code');
    expect(code.map((c) => c.code)).toEqual(['CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)', 'DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;']);
    expect(text(reply)).toContain('SHARE UPDATE EXCLUSIVE');
    expect(text(reply)).toContain('cost 1234 → 8 with the index');
    expect(text(reply)).toMatch(/orders \(\d+\.\d MB, ~60,000 rows\)/);
    expect(buttons(reply).map((b) => [b.label, parseApprovalPayload(b.payload)])).toEqual([
      ['Approve', { action: 'approve', requestId: request.id }],
      ['Reject', { action: 'reject', requestId: request.id }],
      ['Dry-run (EXPLAIN)', { action: 'dry-run', requestId: request.id }],
      ['Schedule for maintenance window', { action: 'schedule', requestId: request.id }],
    ]);

    const progress: Progress[] = [];
    const result = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob, onProgress: (p) => void progress.push(p) });
    expect(result.outcome).toBe('executed');
    expect(result.message).toMatch(/^Executed in \d+\.\d s; orders_customer_idx is valid\.$/);
    expect(await indexValid(fx.db, 'orders_customer_idx')).toBe(true);
    expect(progress[0]!.stage).toBe('running statement 1');
    expect(buttons(result.reply)).toEqual([]);
    expect(text(result.reply)).toContain('Before / after');
    expect(result.request!.execution!.result!.evidence[0]!.after!.indexes).toContain('orders_customer_idx');

    const trail = await workflow.audit.query({ requestId: request.id });
    expect(trail.map((r) => r.kind)).toEqual(['requested', 'approved', 'execution-started', 'execution-finished']);
    expect(trail[1]!.actor).toEqual({ platform: 'slack', id: 'UBOB', name: 'bob' });
    expect(trail[3]!.details).toMatchObject({ status: 'succeeded', indexes: [{ name: 'orders_customer_idx', valid: true }] });
    expect(typeof trail[3]!.details.durationMs).toBe('number');
  });

  it('refuses self-approval (four-eyes), a non-approver and an expired request, with clear messages', async () => {
    const workflow = fx.workflow();
    const { request } = await workflow.createRequest({ sql: 'create index concurrently orders_note_idx on orders (note)', requester: bob, source: 'person' });
    const own = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob });
    expect(own).toMatchObject({ outcome: 'refused', message: 'You asked for this change, so someone else must approve it (four-eyes rule); nothing was executed.' });
    const stranger = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: eve });
    expect(stranger.outcome).toBe('refused');
    expect(stranger.message).toMatch(/^You \(slack:UEVE\) are not an approver for this environment, so nothing was executed\. Approvers: slack user UBOB/);
    const sameIdOtherPlatform = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: { platform: 'discord', id: 'UBOB' } });
    expect(sameIdOtherPlatform.outcome).toBe('refused');

    fx.clock.now = new Date(Date.now() + 25 * 3_600_000);
    try {
      const late = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: alice });
      expect(late.outcome).toBe('refused');
      expect(late.message).toMatch(/^This request expired at .*; nothing was executed\. Ask for a new request\.$/);
      expect((await workflow.get(request.id))!.status).toBe('expired');
    } finally {
      fx.clock.now = new Date();
    }
    expect(await indexValid(fx.db, 'orders_note_idx')).toBeUndefined();
    expect(await auditKinds(request.id)).toEqual(['requested', 'refused', 'refused', 'refused', 'expired']);
  });

  it('approves through a Slack user-group membership', async () => {
    const workflow = fx.workflow();
    const { request } = await workflow.createRequest({ sql: 'vacuum (analyze) orders', requester: alice, source: 'person' });
    const result = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: carol });
    expect(result.outcome).toBe('executed');
  });

  it('executes a double click once', async () => {
    const workflow = fx.workflow();
    const { request } = await workflow.createRequest({ sql: 'create index concurrently orders_dc_idx on orders (id, customer_id)', requester: alice, source: 'person' });
    const clicks = await Promise.all([
      workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob }),
      workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob }),
    ]);
    expect(clicks.map((c) => c.outcome).sort()).toEqual(['executed', 'unchanged']);
    const again = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob });
    expect(again.outcome).toBe('unchanged');
    expect(again.message).toMatch(/^Already executed at .*; it is not run again\.$/);
    expect((await auditKinds(request.id)).filter((k) => k === 'execution-started')).toHaveLength(1);
    expect(await indexValid(fx.db, 'orders_dc_idx')).toBe(true);
  });

  it('keeps a pending request approvable after a restart (new workflow over the same store)', async () => {
    const before = fx.workflow();
    const { request } = await before.createRequest({ sql: 'create index concurrently orders_restart_idx on orders (note, id)', requester: alice, source: 'person' });
    const after = fx.workflow();
    expect((await after.get(request.id))!.status).toBe('pending');
    const result = await after.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob });
    expect(result.outcome).toBe('executed');
    expect(await indexValid(fx.db, 'orders_restart_idx')).toBe(true);
  });

  it('lets exactly one of two replicas execute when both are clicked at once', async () => {
    // Settle time 0 makes the store claim racy on purpose: the target's advisory lock must still hold.
    const replicaA = fx.workflow({ replicaId: 'replica-a', claimSettleMs: 0 });
    const replicaB = fx.workflow({ replicaId: 'replica-b', claimSettleMs: 0 });
    for (let round = 0; round < 3; round += 1) {
      const { request } = await replicaA.createRequest({ sql: `create index concurrently orders_rep${round}_idx on orders (customer_id, id)`, requester: alice, source: 'person' });
      const results: ApprovalActionResult[] = await Promise.all([
        replicaA.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob }),
        replicaB.handleApprovalAction({ action: 'approve', requestId: request.id, user: carol }),
      ]);
      expect(results.filter((r) => r.outcome === 'executed')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'failed')).toHaveLength(0);
      expect((await auditKinds(request.id)).filter((k) => k === 'execution-started')).toHaveLength(1);
      expect(await indexValid(fx.db, `orders_rep${round}_idx`)).toBe(true);
    }
  });

  it('needs N distinct approvals when configured', async () => {
    const workflow = fx.workflow({ requiredApprovals: 2 });
    const { request } = await workflow.createRequest({ sql: 'analyze orders', requester: alice, source: 'person' });
    const first = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob });
    expect(first.outcome).toBe('recorded');
    expect(first.message).toBe('Approval by bob recorded: 1 of 2; 1 more needed from another approver.');
    const repeat = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob });
    expect(repeat.outcome).toBe('recorded');
    const second = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: carol });
    expect(second.outcome).toBe('executed');
  });

  it('rejects, and a later approval does not execute', async () => {
    const workflow = fx.workflow();
    const { request } = await workflow.createRequest({ sql: 'drop table orders', requester: alice, source: 'person' });
    const dryRun = await workflow.handleApprovalAction({ action: 'dry-run', requestId: request.id, user: bob });
    expect(text(dryRun.reply)).toContain('Drop cannot be EXPLAINed');
    const rejected = await workflow.handleApprovalAction({ action: 'reject', requestId: request.id, user: bob, reason: 'not during business hours' });
    expect(rejected).toMatchObject({ outcome: 'rejected', message: 'Rejected by bob; nothing was executed.' });
    const late = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: carol });
    expect(late.outcome).toBe('unchanged');
    expect((await fx.db.admin.query("select to_regclass('orders') is not null as present")).rows[0]).toEqual({ present: true });
  });

  it('dry-runs DML with EXPLAIN only, changing nothing', async () => {
    const workflow = fx.workflow();
    const { request } = await workflow.createRequest({ sql: "update orders set note = 'x' where customer_id = 7", requester: alice, source: 'person' });
    const result = await workflow.handleApprovalAction({ action: 'dry-run', requestId: request.id, user: bob });
    expect(result.outcome).toBe('dry-run');
    expect(text(result.reply)).toMatch(/Update on orders/);
    expect((await fx.db.admin.query("select count(*)::int as n from orders where note = 'x'")).rows[0]).toEqual({ n: 0 });
    expect((await workflow.get(request.id))!.status).toBe('pending');
  });

  it('schedules for the maintenance window instead of executing now', async () => {
    const workflow = fx.workflow();
    const { request } = await workflow.createRequest({ sql: 'create index concurrently orders_sched_idx on orders (note)', requester: alice, source: 'person' });
    const scheduled = await workflow.handleApprovalAction({ action: 'schedule', requestId: request.id, user: bob });
    expect(scheduled.outcome).toBe('scheduled');
    expect(await indexValid(fx.db, 'orders_sched_idx')).toBeUndefined();
    expect(await workflow.runDueScheduled()).toEqual([]);
    fx.clock.now = new Date(Date.parse(scheduled.request!.scheduledFor!) + 60_000);
    try {
      const [ran] = await workflow.runDueScheduled();
      expect(ran!.outcome).toBe('executed');
    } finally {
      fx.clock.now = new Date();
    }
    expect(await indexValid(fx.db, 'orders_sched_idx')).toBe(true);
  });

  it('fails clearly behind a held lock, after retrying, leaving no INVALID index', async () => {
    const workflow = fx.workflow();
    const { request } = await workflow.createRequest({ sql: 'create index concurrently orders_locked_idx on orders (note, customer_id)', requester: alice, source: 'person' });
    const holder = new pg.Client({ connectionString: fx.db.url });
    await holder.connect();
    const progress: Progress[] = [];
    let result: ApprovalActionResult;
    try {
      await holder.query('begin; lock table orders in access exclusive mode');
      result = await workflow.handleApprovalAction({ action: 'approve', requestId: request.id, user: bob, onProgress: (p) => void progress.push(p) });
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/could not get its SHARE UPDATE EXCLUSIVE lock on orders within 200 ms \(lock_timeout\), 2 attempts/);
    expect(progress.map((p) => p.stage)).toContain('lock not granted within lock_timeout (attempt 1 of 2)');
    expect(await indexValid(fx.db, 'orders_locked_idx')).toBeUndefined();
    const finished = (await workflow.audit.query({ requestId: request.id, kind: 'execution-finished' }))[0]!;
    expect(finished.details).toMatchObject({ status: 'failed' });
    expect(String(finished.details.error)).toContain('lock_timeout');
  });

  it('answers an unknown request id with a clear message', async () => {
    const result = await fx.workflow().handleApprovalAction({ action: 'approve', requestId: 'chg-00000000', user: bob });
    expect(result.outcome).toBe('refused');
    expect(result.message).toMatch(/There is no change request "chg-00000000"/);
  });
});
