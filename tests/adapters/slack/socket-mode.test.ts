/**
 * Slack over Socket Mode: the adapter asks the (fake) Web API for a connection URL, connects to
 * a local WebSocket server, acknowledges each envelope and answers in the thread.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { listenChatServer, type ChatServer } from '../../../src/adapters/server/http-server.js';
import { SlackAdapter } from '../../../src/adapters/slack/slack-adapter.js';
import { loadConfig } from '../../../src/config.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { blocksText, botToken, botUserId, eventEnvelope, startFakeSlack, type FakeSlack } from './fake-slack.js';

let database: ScratchDatabase;
let slack: FakeSlack;
let sockets: WebSocketServer;
let app: AssistantApp;
let server: ChatServer;
const received: unknown[] = [];
let connection: WebSocket | undefined;

beforeAll(async () => {
  database = await createScratchDatabase('pgdba_socket');
  await database.admin.query('create table invoices (id int primary key, total numeric); insert into invoices select g, g from generate_series(1, 1000) g; analyze');
  slack = await startFakeSlack();
  sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => sockets.once('listening', () => resolve()));
  slack.socketUrl = `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/link`;
  sockets.on('connection', (socket) => {
    connection = socket;
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'local' }, connection_info: { app_id: 'A1' } }));
  });
  const config = loadConfig({ DATABASE_URL: database.url, SLACK_BOT_TOKEN: botToken, SLACK_APP_TOKEN: 'xapp-1-A1-123-faketoken', SLACK_API_URL: slack.apiUrl });
  app = await createAssistantApp(config);
  const adapter = new SlackAdapter({ assistant: app.assistant, config });
  server = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [adapter] });
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  await app?.close();
  for (const client of sockets?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (sockets ? sockets.close(() => resolve()) : resolve()));
  await slack?.close();
  await database?.drop();
});

it('connects through apps.connections.open with the app token, acks the envelope and answers the mention in its thread', async () => {
  const open = slack.callsTo('apps.connections.open');
  expect(open).toHaveLength(1);
  expect(open[0]!.authorization).toBe('Bearer xapp-1-A1-123-faketoken');
  const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
  expect(await health.json()).toEqual({ status: 'ok', adapters: [{ name: 'slack', transport: 'socket-mode' }] });
  // HTTP events are not served in Socket Mode.
  expect((await fetch(`http://127.0.0.1:${server.port}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);

  connection!.send(
    JSON.stringify({
      envelope_id: 'env-1',
      type: 'events_api',
      accepts_response_payload: false,
      payload: eventEnvelope({ type: 'app_mention', user: 'UALICE', text: `<@${botUserId}> biggest tables`, ts: '1700000100.000100', channel: 'C9', event_ts: '1700000100.000100' }),
    }),
  );
  await expect.poll(() => received, { timeout: 20_000 }).toContainEqual(expect.objectContaining({ envelope_id: 'env-1' }));
  await expect.poll(() => slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === '1700000100.000100').length, { timeout: 20_000 }).toBe(1);
  const reply = slack.callsTo('chat.postMessage').find((call) => call.args.thread_ts === '1700000100.000100')!;
  expect(reply.authorization).toBe(`Bearer ${botToken}`);
  expect(blocksText(reply.args.blocks)).toContain('public.invoices');
});
