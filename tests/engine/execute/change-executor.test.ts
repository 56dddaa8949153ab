import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApprovalRequiredError,
  ChangeExecutor,
  guardedActions,
  sealApprovedChange,
  type ApprovedChange,
  type ExecutionEvent,
  type Principal,
} from '../../../src/engine/execute/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

let db: ScratchDatabase;
const alice: Principal = { platform: 'slack', id: 'UALICE' };
const bob: Principal = { platform: 'slack', id: 'UBOB' };
let counter = 0;

function approved(sql: string, verifyQueries: string[] = []): ApprovedChange {
  counter += 1;
  return sealApprovedChange({
    requestId: `req-${counter}`,
    sql,
    requester: alice,
    approvals: [{ approver: bob, at: new Date().toISOString() }],
    requiredApprovals: 1,
    fourEyes: true,
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    isAllowedApprover: (p) => p.id === 'UBOB',
    verifyQueries,
  });
}

function executor(): ChangeExecutor {
  return new ChangeExecutor({ databaseUrl: db.url, lockTimeoutMs: 200, maxAttempts: 3, backoffMs: () => 20, progressIntervalMs: 50 });
}

async function indexState(name: string): Promise<{ valid: boolean } | undefined> {
  const result = await db.admin.query<{ valid: boolean }>('select indisvalid as valid from pg_index where indexrelid = to_regclass($1)', [name]);
  return result.rows[0];
}

beforeAll(async () => {
  db = await createScratchDatabase('pgdba_exec');
  await db.admin.query(`
    create table orders (id bigint primary key, customer_id int not null, note text);
    insert into orders select g, g % 5000, md5(g::text) from generate_series(1, 60000) g;
    analyze orders;
  `);
});

afterAll(async () => {
  await db.drop();
});

describe('sealApprovedChange', () => {
  const base = {
    requestId: 'r',
    sql: 'select 1',
    requester: alice,
    requiredApprovals: 1,
    fourEyes: true,
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    isAllowedApprover: (p: Principal) => p.id === 'UBOB' || p.id === 'UALICE',
  };
  const now = new Date().toISOString();

  it('refuses the requester approving their own request under four-eyes', () => {
    expect(() => sealApprovedChange({ ...base, approvals: [{ approver: alice, at: now }] })).toThrow(/0 of 1 required approvals/);
  });

  it('refuses approvals from people who are not approvers', () => {
    expect(() => sealApprovedChange({ ...base, approvals: [{ approver: { platform: 'slack', id: 'UEVE' }, at: now }] })).toThrow(ApprovalRequiredError);
  });

  it('refuses an expired request', () => {
    expect(() => sealApprovedChange({ ...base, expiresAt: '2000-01-01T00:00:00Z', approvals: [{ approver: bob, at: now }] })).toThrow(/expired/);
  });

  it('counts one approver once towards N approvals', () => {
    expect(() => sealApprovedChange({ ...base, requiredApprovals: 2, approvals: [{ approver: bob, at: now }, { approver: bob, at: now }] })).toThrow(/1 of 2/);
  });
});

describe('ChangeExecutor', () => {
  it('refuses an object that only looks like an approved change', async () => {
    const forged = { requestId: 'x', sql: 'create index forged_idx on orders (note)', approvedBy: [bob], verifyQueries: [] };
    await expect(executor().execute(forged)).rejects.toThrow(ApprovalRequiredError);
    await expect(executor().execute({ ...approved('create index forged_idx on orders (note)') })).rejects.toThrow(ApprovalRequiredError);
    expect(await indexState('forged_idx')).toBeUndefined();
  });

  it('builds an index concurrently, checks it is valid and shows the query now uses it', async () => {
    const events: ExecutionEvent[] = [];
    const query = 'select * from orders where customer_id = 42';
    const result = await executor().execute(approved('create index concurrently orders_customer_idx on orders (customer_id)', [query]), { onEvent: (e) => void events.push(e) });
    expect(result.status).toBe('succeeded');
    expect(result.indexes).toEqual([{ name: 'orders_customer_idx', valid: true }]);
    expect(await indexState('orders_customer_idx')).toEqual({ valid: true });
    expect(result.evidence[0]!.before!.indexes).not.toContain('orders_customer_idx');
    expect(result.evidence[0]!.after!.indexes).toContain('orders_customer_idx');
    expect(result.evidence[0]!.after!.totalCost).toBeLessThan(result.evidence[0]!.before!.totalCost);
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['statement-started', 'statement-finished']));
  });

  it('retries a lock timeout behind a held ACCESS EXCLUSIVE lock, then fails clearly with no INVALID index left', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('begin; lock table orders in access exclusive mode');
      const events: ExecutionEvent[] = [];
      const result = await executor().execute(approved('create index concurrently orders_note_idx on orders (note)'), { onEvent: (e) => void events.push(e) });
      expect(result.status).toBe('failed');
      expect(events.filter((e) => e.kind === 'lock-timeout')).toHaveLength(3);
      expect(events.filter((e) => e.kind === 'retry')).toHaveLength(2);
      expect(result.statements[0]).toMatchObject({ status: 'failed', attempts: 3, sqlstate: '55P03' });
      expect(result.error).toMatch(/could not get its SHARE UPDATE EXCLUSIVE lock on orders within 200 ms \(lock_timeout\), 3 attempts/);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    const leftovers = await db.admin.query("select indexrelid::regclass::text as name from pg_index where not indisvalid and indrelid = 'orders'::regclass");
    expect(leftovers.rows).toEqual([]);
    expect(await indexState('orders_note_idx')).toBeUndefined();
  });

  it('drops the INVALID index a failed build leaves behind, then succeeds on the retry', async () => {
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    await writer.query("begin; insert into orders values (1000001, 1, 'open writer')");
    const events: ExecutionEvent[] = [];
    let released = false;
    const result = await executor().execute(approved('create index concurrently orders_note_idx2 on orders (note)'), {
      onEvent: async (event) => {
        events.push(event);
        if (event.kind === 'lock-timeout' && !released) {
          // The build got as far as the catalog entry: an INVALID index exists now.
          expect(await indexState('orders_note_idx2')).toEqual({ valid: false });
          released = true;
          await writer.query('commit');
        }
      },
    });
    await writer.end();
    expect(result.status).toBe('succeeded');
    expect(result.cleanup).toEqual([{ index: 'orders_note_idx2', dropped: true }]);
    expect(result.statements[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(await indexState('orders_note_idx2')).toEqual({ valid: true });
  });

  it('lets only one of two concurrent executions of the same change through (advisory lock on the target)', async () => {
    const change = approved('create index concurrently orders_once_idx on orders (customer_id, note)');
    let executions = 0;
    const hooks = {
      beforeExecute: async () => {
        const seen = executions;
        // Widen the check-then-act window: without the lock both calls would pass the check.
        await new Promise((resolve) => setTimeout(resolve, 30));
        if (seen > 0) return { skip: 'already executed' };
        executions += 1;
        return undefined;
      },
    };
    const results = await Promise.all([executor().execute(change, hooks), executor().execute(change, hooks)]);
    expect(results.map((r) => r.status).sort()).toEqual(['skipped', 'succeeded']);
    expect(executions).toBe(1);
    expect(await indexState('orders_once_idx')).toEqual({ valid: true });
  });

  it('runs VACUUM (ANALYZE) outside a transaction block', async () => {
    const result = await executor().execute(approved(guardedActions.vacuumAnalyze('orders')));
    expect(result.status).toBe('succeeded');
    await expect.poll(async () => (await db.admin.query<{ n: string }>("select (vacuum_count)::text as n from pg_stat_user_tables where relname = 'orders'")).rows[0]!.n).not.toBe('0');
  });

  it('runs transactional statements together and rolls all back when one fails', async () => {
    const result = await executor().execute(approved('alter table orders add column c1 int; alter table orders add column customer_id int'));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/Statement 2 failed: column "customer_id" of relation "orders" already exists.*rolled back/);
    expect(result.statements.map((s) => s.status)).toEqual(['not-run', 'failed']);
    const column = await db.admin.query("select 1 from information_schema.columns where table_name = 'orders' and column_name = 'c1'");
    expect(column.rows).toEqual([]);
  });

  it('refuses scripts with their own transaction control or that do not parse', async () => {
    expect((await executor().execute(approved('begin; create index x on orders (id); commit'))).error).toMatch(/BEGIN\/COMMIT\/ROLLBACK/);
    expect((await executor().execute(approved('create indx x'))).error).toMatch(/does not parse/);
  });

  it('terminates a backend through the same guarded path and checks it is gone', async () => {
    const victim = new pg.Client({ connectionString: db.url, application_name: 'victim' });
    victim.on('error', () => undefined);
    await victim.connect();
    const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const started = (await db.admin.query<{ s: string }>('select backend_start::text as s from pg_stat_activity where pid = $1', [pid])).rows[0]!.s;
    const result = await executor().execute(approved(guardedActions.terminateBackend(pid, started)));
    expect(result.status).toBe('succeeded');
    expect(result.statements[0]!.returned).toEqual([true]);
    expect(result.checks).toEqual([{ statementIndex: 0, ok: true, detail: expect.stringMatching(new RegExp(`^Backend ${pid} is gone: terminated`)) }]);
    // Checked before returning: no waiting needed.
    expect((await db.admin.query('select 1 from pg_stat_activity where pid = $1', [pid])).rows).toHaveLength(0);
    await victim.end().catch(() => undefined);
  });

  it('signals nothing when the backend that was asked about has gone (its pid may belong to someone else now)', async () => {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    const pid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    try {
      // Same pid, a start time that is not this session's: the guarded SQL selects no backend.
      const result = await executor().execute(approved(guardedActions.terminateBackend(pid, '2001-01-01 00:00:00+00')));
      expect(result.status).toBe('succeeded');
      expect(result.statements[0]!.returned).toEqual([]);
      expect(result.checks?.[0]?.detail).toMatch(/no longer running .* nothing was signalled/);
      expect((await other.query('select 1 as alive')).rows).toEqual([{ alive: 1 }]);
    } finally {
      await other.end();
    }
  });

  it('cancels a running query and checks it stopped; cancelling an idle-in-transaction session fails with what to do instead', async () => {
    const busy = new pg.Client({ connectionString: db.url });
    busy.on('error', () => undefined);
    await busy.connect();
    const pid = (await busy.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    try {
      const sleeping = busy.query('select pg_sleep(120)').catch((error: Error) => error.message);
      await expect.poll(async () => (await db.admin.query('select state from pg_stat_activity where pid = $1', [pid])).rows[0]?.state).toBe('active');
      const cancelled = await executor().execute(approved(guardedActions.cancelBackend(pid)));
      expect(cancelled.status).toBe('succeeded');
      expect(cancelled.checks?.[0]?.detail).toMatch(new RegExp(`^Backend ${pid} stopped its query within [0-9.]+ s \\(now idle\\)`));
      expect(await sleeping).toContain('canceling statement due to user request');

      await busy.query('begin; select 1');
      const idle = await executor().execute(approved(guardedActions.cancelBackend(pid)));
      expect(idle.status).toBe('failed');
      expect(idle.error).toMatch(/was idle in transaction, not running a query, so pg_cancel_backend had nothing to cancel; request Terminate/);
      expect((await busy.query('select 2 as still')).rows).toEqual([{ still: 2 }]);
    } finally {
      await busy.end().catch(() => undefined);
    }
  });

  it('checks a dropped index is gone and reports dead tuples before and after a VACUUM', async () => {
    await db.admin.query('create table scratch_rows as select g as id from generate_series(1, 20000) g; create index scratch_rows_id_idx on scratch_rows (id); delete from scratch_rows where id <= 15000');
    await db.admin.query('select pg_stat_force_next_flush()');
    const vacuum = await executor().execute(approved(guardedActions.vacuumAnalyze('public.scratch_rows')));
    expect(vacuum.checks?.[0]).toEqual({ statementIndex: 0, ok: true, detail: 'public.scratch_rows: 15000 dead tuples before, 0 after.' });
    const drop = await executor().execute(approved(guardedActions.dropIndexConcurrently('public.scratch_rows_id_idx')));
    expect(drop.status).toBe('succeeded');
    expect(drop.checks?.[0]).toEqual({ statementIndex: 0, ok: true, detail: 'public.scratch_rows_id_idx no longer exists.' });
  });
});
