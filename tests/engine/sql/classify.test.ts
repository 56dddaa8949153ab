import { beforeAll, describe, expect, it } from 'vitest';
import { classifyScript, loadSqlParser, type StatementClass } from '../../../src/engine/sql/index.js';

beforeAll(async () => {
  await loadSqlParser();
});

describe('classifyScript', () => {
  const cases: [string, StatementClass, number][] = [
    ['select 1', 'read-only', 1],
    ["select count(*), lower('A'), pg_size_pretty(pg_total_relation_size('t')) from t where a = 1", 'read-only', 1],
    ['explain select * from t', 'read-only', 1],
    ['with x as (select 1) select * from x', 'read-only', 1],
    ['select 1; drop table t', 'ddl', 2],
    ["select nextval('s')", 'write', 1],
    ["select setval('s', 10)", 'write', 1],
    ['select my_function(1)', 'unsafe', 1],
    ['select pg_terminate_backend(1234)', 'administrative', 1],
    ['select pg_cancel_backend(pid) from pg_stat_activity where state = $$idle$$', 'administrative', 1],
    ["alter system set work_mem = '1GB'", 'administrative', 1],
    ['insert into t values (1)', 'write', 1],
    ['update t set a = 1', 'write', 1],
    ['with d as (delete from t returning *) select * from d', 'write', 1],
    ['select * from t for update', 'write', 1],
    ['select * into t2 from t', 'ddl', 1],
    ['create index concurrently i on t (a)', 'ddl', 1],
    ['alter table t add column c int', 'ddl', 1],
    ['vacuum (analyze) t', 'maintenance', 1],
    ['analyze t', 'maintenance', 1],
    ['reindex index concurrently i', 'maintenance', 1],
    ["set lock_timeout = '3s'", 'session', 1],
    ['begin', 'session', 1],
    ["select set_config('work_mem', '1GB', false)", 'session', 1],
    ['do $$ begin perform 1; end $$', 'unsafe', 1],
    ['call p()', 'unsafe', 1],
    ['explain analyze delete from t', 'write', 1],
    ['explain analyze select my_function()', 'unsafe', 1],
    ["copy t to '/tmp/x'", 'administrative', 1],
    ['select 1; select pg_terminate_backend(1)', 'administrative', 2],
    ['selec 1', 'unsafe', 0],
    ['', 'unsafe', 0],
    ['-- only a comment', 'unsafe', 0],
    ['select public.helper()', 'unsafe', 1],
    ['select pg_catalog.lower($$A$$)', 'read-only', 1],
  ];

  it.each(cases)('%s → %s', (sql, expected, count) => {
    const result = classifyScript(sql);
    expect(result.class).toBe(expected);
    expect(result.statements).toHaveLength(count);
    expect(result.readOnly).toBe(expected === 'read-only');
  });

  it('splits a multi-statement script and classifies each statement on its own', () => {
    const result = classifyScript("select 1; drop table t; select nextval('s')");
    expect(result.statements.map((s) => [s.sql, s.class])).toEqual([
      ['select 1', 'read-only'],
      ['drop table t', 'ddl'],
      ["select nextval('s')", 'write'],
    ]);
  });

  it('explains why a SELECT is not read-only', () => {
    const result = classifyScript('select evil()');
    expect(result.statements[0]!.reasons).toEqual(['calls evil(), which is not known to be read-only']);
  });

  it('reports the parser error for unparsable input', () => {
    const result = classifyScript('select from where');
    expect(result.class).toBe('unsafe');
    expect(result.parseError).toMatch(/does not parse: syntax error at or near "where"/);
  });

  it('trusts a user function only when the catalog says it is STABLE or IMMUTABLE', () => {
    expect(classifyScript('select f()', { functionVolatility: new Map([['f', 's']]) }).class).toBe('read-only');
    expect(classifyScript('select f()', { functionVolatility: new Map([['f', 'v']]) }).class).toBe('unsafe');
    // A catalog entry never overrides the built-in deny lists.
    expect(classifyScript('select pg_terminate_backend(1)', { functionVolatility: new Map([['pg_terminate_backend', 's']]) }).class).toBe('administrative');
  });
});
