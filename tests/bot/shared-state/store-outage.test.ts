/**
 * Redis failing under a running pgdba, on a private redis-server this file stops and restarts:
 * a click or a change request while it is down gets a clear reply (never a hang, a crash or a
 * misleading "no such request"), nothing is executed, and pgdba works again once Redis is back.
 * And `pgdba serve` (a real process) with a Redis it cannot use stops at start-up with a clear
 * message; with one it can use, it serves and exits cleanly on SIGTERM (no connection left open).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import type { Asker } from '../../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { freePort } from '../../setup/free-port.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';

const alice: Asker = { platform: 'slack', id: 'UALICE', name: 'alice' };
const bob: Asker = { platform: 'slack', id: 'UBOB', name: 'bob' };

let scratch: ScratchDatabase;
let redis: RedisServer;
let app: AssistantApp;
const serveProcesses: ChildProcess[] = [];

function text(answer: { reply: { blocks: unknown[] } }): string {
  return JSON.stringify(answer.reply.blocks);
}

async function indexCount(): Promise<number> {
  return (await scratch.admin.query<{ n: number }>("select count(*)::int as n from pg_indexes where tablename = 'orders'")).rows[0]!.n;
}

beforeAll(async () => {
  scratch = await createScratchDatabase('pgdba_outage');
  await scratch.admin.query('create table orders (id bigint primary key, note text); insert into orders select g, md5(g::text) from generate_series(1, 1000) g;');
  redis = await startRedisServer();
  app = await createAssistantApp(loadConfig({ DATABASE_URL: scratch.url, PGDBA_STORE_URL: redis.url, PGDBA_APPROVERS: 'slack:UBOB' }), { log: () => undefined });
});

afterAll(async () => {
  // A failed test must not leave a `pgdba serve` behind.
  serveProcesses.filter((child) => child.exitCode === null && child.signalCode === null).forEach((child) => child.kill('SIGKILL'));
  await app?.close();
  await redis?.stop();
  await scratch?.drop();
});

describe('Redis outage while pgdba serves', () => {
  it('answers a click and a change request with a clear reply while Redis is down, executes nothing, and recovers', async () => {
    const created = await app.assistant.ask({ question: 'apply: create index concurrently orders_note_idx on orders (note)', user: alice });
    const requestId = (created.data as { requestId: string }).requestId;
    await redis.stop();

    const click = await app.assistant.handleAction({ id: 'approval', payload: `pgdba-approval:approve:${requestId}` }, { user: bob });
    expect(click.ok).toBe(false);
    expect(click.error?.kind).toBe('connection');
    expect(text(click)).toContain(`The shared state store redis://127.0.0.1:${redis.port} is unavailable (`);
    expect(text(click)).toContain('so this action was not completed. pgdba reconnects by itself: try again in a moment');
    expect(text(click)).not.toContain('There is no change request');

    const request = await app.assistant.ask({ question: 'apply: create index concurrently orders_id_note_idx on orders (id, note)', user: alice });
    expect(request.ok).toBe(false);
    expect(text(request)).toContain('The shared state store redis://127.0.0.1:');
    expect(await indexCount()).toBe(1);

    // The test server keeps nothing on disk, so the request is gone with it: ask again once it is back.
    redis = await startRedisServer({ port: redis.port });
    await expect.poll(() => app.approvals.list().then(() => 'reachable', () => 'down'), { interval: 50, timeout: 10_000 }).toBe('reachable');
    const again = await app.assistant.ask({ question: 'apply: create index concurrently orders_note_idx on orders (note)', user: alice });
    const approved = await app.assistant.handleAction({ id: 'approval', payload: `pgdba-approval:approve:${(again.data as { requestId: string }).requestId}` }, { user: bob });
    expect((approved.data as { outcome: string }).outcome).toBe('executed');
    expect(await indexCount()).toBe(2);
  });
});

interface ServeProcess {
  child: ChildProcess;
  stderr(): string;
  /** Resolves when stderr has printed a line matching `pattern`. */
  printed(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

/** `pgdba serve` from source (tsx) as its own process, as an operator starts a replica. */
function serve(env: Record<string, string>): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--web'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: scratch.url, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  serveProcesses.push(child);
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    waiters.filter((waiter) => waiter.pattern.test(stderr)).forEach((waiter) => waiter.resolve());
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    printed: (pattern) => (pattern.test(stderr) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pattern, resolve }))),
    exited,
  };
}

// A real process started through tsx takes tens of seconds on a loaded two-core machine.
const processStart = { timeout: 120_000 };

describe('pgdba serve and its Redis', () => {
  it('stops at start-up with exit code 2 and says why, without the password', processStart, async () => {
    const port = await freePort();
    const server = serve({ PGDBA_STORE_URL: `redis://:do-not-log-me@127.0.0.1:${port}/0`, PORT: String(await freePort()) });
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toContain(`pgdba serve: PGDBA_STORE_URL: cannot use Redis at redis://127.0.0.1:${port}/0: connection refused: is Redis running on that host and port?`);
    expect(server.stderr()).not.toContain('do-not-log-me');
  });

  it('serves with a reachable Redis and exits cleanly on SIGTERM, leaving no connection open', processStart, async () => {
    const port = await freePort();
    const server = serve({ PGDBA_STORE_URL: redis.url, PORT: String(port) });
    await server.printed(/pgdba serve: listening on/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('pgdba serve: stopping.');
  });
});
