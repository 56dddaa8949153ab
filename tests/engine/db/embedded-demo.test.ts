import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Bot } from '../../../src/bot/bot.js';
import { startEmbeddedDemo, type EmbeddedDemo } from '../../../src/engine/db/embedded/demo-database.js';
import { demoImagePath } from '../../../src/engine/db/embedded/demo-image.js';
import { demoSchemaVersion } from '../../../src/engine/db/embedded/demo-schema.js';
import { targetOpener, type TargetOpener } from '../../../src/engine/db/open-target.js';
import { defaultSessionSettings, TargetDatabase } from '../../../src/engine/db/target-database.js';
import { closeWritableSession, openWritableSession, runWritable } from '../../../src/engine/execute/writable-session.js';
import { tools } from '../../../src/tools/registry.js';

// The embedded demo is PGlite (PostgreSQL in WASM) in a worker thread, served over a loopback
// socket; no test server needed.
describe('embedded demo database', () => {
  const demoDir = mkdtempSync(join(tmpdir(), 'pgdba-demo-'));
  const log: string[] = [];
  const issued: string[] = [];
  let opener: TargetOpener;
  let target: TargetDatabase;

  beforeAll(async () => {
    // A damaged image of this version and an image of an older one: the start rebuilds the first and removes the second.
    writeFileSync(demoImagePath(demoDir), 'not a gzip image');
    writeFileSync(join(demoDir, 'demo-v0.tar.gz'), 'an image of an older demo');
    const query = vi.spyOn(TargetDatabase.prototype, 'query');
    opener = targetOpener({ ...defaultSessionSettings, demoDir }, (line) => log.push(line));
    await opener.warmUp();
    issued.push(...query.mock.calls.map(([sql]) => sql));
    query.mockRestore();
    target = await opener.open();
  }, 240_000);
  afterAll(async () => {
    await opener?.close();
    rmSync(demoDir, { recursive: true, force: true });
  });

  it('rebuilds a damaged image, saves it for later starts and removes older images', () => {
    expect(log[0]).toMatch(/^The saved demo image .*demo-v\d+\.tar\.gz could not be loaded \(.+\); building it again\.$/);
    expect(readdirSync(demoDir)).toEqual([`demo-v${demoSchemaVersion}.tar.gz`]);
    expect(statSync(demoImagePath(demoDir)).size).toBeGreaterThan(1_000_000);
  });

  it('is reached through the pg client like a real server, read-only', async () => {
    expect(target.description.embedded).toBe(true);
    await expect(target.query("insert into products (sku, name, price_cents) values ('x', 'x', 1)")).rejects.toMatchObject({ code: '25006' });
  });

  it('stays read-only for analysis while and after the executor writes through the shared PGlite session', async () => {
    // Every socket connection shares one PGlite session: the executor's settings must not leak.
    const writer = await openWritableSession(await opener.url(), { lockTimeoutMs: 3_000, statementTimeoutMs: 30_000, applicationName: 'pgdba-executor' });
    await expect(target.query("insert into products (sku, name, price_cents) values ('y', 'y', 1)")).rejects.toMatchObject({ code: '25006' });
    await runWritable(writer, 'create table executor_scratch (id int)');
    await expect(target.query("insert into products (sku, name, price_cents) values ('z', 'z', 1)")).rejects.toMatchObject({ code: '25006' });
    await runWritable(writer, 'drop table executor_scratch');
    await closeWritableSession(writer);
    await expect(target.query("insert into products (sku, name, price_cents) values ('w', 'w', 1)")).rejects.toMatchObject({ code: '25006' });
  });

  it('holds a few hundred thousand rows with the planted problems', async () => {
    const { rows } = await target.query<{ orders: number; dead: number; dup: number; unindexed: boolean; nopk: boolean }>(`
      select (select count(*)::int from orders) as orders,
             (select n_dead_tup::int from pg_stat_user_tables where relname = 'audit_events') as dead,
             (select count(*)::int from pg_indexes where tablename = 'customers' and indexdef like '%(email)') as dup,
             not exists (select 1 from pg_indexes where tablename = 'orders' and indexdef like '%(customer_id%') as unindexed,
             not exists (select 1 from pg_constraint where conrelid = 'page_views'::regclass and contype = 'p') as nopk`);
    expect(rows[0]).toEqual({ orders: 300_000, dead: 80_000, dup: 2, unindexed: true, nopk: true });
  });

  it('shows index usage from the start-up workload, and an unused index', async () => {
    const { rows } = await target.query<{ indexrelname: string; idx_scan: number }>(
      "select indexrelname, idx_scan::int from pg_stat_user_indexes where indexrelname in ('orders_note_idx', 'customers_email_idx', 'customers_email_key_dup') order by indexrelname",
    );
    const scans = Object.fromEntries(rows.map((row) => [row.indexrelname, row.idx_scan]));
    expect(scans.orders_note_idx).toBe(0);
    expect((scans.customers_email_idx ?? 0) + (scans.customers_email_key_dup ?? 0)).toBeGreaterThan(0);
  });

  it('warms up by reading the catalog the common questions read, before the first question', () => {
    expect(issued.some((sql) => /from pg_settings/.test(sql))).toBe(true); // the health report's settings
    expect(issued.some((sql) => /pg_get_indexdef/.test(sql))).toBe(true); // the index list
    expect(issued.some((sql) => /pg_total_relation_size/.test(sql))).toBe(true); // the largest tables
    expect(issued.some((sql) => /pg_database_size/.test(sql))).toBe(true); // the server overview
  });

  it('answers health and tables through the bot', async () => {
    const bot = new Bot({ tools, openTarget: () => opener.open() });
    const health = await bot.ask('health');
    expect(health.ok).toBe(true);
    expect((health.data as { version: string }).version).toMatch(/^\d+/);
    const tables = await bot.ask('tables');
    expect((tables.data as { tables: { table: string }[] }).tables[0]?.table).toBe('orders');
  });

  it('runs in its own thread: the event loop keeps turning while the demo scans 300,000 rows', async () => {
    const client = new pg.Client({ connectionString: await opener.url() });
    await client.connect();
    let finished = false;
    const scan = client.query("select count(*)::int as n from orders where note like '%x%' or status like '%y%'").finally(() => (finished = true));
    let turns = 0;
    while (!finished) {
      await new Promise((resolve) => setImmediate(resolve));
      turns += 1;
    }
    expect((await scan).rows[0]).toEqual({ n: 0 });
    await client.end();
    // PGlite on this thread would block it for the whole scan: a handful of turns at most.
    expect(turns).toBeGreaterThan(100);
  });

  it('a demo started from the saved image stops cleanly (thread ended, port closed) and is started again at the next question', async () => {
    const started: EmbeddedDemo[] = [];
    const lines: string[] = [];
    const startDemo = async (options: Parameters<typeof startEmbeddedDemo>[0]) => {
      const demo = await startEmbeddedDemo(options);
      started.push(demo);
      return demo;
    };
    const own = targetOpener({ ...defaultSessionSettings, demoDir }, (line) => lines.push(line), startDemo);
    try {
      await own.open();
      await started[0]!.stop(); // as if the worker had crashed
      expect(started[0]!.running).toBe(false);
      await expect(new pg.Client({ connectionString: started[0]!.url }).connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const reopened = await own.open();
      expect((await reopened.query<{ n: number }>('select count(*)::int as n from products')).rows[0]).toEqual({ n: 500 });
      expect(started.map((demo) => demo.running)).toEqual([false, true]);
      expect(lines).toContain('The embedded demo database had stopped; starting it again.');
    } finally {
      await own.close();
    }
    expect(started[1]!.running).toBe(false);
  });

  it('says what to do when the demo cannot start', async () => {
    const underAFile = join(demoImagePath(demoDir), 'demo');
    await expect(startEmbeddedDemo({ demoDir: underAFile })).rejects.toThrow(
      `The embedded demo database could not start: cannot create the demo folder ${underAFile} (ENOTDIR); set PGDBA_DEMO_DIR to a writable folder`,
    );
  });
});
