import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerInsightsCommand } from '../../../../src/engine/db/inspections/cli.js';
import type { HealthReport } from '../../../../src/engine/db/inspections/types.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';

describe('pgdba insights', () => {
  let scratch: ScratchDatabase;
  let output: string;

  function program(): Command {
    const root = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    registerInsightsCommand(root, (url) => TargetDatabase.connect(url ?? scratch.url));
    return root;
  }

  async function run(...args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
    output = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += String(chunk);
      return true;
    });
    try {
      await program().parseAsync(['node', 'pgdba', 'insights', ...args]);
    } finally {
      write.mockRestore();
    }
    const exitCode = process.exitCode === undefined ? undefined : Number(process.exitCode);
    return { stdout: output, exitCode };
  }

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_cli');
    await scratch.admin.query(`create table clean (id int primary key)`);
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('exits 0 with no warnings and prints JSON findings', async () => {
    const { stdout, exitCode } = await run('--format', 'json', '--only', 'indexes,tables');
    const report = JSON.parse(stdout) as HealthReport;
    expect(report.summary).toMatchObject({ critical: 0, warning: 0 });
    expect(exitCode).toBe(0);
  });

  it('exits 1 when a warning is found, and says what and how to fix it in text', async () => {
    await scratch.admin.query(`create table heap (v int)`);
    const { stdout, exitCode } = await run('--database-url', scratch.url, '--only', 'tables');
    expect(stdout).toContain('[WARNING] no_primary_key: public.heap');
    expect(stdout).toContain('ALTER TABLE public.heap ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY');
    expect(exitCode).toBe(1);
  });

  it('rejects a bad format or family as bad usage', async () => {
    await expect(run('--format', 'xml')).rejects.toBeInstanceOf(CommanderError);
    await expect(run('--only', 'vibes')).rejects.toThrow(/unknown check family "vibes"/);
  });
});
