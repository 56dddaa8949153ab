import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AdapterRoute } from '../../../src/adapters/adapter.js';
import { encodeActionId } from '../../../src/adapters/discord/discord-action-ids.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.js';
import { DiscordConversation, type DiscordActionClick } from '../../../src/adapters/discord/discord-conversation.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { analyzeLogTool } from '../../../src/tools/analyze-log.js';
import { findTool, tools } from '../../../src/tools/registry.js';
import { textReply } from '../../../src/tools/reply.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { FakeDiscord } from './fake-discord.js';

const applicationId = '900000000000000002';

function mount(routes: readonly AdapterRoute[]): Server {
  return createServer((request, response) => {
    const route = routes.find((candidate) => candidate.method === request.method && candidate.path === request.url?.split('?')[0]);
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    void route.handle(request, response);
  });
}

function commandInteraction(subcommand: string, options: { name: string; type: number; value: string }[], resolved?: unknown) {
  return {
    id: '930000000000000001',
    application_id: applicationId,
    type: 2,
    token: `token-${subcommand}`,
    version: 1,
    channel_id: '920000000000000001',
    guild_id: '940000000000000001',
    member: { user: { id: '950000000000000001', username: 'alice' }, roles: ['960000000000000001'] },
    data: { id: '970000000000000001', name: 'dba', type: 1, options: [{ name: subcommand, type: 1, options }], ...(resolved ? { resolved } : {}) },
  };
}

describe('Discord HTTP interactions (signed, deferred, edited through a fake REST API)', () => {
  let scratch: ScratchDatabase;
  let app: AssistantApp;
  let fake: FakeDiscord;
  let adapter: DiscordAdapter;
  let server: Server;
  let endpoint: string;
  let privateKey: KeyObject;
  const clicks: DiscordActionClick[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query(`create table orders as select g as id, repeat('x', 200) as note from generate_series(1, 20000) g;
      create table customers as select g as id from generate_series(1, 500) g; analyze;`);
    fake = await FakeDiscord.start();
    const keys = generateKeyPairSync('ed25519');
    privateKey = keys.privateKey;
    const publicKeyHex = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    const config = loadConfig({ DATABASE_URL: scratch.url, DISCORD_PUBLIC_KEY: publicKeyHex, DISCORD_API_URL: fake.apiUrl, DISCORD_APPLICATION_ID: applicationId });
    // analyze_log is added when the registry does not have it yet.
    app = await createAssistantApp(config, { tools: findTool('analyze_log') ? tools : [...tools, analyzeLogTool as never] });
    adapter = createDiscordAdapter({
      assistant: app.assistant,
      config,
      onAction: async (click) => {
        clicks.push(click);
        return textReply(`Approved request ${click.payload} by <@${click.user.userId}>.`);
      },
    });
    server = mount(adapter.routes);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`;
  });

  afterAll(async () => {
    await adapter?.stop();
    server?.close();
    await fake?.close();
    await app?.close();
    await scratch?.drop();
  });

  function post(body: string, signature: string, timestamp: string) {
    return fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body });
  }

  function signed(payload: unknown, timestamp = String(Math.floor(Date.now() / 1000))) {
    const body = JSON.stringify(payload);
    const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');
    return post(body, signature, timestamp);
  }

  it('answers a signed PING with PONG', async () => {
    const response = await signed({ id: '1', application_id: applicationId, type: 1, token: 't', version: 1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 1 });
  });

  it('refuses a forged signature, a stale timestamp and a garbled signature with 401', async () => {
    const body = JSON.stringify({ type: 1 });
    const now = String(Math.floor(Date.now() / 1000));
    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = await post(body, sign(null, Buffer.from(now + body), other).toString('hex'), now);
    expect(forged.status).toBe(401);

    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    const staleResponse = await post(body, sign(null, Buffer.from(stale + body), privateKey).toString('hex'), stale);
    expect(staleResponse.status).toBe(401);

    expect((await post(body, 'not-hex', now)).status).toBe(401);
    // Signed body, but a different body sent.
    const tampered = await post(JSON.stringify({ type: 2 }), sign(null, Buffer.from(now + body), privateKey).toString('hex'), now);
    expect(tampered.status).toBe(401);
  });

  it('defers /dba ask, then edits the original message with embeds, a table and the chart as an attachment', async () => {
    const asked = vi.spyOn(app.assistant, 'ask');
    const response = await signed(commandInteraction('ask', [{ name: 'question', type: 3, value: 'tables' }]));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 5 });
    await adapter.interactions!.idle();
    expect(asked.mock.calls[0]?.[0]).toMatchObject({
      question: 'tables',
      conversationId: 'discord:920000000000000001',
      user: { platform: 'discord', id: '950000000000000001', roles: ['960000000000000001'], name: 'alice' },
    });
    asked.mockRestore();

    const edit = fake.requests.find((request) => request.method === 'PATCH' && request.path === `/api/v10/webhooks/${applicationId}/token-ask/messages/@original`);
    expect(edit).toBeDefined();
    const embeds = edit!.json!.embeds as { description?: string; image?: { url: string } }[];
    expect(embeds.map((embed) => embed.description ?? '').join('\n')).toContain('orders');
    const imageEmbed = embeds.find((embed) => embed.image);
    expect(imageEmbed?.image?.url).toMatch(/^attachment:\/\/.+\.png$/);
    const file = edit!.files[0];
    expect(file?.name).toBe(imageEmbed!.image!.url.replace('attachment://', ''));
    expect(file?.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(edit!.json!.attachments).toEqual([{ id: 0, filename: file!.name }]);
    // Webhook edits use the interaction token, never the bot token.
    expect(edit!.headers.authorization).toBeUndefined();
  });

  it('downloads a log attached to /dba logs and answers with its analysis', async () => {
    fake.files.set('postgresql.log', [
      '2026-11-25 10:00:00.000 UTC [101] app@shop LOG:  duration: 12.500 ms  statement: select * from orders where id = 1',
      '2026-11-25 10:00:01.000 UTC [101] app@shop LOG:  duration: 14.500 ms  statement: select * from orders where id = 2',
      '2026-11-25 10:00:02.000 UTC [102] app@shop ERROR:  relation "missing" does not exist',
      '',
    ].join('\n'));
    const attachmentId = '980000000000000001';
    const interaction = commandInteraction('logs', [{ name: 'file', type: 11, value: attachmentId }], {
      attachments: { [attachmentId]: { id: attachmentId, filename: 'postgresql.log', size: 300, url: `${fake.fileUrl}/postgresql.log`, proxy_url: '' } },
    });
    const response = await signed(interaction);
    expect(await response.json()).toEqual({ type: 5 });
    await adapter.interactions!.idle();
    const edit = fake.requests.filter((request) => request.path.endsWith('/token-logs/messages/@original')).at(-1);
    const text = JSON.stringify(edit?.json?.embeds);
    expect(text).toContain('postgresql.log');
    expect(text).toMatch(/select \* from orders where id = \$1/);
  });

  it('without an action handler, runs the tool the button names through the assistant', async () => {
    const conversation = new DiscordConversation({ assistant: app.assistant, uploadMaxBytes: 1000 });
    const reply = await conversation.click({ actionId: 'dismiss_recommendation', payload: 'not-an-id', user: { platform: 'discord', userId: '1', roleIds: [] } });
    expect(JSON.stringify(reply)).toContain('Recommendation ids look like rec-1a2b3c4d');
  });

  it('routes a button click with the user and role ids and replaces the original message', async () => {
    const response = await signed({
      id: '930000000000000002',
      application_id: applicationId,
      type: 3,
      token: 'token-click',
      version: 1,
      channel_id: '920000000000000001',
      guild_id: '940000000000000001',
      member: { user: { id: '950000000000000002', username: 'bob' }, roles: ['960000000000000007'] },
      message: { id: '910000000000000001' },
      data: { component_type: 2, custom_id: encodeActionId('approve', 'req-42') },
    });
    expect(await response.json()).toEqual({ type: 6 });
    await adapter.interactions!.idle();
    expect(clicks.at(-1)).toEqual({
      actionId: 'approve',
      payload: 'req-42',
      user: { platform: 'discord', userId: '950000000000000002', roleIds: ['960000000000000007'], guildId: '940000000000000001', userName: 'bob' },
      // Edits the clicked message while the action runs.
      progress: expect.any(Function),
    });
    const edit = fake.requests.find((request) => request.path === `/api/v10/webhooks/${applicationId}/token-click/messages/@original`);
    expect(JSON.stringify(edit?.json?.embeds)).toContain('Approved request req-42');
    expect(edit?.json?.attachments).toEqual([]);
  });
});
