/** The shared HTTP server of `pgdba serve`: readiness, routing to adapters, unknown paths. */
import { afterAll, expect, it, vi } from 'vitest';
import type { Adapter } from '../../../src/adapters/adapter.js';
import { listenChatServer, type ChatServer } from '../../../src/adapters/server/http-server.js';

let server: ChatServer | undefined;

afterAll(async () => {
  await server?.stop();
});

it('answers /healthz 503 until every adapter started, then 200; routes by exact path and method', async () => {
  let release!: () => void;
  const started = new Promise<void>((resolve) => (release = resolve));
  const events: string[] = [];
  const adapter: Adapter = {
    name: 'echo',
    transport: 'http',
    routes: [{ method: 'POST', path: '/echo/events', handle: (_request, response) => void response.writeHead(202).end('got it') }],
    start: async () => {
      events.push('start');
      await started;
    },
    stop: async () => {
      events.push('stop');
    },
  };
  server = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [adapter] });
  const base = `http://127.0.0.1:${server.port}`;
  const starting = server.start();
  expect((await fetch(`${base}/healthz`)).status).toBe(503);
  release();
  await starting;
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', adapters: [{ name: 'echo', transport: 'http' }] });
  const routed = await fetch(`${base}/echo/events?x=1`, { method: 'POST', body: '{}' });
  expect([routed.status, await routed.text()]).toEqual([202, 'got it']);
  expect((await fetch(`${base}/echo/events`)).status).toBe(405);
  expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  await server.stop();
  server = undefined;
  expect(events).toEqual(['start', 'stop']);
});

it('warms up after the adapters started and before /healthz reports ready; a failed warm-up is logged, not fatal', async () => {
  const events: string[] = [];
  const adapter: Adapter = { name: 'quiet', transport: 'http', routes: [], start: async () => void events.push('adapter started'), stop: async () => undefined };
  let finishWarmUp!: () => void;
  const warming = new Promise<void>((resolve) => (finishWarmUp = resolve));
  server = await listenChatServer({
    port: 0,
    host: '127.0.0.1',
    adapters: [adapter],
    warmUp: async () => {
      events.push('warm-up started');
      await warming;
    },
  });
  const starting = server.start();
  await vi.waitFor(() => expect(events).toEqual(['adapter started', 'warm-up started']));
  expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(503);
  finishWarmUp();
  await starting;
  expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  await server.stop();

  const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  server = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [], warmUp: () => Promise.reject(new Error('connection refused')) });
  await server.start();
  const log = logged.mock.calls.map(([line]) => String(line)).join('');
  logged.mockRestore();
  expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  expect(log).toContain('warming up failed; questions will open the database when they need it: Error: connection refused');
  await server.stop();
  server = undefined;
});
