/**
 * Guarded execution on Discord, end to end over signed HTTP interactions: `/dba ask apply: …`
 * posts the approval card with its buttons; the requester's click is refused; a member with the
 * approver role approves and the index is built concurrently, once.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { serveAdapter } from '../../helpers/adapter-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { FakeDiscord } from './fake-discord.js';

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

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_discord_approvals');
    await scratch.admin.query("create table parcels as select g as id, 'depot-' || (g % 300) as depot from generate_series(1, 20000) g; analyze parcels;");
    fake = await FakeDiscord.start();
    const keys = generateKeyPairSync('ed25519');
    privateKey = keys.privateKey;
    const publicKeyHex = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    const config = loadConfig({
      DATABASE_URL: scratch.url,
      DISCORD_PUBLIC_KEY: publicKeyHex,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_APPLICATION_ID: applicationId,
      PGDBA_APPROVERS: `discord:role:${approverRole}`,
      PGDBA_STORE_URL: 'memory:',
    });
    app = await createAssistantApp(config);
    adapter = createDiscordAdapter({ assistant: app.assistant, config });
    served = await serveAdapter(adapter);
    endpoint = `${served.baseUrl}/discord/interactions`;
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
});
