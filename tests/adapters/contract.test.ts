/**
 * One conversation, every adapter: the same question ("tables") must come back with the table,
 * the chart as a PNG and the "Describe …" buttons, and a click on a button must update that
 * same message with the table's structure. Each platform runs its real SDK on loopback with a
 * fake only at its HTTP boundary; the bot core and the Reply are shared.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/adapters/discord/discord-adapter.js';
import { SlackAdapter } from '../../src/adapters/slack/slack-adapter.js';
import { createTeamsAdapter, type TeamsAdapter } from '../../src/adapters/teams/teams-adapter.js';
import { createWebChatAdapter } from '../../src/adapters/web/web-chat-adapter.js';
import { createAssistantApp, type AssistantApp } from '../../src/bot/agent/create-assistant.js';
import { loadConfig, type Config } from '../../src/config.js';
import { serveAdapter } from '../helpers/adapter-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';
import { FakeDiscord } from './discord/fake-discord.js';
import { blocksText, botToken, botUserId, eventEnvelope, signedHeaders, startFakeSlack, type FakeSlack } from './slack/fake-slack.js';
import { FakeConnector } from './teams/fake-connector.js';

const pngMagic = '\x89PNG';

/** What every platform's rendering is checked for, in platform-neutral terms. */
interface RenderedMessage {
  text: string;
  images: Buffer[];
  buttons: { label: string; click: () => Promise<RenderedMessage> }[];
}

interface Driver {
  name: string;
  ask(question: string): Promise<RenderedMessage>;
}

let scratch: ScratchDatabase;
const closers: (() => Promise<void> | void)[] = [];
const drivers: Driver[] = [];

async function appFor(extra: Record<string, string>): Promise<{ app: AssistantApp; config: Config }> {
  const config = loadConfig({ DATABASE_URL: scratch.url, PGDBA_STORE_URL: 'memory:', ...extra });
  const app = await createAssistantApp(config);
  closers.push(() => app.close());
  return { app, config };
}

async function webDriver(): Promise<Driver> {
  const { app } = await appFor({});
  const { baseUrl: base, close } = await serveAdapter(createWebChatAdapter({ assistant: app.assistant, uploadMaxBytes: 1_000_000 }));
  closers.push(close);
  const render = async (path: string, body: unknown): Promise<RenderedMessage> => {
    const lines = (await (await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) })).text()).trim().split('\n');
    const answer = JSON.parse(lines.at(-1)!) as { blocks: { type: string; src?: string; actions?: { id: string; label: string; payload: string }[] }[] };
    return {
      text: JSON.stringify(answer.blocks.filter((block) => block.type !== 'image')),
      images: answer.blocks.filter((block) => block.type === 'image').map((block) => Buffer.from(block.src!.split(',')[1]!, 'base64')),
      buttons: answer.blocks.flatMap((block) => block.actions ?? []).map((action) => ({
        label: action.label,
        click: () => render('/web/action', { id: action.id, payload: action.payload, conversation: 'contract' }),
      })),
    };
  };
  return { name: 'web', ask: (question) => render('/web/ask', { question, conversation: 'contract' }) };
}

async function slackDriver(): Promise<Driver> {
  const slack: FakeSlack = await startFakeSlack();
  closers.push(() => slack.close());
  const secret = 'contract-signing-secret-0123456789';
  const { app, config } = await appFor({ SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: secret, SLACK_API_URL: slack.apiUrl });
  const adapter = new SlackAdapter({ assistant: app.assistant, config, progressIntervalMs: 0 });
  const { baseUrl: base, close } = await serveAdapter(adapter);
  closers.push(close);
  const post = (body: string, contentType = 'application/json') =>
    fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...signedHeaders(secret, body) }, body });
  const uploadsInThread = (threadTs: string) =>
    slack.callsTo('files.completeUploadExternal').filter((call) => call.args.thread_ts === threadTs).length;
  // The upload arrives as multipart form data: the image is the part that starts with the PNG signature.
  const imagesSince = (count: number) =>
    slack.uploads.slice(count).map((upload) => upload.body.subarray(Math.max(0, upload.body.indexOf(Buffer.from(pngMagic, 'latin1')))));

  const rendered = (blocks: unknown, messageTs: string, images: Buffer[]): RenderedMessage => ({
    text: blocksText(blocks),
    images,
    buttons: (blocks as { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[])
      .flatMap((block) => (block.type === 'actions' ? block.elements ?? [] : []))
      .map((button) => ({
        label: button.text.text,
        click: async () => {
          const before = slack.callsTo('chat.update').filter((call) => call.args.ts === messageTs).length;
          const uploadsBefore = slack.uploads.length;
          const payload = {
            type: 'block_actions', user: { id: 'UALICE', name: 'alice' }, api_app_id: 'A1', token: 'legacy', trigger_id: 't',
            container: { type: 'message', message_ts: messageTs, channel_id: 'CCONTRACT' }, channel: { id: 'CCONTRACT' }, team: { id: 'T1' },
            message: { type: 'message', ts: messageTs, text: 'x', blocks: [] },
            actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', text: { type: 'plain_text', text: button.text.text }, value: button.value, action_ts: '1' }],
          };
          await post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
          await expect.poll(() => slack.callsTo('chat.update').filter((call) => call.args.ts === messageTs).length, { timeout: 30_000 }).toBe(before + 1);
          const update = slack.callsTo('chat.update').filter((call) => call.args.ts === messageTs).at(-1)!;
          return rendered(update.args.blocks, messageTs, imagesSince(uploadsBefore));
        },
      })),
  });

  return {
    name: 'slack',
    async ask(question) {
      const ts = '1700000500.000100';
      const uploadsBefore = slack.uploads.length;
      await post(JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UALICE', text: `<@${botUserId}> ${question}`, ts, channel: 'CCONTRACT', event_ts: ts })));
      await expect.poll(() => slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === ts).length, { timeout: 30_000 }).toBe(1);
      await expect.poll(() => uploadsInThread(ts), { timeout: 30_000 }).toBe(1);
      const message = slack.callsTo('chat.postMessage').find((call) => call.args.thread_ts === ts)!;
      return rendered(message.args.blocks, message.ts!, imagesSince(uploadsBefore));
    },
  };
}

async function discordDriver(): Promise<Driver> {
  const fake = await FakeDiscord.start();
  closers.push(() => fake.close());
  const applicationId = '900000000000000031';
  const keys = generateKeyPairSync('ed25519');
  const publicKeyHex = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  const { app, config } = await appFor({ DISCORD_PUBLIC_KEY: publicKeyHex, DISCORD_API_URL: fake.apiUrl, DISCORD_APPLICATION_ID: applicationId });
  const adapter: DiscordAdapter = createDiscordAdapter({ assistant: app.assistant, config });
  closers.push(() => adapter.stop());
  const { baseUrl: base, close } = await serveAdapter(adapter);
  closers.push(close);
  const signed = (payload: unknown) => {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(timestamp + body), keys.privateKey).toString('hex');
    return fetch(`${base}/discord/interactions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body });
  };
  const common = { application_id: applicationId, version: 1, channel_id: '920000000000000031', guild_id: '940000000000000031', member: { user: { id: '950000000000000031', username: 'alice' }, roles: [] } };
  const edited = (token: string): RenderedMessage => {
    const edit = fake.requests.filter((request) => request.path === `/api/v10/webhooks/${applicationId}/${token}/messages/@original`).at(-1)!;
    const rows = (edit.json?.components ?? []) as { components: { label: string; custom_id: string }[] }[];
    return {
      text: JSON.stringify(edit.json?.embeds),
      images: edit.files.map((file) => file.bytes),
      buttons: rows.flatMap((row) => row.components).map((button) => ({
        label: button.label,
        async click() {
          const clickToken = `token-click-${button.custom_id.length}`;
          await signed({ ...common, id: '930000000000000032', type: 3, token: clickToken, message: { id: '910000000000000031' }, data: { component_type: 2, custom_id: button.custom_id } });
          await adapter.interactions!.idle();
          return edited(clickToken);
        },
      })),
    };
  };
  return {
    name: 'discord',
    async ask(question) {
      await signed({ ...common, id: '930000000000000031', type: 2, token: 'token-ask', data: { id: '970000000000000031', name: 'dba', type: 1, options: [{ name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: question }] }] } });
      await adapter.interactions!.idle();
      return edited('token-ask');
    },
  };
}

async function teamsDriver(): Promise<Driver> {
  const connector = await FakeConnector.start();
  closers.push(() => connector.close());
  const { app, config } = await appFor({});
  // A slow machine must not turn the click's answer into a progress card (3 s by default).
  const adapter: TeamsAdapter = createTeamsAdapter({ assistant: app.assistant, config, invokeDeadlineMs: 30_000 });
  const { baseUrl: base, close } = await serveAdapter(adapter);
  closers.push(close);
  const send = async (overrides: Record<string, unknown>) => {
    const response = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message', id: `in-${Math.random().toString(16).slice(2)}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: connector.url,
        from: { id: '29:alice', name: 'Alice', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000c1' }, recipient: { id: '28:pgdba-bot', name: 'pgdba' },
        conversation: { id: 'a:personal-contract', conversationType: 'personal', tenantId: 'tenant-1' },
        ...overrides,
      }),
    });
    await adapter.idle();
    return response;
  };
  const rendered = (cards: { body: Record<string, unknown>[] }[]): RenderedMessage => {
    const elements = cards.flatMap((card) => card.body);
    return {
      text: JSON.stringify(elements.filter((element) => element.type !== 'Image')),
      images: elements.filter((element) => element.type === 'Image').map((element) => Buffer.from(String(element.url).split(',')[1]!, 'base64')),
      buttons: (elements as { actions?: { title: string; type: string; verb: string; data: Record<string, unknown> }[] }[])
        .flatMap((element) => element.actions ?? [])
        .map((action) => ({
          label: action.title,
          async click() {
            // Action.Execute (Universal Actions): the invoke's answer is the card the clicker sees; the shared card is edited too.
            expect(action.type).toBe('Action.Execute');
            const before = connector.calls.length;
            const response = await send({ type: 'invoke', name: 'adaptiveCard/action', replyToId: 'card-contract', value: { action: { type: 'Action.Execute', verb: action.verb, data: action.data } } });
            const shown = ((await response.json()) as { value: { body: Record<string, unknown>[] } }).value;
            const updates = connector.calls.slice(before).filter((call) => call.method === 'PUT');
            expect(updates.map((call) => call.path)).toEqual(['/v3/conversations/a:personal-contract/activities/card-contract']);
            const updatedCards = ((updates[0]!.activity.attachments ?? []) as { content: { body: Record<string, unknown>[] } }[]).map((a) => a.content);
            expect(updatedCards).toEqual([shown]);
            return rendered(updatedCards);
          },
        })),
    };
  };
  return {
    name: 'teams',
    async ask(question) {
      const before = connector.calls.length;
      await send({ text: question });
      return rendered(connector.cards().filter((entry) => connector.calls.indexOf(entry.call) >= before).map((entry) => entry.card));
    },
  };
}

beforeAll(async () => {
  scratch = await createScratchDatabase('pgdba_contract');
  await scratch.admin.query(`create table parcels (id bigint primary key, depot text not null, weight_grams integer);
    insert into parcels select g, 'depot-' || (g % 300), g % 5000 from generate_series(1, 30000) g;
    create table depots as select g as id, 'depot-' || g as name from generate_series(1, 300) g;
    analyze;`);
  drivers.push(await webDriver(), await slackDriver(), await discordDriver(), await teamsDriver());
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await scratch?.drop();
});

describe.each(['web', 'slack', 'discord', 'teams'])('the same conversation on %s', (name) => {
  it('question → table + chart + buttons → click → the same message shows the table structure', async () => {
    const driver = drivers.find((candidate) => candidate.name === name)!;
    const answer = await driver.ask('tables');
    expect(answer.text).toContain('public.parcels');
    expect(answer.text).toContain('public.depots');
    expect(answer.images.length).toBeGreaterThanOrEqual(1);
    expect(answer.images[0]!.subarray(0, 4).toString('latin1')).toBe(pngMagic);
    const describe = answer.buttons.find((button) => button.label === 'Describe public.parcels');
    expect(describe, `buttons: ${answer.buttons.map((button) => button.label).join(', ')}`).toBeDefined();

    const updated = await describe!.click();
    expect(updated.text).toContain('depot');
    expect(updated.text).toContain('weight_grams');
  });
});
