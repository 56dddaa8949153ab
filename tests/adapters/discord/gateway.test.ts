import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeActionId } from '../../../src/adapters/discord/discord-action-ids.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.js';
import type { DiscordActionClick } from '../../../src/adapters/discord/discord-conversation.js';
import { textReply } from '../../../src/tools/reply.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { analyzeLogTool } from '../../../src/tools/analyze-log.js';
import { findTool, tools } from '../../../src/tools/registry.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { botUser, FakeDiscord } from './fake-discord.js';

const guildId = '940000000000000001';
const channelId = '920000000000000001';
const alice = { id: '950000000000000001', username: 'alice', discriminator: '0', avatar: null, global_name: null };

function mention(id: string, content: string, attachments: unknown[] = []) {
  return {
    id,
    channel_id: channelId,
    guild_id: guildId,
    author: alice,
    member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [botUser],
    mention_roles: [],
    attachments,
    embeds: [],
    pinned: false,
    type: 0,
  };
}

describe('Discord gateway client (discord.js against a local REST server and WebSocket gateway)', () => {
  let scratch: ScratchDatabase;
  let app: AssistantApp;
  let fake: FakeDiscord;
  let adapter: DiscordAdapter;
  const clicks: DiscordActionClick[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query(`create table orders as select g as id, repeat('x', 200) as note from generate_series(1, 20000) g; analyze;`);
    fake = await FakeDiscord.start();
    const config = loadConfig({ DATABASE_URL: scratch.url, DISCORD_BOT_TOKEN: 'fake-bot-token', DISCORD_API_URL: fake.apiUrl });
    // analyze_log is added when the registry does not have it yet.
    app = await createAssistantApp(config, { tools: findTool('analyze_log') ? tools : [...tools, analyzeLogTool as never] });
    adapter = createDiscordAdapter({
      assistant: app.assistant,
      config,
      onAction: async (click) => {
        clicks.push(click);
        return textReply(`Rejected ${click.payload}.`);
      },
    });
    expect(adapter.transport).toBe('gateway');
    expect(adapter.routes).toEqual([]);
    await adapter.start();
    const guildKnown = once(adapter.gateway!.client, 'guildCreate');
    fake.dispatch('GUILD_CREATE', {
      id: guildId,
      name: 'ops',
      unavailable: false,
      owner_id: alice.id,
      roles: [
        { id: guildId, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
        { id: '960000000000000003', name: 'dba', permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
      ],
      channels: [{ id: channelId, type: 0, name: 'database', guild_id: guildId, position: 0, permission_overwrites: [] }],
      members: [],
      threads: [],
      emojis: [],
      stickers: [],
      features: [],
      member_count: 2,
      joined_at: new Date().toISOString(),
    });
    await guildKnown;
  });

  afterAll(async () => {
    await adapter?.stop();
    await fake?.close();
    await app?.close();
    await scratch?.drop();
  });

  it('identifies with the message-content intent and the bot token', () => {
    const intents = Number(fake.identify?.intents);
    expect(intents & (1 << 15)).toBe(1 << 15); // MESSAGE_CONTENT
    expect(intents & (1 << 9)).toBe(1 << 9); // GUILD_MESSAGES
    expect(fake.identify?.token).toBe('fake-bot-token');
    expect(fake.requests.find((request) => request.path === '/api/v10/gateway/bot')?.headers.authorization).toBe('Bot fake-bot-token');
  });

  it('answers a mention in a channel with embeds and the chart uploaded, as a reply to the message', async () => {
    fake.dispatch('MESSAGE_CREATE', mention('990000000000000001', `<@${botUser.id}> tables`));
    await expect.poll(
      () => fake.requests.filter((request) => request.method === 'POST' && request.path === `/api/v10/channels/${channelId}/messages`).length,
      { timeout: 20_000 },
    ).toBe(1);
    const post = fake.requests.find((request) => request.path === `/api/v10/channels/${channelId}/messages`)!;
    expect((post.json?.message_reference as { message_id: string }).message_id).toBe('990000000000000001');
    expect(JSON.stringify(post.json?.embeds)).toContain('orders');
    expect(post.files[0]?.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('analyses a log file attached to a mention', async () => {
    fake.files.set('gw.log', '2026-11-25 10:00:00.000 UTC [101] app@shop LOG:  duration: 12.500 ms  statement: select * from orders where id = 1\n');
    fake.dispatch('MESSAGE_CREATE', mention('990000000000000002', `<@${botUser.id}>`, [{ id: '980000000000000009', filename: 'gw.log', size: 120, url: `${fake.fileUrl}/gw.log`, proxy_url: `${fake.fileUrl}/gw.log` }]));
    await expect.poll(
      () => fake.requests.filter((request) => request.path === `/api/v10/channels/${channelId}/messages`).length,
      { timeout: 20_000 },
    ).toBe(2);
    const post = fake.requests.filter((request) => request.path === `/api/v10/channels/${channelId}/messages`)[1]!;
    expect(JSON.stringify(post.json?.embeds)).toContain('gw.log');
  });

  it('ignores messages that do not mention the bot', async () => {
    const before = fake.requests.length;
    fake.dispatch('MESSAGE_CREATE', { ...mention('990000000000000003', 'tables'), mentions: [] });
    // A mention sent after it is answered; the unmentioned one before it never is.
    fake.dispatch('MESSAGE_CREATE', mention('990000000000000004', `<@${botUser.id}> help`));
    await expect.poll(
      () => fake.requests.slice(before).filter((request) => request.path.endsWith('/messages')).length,
      { timeout: 20_000 },
    ).toBe(1);
    await adapter.gateway!.idle();
    const answered = fake.requests.slice(before).filter((request) => request.path.endsWith('/messages'));
    expect(answered.map((request) => (request.json?.message_reference as { message_id: string }).message_id)).toEqual(['990000000000000004']);
  });

  it('acknowledges a button click delivered over the gateway and edits the message it was on', async () => {
    fake.dispatch('INTERACTION_CREATE', {
      id: '930000000000000009',
      application_id: '900000000000000002',
      type: 3,
      token: 'gateway-click-token',
      version: 1,
      channel_id: channelId,
      guild_id: guildId,
      member: { user: alice, roles: ['960000000000000003'], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, permissions: '0' },
      app_permissions: '0',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: {},
      message: { ...mention('990000000000000010', 'approval card'), author: botUser, mentions: [] },
      data: { component_type: 2, custom_id: encodeActionId('reject', 'req-5') },
    });
    await expect.poll(() => fake.requests.some((request) => request.path === '/api/v10/webhooks/900000000000000002/gateway-click-token/messages/@original'), { timeout: 20_000 }).toBe(true);
    const callback = fake.requests.find((request) => request.path === '/api/v10/interactions/930000000000000009/gateway-click-token/callback');
    expect(callback?.json).toMatchObject({ type: 6 });
    expect(clicks.at(-1)).toMatchObject({ actionId: 'reject', payload: 'req-5', user: { userId: alice.id, roleIds: ['960000000000000003'], guildId } });
    const edit = fake.requests.find((request) => request.path.endsWith('/gateway-click-token/messages/@original'));
    expect(JSON.stringify(edit?.json?.embeds)).toContain('Rejected req-5.');
  });
});
