/**
 * Vitest global setup: a throw-away Redis for the tests of state shared by replicas.
 *
 * Started with this machine's `redis-server` on a free loopback port, in a temp dir, with
 * persistence off (`--save "" --appendonly no`), and stopped at the end; never the machine's own
 * Redis. Tests get a database of their own with `redisTestUrl()` (tests/helpers/redis.ts), and
 * can start private servers with `startRedisServer` (to stop one mid-run, or to set a password).
 *
 * Without `redis-server` the URL is empty and `redisUnavailableReason` says why; tests then fail
 * with that reason (never a silent skip), and under CI=true the whole run fails at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT of the shared throw-away server ('' when none could be started). */
    redisUrl: string;
    redisUnavailableReason: string;
  }
}

/** How many databases the shared server has: each test file takes its own. */
export const redisDatabases = 1024;

export const missingRedisReason = 'No redis-server for the shared-state tests: install it (apt-get install redis-server); .ci/run does.';

export function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  return dirs.map((dir) => join(dir, 'redis-server')).find((path) => existsSync(path));
}

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT (with the password when one was set). */
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered. */
  freeze(): void;
  thaw(): void;
}

export interface RedisServerOptions {
  /** Reuse a port (restart after `stop()`); default a free one. */
  port?: number;
  /** Require this password (`--requirepass`). */
  password?: string;
}

/** Starts a throw-away redis-server and resolves once it accepts connections. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error(missingRedisReason);
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'pgdba-test-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--databases', String(redisDatabases), '--daemonize', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await ready(child, port);
  return {
    port,
    url: options.password ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
  };
}

function ready(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining so the server never blocks on a full pipe
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new Error(`redis-server could not start: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited (${code}) before accepting connections:\n${output.slice(-2000)}`)));
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!findRedisServer()) {
    if (process.env.CI === 'true') throw new Error(missingRedisReason);
    project.provide('redisUrl', '');
    project.provide('redisUnavailableReason', missingRedisReason);
    return async () => undefined;
  }
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  project.provide('redisUnavailableReason', '');
  return () => server.stop();
}
