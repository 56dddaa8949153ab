import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source (tsx) as a user would run the built binary. */
function pgdba(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pgdba command line', () => {
  let scratch: ScratchDatabase;
  const outputDir = mkdtempSync(join(tmpdir(), 'pgdba-cli-'));

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query('create table accounts as select g as id from generate_series(1, 1000) g; analyze accounts;');
  });
  afterAll(async () => scratch?.drop());

  it('explains an unreachable database in one paragraph, exit 1, no stack trace', async () => {
    const run = await pgdba(['ask', 'health'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Connection refused on 127.0.0.1:1');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('stops on a malformed setting, naming it with an example, exit 2', async () => {
    const run = await pgdba(['ask', 'health'], { PGDBA_STATEMENT_TIMEOUT_MS: 'forever' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PGDBA_STATEMENT_TIMEOUT_MS must be a number of milliseconds');
    expect(run.stderr).toContain('PGDBA_STATEMENT_TIMEOUT_MS=15000');
  });

  it('answers --format json with the tool data and image files', async () => {
    const run = await pgdba(['ask', 'tables', '--format', 'json'], { DATABASE_URL: scratch.url, PGDBA_OUTPUT_DIR: outputDir });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { ok: boolean; tool: string; data: { tables: { table: string }[] }; reply: { type: string; file?: string }[] };
    expect(json).toMatchObject({ ok: true, tool: 'largest_tables' });
    expect(json.data.tables.map((t) => t.table)).toEqual(['accounts']);
    expect(json.reply.find((block) => block.type === 'image')?.file).toBe(join(outputDir, 'largest-tables.png'));
  });

  it('exits 2 with help for an unknown question', async () => {
    const run = await pgdba(['ask', 'make', 'coffee'], { DATABASE_URL: scratch.url });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('I did not understand "make coffee"');
  });

  it('exits 2 on an unknown command', async () => {
    const run = await pgdba(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });
});
