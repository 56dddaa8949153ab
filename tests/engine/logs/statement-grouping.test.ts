/**
 * Grouping like pg_stat_statements: same parse tree modulo constants, constant types kept,
 * parameters apart from literals, utility statements by exact text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { keyToDisplayText, normalizeStatement, statementKeyHash } from '../../../src/engine/logs/sql-normalizer.js';
import { loadSqlParser, StatementGrouper } from '../../../src/engine/logs/statement-grouper.js';

describe('normalizeStatement (per-line tokenizer)', () => {
  it.each([
    ["SELECT * FROM t WHERE a = 5 AND b = 'x''y' -- note\n  AND c = 1.5e3", 'SELECT * FROM t WHERE a = $i AND b = $s AND c = $n'],
    ['UPDATE pgbench_accounts SET abalance = abalance + -4985 WHERE aid = 3;', 'UPDATE pgbench_accounts SET abalance = abalance + $i WHERE aid = $i;'],
    ['select a - 1, b-2 from t', 'select a - $i, b-$i from t'],
    ['select 10000000000, 99999999999999999999, 2147483647', 'select $l, $n, $i'],
    ["select E'a\\'b', X'ff', $$it's$$, $tag$x$tag$", 'select $s, $b, $s, $s'],
    ['select /* a /* nested */ comment */ t1.c2 from "T 3" where x = $1', 'select t1.c2 from "T 3" where x = $1'],
    ["select 'unterminated", 'select $s'],
    ['', ''],
  ])('%j -> %j', (sql, key) => {
    expect(normalizeStatement(sql).key).toBe(key);
  });

  it('hashes exactly what the key would be', () => {
    expect(statementKeyHash('select  1 /* x */')).toBe(statementKeyHash('select 2'));
    expect(statementKeyHash('select 1')).not.toBe(statementKeyHash('select 10000000000'));
    expect(statementKeyHash('select a')).not.toBe(statementKeyHash('select b'));
  });

  it('numbers placeholders for display after existing parameters', () => {
    expect(keyToDisplayText('select $i, $1, $s')).toBe('select $2, $1, $3');
  });
});

describe('StatementGrouper', () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  const group = (grouper: StatementGrouper, sql: string) => grouper.resolve(sql).map((ref) => ref.fingerprint);

  it('groups texts that differ only in constants, case, spacing, comments and aliases', () => {
    const g = new StatementGrouper();
    const base = group(g, 'SELECT a FROM t WHERE b = 1');
    expect(group(g, "select a  from t where b = 2 -- again")).toEqual(base);
    expect(group(g, 'SELECT x.a AS renamed FROM t x WHERE x.b = 3').length).toBe(1);
    expect(group(g, 'SELECT a AS other FROM t WHERE b = 4')).toEqual(base);
  });

  it('keeps apart what pg_stat_statements keeps apart', () => {
    const g = new StatementGrouper();
    const ids = [
      'SELECT * FROM t WHERE a = 1',
      'SELECT * FROM t WHERE a = 10000000000',
      'SELECT * FROM t WHERE a = $1',
      'SELECT * FROM t WHERE a IN (1, 2)',
      'SELECT * FROM t WHERE a IN (1, 2, 3)',
      'SELECT * FROM u WHERE a = 1',
    ].map((sql) => group(g, sql)[0]);
    expect(new Set(ids).size).toBe(6);
  });

  it('groups utility statements by their exact text, as PostgreSQL 15 does', () => {
    const g = new StatementGrouper();
    expect(group(g, 'BEGIN;')).toEqual(group(g, 'BEGIN'));
    expect(group(g, 'begin')).not.toEqual(group(g, 'BEGIN'));
    expect(group(g, 'SET work_mem = 1000')).not.toEqual(group(g, 'SET work_mem = 2000'));
    expect(g.resolve('VACUUM ANALYZE t')[0]).toMatchObject({ utility: true, query: 'VACUUM ANALYZE t' });
  });

  it('counts each statement of a multi-statement string', () => {
    const refs = new StatementGrouper().resolve('BEGIN; UPDATE t SET a = 1 WHERE b = 2; COMMIT;');
    expect(refs.map((r) => r.query)).toEqual(['BEGIN', 'UPDATE t SET a = $1 WHERE b = $2', 'COMMIT']);
  });

  it('groups text the parser rejects by its normalised text', () => {
    const g = new StatementGrouper();
    const refs = g.resolve('SELECT * FROM t WHERE a = 5 AND (');
    expect(refs[0]).toMatchObject({ parsed: false, query: 'SELECT * FROM t WHERE a = $1 AND (' });
    expect(group(g, 'SELECT * FROM t WHERE a = 6 AND (')).toEqual([refs[0]!.fingerprint]);
  });

  it('calls the parser once per distinct normalised text', () => {
    const g = new StatementGrouper();
    for (let i = 0; i < 500; i += 1) g.resolve(`SELECT * FROM t WHERE a = ${i}`);
    expect(g.parserCalls).toBe(1);
  });

  it('gives the same groups from the verbatim-text memo as from a fresh grouper, past its bound', () => {
    const texts = ['SELECT * FROM t WHERE a = $1', 'BEGIN', 'VACUUM ANALYZE t', 'UPDATE t SET a = 1 WHERE b = 2; SELECT 1', 'SELECT * FROM t WHERE a = 5 AND ('];
    const g = new StatementGrouper();
    // 5,000 distinct texts overflow the memo (4,000) once; repeated texts hit it.
    for (let i = 0; i < 5_000; i += 1) g.resolve(`SELECT ${i} FROM t`);
    for (let round = 0; round < 2; round += 1) {
      for (const text of [...texts, 'SELECT 4999 FROM t', 'SELECT 0 FROM t']) {
        expect(g.resolve(text), text).toEqual(new StatementGrouper().resolve(text));
        expect(g.resolve(text)).toBe(g.resolve(text));
      }
    }
    // Repeats never reach the parser again: as many calls as one pass over the distinct texts.
    const once = new StatementGrouper();
    for (const text of ['SELECT 0 FROM t', ...texts]) once.resolve(text);
    expect(g.parserCalls).toBe(once.parserCalls);
  });
});
