/**
 * Guarded actions on Slack, end to end through the real Bolt receiver: "activity" in a mention
 * shows Terminate for the session blocking others; clicking it turns the message into an approval
 * card (nothing runs); an allowed approver's click terminates the blocker and the card says it is
 * gone. "indexes on orders" offers Drop for a duplicate index, which goes the same way.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { startSlackApprovalFixture, type SlackApprovalFixture } from './approval-fixture.js';
import { blocksText } from './fake-slack.js';
import type { SlackSession } from './slack-session.js';
import { buttonsOf } from './slack-session.js';

const signingSecret = 'guarded-signing-secret-0123456789';

describe('guarded actions on Slack', () => {
  let database: ScratchDatabase;
  let app: AssistantApp;
  let fixture: SlackApprovalFixture | undefined;
  let person: SlackSession;

  beforeAll(async () => {
    database = await createScratchDatabase('pgdba_slack_guarded');
    await database.admin.query(`
      create table jobs (id int primary key, state text);
      insert into jobs select g, 'queued' from generate_series(1, 100) g;
      create table orders (id bigint primary key, customer_id int not null);
      insert into orders select g, g % 500 from generate_series(1, 5000) g;
      create index orders_customer_idx on orders (customer_id);
      create index orders_customer_copy_idx on orders (customer_id);
      analyze;`);
    fixture = await startSlackApprovalFixture(database.url, 'slack:UDBA', signingSecret);
    ({ app, person } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
    await database?.drop();
  });

  it('activity → Terminate the blocker → approval card → approved → the blocker is gone and audited', async () => {
    const holder = new pg.Client({ connectionString: database.url, application_name: 'nightly-import' });
    holder.on('error', () => undefined);
    await holder.connect();
    const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await holder.query('begin; lock table jobs in access exclusive mode');
    const waiter = new pg.Client({ connectionString: database.url });
    await waiter.connect();
    const waiterPid = (await waiter.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const waiting = waiter.query('select count(*) from jobs').catch((error: Error) => ({ rows: [], error }));
    try {
      await expect.poll(async () => (await database.admin.query('select wait_event_type from pg_stat_activity where pid = $1', [waiterPid])).rows[0]?.wait_event_type, { timeout: 20_000 }).toBe('Lock');

      const activity = await person.mention('UDEV', 'activity');
      const terminate = buttonsOf(activity.args.blocks).find((button) => button.text.text === `Terminate ${holderPid}`);
      expect(terminate).toBeDefined();

      const requested = await person.click('UDEV', activity.ts!, terminate!);
      expect(requested.text).toContain('waiting for approval');
      expect(requested.text).toContain('administrative');
      expect(requested.text).toContain(`has blocked 1 session(s)`);
      // The activity answer stays above the card the click produced.
      expect(requested.text).toContain('the message as it was');
      expect((await database.admin.query('select 1 from pg_stat_activity where pid = $1', [holderPid])).rows).toHaveLength(1);

      const approve = buttonsOf(requested.final.args.blocks).find((button) => button.text.text === 'Approve')!;
      expect((await person.click('UDEV', activity.ts!, approve)).text).toMatch(/not an approver/);
      const approved = await person.click('UDBA', activity.ts!, approve);
      expect(approved.text).toContain(`Backend ${holderPid} is gone`);
      expect((await database.admin.query('select 1 from pg_stat_activity where pid = $1', [holderPid])).rows).toHaveLength(0);
      expect((await waiting).rows).toEqual([{ count: '100' }]);

      const requestId = approve.value.split(':').at(-1)!;
      const kinds = (await app.approvals.audit.query({ requestId })).map((record) => record.kind);
      expect(kinds).toEqual(expect.arrayContaining(['requested', 'refused', 'approved', 'execution-started', 'execution-finished']));
    } finally {
      await holder.end().catch(() => undefined);
      await waiter.end();
    }
  });

  it('indexes on orders → Drop the duplicate → approved → dropped', async () => {
    const listed = await person.mention('UDEV', 'indexes on orders');
    const drop = buttonsOf(listed.args.blocks).find((button) => button.text.text === 'Drop index public.orders_customer_copy_idx');
    expect(drop).toBeDefined();
    const requested = await person.click('UDEV', listed.ts!, drop!);
    expect(requested.text).toContain('DROP INDEX CONCURRENTLY IF EXISTS public.orders_customer_copy_idx');
    const approve = buttonsOf(requested.final.args.blocks).find((button) => button.text.text === 'Approve')!;
    const approved = await person.click('UDBA', listed.ts!, approve);
    expect(approved.text).toContain('no longer exists');
    const { rows } = await database.admin.query("select indexrelid::regclass::text as name from pg_index where indrelid = 'orders'::regclass order by 1");
    expect(rows.map((r) => r.name)).toEqual(['orders_customer_idx', 'orders_pkey']);
    expect(blocksText(approved.final.args.blocks)).not.toContain('"Approve"');
  });
});
