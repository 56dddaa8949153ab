/**
 * Guarded execution on Discord, end to end over signed HTTP interactions: `/dba ask apply: …`
 * posts the approval card with its buttons; the requester's click is refused; a member with the
 * approver role approves and the index is built concurrently, once. While a held lock makes the
 * executor retry, the clicked card shows the progress, over HTTP interactions and the gateway.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { serveAdapter } from '../../helpers/adapter-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { FakeDiscord, type RecordedRequest } from './fake-discord.js';

const applicationId = '900000000000000012';
const approverRole = '960000000000000099';

describe('approvals on Discord', () => {
  let scratch: ScratchDatabase;
  let app: AssistantApp;
  let fake: FakeDiscord;
  let adapter: DiscordAdapter;
  let served: Awaited<ReturnType<typeof serveAdapter>>;
  let endpoint: string;
  let privateKey: KeyObject;
  let publicKeyHex: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_discord_approvals');
    await scratch.admin.query("create table parcels as select g as id, 'depot-' || (g % 300) as depot, g % 97 as bay from generate_series(1, 20000) g; analyze parcels;");
    fake = await FakeDiscord.start();
    const keys = generateKeyPairSync('ed25519');
    privateKey = keys.privateKey;
    publicKeyHex = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    const config = loadConfig({
      DATABASE_URL: scratch.url,
      DISCORD_PUBLIC_KEY: publicKeyHex,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_APPLICATION_ID: applicationId,
      DISCORD_BOT_TOKEN: 'fake-bot-token',
      PGDBA_APPROVERS: `discord:role:${approverRole}`,
      PGDBA_STORE_URL: 'memory:',
    });
    app = await createAssistantApp(config);
    adapter = createDiscordAdapter({ assistant: app.assistant, config, progressIntervalMs: 0 });
    served = await serveAdapter(adapter);
    endpoint = `${served.baseUrl}/discord/interactions`;
    await adapter.start();
    const guildKnown = once(adapter.gateway!.client, 'guildCreate');
    fake.dispatch('GUILD_CREATE', {
      id: base.guild_id, name: 'ops', unavailable: false, owner_id: '950000000000000011',
      roles: [
        { id: base.guild_id, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
        { id: approverRole, name: 'dba', permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
      ],
      channels: [{ id: base.channel_id, type: 0, name: 'database', guild_id: base.guild_id, position: 0, permission_overwrites: [] }],
      members: [], threads: [], emojis: [], stickers: [], features: [], member_count: 2, joined_at: new Date().toISOString(),
    });
    await guildKnown;
  });
  afterAll(async () => {
    await adapter?.stop();
    await served?.close();
    await fake?.close();
    await app?.close();
    await scratch?.drop();
  });

  function signed(payload: unknown) {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');
    return fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body });
  }

  const member = (id: string, roles: string[]) => ({ user: { id, username: `user${id.slice(-2)}` }, roles });
  const base = { application_id: applicationId, version: 1, channel_id: '920000000000000011', guild_id: '940000000000000011' };

  async function click(token: string, who: ReturnType<typeof member>, customId: string): Promise<string> {
    const response = await signed({ ...base, id: `93000000000000${token.length}${Date.now() % 1000}`, type: 3, token, member: who, message: { id: '910000000000000011' }, data: { component_type: 2, custom_id: customId } });
    expect(await response.json()).toEqual({ type: 6 });
    await adapter.interactions!.idle();
    const edit = fake.requests.filter((request) => request.path === `/api/v10/webhooks/${applicationId}/${token}/messages/@original`).at(-1);
    return JSON.stringify(edit?.json?.embeds);
  }

  async function indexes(): Promise<{ valid: boolean }[]> {
    return (await scratch.admin.query("select indisvalid as valid from pg_index where indrelid = 'parcels'::regclass")).rows as { valid: boolean }[];
  }

  const edits = (token: string): RecordedRequest[] => fake.requests.filter((request) => request.method === 'PATCH' && request.path === `/api/v10/webhooks/${applicationId}/${token}/messages/@original`);

  /** `/dba ask apply: …` over HTTP; returns the custom id of the card's Approve button. */
  async function requestChange(token: string, sql: string): Promise<string> {
    const ask = await signed({
      ...base, id: `93000000000000${String(Date.now()).slice(-4)}`, type: 2, token, member: member('950000000000000011', ['960000000000000001']),
      data: { id: '970000000000000011', name: 'dba', type: 1, options: [{ name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: `apply: ${sql}` }] }] },
    });
    expect(await ask.json()).toEqual({ type: 5 });
    await adapter.interactions!.idle();
    const card = edits(token).at(-1)!;
    const buttons = (card.json!.components as { components: { label: string; custom_id: string }[] }[]).flatMap((row) => row.components);
    return buttons.find((button) => button.label === 'Approve')!.custom_id;
  }

  /** Holds a SHARE lock on parcels until the clicked message has shown the retry after the first lock timeout. */
  async function withLockUntilRetryShown(token: string, click: () => Promise<void>): Promise<RecordedRequest[]> {
    const holder = new pg.Client({ connectionString: scratch.url });
    await holder.connect();
    await holder.query('begin; lock table parcels in share mode');
    try {
      await click();
      await expect.poll(() => edits(token).some((edit) => String(edit.json?.content).includes('lock not granted within lock_timeout; retrying in 1 s (attempt 2 of 4)')), { timeout: 30_000 }).toBe(true);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    await expect.poll(() => edits(token).some((edit) => JSON.stringify(edit.json?.embeds ?? []).includes('is valid')), { timeout: 30_000 }).toBe(true);
    return edits(token);
  }

  function expectProgressThenResult(all: RecordedRequest[], index: string): void {
    const final = all.findIndex((edit) => JSON.stringify(edit.json?.embeds ?? []).includes(`${index} is valid`));
    const progress = all.slice(0, final);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    // Progress edits only the content line and removes the buttons; the card's embeds stay.
    for (const edit of progress) {
      expect(String(edit.json?.content)).toMatch(/^⏳ /);
      expect(edit.json?.components).toEqual([]);
      expect(edit.json?.embeds).toBeUndefined();
    }
    expect(progress.some((edit) => String(edit.json?.content).includes('retrying in'))).toBe(true);
    expect(all[final]!.json?.content).toBe('');
    expect(JSON.stringify(all[final]!.json?.embeds)).toContain('Audit record');
    expect(all.slice(final + 1)).toEqual([]);
  }

  it('card → requester refused → approver role approves → index built once', async () => {
    const ask = await signed({
      ...base, id: '930000000000000111', type: 2, token: 'token-apply', member: member('950000000000000011', ['960000000000000001']),
      data: { id: '970000000000000011', name: 'dba', type: 1, options: [{ name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: 'apply: create index concurrently parcels_depot_idx on parcels (depot)' }] }] },
    });
    expect(await ask.json()).toEqual({ type: 5 });
    await adapter.interactions!.idle();
    const card = fake.requests.find((request) => request.path === `/api/v10/webhooks/${applicationId}/token-apply/messages/@original`)!;
    expect(JSON.stringify(card.json?.embeds)).toContain('waiting for approval');
    const buttons = (card.json!.components as { components: { label: string; custom_id: string }[] }[]).flatMap((row) => row.components);
    const approve = buttons.find((button) => button.label === 'Approve')!;
    expect(approve).toBeDefined();

    expect(await click('token-self', member('950000000000000011', ['960000000000000001']), approve.custom_id)).toMatch(/own request|cannot approve/i);
    expect(await indexes()).toEqual([]);
    await click('token-approver', member('950000000000000022', [approverRole]), approve.custom_id);
    expect(await indexes()).toEqual([{ valid: true }]);
    await click('token-again', member('950000000000000022', [approverRole]), approve.custom_id);
    expect(await indexes()).toEqual([{ valid: true }]);
  });

  it('shows the retry behind a held lock on the clicked card (HTTP interactions), then the result', async () => {
    const approve = await requestChange('token-apply-http', 'create index concurrently parcels_bay_idx on parcels (bay)');
    const all = await withLockUntilRetryShown('token-progress-http', async () => {
      const response = await signed({ ...base, id: '930000000000000222', type: 3, token: 'token-progress-http', member: member('950000000000000022', [approverRole]), message: { id: '910000000000000022' }, data: { component_type: 2, custom_id: approve } });
      expect(await response.json()).toEqual({ type: 6 });
    });
    await adapter.interactions!.idle();
    expectProgressThenResult(edits('token-progress-http'), 'parcels_bay_idx');
    expect(all.length).toBeGreaterThan(1);
  });

  it('edits the clicked card with the bot token once the interaction token has expired (a long build)', async () => {
    const config = loadConfig({
      DATABASE_URL: scratch.url, DISCORD_PUBLIC_KEY: publicKeyHex, DISCORD_API_URL: fake.apiUrl, DISCORD_APPLICATION_ID: applicationId,
      DISCORD_BOT_TOKEN: 'fake-bot-token', DISCORD_GATEWAY: 'off', PGDBA_APPROVERS: `discord:role:${approverRole}`, PGDBA_STORE_URL: 'memory:',
    });
    const expired = createDiscordAdapter({ assistant: app.assistant, config, progressIntervalMs: 0, tokenLifetimeMs: 0 });
    const server = await serveAdapter(expired);
    try {
      const approve = await requestChange('token-apply-late', 'create index concurrently parcels_late_idx on parcels (bay, depot)');
      const body = JSON.stringify({ ...base, id: '930000000000000444', type: 3, token: 'token-late', member: member('950000000000000022', [approverRole]), message: { id: '910000000000000044', channel_id: base.channel_id }, data: { component_type: 2, custom_id: approve } });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');
      const response = await fetch(`${server.baseUrl}/discord/interactions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body });
      expect(await response.json()).toEqual({ type: 6 });
      await expired.interactions!.idle();
      expect(edits('token-late')).toEqual([]);
      const channelEdits = fake.requests.filter((request) => request.method === 'PATCH' && request.path === `/api/v10/channels/${base.channel_id}/messages/910000000000000044`);
      expect(channelEdits.length).toBeGreaterThanOrEqual(2);
      expect(channelEdits.every((edit) => edit.headers.authorization === 'Bot fake-bot-token')).toBe(true);
      expect(String(channelEdits[0]!.json?.content)).toMatch(/^⏳ /);
      expect(JSON.stringify(channelEdits.at(-1)!.json?.embeds)).toContain('parcels_late_idx is valid');
    } finally {
      await expired.stop();
      await server.close();
    }
  });

  it('shows the same progress when the click arrives over the gateway', async () => {
    const approve = await requestChange('token-apply-gateway', 'create index concurrently parcels_depot_bay_idx on parcels (depot, bay)');
    await withLockUntilRetryShown('token-progress-gateway', async () => {
      fake.dispatch('INTERACTION_CREATE', {
        ...base, id: '930000000000000333', type: 3, token: 'token-progress-gateway', locale: 'en-US', app_permissions: '0', entitlements: [], authorizing_integration_owners: {},
        member: { user: { id: '950000000000000022', username: 'dba', discriminator: '0', avatar: null, global_name: null }, roles: [approverRole], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, permissions: '0' },
        message: { id: '910000000000000033', channel_id: base.channel_id, author: { id: '900000000000000001', username: 'pgdba', discriminator: '0', avatar: null, global_name: null, bot: true }, content: '', timestamp: new Date().toISOString(), edited_timestamp: null, tts: false, mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: [], pinned: false, type: 0 },
        data: { component_type: 2, custom_id: approve },
      });
    });
    await adapter.gateway!.idle();
    expect(fake.requests.find((request) => request.path === '/api/v10/interactions/930000000000000333/token-progress-gateway/callback')?.json).toMatchObject({ type: 6 });
    expectProgressThenResult(edits('token-progress-gateway'), 'parcels_depot_bay_idx');
  });
});
