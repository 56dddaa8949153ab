/**
 * Guarded execution on Slack, end to end: a person asks for a change in a mention, the approval
 * card arrives with its buttons, the requester's own click and a non-approver's click are refused,
 * an allowed approver's click builds the index concurrently, and the card is edited each time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenChatServer, type ChatServer } from '../../../src/adapters/server/http-server.js';
import { SlackAdapter } from '../../../src/adapters/slack/slack-adapter.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { blocksText, botToken, botUserId, eventEnvelope, signedHeaders, startFakeSlack, type FakeSlack } from './fake-slack.js';

const signingSecret = 'approvals-signing-secret-0123456789';

interface SlackButton {
  action_id: string;
  value: string;
  text: { text: string };
}

describe('approvals on Slack', () => {
  let database: ScratchDatabase;
  let slack: FakeSlack;
  let app: AssistantApp;
  let server: ChatServer;

  async function postSigned(body: string, contentType = 'application/json'): Promise<Response> {
    return fetch(`http://127.0.0.1:${server.port}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...signedHeaders(signingSecret, body) }, body });
  }

  async function click(user: string, messageTs: string, button: SlackButton): Promise<string> {
    const updatesBefore = slack.callsTo('chat.update').filter((call) => call.args.ts === messageTs).length;
    const payload = {
      type: 'block_actions', user: { id: user, name: user.toLowerCase() }, api_app_id: 'A1', token: 'legacy', trigger_id: 't',
      container: { type: 'message', message_ts: messageTs, channel_id: 'CDBA' }, channel: { id: 'CDBA' }, team: { id: 'T1' },
      message: { type: 'message', ts: messageTs, text: 'card', blocks: [] },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', text: { type: 'plain_text', text: button.text.text }, value: button.value, action_ts: '1' }],
    };
    const response = await postSigned(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    await expect.poll(() => slack.callsTo('chat.update').filter((call) => call.args.ts === messageTs).length, { timeout: 30_000 }).toBe(updatesBefore + 1);
    return blocksText(slack.callsTo('chat.update').filter((call) => call.args.ts === messageTs).at(-1)!.args.blocks);
  }

  async function indexes(): Promise<{ valid: boolean }[]> {
    const { rows } = await database.admin.query("select indisvalid as valid from pg_index where indrelid = 'parcels'::regclass");
    return rows as { valid: boolean }[];
  }

  beforeAll(async () => {
    database = await createScratchDatabase('pgdba_slack_approvals');
    await database.admin.query("create table parcels as select g as id, 'depot-' || (g % 300) as depot from generate_series(1, 20000) g; analyze parcels;");
    slack = await startFakeSlack();
    const config = loadConfig({
      DATABASE_URL: database.url,
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PGDBA_APPROVERS: 'slack:UDBA',
      PGDBA_STORE_URL: 'memory:',
    });
    app = await createAssistantApp(config);
    server = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [new SlackAdapter({ assistant: app.assistant, config, progressIntervalMs: 0 })] });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await app?.close();
    await slack?.close();
    await database?.drop();
  });

  it('request in a mention → card → refusals → approval by an allowed user → index built once', async () => {
    const ts = '1700000100.000100';
    const mention = eventEnvelope({
      type: 'app_mention', user: 'UDEV', channel: 'CDBA', ts, event_ts: ts,
      text: `<@${botUserId}> apply: create index concurrently parcels_depot_idx on parcels (depot)`,
    });
    await postSigned(JSON.stringify(mention));
    await expect.poll(() => slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === ts).length, { timeout: 30_000 }).toBe(1);
    const card = slack.callsTo('chat.postMessage').find((call) => call.args.thread_ts === ts)!;
    expect(blocksText(card.args.blocks)).toContain('waiting for approval');
    const buttons = (card.args.blocks as { type: string; elements?: SlackButton[] }[]).flatMap((block) => (block.type === 'actions' ? block.elements ?? [] : []));
    const approve = buttons.find((button) => button.text.text === 'Approve')!;
    expect(approve.value).toMatch(/^pgdba-approval:approve:chg-/);
    const cardTs = card.ts!;
    expect(cardTs).not.toBe(ts);

    expect(await click('UDEV', cardTs, approve)).toMatch(/cannot approve|own request/i);
    expect(await click('USTRANGER', cardTs, approve)).toMatch(/not (an allowed|allowed)|approver/i);
    expect(await indexes()).toEqual([]);

    await click('UDBA', cardTs, approve);
    expect(await indexes()).toEqual([{ valid: true }]);
    await click('UDBA', cardTs, approve);
    expect(await indexes()).toEqual([{ valid: true }]);
  });
});
