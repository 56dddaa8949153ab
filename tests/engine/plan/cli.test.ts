import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { registerExplainCommand } from '../../../src/engine/plan/cli.js';
import { runCommand } from '../../helpers/run-command.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

describe('pgdba explain', () => {
  let scratch: ScratchDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'pgdba-explain-'));

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_explain_cli');
    await scratch.admin.query('create table t (id int primary key, v int); insert into t select g, g % 10 from generate_series(1, 1000) g; analyze t;');
  });
  afterAll(async () => {
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  const run = (...args: string[]) =>
    runCommand((program) => registerExplainCommand(program, (url) => TargetDatabase.connect(url ?? scratch.url)), ['explain', ...args]);

  it('prints JSON with the plan tree and tips', async () => {
    const { out, code } = await run('select * from t where v = 3', '--analyze', '--format', 'json');
    expect(code).toBe(0);
    const data = JSON.parse(out);
    expect(data.plan.root).toMatchObject({ nodeType: 'Seq Scan', relation: 't', actual: { rows: 100 } });
    expect(data.summary).toMatch(/execution/);
  });

  it('prints the text tree, and writes a PNG to --output', async () => {
    const text = await run('select * from t where id = 5');
    expect(text.out).toContain('Index Scan using t_pkey on t');
    const file = join(dir, 'plan.png');
    const png = await run('select * from t where id = 5', '--format', 'png', '--output', file);
    expect(png.code).toBe(0);
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
  });

  it('exits 2 with the reason for bad SQL, a refused ANALYZE, or a bad format', async () => {
    expect(await run('selec 1')).toMatchObject({ code: 2, err: expect.stringMatching(/does not parse/) });
    expect(await run('delete from t', '--analyze')).toMatchObject({ code: 2, err: expect.stringMatching(/guarded path/) });
    expect(await run('select 1', '--format', 'yaml')).toMatchObject({ code: 2, err: expect.stringMatching(/--format must be json, text or png/) });
  });
});
