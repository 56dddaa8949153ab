import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetDatabase, QueryCancelledError } from '../../../src/engine/db/target-database.js';
import { TargetConnectionError } from '../../../src/engine/db/connection-errors.js';
import { createScratchDatabase, withDatabase, serverUrl, type ScratchDatabase } from '../../helpers/database.js';

const settings = { statementTimeoutMs: 15_000, lockTimeoutMs: 2_000, connectTimeoutMs: 3_000, poolSize: 2 };

describe('analysis sessions on a real server', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query('create table accounts (id int primary key, balance int)');
    target = await TargetDatabase.connect(scratch.url, settings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('refuses INSERT with PostgreSQL read-only error', async () => {
    await expect(target.query('insert into accounts values (1, 100)')).rejects.toMatchObject({
      code: '25006',
      message: 'cannot execute INSERT in a read-only transaction',
    });
  });

  it('sets the statement and lock timeouts and names itself pgdba', async () => {
    const { rows } = await target.query<{ ro: string; st: string; lt: string; app: string }>(
      `select current_setting('default_transaction_read_only') as ro, current_setting('statement_timeout') as st,
              current_setting('lock_timeout') as lt, current_setting('application_name') as app`,
    );
    expect(rows[0]).toEqual({ ro: 'on', st: '15s', lt: '2s', app: 'pgdba' });
  });

  it('cancels a running query when its signal aborts', async () => {
    const controller = new AbortController();
    const running = target.query('select pg_sleep(30)', [], { signal: controller.signal });
    // Abort only once the server reports the statement as running.
    await expect.poll(async () => {
      const { rows } = await scratch.admin.query(
        "select count(*)::int as n from pg_stat_activity where application_name = 'pgdba' and query = 'select pg_sleep(30)' and state = 'active'",
      );
      return rows[0].n;
    }, { timeout: 10_000 }).toBe(1);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(QueryCancelledError);
    const { rows } = await target.query<{ one: number }>('select 1 as one');
    expect(rows[0]?.one).toBe(1);
  });

  it('reports the server version number', async () => {
    expect(await target.serverVersionNum()).toBeGreaterThanOrEqual(120000);
  });
});

describe('connection failures explained', () => {
  it('connection refused names the address', async () => {
    const error = await TargetDatabase.connect('postgres://nobody@127.0.0.1:1/x', settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).reason).toBe('refused');
    expect((error as Error).message).toContain('Connection refused on 127.0.0.1:1');
  });

  it('a missing database is named', async () => {
    const error = await TargetDatabase.connect(withDatabase(serverUrl(), 'no_such_db_here'), settings).catch((e: unknown) => e);
    expect((error as TargetConnectionError).reason).toBe('database-missing');
    expect((error as Error).message).toContain('Database "no_such_db_here" does not exist');
  });

  it('a missing role is named', async () => {
    const url = new URL(serverUrl());
    url.username = 'no_such_role';
    const error = await TargetDatabase.connect(url.toString(), settings).catch((e: unknown) => e);
    expect((error as TargetConnectionError).reason).toBe('role-missing');
  });

  it('sslmode=require against a server without SSL says SSL is unsupported', async () => {
    const url = `${serverUrl()}?sslmode=require`;
    const error = await TargetDatabase.connect(url, settings).catch((e: unknown) => e);
    expect((error as TargetConnectionError).reason).toBe('ssl-unsupported');
  });
});
