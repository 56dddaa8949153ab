import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { registerAdviseCommand } from '../../../src/engine/advisor/cli.js';
import { runCommand } from '../../helpers/run-command.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

describe('pgdba advise', () => {
  let scratch: ScratchDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'pgdba-advise-'));

  beforeAll(async () => {
    expect(inject('hypopgAvailable'), 'the test server needs hypopg').toBe(true);
    scratch = await createScratchDatabase('pgdba_advise_cli');
    await scratch.admin.query(`create extension hypopg;
      create table orders (id int primary key, customer_id int not null, status text not null);
      insert into orders select g, g % 3000, case when g % 50 = 0 then 'open' else 'done' end from generate_series(1, 30000) g; analyze;`);
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
    runCommand((program) => registerAdviseCommand(program, (url) => TargetDatabase.connect(url ?? scratch.url)), ['advise', ...args]);

  it('advises on a workload file and exits 1 because it found something', async () => {
    const file = join(dir, 'workload.sql');
    writeFileSync(file, "select * from orders where customer_id = 7;\nselect count(*) from orders where status = 'open';\n");
    const { out, code } = await run('--workload', file, '--format', 'json');
    expect(code).toBe(1);
    const data = JSON.parse(out);
    expect(data.queries).toHaveLength(2);
    expect(data.recommendations[0].sql).toBe('CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);');
  });

  it('prints text advice for one query', async () => {
    const { out } = await run('select * from orders where customer_id = 7');
    expect(out).toContain('CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);');
    expect(out).toContain('rollback: DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx;');
  });

  it('exits 2 on bad usage with what to do', async () => {
    expect(await run()).toMatchObject({ code: 2, err: expect.stringMatching(/exactly one of/) });
    expect(await run('--workload', join(dir, 'missing.sql'))).toMatchObject({ code: 2, err: expect.stringMatching(/does not exist/) });
    expect(await run('select 1', '--max-indexes', 'many')).toMatchObject({ code: 2, err: expect.stringMatching(/--max-indexes/) });
  });
});
