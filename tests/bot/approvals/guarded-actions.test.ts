/**
 * Guarded actions from the views, end to end through the assistant on real PostgreSQL: a button
 * in `activity`, `list_indexes` or `health_report` creates an approval request (never runs
 * anything), the card states the class and effect, and only an allowed approver's click
 * executes it — the blocker is terminated (or its query cancelled), the duplicate index
 * dropped, the dead tuples vacuumed — with the outcome verified and audited.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import type { Reply, ReplyAction } from '../../../src/tools/reply.js';
import type { Asker } from '../../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

const developer: Asker = { platform: 'local', id: 'dev', name: 'dev' };
const dba: Asker = { platform: 'local', id: 'dba', name: 'dba' };

let db: ScratchDatabase;
let app: AssistantApp;

function buttons(reply: Reply): ReplyAction[] {
  return reply.blocks.flatMap((block) => (block.type === 'actions' ? block.actions : []));
}

const text = (reply: { blocks: unknown[] }) => JSON.stringify(reply.blocks);

/** A session that holds a lock on `jobs` and one waiting for it; resolves once the wait shows in pg_stat_activity. */
async function blockingPair(holderSql: string): Promise<{ holder: pg.Client; holderPid: number; holding: Promise<unknown>; waiter: pg.Client; waiting: Promise<unknown> }> {
  const holder = new pg.Client({ connectionString: db.url, application_name: 'batch-job' });
  holder.on('error', () => undefined);
  await holder.connect();
  const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  await holder.query('begin; lock table jobs in access exclusive mode');
  const holding = holder.query(holderSql).catch((error: Error) => error);
  const waiter = new pg.Client({ connectionString: db.url, application_name: 'web-app' });
  waiter.on('error', () => undefined);
  await waiter.connect();
  const waiterPid = (await waiter.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const waiting = waiter.query('select count(*) from jobs').catch((error: Error) => error);
  await expect.poll(async () => (await db.admin.query('select wait_event_type from pg_stat_activity where pid = $1', [waiterPid])).rows[0]?.wait_event_type, { timeout: 20_000 }).toBe('Lock');
  if (holderSql.includes('pg_sleep')) {
    await expect.poll(async () => (await db.admin.query('select state from pg_stat_activity where pid = $1', [holderPid])).rows[0]?.state, { timeout: 20_000 }).toBe('active');
  }
  return { holder, holderPid, holding, waiter, waiting };
}

/** Clicks a view's button as the developer: the approval card comes back, nothing has run. */
async function requestFrom(button: ReplyAction) {
  const card = await app.assistant.handleAction({ id: button.id, payload: button.payload }, { user: developer });
  expect(card.ok).toBe(true);
  expect(card.tool).toBe('request_change');
  const approve = buttons(card.reply).find((action) => action.label === 'Approve')!;
  expect(approve.payload).toMatch(/^pgdba-approval:approve:chg-/);
  return { card, approve, requestId: approve.payload.split(':').at(-1)! };
}

async function approveAs(user: Asker, approve: ReplyAction) {
  return app.assistant.handleAction({ id: approve.id, payload: approve.payload }, { user });
}

beforeAll(async () => {
  db = await createScratchDatabase('pgdba_guarded');
  await db.admin.query(`
    create table jobs (id int primary key, state text);
    insert into jobs select g, 'queued' from generate_series(1, 1000) g;
    create table orders (id bigint primary key, customer_id int not null);
    insert into orders select g, g % 5000 from generate_series(1, 50000) g;
    create index orders_customer_idx on orders (customer_id);
    create index orders_customer_copy_idx on orders (customer_id);
    create table events (id int, payload text) with (autovacuum_enabled = off);
    insert into events select g, md5(g::text) from generate_series(1, 50000) g;
    analyze;
    delete from events where id % 5 <> 0;
  `);
  // Publish this session's dead-tuple counts as it goes idle, not up to 10 s later.
  await db.admin.query('select pg_stat_force_next_flush()');
  app = await createAssistantApp(loadConfig({ DATABASE_URL: db.url, PGDBA_APPROVERS: 'local:dba', PGDBA_STORE_URL: 'memory:' }));
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('guarded actions from the views', () => {
  it('activity → Terminate on the blocker → card (administrative) → approved by an allowed approver → blocker gone, audited', async () => {
    const { holder, holderPid, waiter, waiting } = await blockingPair('select 1');
    try {
      const activity = await app.assistant.ask({ question: 'activity', user: developer });
      const offered = buttons(activity.reply);
      const terminate = offered.find((button) => button.label === `Terminate ${holderPid}`);
      expect(terminate).toBeDefined();
      // Idle in transaction: cancelling would not release its lock, so only Terminate is offered.
      expect(offered.find((button) => button.label === `Cancel query ${holderPid}`)).toBeUndefined();

      const { card, approve, requestId } = await requestFrom(terminate!);
      expect(text(card.reply)).toContain('administrative');
      expect(text(card.reply)).toContain(`Terminates backend ${holderPid}`);
      expect(text(card.reply)).toMatch(new RegExp(`pid ${holderPid} \\(postgres, batch-job\\) has blocked 1 session\\(s\\)`));
      expect(text(card.reply)).toContain('AND backend_start =');
      expect((await db.admin.query('select 1 from pg_stat_activity where pid = $1', [holderPid])).rows).toHaveLength(1);

      const selfApproval = await approveAs(developer, approve);
      expect(selfApproval.ok).toBe(false);
      expect((await db.admin.query('select 1 from pg_stat_activity where pid = $1', [holderPid])).rows).toHaveLength(1);

      const approved = await approveAs(dba, approve);
      expect(approved.ok).toBe(true);
      expect(text(approved.reply)).toContain(`Backend ${holderPid} is gone`);
      expect((await db.admin.query('select 1 from pg_stat_activity where pid = $1', [holderPid])).rows).toHaveLength(0);
      expect(await waiting).toMatchObject({ rows: [{ count: '1000' }] });

      const [finished] = await app.approvals.audit.query({ requestId, kind: 'execution-finished' });
      expect(finished!.details).toMatchObject({ status: 'succeeded', statements: [{ returned: [true] }], checks: [{ ok: true }] });
      expect((await app.approvals.audit.query({ requestId, kind: 'approved' }))[0]!.actor).toMatchObject({ platform: 'local', id: 'dba' });
    } finally {
      await holder.end().catch(() => undefined);
      await waiter.end();
    }
  });

  it('activity → Cancel query on an active blocker → approved → its query is cancelled, the session stays', async () => {
    const { holder, holderPid, holding, waiter } = await blockingPair('select pg_sleep(120)');
    try {
      const activity = await app.assistant.ask({ question: 'activity', user: developer });
      const cancel = buttons(activity.reply).find((button) => button.label === `Cancel query ${holderPid}`);
      expect(cancel).toBeDefined();
      const { card, approve } = await requestFrom(cancel!);
      expect(text(card.reply)).toContain(`Cancels the query backend ${holderPid} is running`);

      const approved = await approveAs(dba, approve);
      expect(approved.ok).toBe(true);
      expect(text(approved.reply)).toMatch(new RegExp(`Backend ${holderPid} stopped its query`));
      expect(String(await holding)).toContain('canceling statement due to user request');
      // Cancelled, not terminated: the session is still there, its transaction aborted.
      expect((await db.admin.query('select state from pg_stat_activity where pid = $1', [holderPid])).rows[0]?.state).toBe('idle in transaction (aborted)');
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await holder.end();
      await waiter.end();
    }
  });

  it('list_indexes → Drop on the duplicate index → approved → dropped concurrently, the original kept', async () => {
    const listed = await app.assistant.ask({ question: 'indexes on orders', user: developer });
    const drop = buttons(listed.reply).find((button) => button.label === 'Drop index public.orders_customer_copy_idx');
    expect(drop).toBeDefined();
    expect(buttons(listed.reply).find((button) => button.label === 'Drop index public.orders_customer_idx')).toBeUndefined();

    const { card, approve } = await requestFrom(drop!);
    expect(text(card.reply)).toContain('DROP INDEX CONCURRENTLY IF EXISTS public.orders_customer_copy_idx');
    expect(text(card.reply)).toContain('SHARE UPDATE EXCLUSIVE');
    expect(text(card.reply)).toContain('CREATE INDEX CONCURRENTLY orders_customer_copy_idx ON public.orders USING btree (customer_id)');
    expect(text(card.reply)).toContain('has the same definition as public.orders_customer_idx');

    const approved = await approveAs(dba, approve);
    expect(approved.ok).toBe(true);
    expect(text(approved.reply)).toContain('public.orders_customer_copy_idx no longer exists');
    const { rows } = await db.admin.query("select indexrelid::regclass::text as name from pg_index where indrelid = 'orders'::regclass order by 1");
    expect(rows.map((r) => r.name)).toEqual(['orders_customer_idx', 'orders_pkey']);
  });

  it('health_report → VACUUM (ANALYZE) on the table with dead tuples → approved → n_dead_tup drops', async () => {
    const report = await app.assistant.ask({ question: 'health report', user: developer });
    const vacuum = buttons(report.reply).find((button) => button.label === 'VACUUM (ANALYZE) public.events');
    expect(vacuum).toBeDefined();
    // The table's own description offers the same, with the same thresholds; a clean table gets none.
    expect(buttons((await app.assistant.ask({ question: 'describe events', user: developer })).reply).map((b) => b.label)).toEqual(['VACUUM (ANALYZE) public.events']);
    expect(buttons((await app.assistant.ask({ question: 'describe jobs', user: developer })).reply)).toEqual([]);

    const { card, approve, requestId } = await requestFrom(vacuum!);
    expect(text(card.reply)).toContain('maintenance');
    expect(text(card.reply)).toContain('Removes dead row versions from public.events');
    expect(text(card.reply)).toMatch(/public\.events has 40,000 dead tuples/);

    const approved = await approveAs(dba, approve);
    expect(approved.ok).toBe(true);
    const deadAfter = Number((await db.admin.query("select n_dead_tup from pg_stat_user_tables where relname = 'events'")).rows[0].n_dead_tup);
    expect(deadAfter).toBe(0);
    const [finished] = await app.approvals.audit.query({ requestId, kind: 'execution-finished' });
    expect(JSON.stringify(finished!.details.checks)).toContain('public.events: 40000 dead tuples before, 0 after');
  });

  it('refuses a request for a backend that has already gone', async () => {
    const gone = new pg.Client({ connectionString: db.url });
    await gone.connect();
    const pid = (await gone.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await gone.end();
    await expect.poll(async () => (await db.admin.query('select 1 from pg_stat_activity where pid = $1', [pid])).rows.length).toBe(0);
    const answer = await app.assistant.handleAction({ id: 'request_change', payload: JSON.stringify({ guardedAction: { kind: 'terminate_backend', pid }, reason: 'test' }) }, { user: developer });
    expect(answer.ok).toBe(false);
    expect(text(answer.reply)).toContain(`Backend ${pid} is no longer running`);
    expect(await app.approvals.list({ status: 'pending' })).toHaveLength(0);
  });
});
