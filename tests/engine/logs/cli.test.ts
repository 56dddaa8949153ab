/** `pgdba logs analyze`: JSON contract of DESIGN.md, text summary, exit code 2 on bad input. */
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerLogsCommand } from '../../../src/engine/logs/cli.js';
import { corpus } from './corpus.js';

async function runCli(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command().name('pgdba').exitOverride();
  registerLogsCommand(program);
  try {
    await program.parseAsync(['node', 'pgdba', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = process.exitCode === undefined ? undefined : Number(process.exitCode);
  return { stdout, stderr, exitCode };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('pgdba logs analyze', () => {
  it('prints the JSON contract', async () => {
    const { stdout, exitCode } = await runCli(['logs', 'analyze', join(corpus, 'pgbadger/light.postgres.log'), '--format', 'json']);
    expect(exitCode).toBeUndefined();
    const json = JSON.parse(stdout) as Record<string, unknown> & { summary: Record<string, unknown>; queries: Record<string, unknown>[]; events: Record<string, unknown> };
    expect(Object.keys(json.summary)).toEqual(expect.arrayContaining(['lines', 'bytes', 'first', 'last', 'format']));
    expect(Object.keys(json.queries[0]!)).toEqual(expect.arrayContaining(['fingerprint', 'query', 'calls', 'total_ms', 'mean_ms', 'p95_ms', 'max_ms', 'example']));
    expect(Object.keys(json.events)).toEqual(expect.arrayContaining(['checkpoints', 'autovacuum', 'autoanalyze', 'lock_waits', 'deadlocks', 'temp_files', 'connections', 'disconnections']));
    expect(json.summary.lines).toBe(630);
  });

  it('prints a readable summary by default', async () => {
    const { stdout } = await runCli(['logs', 'analyze', join(corpus, 'pgbadger/light.postgres.log')]);
    expect(stdout).toContain('629 statement executions');
    expect(stdout).toContain('Top 7 statements by total time');
  });

  it('exits 2 with a clear message when a file cannot be read', async () => {
    const { stderr, exitCode } = await runCli(['logs', 'analyze', '/nonexistent/postgresql.log']);
    expect(exitCode).toBe(2);
    expect(stderr).toBe('Cannot read /nonexistent/postgresql.log: no such file. Check the path and that this user may read it.\n');
  });

  it('exits 2 on a bad --jobs; --jobs 1 reads in one pass', async () => {
    const bad = await runCli(['logs', 'analyze', join(corpus, 'dexter/queries.log'), '--jobs', '0']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--jobs '0' must be a whole number from 1 to 64");
    process.exitCode = undefined;
    const one = await runCli(['logs', 'analyze', join(corpus, 'pgbadger/light.postgres.log'), '--format', 'json', '--jobs', '1']);
    expect(one.exitCode).toBeUndefined();
    expect((JSON.parse(one.stdout) as { summary: { workers: number } }).summary.workers).toBe(0);
  });

  it('exits 2 on a bad --since', async () => {
    const { stderr, exitCode } = await runCli(['logs', 'analyze', join(corpus, 'dexter/queries.log'), '--since', 'yesterday-ish']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain("--since 'yesterday-ish' is not a date and time");
  });
});
