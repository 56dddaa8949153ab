import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AdapterRoute } from '../../../src/adapters/adapter.js';
import { createTeamsAdapter, teamsEmulatorMode, type TeamsAdapter } from '../../../src/adapters/teams/teams-adapter.js';
import type { TeamsActionClick } from '../../../src/adapters/teams/card-clicks.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { analyzeLogTool } from '../../../src/tools/analyze-log.js';
import { findTool, tools } from '../../../src/tools/registry.js';
import { textReply } from '../../../src/tools/reply.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { FakeConnector } from './fake-connector.js';

async function listen(routes: readonly AdapterRoute[]): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const route = routes.find((candidate) => candidate.method === request.method && candidate.path === request.url?.split('?')[0]);
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    void route.handle(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages` };
}

function activity(connector: FakeConnector, overrides: Record<string, unknown>) {
  return {
    type: 'message',
    id: `incoming-${Math.random().toString(16).slice(2)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:alice', name: 'Alice', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-000000000001' },
    conversation: { id: '19:ops@thread.tacv2;messageid=1700000000000', conversationType: 'channel', tenantId: 'tenant-1' },
    recipient: { id: '28:pgdba-bot', name: 'pgdba' },
    ...overrides,
  };
}

describe('Teams adapter over a real botbuilder CloudAdapter and a fake connector', () => {
  let scratch: ScratchDatabase;
  let app: AssistantApp;
  let connector: FakeConnector;
  let emulator: TeamsAdapter;
  let emulatorServer: { server: Server; url: string };
  const clicks: TeamsActionClick[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query(`create table orders as select g as id, repeat('x', 200) as note from generate_series(1, 20000) g;
      create table customers as select g as id from generate_series(1, 500) g; analyze;`);
    connector = await FakeConnector.start();
    const config = loadConfig({ DATABASE_URL: scratch.url });
    // analyze_log is added when the registry does not have it yet.
    app = await createAssistantApp(config, { tools: findTool('analyze_log') ? tools : [...tools, analyzeLogTool as never] });
    emulator = createTeamsAdapter({
      assistant: app.assistant,
      config,
      typingDelayMs: 0,
      onAction: async (click) => {
        clicks.push(click);
        return textReply(`Approved ${click.payload} by ${click.user.userName}.`);
      },
    });
    emulatorServer = await listen(emulator.routes);
  });

  afterAll(async () => {
    emulatorServer?.server.close();
    await connector?.close();
    await app?.close();
    await scratch?.drop();
  });

  it('runs in emulator mode (no auth, loopback only) when no Microsoft app is configured', () => {
    expect(teamsEmulatorMode(loadConfig({}))).toBe(true);
    expect(emulator.requiresLoopback).toBe(true);
    expect(teamsEmulatorMode(loadConfig({ MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'secret' }))).toBe(false);
  });

  it('acknowledges a channel @mention at once, then posts an Adaptive Card (table and chart) to the serviceUrl thread', async () => {
    const before = connector.calls.length;
    const asked = vi.spyOn(app.assistant, 'ask');
    const response = await fetch(emulatorServer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        activity(connector, {
          text: '<at>pgdba</at> tables',
          entities: [{ type: 'mention', text: '<at>pgdba</at>', mentioned: { id: '28:pgdba-bot', name: 'pgdba' } }],
        }),
      ),
    });
    expect(response.status).toBe(200);
    await emulator.idle();
    expect(asked.mock.calls[0]?.[0]).toMatchObject({
      question: 'tables',
      conversationId: 'teams:19:ops@thread.tacv2;messageid=1700000000000',
      user: { platform: 'teams', id: '6f1c0a6e-aaaa-bbbb-cccc-000000000001', name: 'Alice' },
    });
    asked.mockRestore();
    const calls = connector.calls.slice(before);
    expect(calls[0]?.activity.type).toBe('typing');
    expect(calls.every((call) => call.method === 'POST' && call.path.startsWith('/v3/conversations/19:ops@thread.tacv2;messageid=1700000000000/activities'))).toBe(true);
    const cards = connector.cards().filter((entry) => calls.includes(entry.call));
    const elements = cards.flatMap((entry) => entry.card.body);
    const table = elements.find((element) => element.type === 'Table');
    expect(JSON.stringify(table)).toContain('orders');
    const image = elements.find((element) => element.type === 'Image') as { url: string } | undefined;
    expect(image?.url).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(image!.url.split(',')[1]!, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
    for (const entry of cards) expect(JSON.stringify(entry.card).length).toBeLessThanOrEqual(28_000);
  });

  it('downloads a log file sent in a personal chat and answers with its analysis', async () => {
    connector.files.set('postgresql.log', [
      '2026-11-25 10:00:00.000 UTC [101] app@shop LOG:  duration: 12.500 ms  statement: select * from orders where id = 1',
      '2026-11-25 10:00:01.000 UTC [101] app@shop LOG:  duration: 14.500 ms  statement: select * from orders where id = 2',
      '',
    ].join('\n'));
    const before = connector.calls.length;
    const response = await fetch(emulatorServer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        activity(connector, {
          conversation: { id: 'a:personal-alice', conversationType: 'personal', tenantId: 'tenant-1' },
          text: '',
          attachments: [{ contentType: 'application/octet-stream', contentUrl: `${connector.url}files/postgresql.log`, name: 'postgresql.log' }],
        }),
      ),
    });
    expect(response.status).toBe(200);
    await emulator.idle();
    const text = JSON.stringify(connector.calls.slice(before).map((call) => call.activity));
    expect(text).toContain('postgresql.log');
    expect(text).toMatch(/select \* from orders where id = \$1/);
    // Emulator mode has no bot token to send.
    expect(connector.fileRequests.at(-1)?.authorization).toBeUndefined();
  });

  it('routes a card click with the AAD object id and updates the original card', async () => {
    const before = connector.calls.length;
    const response = await fetch(emulatorServer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(connector, { replyToId: 'activity-card-1', value: { pgdba: { id: 'approve', payload: 'req-7' } } })),
    });
    expect(response.status).toBe(200);
    await emulator.idle();
    expect(clicks.at(-1)).toMatchObject({
      actionId: 'approve',
      payload: 'req-7',
      user: { platform: 'teams', userId: '29:alice', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-000000000001', userName: 'Alice', tenantId: 'tenant-1' },
    });
    const update = connector.calls.slice(before).find((call) => call.method === 'PUT');
    expect(update?.path).toBe('/v3/conversations/19:ops@thread.tacv2;messageid=1700000000000/activities/activity-card-1');
    expect(JSON.stringify(update?.activity)).toContain('Approved req-7 by Alice.');
  });

  it('answers an Action.Execute invoke with the updated card and edits the shared card for everyone', async () => {
    const before = connector.calls.length;
    const response = await fetch(emulatorServer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        activity(connector, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          replyToId: 'activity-card-2',
          value: { action: { type: 'Action.Execute', verb: 'approve', data: { pgdba: { id: 'approve', payload: 'req-8' } } }, trigger: 'manual' },
        }),
      ),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { statusCode: number; type: string; value: { body: unknown[] } };
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(body.value.body)).toContain('Approved req-8 by Alice.');
    await emulator.idle();
    expect(clicks.at(-1)).toMatchObject({ actionId: 'approve', payload: 'req-8', user: { aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-000000000001' } });
    const updates = connector.calls.slice(before).filter((call) => call.method === 'PUT');
    expect(updates.map((call) => call.path)).toEqual(['/v3/conversations/19:ops@thread.tacv2;messageid=1700000000000/activities/activity-card-2']);
    expect(JSON.stringify(updates[0]?.activity)).toContain('Approved req-8 by Alice.');
  });

  it('answers an invoke that is not a pgdba Action.Execute with 400 and runs nothing', async () => {
    const clicksBefore = clicks.length;
    for (const value of [{ action: { type: 'Action.Execute', verb: 'approve', data: { other: 1 } } }, { trigger: 'manual' }]) {
      const response = await fetch(emulatorServer.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity(connector, { type: 'invoke', name: 'adaptiveCard/action', replyToId: 'activity-card-3', value })),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { type: string }).type).toBe('application/vnd.microsoft.error');
    }
    await emulator.idle();
    expect(clicks.length).toBe(clicksBefore);
  });

  it('skips the typing indicator when the answer is ready before the typing delay', async () => {
    const quick = createTeamsAdapter({ assistant: app.assistant, config: loadConfig({ DATABASE_URL: scratch.url }), typingDelayMs: 60_000 });
    const { server, url } = await listen(quick.routes);
    try {
      const before = connector.calls.length;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(connector, { text: 'help', conversation: { id: 'a:personal-quick', conversationType: 'personal' } })) });
      expect(response.status).toBe(200);
      await quick.idle();
      expect(connector.calls.slice(before).map((call) => call.activity.type)).toEqual(['message']);
    } finally {
      server.close();
    }
  });

  it('with a Microsoft app configured, refuses a request without a valid token (401) and posts nothing', async () => {
    const secured = createTeamsAdapter({
      assistant: app.assistant,
      config: loadConfig({ DATABASE_URL: scratch.url, MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TYPE: 'MultiTenant' }),
    });
    expect(secured.requiresLoopback).toBe(false);
    const { server, url } = await listen(secured.routes);
    try {
      const before = connector.calls.length;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(connector, { text: 'tables' })) });
      expect(response.status).toBe(401);
      // A card click (Action.Execute invoke) without a valid token runs nothing either.
      const click = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-valid-token' },
        body: JSON.stringify(activity(connector, { type: 'invoke', name: 'adaptiveCard/action', replyToId: 'card-9', value: { action: { type: 'Action.Execute', verb: 'approve', data: { pgdba: { id: 'approve', payload: 'req-9' } } } } })),
      });
      expect(click.status).toBe(401);
      await secured.idle();
      expect(connector.calls.length).toBe(before);
    } finally {
      server.close();
    }
  });
});
