/**
 * `pgdba serve` (a real process) stops on SIGTERM even when a chat API it talks to is
 * unreachable: the Slack Web API client keeps retrying its start-up call for minutes, and an
 * orchestrator's SIGTERM must not wait for that.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';
import { freePort } from '../setup/free-port.js';

let scratch: ScratchDatabase;

beforeAll(async () => {
  scratch = await createScratchDatabase('pgdba_serve_shutdown');
});

afterAll(async () => {
  await scratch.drop();
});

describe('pgdba serve on SIGTERM', () => {
  it('exits with code 0 while the Slack Web API is unreachable', { timeout: 120_000 }, async () => {
    const [port, closedPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: scratch.url,
        PGDBA_STORE_URL: 'memory:',
        PORT: String(port),
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'test-secret',
        // Nothing listens there: every Web API call fails and is retried.
        SLACK_API_URL: `http://127.0.0.1:${closedPort}/api/`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const listening = new Promise<void>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('pgdba serve: listening on')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code, signal) => {
      stderr += `(closed: code ${code}, signal ${signal})`;
      resolve(code);
    }));
    try {
      await listening;
      child.kill('SIGTERM');
      const code = await exited;
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('pgdba serve: stopping.');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
