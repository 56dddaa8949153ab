/**
 * Guarded execution on Teams, end to end through a real CloudAdapter (emulator mode) and a fake
 * connector: "apply: …" in a channel posts the approval card with Action.Submit buttons; the
 * requester's click is refused; the AAD user listed as approver approves and the index is built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter, type TeamsAdapter } from '../../../src/adapters/teams/teams-adapter.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { serveAdapter } from '../../helpers/adapter-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { FakeConnector } from './fake-connector.js';

const requester = { id: '29:dev', name: 'Dev', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000d1' };
const approver = { id: '29:dba', name: 'Dba', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000a1' };

describe('approvals on Teams', () => {
  let scratch: ScratchDatabase;
  let app: AssistantApp;
  let connector: FakeConnector;
  let adapter: TeamsAdapter;
  let served: Awaited<ReturnType<typeof serveAdapter>>;
  let url: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_teams_approvals');
    await scratch.admin.query("create table parcels as select g as id, 'depot-' || (g % 300) as depot from generate_series(1, 20000) g; analyze parcels;");
    connector = await FakeConnector.start();
    const config = loadConfig({ DATABASE_URL: scratch.url, PGDBA_APPROVERS: `teams:${approver.aadObjectId}`, PGDBA_STORE_URL: 'memory:' });
    app = await createAssistantApp(config);
    adapter = createTeamsAdapter({ assistant: app.assistant, config });
    served = await serveAdapter(adapter);
    url = `${served.baseUrl}/api/messages`;
  });
  afterAll(async () => {
    await served?.close();
    await connector?.close();
    await app?.close();
    await scratch?.drop();
  });

  async function send(from: typeof requester, overrides: Record<string, unknown>): Promise<void> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message', id: `in-${Math.random().toString(16).slice(2)}`, timestamp: new Date().toISOString(), channelId: 'msteams',
        serviceUrl: connector.url, from, recipient: { id: '28:pgdba-bot', name: 'pgdba' },
        conversation: { id: '19:dba@thread.tacv2;messageid=1700000000001', conversationType: 'channel', tenantId: 'tenant-1' },
        ...overrides,
      }),
    });
    expect(response.status).toBe(200);
    await adapter.idle();
  }

  async function indexes(): Promise<{ valid: boolean }[]> {
    return (await scratch.admin.query("select indisvalid as valid from pg_index where indrelid = 'parcels'::regclass")).rows as { valid: boolean }[];
  }

  it('card → requester refused → listed approver approves → index built once', async () => {
    await send(requester, {
      text: '<at>pgdba</at> apply: create index concurrently parcels_depot_idx on parcels (depot)',
      entities: [{ type: 'mention', text: '<at>pgdba</at>', mentioned: { id: '28:pgdba-bot', name: 'pgdba' } }],
    });
    const card = connector.cards().at(-1)!;
    expect(JSON.stringify(card.card)).toContain('waiting for approval');
    // Buttons sit in ActionSet elements of the card body.
    const actions = (card.card.body as { type: string; actions?: { title: string; data: Record<string, unknown> }[] }[]).flatMap((element) => element.actions ?? []);
    const approve = actions.find((action) => action.title === 'Approve')!;
    expect(approve).toBeDefined();

    const putsBefore = connector.calls.filter((call) => call.method === 'PUT').length;
    await send(requester, { replyToId: 'card-1', value: approve.data });
    const refusal = connector.calls.filter((call) => call.method === 'PUT').at(-1);
    expect(connector.calls.filter((call) => call.method === 'PUT').length).toBe(putsBefore + 1);
    expect(JSON.stringify(refusal?.activity)).toMatch(/own request|cannot approve/i);
    expect(await indexes()).toEqual([]);

    await send(approver, { replyToId: 'card-1', value: approve.data });
    expect(await indexes()).toEqual([{ valid: true }]);
    await send(approver, { replyToId: 'card-1', value: approve.data });
    expect(await indexes()).toEqual([{ valid: true }]);
  });
});
