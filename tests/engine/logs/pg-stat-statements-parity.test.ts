/**
 * The correctness bar: a log written by the real test server, with every statement logged,
 * must give per-statement call counts EQUAL to pg_stat_statements for the same statements, and
 * error counts equal to what was provoked. Logging is switched on for the scratch database
 * only (ALTER DATABASE ... SET), so test files sharing the server are not affected.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { analyzeLogs, type LogAnalysis } from '../../../src/engine/logs/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

const run = promisify(execFile);
const pgbench = '/usr/lib/postgresql/15/bin/pgbench';

describe('log analysis against pg_stat_statements on the real server', () => {
  let scratch: ScratchDatabase | undefined;
  let analysis: LogAnalysis;
  let statementCalls: Map<string, number>;

  afterAll(async () => {
    await scratch?.drop();
  });

  // One test drives the workload (expect.poll waits for the server log); the next ones read its result.
  it('analyses the log of a pgbench workload with failures and a lock wait', async () => {
    const logDir = inject('clusterLogDir');
    if (!logDir) throw new Error('This test needs the throw-away cluster of tests/setup (its server log); unset TEST_DATABASE_URL.');
    const logFile = join(logDir, 'postgresql.log');
    scratch = await createScratchDatabase('pgdba_logs');
    const admin = scratch.admin;
    await run(pgbench, ['-i', '-q', '-s', '1', scratch.url]);
    await admin.query('create extension if not exists pg_stat_statements');
    await admin.query(`alter database ${scratch.name} set log_min_duration_statement = 0`);
    await admin.query(`alter database ${scratch.name} set log_lock_waits = on`);
    await admin.query(`alter database ${scratch.name} set deadlock_timeout = '50ms'`);
    await admin.query('select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)');

    // Workload: pgbench (simple protocol), parameterised queries (extended protocol), failures, a lock wait.
    await run(pgbench, ['-n', '-c', '2', '-t', '40', scratch.url]);
    // select-only: no BEGIN/END, because PostgreSQL 15's pg_stat_statements counts a utility
    // statement run through the extended protocol only once per prepared statement (docs/logs.md).
    await run(pgbench, ['-n', '-M', 'prepared', '-b', 'select-only', '-c', '2', '-t', '20', scratch.url]);
    const app = new pg.Client({ connectionString: scratch.url });
    await app.connect();
    for (let bid = 1; bid <= 5; bid += 1) await app.query('select count(*) from pgbench_branches where bid = $1', [bid % 2 + 1]);
    for (let i = 0; i < 3; i += 1) await expect(app.query('select * from no_such_table')).rejects.toThrow(/does not exist/);
    for (let i = 0; i < 2; i += 1) await expect(app.query('select 1 / 0')).rejects.toThrow(/division by zero/);

    const holder = new pg.Client({ connectionString: scratch.url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('update pgbench_branches set bbalance = bbalance where bid = 1');
    const waiterPid = (await app.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const blocked = app.query('update pgbench_branches set bbalance = bbalance + 1 where bid = 1');
    await expect
      .poll(async () => (await readFile(logFile, 'utf8')).includes(`process ${waiterPid} still waiting for ShareLock`), { timeout: 20_000, interval: 100 })
      .toBe(true);
    await holder.query('commit');
    await blocked;
    await holder.end();
    const marker = `pgdba_marker_${Date.now()}`;
    await app.query(`select '${marker}'`);
    await app.end();
    await expect.poll(async () => (await readFile(logFile, 'utf8')).includes(marker), { timeout: 20_000, interval: 100 }).toBe(true);

    const stats = await admin.query<{ query: string; calls: string }>(
      'select query, calls from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())',
    );
    statementCalls = new Map();
    for (const row of stats.rows) statementCalls.set(row.query, (statementCalls.get(row.query) ?? 0) + Number(row.calls));
    analysis = await analyzeLogs([logFile], { database: scratch.name, topQueries: 1000 });
    expect(analysis.summary.query_calls).toBeGreaterThan(80 * 7 + 40);
  }, 120_000);

  it('counts every statement exactly as pg_stat_statements does', () => {
    const fromLog = new Map<string, number>();
    for (const q of analysis.queries) fromLog.set(q.query, (fromLog.get(q.query) ?? 0) + q.calls);
    // Every statement pgbench runs is in the log, with pg_stat_statements' own normalised text.
    const pgbenchStatements = [...statementCalls.keys()].filter((q) => /pgbench_|^BEGIN$|^END$/.test(q));
    expect(pgbenchStatements.length).toBeGreaterThanOrEqual(8);
    const compared = [...fromLog.keys()].map((query) => ({ query, log: fromLog.get(query), pgStatStatements: statementCalls.get(query) }));
    expect(compared.filter((c) => c.log !== c.pgStatStatements)).toEqual([]);
    for (const query of pgbenchStatements) expect({ query, calls: fromLog.get(query) }).toEqual({ query, calls: statementCalls.get(query) });
    expect(fromLog.get('UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2')).toBe(80);
    expect(fromLog.get('SELECT abalance FROM pgbench_accounts WHERE aid = $1')).toBe(80 + 40);
  });

  it('keeps literal (simple protocol) and parameter (prepared) forms of one statement apart', () => {
    const forms = analysis.queries.filter((q) => q.query === 'SELECT abalance FROM pgbench_accounts WHERE aid = $1');
    expect(forms.map((q) => q.calls).sort((a, b) => a - b)).toEqual([40, 80]);
    const prepared = forms.find((q) => q.calls === 40)!;
    expect(prepared.example).toBe('SELECT abalance FROM pgbench_accounts WHERE aid = $1;');
    expect(prepared.example_parameters).toMatch(/^\$1 = '\d+'$/);
    expect(prepared.parse_bind_ms).toBeGreaterThan(0);
  });

  it('keeps simple-protocol and extended-protocol statements apart, as pg_stat_statements does', () => {
    const parameterised = analysis.queries.filter((q) => q.query === 'select count(*) from pgbench_branches where bid = $1');
    expect(parameterised).toHaveLength(1);
    expect(parameterised[0]!.calls).toBe(5);
    expect(parameterised[0]!.example_parameters).toMatch(/^\$1 = '\d'$/);
  });

  it('counts the provoked errors and the lock wait', () => {
    const byMessage = Object.fromEntries(analysis.errors.map((e) => [e.message, e.count]));
    expect(byMessage).toEqual({ 'relation "…" does not exist': 3, 'division by zero': 2 });
    expect(analysis.summary.errors_total).toBe(5);
    expect(analysis.events.lock_waits.count).toBe(1);
    expect(analysis.events.lock_waits.acquired).toBe(1);
    expect(analysis.events.lock_waits.examples[0]?.statement).toBe('update pgbench_branches set bbalance = bbalance + 1 where bid = 1');
    expect(analysis.summary.unparsed.count).toBe(0);
  });
});
