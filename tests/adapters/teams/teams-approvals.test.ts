/**
 * Guarded execution on Teams, end to end through a real CloudAdapter (emulator mode), a fake
 * connector and real PostgreSQL: "apply: …" in a channel posts the approval card with
 * Action.Execute buttons; the requester's click is refused; an approver (listed by AAD object
 * id, or a member of a listed Entra group resolved through a local fake Microsoft Graph)
 * approves and the index is built, with progress edits of the card while a held lock makes the
 * executor retry.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshVerb } from '../../../src/adapters/teams/adaptive-card.js';
import { createTeamsAdapter, type TeamsAdapter, type TeamsAdapterOptions } from '../../../src/adapters/teams/teams-adapter.js';
import { GraphGroupDirectory } from '../../../src/adapters/teams/teams-groups.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { serveAdapter } from '../../helpers/adapter-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { FakeConnector, type ConnectorCall } from './fake-connector.js';
import { FakeGraph } from './fake-graph.js';

type Person = { id: string; name: string; aadObjectId: string };
const requester: Person = { id: '29:dev', name: 'Dev', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000d1' };
const approver: Person = { id: '29:dba', name: 'Dba', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000a1' };
const groupMember: Person = { id: '29:ops', name: 'Ops', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000e1' };
const outsider: Person = { id: '29:guest', name: 'Guest', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000f1' };
const dbaGroup = '0c6a0c2e-1111-2222-3333-0000000000g1';

interface CardAction {
  type: string;
  title: string;
  verb: string;
  data: Record<string, unknown>;
}
interface Card {
  body: { type: string; actions?: CardAction[] }[];
  refresh?: { action: { verb: string; data: Record<string, unknown> } };
}
interface InvokeAnswer {
  status: number;
  body: { statusCode: number; type: string; value: unknown };
}

describe('approvals on Teams', () => {
  let scratch: ScratchDatabase;
  let app: AssistantApp;
  let config: Config;
  let connector: FakeConnector;
  let graph: FakeGraph;
  const served: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_teams_approvals');
    await scratch.admin.query(`create table parcels as select g as id, 'depot-' || (g % 300) as depot from generate_series(1, 20000) g;
      create table crates as select g as id, 'aisle-' || (g % 40) as aisle from generate_series(1, 20000) g;
      create table pallets as select g as id, 'zone-' || (g % 12) as zone from generate_series(1, 20000) g;
      create table bins as select g as id, 'row-' || (g % 25) as row_label from generate_series(1, 20000) g;
      analyze;`);
    connector = await FakeConnector.start();
    graph = await FakeGraph.start();
    graph.memberships.set(groupMember.aadObjectId, [dbaGroup]);
    config = loadConfig({ DATABASE_URL: scratch.url, PGDBA_APPROVERS: `teams:${approver.aadObjectId},teams:group:${dbaGroup}`, PGDBA_STORE_URL: 'memory:' });
    app = await createAssistantApp(config);
  });
  afterAll(async () => {
    for (const server of served) await server.close();
    await graph?.close();
    await connector?.close();
    await app?.close();
    await scratch?.drop();
  });

  /** A Teams adapter on the shared assistant; group approvers are looked up in the fake Graph unless told otherwise. */
  async function serve(options: Partial<TeamsAdapterOptions> = {}): Promise<{ adapter: TeamsAdapter; url: string }> {
    const groupDirectory = new GraphGroupDirectory({ appId: 'app-1', appPassword: 'graph-test-secret', graphUrl: `${graph.baseUrl}/v1.0`, loginUrl: graph.baseUrl });
    const adapter = createTeamsAdapter({ assistant: app.assistant, config, approvals: app.approvals, groupDirectory, progressIntervalMs: 0, invokeDeadlineMs: 30_000, ...options });
    const server = await serveAdapter(adapter);
    served.push(server);
    return { adapter, url: `${server.baseUrl}/api/messages` };
  }

  function activity(from: Person, conversation: string, overrides: Record<string, unknown>) {
    return {
      type: 'message', id: `in-${Math.random().toString(16).slice(2)}`, timestamp: new Date().toISOString(), channelId: 'msteams',
      serviceUrl: connector.url, from, recipient: { id: '28:pgdba-bot', name: 'pgdba' },
      conversation: { id: conversation, conversationType: 'channel', tenantId: 'tenant-1' },
      ...overrides,
    };
  }

  /** Posts "apply: …" and returns the approval card. */
  async function requestChange(target: { adapter: TeamsAdapter; url: string }, conversation: string, sql: string): Promise<Card> {
    const before = connector.calls.length;
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(requester, conversation, { text: `<at>pgdba</at> apply: ${sql}`, entities: [{ type: 'mention', text: '<at>pgdba</at>', mentioned: { id: '28:pgdba-bot', name: 'pgdba' } }] })),
    });
    expect(response.status).toBe(200);
    await target.adapter.idle();
    const card = connector.cards().filter((entry) => connector.calls.indexOf(entry.call) >= before).at(-1)!.card as unknown as Card;
    expect(JSON.stringify(card)).toContain('waiting for approval');
    return card;
  }

  function button(card: Card, title: string): CardAction {
    const action = card.body.flatMap((element) => element.actions ?? []).find((candidate) => candidate.title === title);
    expect(action, `no "${title}" button`).toBeDefined();
    return action!;
  }

  /** An Action.Execute click: the invoke's HTTP answer. */
  async function execute(target: { url: string }, from: Person, conversation: string, cardId: string, action: { verb: string; data: Record<string, unknown> }): Promise<InvokeAnswer> {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(from, conversation, { type: 'invoke', name: 'adaptiveCard/action', replyToId: cardId, value: { action: { type: 'Action.Execute', ...action }, trigger: 'manual' } })),
    });
    return { status: response.status, body: (await response.json()) as InvokeAnswer['body'] };
  }

  const edits = (cardPath: string) => connector.calls.filter((call) => call.method === 'PUT' && call.path === cardPath);

  async function indexes(table: string): Promise<{ valid: boolean }[]> {
    return (await scratch.admin.query('select indisvalid as valid from pg_index where indrelid = $1::regclass', [table])).rows as { valid: boolean }[];
  }

  it('Action.Submit fallback: card → requester refused → listed approver approves → index built once', async () => {
    const target = await serve();
    const conversation = '19:dba@thread.tacv2;messageid=1700000000001';
    const card = await requestChange(target, conversation, 'create index concurrently parcels_depot_idx on parcels (depot)');
    const approve = button(card, 'Approve');
    const submit = async (from: Person) => {
      const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(from, conversation, { replyToId: 'card-1', value: approve.data })) });
      expect(response.status).toBe(200);
      await target.adapter.idle();
    };
    const cardPath = `/v3/conversations/${conversation}/activities/card-1`;
    await submit(requester);
    expect(edits(cardPath)).toHaveLength(1);
    expect(JSON.stringify(edits(cardPath).at(-1)?.activity)).toMatch(/are not an approver/);
    expect(await indexes('parcels')).toEqual([]);

    await submit(approver);
    expect(await indexes('parcels')).toEqual([{ valid: true }]);
    await submit(approver);
    expect(await indexes('parcels')).toEqual([{ valid: true }]);
  });

  it('Action.Execute: the refusal goes to the requester only; the approval answers with the result and edits the card; a refresh reads the state', async () => {
    const target = await serve();
    const conversation = '19:dba@thread.tacv2;messageid=1700000000002';
    const card = await requestChange(target, conversation, 'create index concurrently crates_aisle_idx on crates (aisle)');
    const approve = button(card, 'Approve');
    expect(approve.type).toBe('Action.Execute');
    expect(card.refresh?.action.verb).toBe(refreshVerb);
    const cardPath = `/v3/conversations/${conversation}/activities/card-2`;

    const refused = await execute(target, requester, conversation, 'card-2', approve);
    await target.adapter.idle();
    expect(refused.status).toBe(200);
    expect(refused.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(refused.body.value)).toMatch(/are not an approver/);
    expect(edits(cardPath)).toEqual([]);
    expect(await indexes('crates')).toEqual([]);

    const approved = await execute(target, approver, conversation, 'card-2', approve);
    await target.adapter.idle();
    expect(approved.body.statusCode).toBe(200);
    expect(JSON.stringify(approved.body.value)).toMatch(/Executed in .* crates_aisle_idx is valid/);
    // Everyone else sees the card edited: progress (no throttle in this test), then the same card as the invoke's answer.
    const shown = edits(cardPath).map((call) => (call.activity.attachments as { content: unknown }[])[0]!.content);
    expect(shown.at(-1)).toEqual(approved.body.value);
    expect(shown.slice(0, -1).every((content) => JSON.stringify(content).includes('Working on it'))).toBe(true);
    expect(await indexes('crates')).toEqual([{ valid: true }]);

    // Viewing the card later: Teams' refresh gets the current state and runs nothing.
    const refreshed = await execute(target, outsider, conversation, 'card-2', card.refresh!.action);
    await target.adapter.idle();
    expect(JSON.stringify(refreshed.body.value)).toContain('— _executed_');
    expect(edits(cardPath)).toHaveLength(shown.length);
    const smuggled = await execute(target, outsider, conversation, 'card-2', { verb: refreshVerb, data: approve.data });
    expect(smuggled.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(await indexes('crates')).toEqual([{ valid: true }]);
  });

  it('edits the card with the executor progress while a held lock makes it retry, then shows the result', async () => {
    // Answer the invoke at once: the rest must arrive as card edits.
    const target = await serve({ invokeDeadlineMs: 0 });
    const conversation = '19:dba@thread.tacv2;messageid=1700000000003';
    const card = await requestChange(target, conversation, 'create index concurrently pallets_zone_idx on pallets (zone)');
    const cardPath = `/v3/conversations/${conversation}/activities/card-3`;
    const holder = new pg.Client({ connectionString: scratch.url });
    await holder.connect();
    try {
      await holder.query('begin; lock table pallets in share update exclusive mode');
      const answer = await execute(target, approver, conversation, 'card-3', button(card, 'Approve'));
      expect(answer.body.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(answer.body.value)).toContain('Working on it');
      const retry = await connector.waitFor((call) => call.method === 'PUT' && call.path === cardPath && JSON.stringify(call.activity).includes('lock not granted within lock_timeout'));
      expect(JSON.stringify(retry.activity)).toContain('attempt 1 of 4');
      await holder.query('rollback');
    } finally {
      await holder.end();
    }
    await target.adapter.idle();
    const texts = edits(cardPath).map((call: ConnectorCall) => JSON.stringify(call.activity));
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect(texts.slice(0, -1).every((text) => text.includes('Working on it'))).toBe(true);
    expect(texts.at(-1)).toMatch(/Executed in .* pallets_zone_idx is valid/);
    expect(texts.at(-1)).toMatch(/after 2 attempts/);
    expect(await indexes('pallets')).toEqual([{ valid: true }]);
  });

  it('teams:group approvers: membership from Microsoft Graph; a Graph refusal and a non-member execute nothing', async () => {
    const target = await serve();
    const conversation = '19:dba@thread.tacv2;messageid=1700000000004';
    const card = await requestChange(target, conversation, 'create index concurrently bins_row_idx on bins (row_label)');
    const approve = button(card, 'Approve');
    const cardPath = `/v3/conversations/${conversation}/activities/card-4`;

    graph.refuse = { status: 403, code: 'Authorization_RequestDenied' };
    try {
      const refused = await execute(target, groupMember, conversation, 'card-4', approve);
      expect(refused.body.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(refused.body.value)).toMatch(/nothing was executed\. Your group membership could not be checked \(Microsoft Graph answered HTTP 403 \(Authorization_RequestDenied\)\..*GroupMember\.Read\.All/);
    } finally {
      graph.refuse = undefined;
    }
    const notMember = await execute(target, outsider, conversation, 'card-4', approve);
    expect(JSON.stringify(notMember.body.value)).toMatch(/not an approver/);
    await target.adapter.idle();
    expect(edits(cardPath)).toEqual([]);
    expect(await indexes('bins')).toEqual([]);

    // The listed approver needs no Graph call; the group member is found in the group.
    const checksBefore = graph.graphRequests.length;
    const approved = await execute(target, groupMember, conversation, 'card-4', approve);
    await target.adapter.idle();
    expect(JSON.stringify(approved.body.value)).toMatch(/bins_row_idx is valid/);
    expect(graph.graphRequests.slice(checksBefore).map((request) => request.path)).toEqual([`/v1.0/users/${groupMember.aadObjectId}/checkMemberGroups`]);
    expect(JSON.parse(graph.graphRequests.at(-1)!.body)).toEqual({ groupIds: [dbaGroup] });
    expect(await indexes('bins')).toEqual([{ valid: true }]);
  });

  it('without the bot credentials (emulator), a group approver is refused with how to configure it; the requester can still withdraw', async () => {
    const target = await serve({ groupDirectory: undefined });
    const conversation = '19:dba@thread.tacv2;messageid=1700000000005';
    const card = await requestChange(target, conversation, 'create index concurrently bins_id_idx on bins (id)');
    const answer = await execute(target, groupMember, conversation, 'card-5', button(card, 'Approve'));
    expect(JSON.stringify(answer.body.value)).toMatch(/group membership could not be checked.*MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD/);
    const withdrawn = await execute(target, requester, conversation, 'card-5', button(card, 'Reject'));
    await target.adapter.idle();
    expect(JSON.stringify(withdrawn.body.value)).toMatch(/Rejected by Dev; nothing was executed/);
    expect((await scratch.admin.query("select to_regclass('bins_id_idx') as index")).rows).toEqual([{ index: null }]);
  });
});
