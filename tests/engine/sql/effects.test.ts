/** What a guarded action does, for the card, and which backend a cancel/terminate names, for the executor's check. */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeChange } from '../../../src/engine/sql/analyze-change.js';
import { backendSignal, statementEffect } from '../../../src/engine/sql/effects.js';
import { guardedActions } from '../../../src/engine/execute/guarded-actions.js';
import { loadSqlParser, parseScript, type ScriptStatement } from '../../../src/engine/sql/sql-script.js';

function statement(sql: string): ScriptStatement {
  const parsed = parseScript(sql);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.statements[0]!;
}

beforeAll(async () => {
  await loadSqlParser();
});

describe('backendSignal', () => {
  it.each([
    ['select pg_terminate_backend(4321)', { fn: 'pg_terminate_backend', pid: 4321 }],
    ['SELECT pg_catalog.pg_cancel_backend(77)', { fn: 'pg_cancel_backend', pid: 77 }],
    [guardedActions.terminateBackend(99, '2024-05-01 10:00:00.123456+00'), { fn: 'pg_terminate_backend', pid: 99 }],
    ["select pg_cancel_backend(pid) from pg_stat_activity where backend_start = now() and 1234 = pid", { fn: 'pg_cancel_backend', pid: 1234 }],
    ["select pg_terminate_backend(pid) from pg_stat_activity where usename = 'app'", { fn: 'pg_terminate_backend' }],
    ['select pg_terminate_backend(1), pg_terminate_backend(2)', { fn: 'pg_terminate_backend' }],
  ])('%s', (sql, expected) => {
    expect(backendSignal(statement(sql))).toEqual(expected);
  });

  it('is undefined for statements that signal nothing', () => {
    expect(backendSignal(statement('select count(*) from pg_stat_activity'))).toBeUndefined();
    expect(backendSignal(statement('vacuum orders'))).toBeUndefined();
  });
});

describe('statementEffect and the card summary', () => {
  it('says what terminating, cancelling, dropping concurrently and vacuuming do', () => {
    expect(statementEffect(statement(guardedActions.terminateBackend(42)))).toMatch(/^Terminates backend 42: its open transaction is rolled back/);
    expect(statementEffect(statement(guardedActions.cancelBackend(42)))).toMatch(/^Cancels the query backend 42 is running.*idle in transaction/);
    expect(statementEffect(statement(guardedActions.dropIndexConcurrently('public.orders_dup_idx')))).toMatch(/^Drops public\.orders_dup_idx without blocking reads or writes/);
    expect(statementEffect(statement(guardedActions.vacuumAnalyze('public.events')))).toMatch(/^Removes dead row versions from public\.events and refreshes its planner statistics/);
    expect(statementEffect(statement('vacuum events'))).not.toContain('statistics');
    expect(statementEffect(statement('create index concurrently i on t (a)'))).toBeUndefined();
  });

  it('puts the effect into the analysis impact of an administrative change', async () => {
    const analysis = await analyzeChange(guardedActions.terminateBackend(42, '2024-05-01 10:00:00+00'));
    expect(analysis.class).toBe('administrative');
    expect(analysis.impact.effects).toEqual([expect.stringMatching(/^Terminates backend 42/)]);
    expect(analysis.impact.summary).toContain('Terminates backend 42');
  });
});

describe('guardedActions', () => {
  it('signals only the session that started at the given time, refusing anything else as the time', () => {
    expect(guardedActions.terminateBackend(7, '2024-05-01 10:00:00.5+02')).toBe("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = 7 AND backend_start = '2024-05-01 10:00:00.5+02'::timestamptz");
    expect(() => guardedActions.cancelBackend(7, "2024-05-01'; drop table t; --")).toThrow(/not a backend start time/);
    expect(() => guardedActions.terminateBackend(-1)).toThrow(/not a backend process id/);
  });
});
