import { beforeAll, describe, expect, it } from 'vitest';
import { deriveRollback, lintScript, loadSqlParser, lockImpact, parseScript, type LockLevel, type ScriptStatement } from '../../../src/engine/sql/index.js';

beforeAll(async () => {
  await loadSqlParser();
});

function statements(sql: string): ScriptStatement[] {
  const parsed = parseScript(sql);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.statements;
}

function rules(sql: string, relations?: Map<string, { bytes: number; rows: number; scans?: number }>): string[] {
  return lintScript(statements(sql), relations ? { relations } : {}).map((f) => f.rule);
}

describe('lintScript', () => {
  const cases: [string, string[]][] = [
    ['create index i on t (a)', ['require-concurrent-index-creation', 'missing-lock-timeout']],
    ["set lock_timeout = '3s'; create index concurrently i on t (a)", []],
    ["set lock_timeout = '3s'; begin; create index concurrently i on t (a); commit", ['concurrently-in-transaction']],
    ["set lock_timeout = '3s'; drop index i", ['require-concurrent-index-deletion']],
    ["set lock_timeout = '3s'; alter table t alter column a type bigint", ['changing-column-type']],
    ["set lock_timeout = '3s'; alter table t alter column a set not null", ['set-not-null']],
    ["set lock_timeout = '3s'; alter table t add constraint fk foreign key (u) references u (id)", ['constraint-missing-not-valid']],
    ["set lock_timeout = '3s'; alter table t add constraint fk foreign key (u) references u (id) not valid", []],
    ["set lock_timeout = '3s'; alter table t add constraint c check (a > 0)", ['constraint-missing-not-valid']],
    ["set lock_timeout = '3s'; alter table t add constraint c check (a > 0) not valid", []],
    ["set lock_timeout = '3s'; alter table t add column c float default random()", ['adding-field-with-volatile-default']],
    ["set lock_timeout = '3s'; alter table t add column c timestamptz default now()", []],
    ["set lock_timeout = '3s'; alter table t rename column a to b", ['renaming-column']],
    ["set lock_timeout = '3s'; alter table t rename to t2", ['renaming-table']],
    ["set lock_timeout = '3s'; alter table t drop column a", ['dropping-column']],
    ["set lock_timeout = '3s'; drop table t", ['dropping-table']],
    ["set lock_timeout = '3s'; alter table t add constraint u unique (a)", ['disallowed-unique-constraint']],
    ["set lock_timeout = '3s'; alter table t add constraint u unique using index i", []],
    ['create table t (id serial primary key, name text)', ['prefer-bigint-primary-key']],
    ['create table t (id bigint generated always as identity primary key, name varchar(20), at timestamp)', ['prefer-text-field', 'prefer-timestamptz']],
    ['create table t (id bigint primary key); create index i on t (id)', []],
    ['vacuum (analyze) t', []],
    ['select 1', []],
  ];

  it.each(cases)('%s', (sql, expected) => {
    expect(rules(sql)).toEqual(expected);
  });

  it('gives every finding a safer alternative', () => {
    const findings = lintScript(statements('create index i on t (a); alter table t alter column a type bigint, add constraint u unique (a)'));
    expect(findings.length).toBeGreaterThan(3);
    for (const finding of findings) expect(finding.saferAlternative.length).toBeGreaterThan(20);
  });

  it('raises SET NOT NULL to an error on a big table and states its size', () => {
    const big = new Map([['t', { bytes: 2 * 1024 ** 3, rows: 30_000_000 }]]);
    const [finding] = lintScript(statements("set lock_timeout = '1s'; alter table t alter column a set not null"), { relations: big });
    expect(finding).toMatchObject({ rule: 'set-not-null', severity: 'error', statementIndex: 1 });
    expect(finding!.message).toContain('2.0 GB, ~30,000,000 rows');
  });

  it('says how much a table is read when renaming or dropping it', () => {
    const used = new Map([['t', { bytes: 1, rows: 1, scans: 1234 }]]);
    const [finding] = lintScript(statements("set lock_timeout = '1s'; alter table t drop column a"), { relations: used });
    expect(finding!.message).toContain('read 1,234 times');
  });
});

describe('lockImpact', () => {
  const cases: [string, LockLevel | null, boolean, boolean][] = [
    ['create index i on t (a)', 'SHARE', false, false],
    ['create index concurrently i on t (a)', 'SHARE UPDATE EXCLUSIVE', false, true],
    ['drop index concurrently i', 'SHARE UPDATE EXCLUSIVE', false, true],
    ['drop index i', 'ACCESS EXCLUSIVE', false, false],
    ['alter table t add column c int', 'ACCESS EXCLUSIVE', false, false],
    ['alter table t alter column a type bigint', 'ACCESS EXCLUSIVE', true, false],
    ['alter table t add constraint fk foreign key (a) references u (id) not valid', 'SHARE ROW EXCLUSIVE', false, false],
    ['alter table t validate constraint fk', 'SHARE UPDATE EXCLUSIVE', false, false],
    ['vacuum (analyze) t', 'SHARE UPDATE EXCLUSIVE', false, true],
    ['vacuum full t', 'ACCESS EXCLUSIVE', true, true],
    ['analyze t', 'SHARE UPDATE EXCLUSIVE', false, false],
    ['reindex index concurrently i', 'SHARE UPDATE EXCLUSIVE', false, true],
    ['cluster t using i', 'ACCESS EXCLUSIVE', true, false],
    ['truncate t', 'ACCESS EXCLUSIVE', false, false],
    ['select pg_terminate_backend(1)', 'ACCESS SHARE', false, false],
    ["set lock_timeout = '1s'", null, false, false],
  ];

  it.each(cases)('%s → %s', (sql, level, rewrites, outside) => {
    const impact = lockImpact(statements(sql)[0]!);
    expect(impact.level).toBe(level);
    expect(impact.rewritesTable).toBe(rewrites);
    expect(impact.runsOutsideTransaction).toBe(outside);
  });
});

describe('deriveRollback', () => {
  const cases: [string, string[]][] = [
    ['create index concurrently idx_a on t (a)', ['DROP INDEX CONCURRENTLY IF EXISTS idx_a']],
    ['create index idx_a on app.t (a)', ['DROP INDEX CONCURRENTLY IF EXISTS app.idx_a']],
    ['alter table t add column c int, add constraint c_pos check (c > 0) not valid', ['ALTER TABLE t DROP CONSTRAINT IF EXISTS c_pos', 'ALTER TABLE t DROP COLUMN IF EXISTS c']],
    ['alter table t rename column a to b', ['ALTER TABLE t RENAME COLUMN b TO a']],
    ['alter table t alter column a set not null', ['ALTER TABLE t ALTER COLUMN a DROP NOT NULL']],
    ['create table "Orders" (id bigint)', ['DROP TABLE "Orders"']],
    ['vacuum (analyze) t', []],
    ['create index concurrently i1 on t (a); create index concurrently i2 on t (b)', ['DROP INDEX CONCURRENTLY IF EXISTS i2', 'DROP INDEX CONCURRENTLY IF EXISTS i1']],
  ];

  it.each(cases)('%s', (sql, expected) => {
    const plan = deriveRollback(statements(sql));
    expect(plan.statements).toEqual(expected);
    expect(plan.irreversible).toEqual([]);
  });

  it('recreates a dropped index concurrently from its definition', () => {
    const plan = deriveRollback(statements('drop index concurrently i'), { indexDefinitions: new Map([['i', 'CREATE INDEX i ON public.t USING btree (a)']]) });
    expect(plan.statements).toEqual(['CREATE INDEX CONCURRENTLY i ON public.t USING btree (a)']);
  });

  it('lists what has no mechanical inverse instead of guessing', () => {
    const plan = deriveRollback(statements('drop table t; alter table u alter column a type bigint'));
    expect(plan.statements).toEqual([]);
    expect(plan.irreversible.map((i) => i.statementIndex)).toEqual([0, 1]);
    expect(plan.irreversible[0]!.reason).toContain('backup');
  });
});
