/**
 * The Slack adapter end to end over HTTP: a real Bolt App behind pgdba's chat server on
 * 127.0.0.1, a fake Slack Web API recording the calls, and a real PostgreSQL target.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { listenChatServer, type ChatServer } from '../../../src/adapters/server/http-server.js';
import { SlackAdapter } from '../../../src/adapters/slack/slack-adapter.js';
import { loadConfig } from '../../../src/config.js';
import { analyzeLogTool } from '../../../src/tools/analyze-log.js';
import { findTool, tools } from '../../../src/tools/registry.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { blocksText, botToken, botUserId, eventEnvelope, signedHeaders, startFakeSlack, type FakeSlack } from './fake-slack.js';

const signingSecret = 'test-signing-secret-0123456789';
const corpusLog = new URL('../../../../shared/corpus/logs/pgbadger/light.postgres.log', import.meta.url);
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let database: ScratchDatabase;
let slack: FakeSlack;
let app: AssistantApp;
let server: ChatServer;
let eventsUrl: string;

beforeAll(async () => {
  database = await createScratchDatabase('pgdba_slack');
  await database.admin.query(`
    create table orders (id bigint primary key, customer_id bigint not null, note text);
    insert into orders select g, g % 100, repeat('x', 200) from generate_series(1, 5000) g;
    create table customers (id bigint primary key, name text);
    insert into customers select g, 'c' || g from generate_series(1, 100) g;
    analyze;`);
  slack = await startFakeSlack();
  const config = loadConfig({
    DATABASE_URL: database.url,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    PGDBA_UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
  });
  app = await createAssistantApp(config, { tools: findTool('analyze_log') ? tools : [...tools, analyzeLogTool as never] });
  const adapter = new SlackAdapter({ assistant: app.assistant, config, progressIntervalMs: 0 });
  server = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [adapter] });
  await server.start();
  eventsUrl = `http://127.0.0.1:${server.port}/slack/events`;
});

afterAll(async () => {
  await server?.stop();
  await app?.close();
  await slack?.close();
  await database?.drop();
});

async function postSigned(body: string, contentType = 'application/json', headers = signedHeaders(signingSecret, body)): Promise<Response> {
  return fetch(eventsUrl, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
}

function postedInThread(threadTs: string) {
  return slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === threadTs);
}

describe('pgdba serve with the Slack adapter over HTTP', () => {
  it('answers GET /healthz with 200 once the adapters run', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', adapters: [{ name: 'slack', transport: 'http' }] });
  });

  it('answers an app_mention in its thread, with the table as Block Kit and the chart uploaded as PNG into the thread', async () => {
    const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UALICE', text: `<@${botUserId}> show me the biggest tables`, ts: '1700000000.000100', channel: 'C1', event_ts: '1700000000.000100' }));
    const response = await postSigned(body);
    expect(response.status).toBe(200);
    await expect.poll(() => postedInThread('1700000000.000100').length, { timeout: 20_000 }).toBeGreaterThan(0);
    const reply = postedInThread('1700000000.000100')[0]!;
    expect(reply.args.channel).toBe('C1');
    expect(reply.authorization).toBe(`Bearer ${botToken}`);
    const text = blocksText(reply.args.blocks);
    expect(text).toContain('public.orders');
    expect(text).toContain('public.customers');
    expect(text).toContain('How I know: `largest_tables` (command router; read-only).');
    await expect.poll(() => slack.callsTo('files.completeUploadExternal').filter((call) => call.args.thread_ts === '1700000000.000100').length, { timeout: 20_000 }).toBe(1);
    const complete = slack.callsTo('files.completeUploadExternal').find((call) => call.args.thread_ts === '1700000000.000100')!;
    expect(complete.args.channel_id).toBe('C1');
    const fileId = (complete.args.files as { id: string }[])[0]!.id;
    const upload = slack.uploads.find((candidate) => candidate.fileId === fileId)!;
    expect(upload.body.subarray(0, 8).equals(pngSignature) || upload.body.includes(pngSignature)).toBe(true);
  });

  it('answers a direct message in its thread', async () => {
    const body = JSON.stringify(eventEnvelope({ type: 'message', channel_type: 'im', user: 'UALICE', text: 'help', ts: '1700000001.000200', channel: 'D1', event_ts: '1700000001.000200' }));
    expect((await postSigned(body)).status).toBe(200);
    await expect.poll(() => postedInThread('1700000001.000200').length, { timeout: 20_000 }).toBe(1);
    expect(blocksText(postedInThread('1700000001.000200')[0]!.args.blocks)).toContain('I am pgdba');
  });

  it('rejects a forged signature and a stale timestamp with 401 and never replies', async () => {
    const forged = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UMALLORY', text: `<@${botUserId}> tables`, ts: '1700000002.000300', channel: 'C1', event_ts: '1700000002.000300' }));
    const forgedResponse = await postSigned(forged, 'application/json', signedHeaders('not-the-secret', forged));
    expect(forgedResponse.status).toBe(401);
    const stale = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UMALLORY', text: `<@${botUserId}> tables`, ts: '1700000003.000400', channel: 'C1', event_ts: '1700000003.000400' }));
    const staleResponse = await postSigned(stale, 'application/json', signedHeaders(signingSecret, stale, Math.floor(Date.now() / 1000) - 10 * 60));
    expect(staleResponse.status).toBe(401);
    // A later, valid event is answered: once it is, the rejected ones had every chance to be.
    const valid = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UALICE', text: `<@${botUserId}> help`, ts: '1700000004.000500', channel: 'C1', event_ts: '1700000004.000500' }));
    await postSigned(valid);
    await expect.poll(() => postedInThread('1700000004.000500').length, { timeout: 20_000 }).toBe(1);
    expect(postedInThread('1700000002.000300')).toEqual([]);
    expect(postedInThread('1700000003.000400')).toEqual([]);
  });

  it('acknowledges /dba at once and responds in the channel through response_url', async () => {
    const form = new URLSearchParams({
      token: 'legacy', team_id: 'T1', channel_id: 'C2', user_id: 'UALICE', command: '/dba', text: 'tables',
      response_url: `${slack.url}/response/slash-1`, trigger_id: 'trig-1', api_app_id: 'A1',
    }).toString();
    const response = await postSigned(form, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    await expect.poll(() => slack.responses.filter((r) => r.id === 'slash-1').length, { timeout: 20_000 }).toBe(1);
    const answer = slack.responses.find((r) => r.id === 'slash-1')!.body;
    expect(answer.response_type).toBe('in_channel');
    expect(blocksText(answer.blocks)).toContain('public.orders');
    await expect.poll(() => slack.callsTo('files.completeUploadExternal').filter((call) => call.args.channel_id === 'C2').length, { timeout: 20_000 }).toBe(1);
  });

  it('downloads a shared log with the bot token, shows progress and replaces it with the analysis in the thread', async () => {
    slack.files.set('FLOG1', { id: 'FLOG1', name: 'light.postgres.log', content: readFileSync(corpusLog), channel: 'C3', ts: '1700000005.000600' });
    const body = JSON.stringify(eventEnvelope({ type: 'file_shared', file_id: 'FLOG1', user_id: 'UALICE', channel_id: 'C3', file: { id: 'FLOG1' }, event_ts: '1700000005.000700' }));
    expect((await postSigned(body)).status).toBe(200);
    await expect.poll(() => slack.callsTo('chat.update').filter((call) => call.args.channel === 'C3' && blocksText(call.args.blocks).includes('Log analysis')).length, { timeout: 30_000 }).toBe(1);
    expect(slack.downloads).toContainEqual({ fileId: 'FLOG1', authorization: `Bearer ${botToken}` });
    const progress = postedInThread('1700000005.000600')[0]!;
    expect(progress.args.text).toContain('Downloading *light.postgres.log*');
    const final = slack.callsTo('chat.update').find((call) => call.args.channel === 'C3' && blocksText(call.args.blocks).includes('Log analysis'))!;
    const edits = slack.callsTo('chat.update').filter((call) => call.args.channel === 'C3');
    expect(edits.every((call) => call.args.ts === progress.ts)).toBe(true);
    expect(edits.some((call) => String(call.args.text).includes('downloading'))).toBe(true);
    expect(edits.at(-1)).toBe(final);
    expect(blocksText(final.args.blocks)).toContain('light.postgres.log');
    expect(blocksText(final.args.blocks)).toContain('Top statements by total time');
  });

  it('analyses a gzip log sent in a direct message, fetching the file details it lacks, once even when file_shared follows', async () => {
    slack.files.set('FGZ1', { id: 'FGZ1', name: 'pg_vacuums.log.gz', content: readFileSync(new URL('../../../../shared/corpus/logs/pgbadger/pg_vacuums.log.gz', import.meta.url)), channel: 'D7', ts: '1700000013.001400' });
    const message = JSON.stringify(eventEnvelope({ type: 'message', subtype: 'file_share', channel_type: 'im', user: 'UALICE', text: '', ts: '1700000013.001400', channel: 'D7', event_ts: '1700000013.001400', files: [{ id: 'FGZ1', name: 'pg_vacuums.log.gz' }] }));
    await postSigned(message);
    await postSigned(JSON.stringify(eventEnvelope({ type: 'file_shared', file_id: 'FGZ1', user_id: 'UALICE', channel_id: 'D7', event_ts: '1700000013.001500' })));
    await expect.poll(() => slack.callsTo('chat.update').filter((call) => call.args.channel === 'D7' && blocksText(call.args.blocks).includes('Log analysis')).length, { timeout: 30_000 }).toBe(1);
    const final = blocksText(slack.callsTo('chat.update').find((call) => call.args.channel === 'D7' && blocksText(call.args.blocks).includes('Log analysis'))!.args.blocks);
    expect(final).toContain('pg_vacuums.log.gz');
    expect(final).toMatch(/\*Autovacuum\*: [1-9]/);
    expect(slack.downloads.filter((d) => d.fileId === 'FGZ1')).toHaveLength(1);
    expect(postedInThread('1700000013.001400')).toHaveLength(1);
  });

  it('refuses a log above PGDBA_UPLOAD_MAX_BYTES, by its declared size or while streaming', async () => {
    slack.files.set('FBIG1', { id: 'FBIG1', name: 'huge.log', content: Buffer.from('x'), reportedSize: 3 * 1024 * 1024, channel: 'C4', ts: '1700000006.000800' });
    slack.files.set('FBIG2', { id: 'FBIG2', name: 'liar.log', content: Buffer.alloc(3 * 1024 * 1024, 'a'), reportedSize: 100, channel: 'C4', ts: '1700000007.000900' });
    await postSigned(JSON.stringify(eventEnvelope({ type: 'file_shared', file_id: 'FBIG1', user_id: 'UALICE', channel_id: 'C4', event_ts: '1' })));
    await postSigned(JSON.stringify(eventEnvelope({ type: 'file_shared', file_id: 'FBIG2', user_id: 'UALICE', channel_id: 'C4', event_ts: '2' })));
    await expect.poll(() => postedInThread('1700000006.000800').length, { timeout: 20_000 }).toBe(1);
    expect(postedInThread('1700000006.000800')[0]!.args.text).toContain('*huge.log* is 3.0 MB; I analyse uploads up to 2.0 MB (PGDBA_UPLOAD_MAX_BYTES)');
    expect(slack.downloads.map((d) => d.fileId)).not.toContain('FBIG1');
    await expect.poll(() => slack.callsTo('chat.update').filter((call) => blocksText(call.args.blocks).includes('*liar.log* is too large')).length, { timeout: 20_000 }).toBe(1);
  });

  it('acknowledges a button click and edits the clicked message with the result, uploading its chart into the thread', async () => {
    const clicked = {
      type: 'block_actions',
      user: { id: 'UBOB', name: 'bob' },
      api_app_id: 'A1',
      token: 'legacy',
      container: { type: 'message', message_ts: '1700000008.001000', channel_id: 'C5', is_ephemeral: false },
      trigger_id: 'trig-2',
      team: { id: 'T1', domain: 'acme' },
      channel: { id: 'C5', name: 'dba' },
      message: {
        type: 'message', ts: '1700000008.001000', text: 'Findings',
        blocks: [
          { type: 'section', block_id: 'b1', text: { type: 'mrkdwn', text: 'Finding: orders grows fast' } },
          { type: 'actions', block_id: 'b2', elements: [{ type: 'button', action_id: 'pgdba:largest_tables:0', text: { type: 'plain_text', text: 'Show sizes' }, value: '{"limit":1}' }] },
        ],
      },
      actions: [{ type: 'button', action_id: 'pgdba:largest_tables:0', block_id: 'b2', text: { type: 'plain_text', text: 'Show sizes' }, value: '{"limit":1}', action_ts: '1700000009.1' }],
    };
    const form = new URLSearchParams({ payload: JSON.stringify(clicked) }).toString();
    const response = await postSigned(form, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    await expect.poll(() => slack.callsTo('chat.update').filter((call) => call.args.ts === '1700000008.001000').length, { timeout: 20_000 }).toBe(1);
    const update = slack.callsTo('chat.update').find((call) => call.args.ts === '1700000008.001000')!;
    const text = blocksText(update.args.blocks);
    expect(text).toContain('Finding: orders grows fast');
    expect(text).toContain('<@UBOB> clicked *Show sizes*');
    expect(text).toContain('public.orders');
    expect(text).not.toContain('public.customers');
    // The clicked button is gone; the buttons of the result (Describe …) take its place.
    const buttonsAfter = (update.args.blocks as { type: string; elements?: { text: { text: string } }[] }[]).flatMap((block) => (block.type === 'actions' ? block.elements ?? [] : []));
    expect(buttonsAfter.map((button) => button.text.text)).toEqual(['Describe public.orders']);
    expect(postedInThread('1700000008.001000')).toEqual([]);
    await expect.poll(() => slack.callsTo('files.completeUploadExternal').filter((call) => call.args.thread_ts === '1700000008.001000').length, { timeout: 20_000 }).toBe(1);
  });

  it('a Dismiss click edits the message to say who dismissed it, without running anything', async () => {
    const clicked = {
      type: 'block_actions', user: { id: 'UBOB' }, api_app_id: 'A1', token: 'legacy', trigger_id: 't',
      container: { type: 'message', message_ts: '1700000010.001100', channel_id: 'C5' }, channel: { id: 'C5' }, team: { id: 'T1' },
      message: { type: 'message', ts: '1700000010.001100', text: 'x', blocks: [{ type: 'actions', block_id: 'b', elements: [] }] },
      actions: [{ type: 'button', action_id: 'pgdba:dismiss:0', block_id: 'b', text: { type: 'plain_text', text: 'Dismiss' }, value: 'x', action_ts: '1' }],
    };
    await postSigned(new URLSearchParams({ payload: JSON.stringify(clicked) }).toString(), 'application/x-www-form-urlencoded');
    await expect.poll(() => slack.callsTo('chat.update').filter((call) => call.args.ts === '1700000010.001100').length, { timeout: 20_000 }).toBe(1);
    expect(blocksText(slack.callsTo('chat.update').find((call) => call.args.ts === '1700000010.001100')!.args.blocks)).toContain('Dismissed by <@UBOB>.');
  });

  it('a click on a tool button with a bare id payload runs that tool with {id} (dismiss_recommendation against the store)', async () => {
    const clicked = {
      type: 'block_actions', user: { id: 'UBOB' }, api_app_id: 'A1', token: 'legacy', trigger_id: 't',
      container: { type: 'message', message_ts: '1700000014.001600', channel_id: 'C5' }, channel: { id: 'C5' }, team: { id: 'T1' },
      message: { type: 'message', ts: '1700000014.001600', text: 'x', blocks: [{ type: 'actions', block_id: 'b', elements: [] }] },
      actions: [{ type: 'button', action_id: 'pgdba:dismiss_recommendation:0', block_id: 'b', text: { type: 'plain_text', text: 'Dismiss rec-0badc0de' }, value: 'rec-0badc0de', action_ts: '1' }],
    };
    await postSigned(new URLSearchParams({ payload: JSON.stringify(clicked) }).toString(), 'application/x-www-form-urlencoded');
    await expect.poll(() => slack.callsTo('chat.update').filter((call) => call.args.ts === '1700000014.001600').length, { timeout: 20_000 }).toBe(1);
    const text = blocksText(slack.callsTo('chat.update').find((call) => call.args.ts === '1700000014.001600')!.args.blocks);
    expect(text).toContain('<@UBOB> clicked *Dismiss rec-0badc0de*');
    expect(text).toContain('rec-0badc0de');
    expect(text).not.toContain('not stored in this setup');
  });

  it('waits out a 429 (Retry-After) and still delivers the reply', async () => {
    slack.rateLimited.set('chat.postMessage', 1);
    const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UALICE', text: `<@${botUserId}> help`, ts: '1700000011.001200', channel: 'C6', event_ts: '1700000011.001200' }));
    await postSigned(body);
    await expect.poll(() => postedInThread('1700000011.001200').length, { timeout: 20_000 }).toBe(2);
    const [limited, delivered] = postedInThread('1700000011.001200');
    expect(delivered!.at - limited!.at).toBeGreaterThanOrEqual(900);
  });

  it('logs a reply Slack refuses, with its channel and thread, instead of losing it silently', async () => {
    slack.unreachableChannels.add('CGONE');
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UALICE', text: `<@${botUserId}> help`, ts: '1700000012.001300', channel: 'CGONE', event_ts: '1700000012.001300' }));
      await postSigned(body);
      await expect.poll(() => written.join(''), { timeout: 20_000 }).toContain('slack: could not post the reply to CGONE thread 1700000012.001300 (answer to "help")');
      expect(written.join('')).toContain('channel_not_found');
      expect(written.join('')).not.toContain(botToken);
    } finally {
      spy.mockRestore();
    }
  });
});
