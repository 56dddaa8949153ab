/**
 * Guarded execution on Slack, end to end: a person asks for a change in a mention, the approval
 * card arrives with its buttons, the requester's own click and a non-approver's click are refused,
 * an allowed approver's click builds the index concurrently, and the card is edited each time —
 * with live progress while a held lock makes the executor retry, and approvals by members of a
 * Slack user group, looked up with usergroups.users.list (failing closed when it fails).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { startSlackApprovalFixture, type SlackApprovalFixture } from './approval-fixture.js';
import { blocksText, type FakeSlack } from './fake-slack.js';
import type { SlackSession} from './slack-session.js';
import { buttonsOf, type SlackButton } from './slack-session.js';

const signingSecret = 'approvals-signing-secret-0123456789';

describe('approvals on Slack', () => {
  let database: ScratchDatabase;
  let slack: FakeSlack;
  let app: AssistantApp;
  let fixture: SlackApprovalFixture | undefined;
  let person: SlackSession;

  async function click(user: string, messageTs: string, button: SlackButton): Promise<string> {
    return (await person.click(user, messageTs, button)).text;
  }

  /** Asks for a change in a mention; returns the card's ts and its Approve button. */
  async function requestChange(sql: string): Promise<{ cardTs: string; approve: SlackButton }> {
    const card = await person.mention('UDEV', `apply: ${sql}`);
    expect(blocksText(card.args.blocks)).toContain('waiting for approval');
    const approve = buttonsOf(card.args.blocks).find((button) => button.text.text === 'Approve')!;
    expect(approve.value).toMatch(/^pgdba-approval:approve:chg-/);
    return { cardTs: card.ts!, approve };
  }

  async function indexes(): Promise<{ name: string; valid: boolean }[]> {
    const { rows } = await database.admin.query("select indexrelid::regclass::text as name, indisvalid as valid from pg_index where indrelid = 'parcels'::regclass order by 1");
    return rows as { name: string; valid: boolean }[];
  }

  beforeAll(async () => {
    database = await createScratchDatabase('pgdba_slack_approvals');
    await database.admin.query("create table parcels as select g as id, 'depot-' || (g % 300) as depot, g % 97 as bay from generate_series(1, 20000) g; analyze parcels;");
    fixture = await startSlackApprovalFixture(database.url, 'slack:UDBA,slack:group:SDBAS', signingSecret);
    ({ slack, app, person } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
    await database?.drop();
  });

  it('request in a mention → card → refusals → approval by an allowed user → index built once', async () => {
    const { cardTs, approve } = await requestChange('create index concurrently parcels_depot_idx on parcels (depot)');

    expect(await click('UDEV', cardTs, approve)).toMatch(/cannot approve|own request/i);
    expect(await click('USTRANGER', cardTs, approve)).toMatch(/not an approver/i);
    expect(await indexes()).toEqual([]);

    const approved = await click('UDBA', cardTs, approve);
    expect(approved).toContain('parcels_depot_idx is valid');
    // The updated card replaces the old one rather than being added under it.
    expect(approved).not.toContain('the message as it was');
    expect(await indexes()).toEqual([{ name: 'parcels_depot_idx', valid: true }]);
    expect(await click('UDBA', cardTs, approve)).toMatch(/Already executed/);
    expect(await indexes()).toEqual([{ name: 'parcels_depot_idx', valid: true }]);
  });

  it('edits the clicked card with the retry while a held lock blocks the build, then shows the result and the audit record', async () => {
    const { cardTs, approve } = await requestChange('create index concurrently parcels_bay_idx on parcels (bay)');
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('begin; lock table parcels in share mode');
    let released = false;
    try {
      const { progress, text: final } = await person.click('UDBA', cardTs, approve, async (edits) => {
        // The lock is released only once the card has shown the retry: no sleeping.
        await expect.poll(() => edits().some((call) => String(call.args.text).includes('lock not granted within lock_timeout; retrying in 1 s (attempt 2 of 4)')), { timeout: 30_000 }).toBe(true);
        await holder.query('rollback');
        released = true;
      });
      expect(progress.length).toBeGreaterThanOrEqual(1);
      const lockEdit = progress.find((call) => String(call.args.text).includes('attempt 2 of 4'))!;
      // Progress keeps the card's content but not its buttons, so nobody clicks again meanwhile.
      expect(blocksText(lockEdit.args.blocks)).toContain('the message as it was');
      expect((lockEdit.args.blocks as { type: string }[]).some((block) => block.type === 'actions')).toBe(false);
      expect(final).toContain('parcels_bay_idx is valid');
      expect(final).toContain('1: succeeded after 2 attempts');
      const requestId = approve.value.split(':').at(-1)!;
      const [finished] = await app.approvals.audit.query({ requestId, kind: 'execution-finished' });
      expect(final).toContain(finished!.id);
    } finally {
      if (!released) await holder.query('rollback');
      await holder.end();
    }
    expect(await indexes()).toContainEqual({ name: 'parcels_bay_idx', valid: true });
  });

  it("shows CREATE INDEX CONCURRENTLY's phase from pg_stat_progress_create_index while it waits for a writer", async () => {
    const { cardTs, approve } = await requestChange('create index concurrently parcels_id_idx on parcels (id)');
    const writer = new pg.Client({ connectionString: database.url });
    await writer.connect();
    // An open writing transaction: the build takes its lock, then waits for this writer to finish.
    await writer.query("begin; insert into parcels values (0, 'depot-0', 0)");
    let committed = false;
    try {
      const { progress, text: final } = await person.click('UDBA', cardTs, approve, async (edits) => {
        await expect.poll(() => edits().some((call) => /CREATE INDEX: waiting for writers before build — 0 % \(0 of 1 lockers\)/.test(String(call.args.text))), { timeout: 30_000 }).toBe(true);
        await writer.query('commit');
        committed = true;
      });
      expect(progress.some((call) => String(call.args.text).includes('lockers'))).toBe(true);
      expect(final).toContain('parcels_id_idx is valid');
    } finally {
      if (!committed) await writer.query('rollback');
      await writer.end();
    }
  });

  it('lets members of an approver user group approve, and refuses with the reason when Slack cannot say who is in it', async () => {
    const { cardTs, approve } = await requestChange('create index concurrently parcels_group_idx on parcels (depot, bay)');
    slack.userGroups.set('SDBAS', ['UGROUPIE']);
    slack.failing.set('usergroups.users.list', 'missing_scope');
    const refused = await click('UGROUPIE', cardTs, approve);
    expect(refused).toMatch(/not an approver/);
    expect(refused).toContain('usergroups:read');
    expect((await indexes()).map((i) => i.name)).not.toContain('parcels_group_idx');

    slack.failing.delete('usergroups.users.list');
    expect(await click('UOUTSIDER', cardTs, approve)).toMatch(/not an approver/);
    const lookups = slack.callsTo('usergroups.users.list').length;
    expect(await click('UGROUPIE', cardTs, approve)).toContain('parcels_group_idx is valid');
    expect(await indexes()).toContainEqual({ name: 'parcels_group_idx', valid: true });
    // The member list fetched for UOUTSIDER's click was reused for UGROUPIE's (kept for a minute).
    expect(slack.callsTo('usergroups.users.list').length).toBe(lookups);
    expect(slack.callsTo('usergroups.users.list').at(-1)!.args.usergroup).toBe('SDBAS');
  });
});
