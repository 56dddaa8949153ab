import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../../src/bot/bot.js';
import { targetOpener, type TargetOpener } from '../../../src/engine/db/open-target.js';
import { defaultSessionSettings, type TargetDatabase } from '../../../src/engine/db/target-database.js';
import { tools } from '../../../src/tools/registry.js';

// The embedded demo is PGlite (PostgreSQL in WASM) served over a loopback socket; no test server needed.
describe('embedded demo database', () => {
  const demoDir = mkdtempSync(join(tmpdir(), 'pgdba-demo-'));
  let opener: TargetOpener;
  let target: TargetDatabase;

  beforeAll(async () => {
    opener = targetOpener({ ...defaultSessionSettings, demoDir });
    target = await opener.open();
  }, 180_000);
  afterAll(async () => {
    await opener?.close();
    rmSync(demoDir, { recursive: true, force: true });
  });

  it('saves the seeded image for later starts', () => {
    expect(readdirSync(demoDir)).toEqual(['demo-v1.tar.gz']);
  });

  it('is reached through the pg client like a real server, read-only', async () => {
    expect(target.description.embedded).toBe(true);
    await expect(target.query("insert into products (sku, name, price_cents) values ('x', 'x', 1)")).rejects.toMatchObject({ code: '25006' });
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

  it('answers health and tables through the bot', async () => {
    const bot = new Bot({ tools, openTarget: () => opener.open() });
    const health = await bot.ask('health');
    expect(health.ok).toBe(true);
    expect((health.data as { version: string }).version).toMatch(/^\d+/);
    const tables = await bot.ask('tables');
    expect((tables.data as { tables: { table: string }[] }).tables[0]?.table).toBe('orders');
  });
});
