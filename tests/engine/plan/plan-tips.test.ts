import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { explainQuery, type ExplainResult, type TipKind } from '../../../src/engine/plan/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

const settings = { statementTimeoutMs: 30_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000, poolSize: 2 };
const tipOf = (result: ExplainResult, kind: TipKind) => result.tips.find((t) => t.kind === kind);

describe('plan tips on planted plans', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tips');
    // Small work_mem makes sorts, hashes and bitmaps spill; no autovacuum keeps statistics as planted.
    await scratch.admin.query(`alter database ${scratch.name} set work_mem = '64kB'; alter database ${scratch.name} set enable_mergejoin = off;
      alter database ${scratch.name} set max_parallel_workers_per_gather = 0;
      create table big (id int primary key, a int not null, b int not null, kind text not null, payload text) with (autovacuum_enabled = off);
      insert into big select g, g % 40, g % 1000, case when g % 200 = 0 then 'rare' else 'common' end, md5(g::text) from generate_series(1, 100000) g;
      create index big_a on big (a);
      create index big_kind on big (kind);
      create table small (id int primary key) with (autovacuum_enabled = off);
      insert into small select g from generate_series(1, 20000) g;
      create table stale (id int, v int) with (autovacuum_enabled = off);
      insert into stale select g, g from generate_series(1, 1000) g;
      analyze;
      insert into stale select g, 1 from generate_series(1, 60000) g;
      select pg_stat_force_next_flush();`);
    target = await TargetDatabase.connect(scratch.url, settings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('flags a sequential scan that discards most rows, and the node as hot', async () => {
    const result = await explainQuery(target, "select * from big where payload = 'nothing'", { analyze: true });
    expect(tipOf(result, 'seq-scan-filter')).toMatchObject({ severity: 'critical', node: 'Seq Scan on big', nodeId: 0 });
    const counted = await explainQuery(target, "select count(*) from big where payload = 'nothing'", { analyze: true });
    expect(tipOf(counted, 'hot-node')).toMatchObject({ node: 'Seq Scan on big', severity: 'warning' });
    expect(tipOf(result, 'seq-scan-filter')?.title).toMatch(/discards 100 % of the rows/);
  });

  it('flags a 1000× row misestimate and the stale statistics behind it', async () => {
    await expect.poll(async () => (await scratch.admin.query("select n_mod_since_analyze::int as n from pg_stat_user_tables where relname = 'stale'")).rows[0].n, { timeout: 15_000 }).toBeGreaterThanOrEqual(60_000);
    const result = await explainQuery(target, 'select * from stale where v = 1', { analyze: true });
    expect(tipOf(result, 'row-misestimate')?.severity).toBe('critical');
    expect(tipOf(result, 'stale-statistics')).toMatchObject({ severity: 'warning', node: 'Seq Scan on stale' });
  });

  it('flags sorts and hashes that spill to disk', async () => {
    const sorted = await explainQuery(target, 'select * from big order by payload', { analyze: true });
    expect(tipOf(sorted, 'sort-spill')?.title).toMatch(/Sort spilled to disk \(external/);
    const hashed = await explainQuery(target, 'select count(*) from big x join big y on x.payload = y.payload', { analyze: true });
    expect(tipOf(hashed, 'hash-spill')?.title).toMatch(/Hash split into \d+ batches/);
  });

  it('flags a large OFFSET', async () => {
    const result = await explainQuery(target, 'select * from big order by id offset 50000 limit 10');
    expect(tipOf(result, 'large-offset')).toMatchObject({ node: 'Limit' });
  });

  it('flags functions and casts on indexed columns', async () => {
    const fn = await explainQuery(target, "select * from big where lower(kind) = 'rare'");
    expect(tipOf(fn, 'function-on-indexed-column')?.title).toMatch(/lower\(\) on indexed column big\.kind hides index big_kind/);
    const cast = await explainQuery(target, "select * from big where a::text = '5'");
    expect(tipOf(cast, 'function-on-indexed-column')?.title).toMatch(/Cast ::text on indexed column big\.a hides index big_a/);
  });

  it('flags an index scan that throws away most of what it finds, and lossy bitmaps', async () => {
    const result = await explainQuery(target, 'select * from big where a = 7 and b = 7', { analyze: true });
    expect(tipOf(result, 'inefficient-index-scan')?.node).toMatch(/on big/);
    const lossy = await explainQuery(target, 'select * from big where a in (1, 2, 3, 4, 5, 6, 7, 8)', { analyze: true });
    expect(tipOf(lossy, 'lossy-bitmap')?.node).toBe('Bitmap Heap Scan on big');
  });

  it('flags an index-only scan that still visits the table', async () => {
    const result = await explainQuery(target, 'select count(id) from big where id < 50000', { analyze: true });
    expect(tipOf(result, 'index-only-heap-fetches')?.title).toMatch(/visited the table for 49,999 rows/);
  });

  it('flags a nested loop that runs its inner side thousands of times', async () => {
    const result = await explainQuery(
      target,
      'select * from small s cross join lateral (select payload from big where big.id = s.id order by payload limit 1) x',
      { analyze: true },
    );
    expect(tipOf(result, 'nested-loop-many-loops')?.title).toMatch(/runs its inner side 20,000 times/);
  });
});

describe('plan tips from server settings', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tips_settings');
    // JIT for every query, and parallel plans that can get no workers.
    await scratch.admin.query(`alter database ${scratch.name} set jit_above_cost = 0; alter database ${scratch.name} set jit_optimize_above_cost = 0;
      alter database ${scratch.name} set jit_inline_above_cost = 0; alter database ${scratch.name} set max_parallel_workers = 0;
      alter database ${scratch.name} set parallel_setup_cost = 0; alter database ${scratch.name} set parallel_tuple_cost = 0;
      alter database ${scratch.name} set min_parallel_table_scan_size = 0;
      create table t (id int, v int); insert into t select g, g % 10 from generate_series(1, 2000) g; analyze t;`);
    target = await TargetDatabase.connect(scratch.url, settings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('flags JIT compilation that costs more than the query and workers that never started', async () => {
    const result = await explainQuery(target, 'select v, count(*) from t group by v', { analyze: true });
    expect(result.plan.jit?.functions).toBeGreaterThan(0);
    expect(tipOf(result, 'jit-time')?.title).toMatch(/JIT compilation took/);
    expect(tipOf(result, 'workers-not-launched')?.title).toMatch(/Only 0 of \d parallel workers started/);
  });
});
