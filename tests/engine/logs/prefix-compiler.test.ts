/** log_line_prefix compiler: a table of real lines (corpus files) and the fields each must give. */
import { describe, expect, it } from 'vitest';
import { compilePrefix } from '../../../src/engine/logs/prefix-compiler.js';
import { detectPrefix } from '../../../src/engine/logs/format-detector.js';

const cases = [
  {
    prefix: '%m [%p] %q%u@%d ',
    line: '2020-04-16 12:48:36.677 CEST [34492] LOG:  duration: 0.327 ms  statement: select 1;',
    fields: { time: '2020-04-16T10:48:36.677Z', pid: 34492, severity: 'LOG', message: 'duration: 0.327 ms  statement: select 1;' },
  },
  {
    prefix: '%m [%p] %q%u@%d ',
    line: '2017-04-03 22:32:14.322 CEST [31225] postgres@mydb LOG:  could not receive data from client: Connection reset by peer',
    fields: { pid: 31225, user: 'postgres', database: 'mydb', message: 'could not receive data from client: Connection reset by peer' },
  },
  {
    prefix: '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
    line: '2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 2.280 ms  statement: END;',
    fields: { time: '2017-09-06T08:41:41.000Z', pid: 36, user: 'postgres', database: 'postgres', application: 'pgbench', client: '172.23.0.1' },
  },
  {
    prefix: '%t:%r:%u@%d:[%p]:',
    line: '2020-03-11 20:41:42 CET:[local]:postgres@postgres:[12835]:LOG:  duration: 0.860 ms  statement: SELECT 1',
    fields: { time: '2020-03-11T19:41:42.000Z', pid: 12835, client: '[local]', user: 'postgres', database: 'postgres' },
  },
  {
    prefix: '%t:%r:%u@%d:[%p]:',
    line: '2020-03-11 20:40:43 CET::@:[12760]:LOG:  starting PostgreSQL 12.2',
    fields: { pid: 12760, user: undefined, database: undefined, message: 'starting PostgreSQL 12.2' },
  },
  {
    prefix: '%m [%p] %e: db=%d,user=%u,app=%a,client=%h ',
    line: '2025-11-30 21:15:45.323 UTC [1263] 42601: db=app_db,user=app_user,app=psql,client=172.20.0.10 ERROR:  syntax error at or near "SELEC" at character 1',
    fields: { sqlstate: '42601', severity: 'ERROR', database: 'app_db', user: 'app_user', application: 'psql', client: '172.20.0.10' },
  },
  {
    prefix: '%m|%u|%d|%c|',
    line: '2010-12-31 10:59:52.243 UTC|postgres|postgres|4d1db7a8.4227|LOG:  connection authorized: user=postgres database=postgres',
    fields: { user: 'postgres', database: 'postgres', sessionId: '4d1db7a8.4227', pid: 0 },
  },
  {
    prefix: '%t [%p-%l] %q%u@%d ',
    line: '2017-12-19 02:50:28 UTC [417-3935] dexter@dexter_test LOG:  duration: 21.701 ms  execute <unnamed>: SELECT * FROM posts WHERE id = $1',
    fields: { pid: 417, user: 'dexter', database: 'dexter_test' },
  },
  {
    prefix: '%m [%p] %q%u@%d ',
    line: '2019-07-23 12:06:24.406 UTC [25] LOG:  00000: database system was interrupted; last known up at 2019-07-23 12:03:20 UTC',
    fields: { message: '00000: database system was interrupted; last known up at 2019-07-23 12:03:20 UTC' },
  },
  {
    prefix: '%n [%p] ',
    line: '1669575482.096 [600] LOG:  disconnection: session time: 0:00:00.007 user=postgres database=postgres host=[local]',
    fields: { time: '2022-11-27T18:58:02.096Z', pid: 600 },
  },
  {
    prefix: '%m [%p] %q%u@%d ',
    line: '2021-03-17 15:18:00.201 UTC [149] postgres@postgres LOG:  statement: CREATE DATABASE accounts;',
    fields: { severity: 'LOG', message: 'statement: CREATE DATABASE accounts;' },
  },
];

describe('compilePrefix', () => {
  it.each(cases)('$prefix reads: $line', ({ prefix, line, fields }) => {
    const match = compilePrefix(prefix).match(line);
    expect(match).toBeDefined();
    const got = {
      ...match,
      time: match && Number.isFinite(match.time) ? new Date(match.time).toISOString() : undefined,
      message: match ? line.slice(match.messageStart) : undefined,
    };
    expect(got).toMatchObject(Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
    for (const [key, value] of Object.entries(fields)) if (value === undefined) expect(got[key as keyof typeof got]).toBeUndefined();
  });

  it('does not match a line of another prefix', () => {
    expect(compilePrefix('%m [%p] %q%u@%d ').match('2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres LOG:  x')).toBeUndefined();
  });

  it('names the escapes a prefix lacks and why they matter', () => {
    expect(compilePrefix('%t ').missing).toEqual([
      'without %p statements and their DETAIL/STATEMENT lines of concurrent sessions cannot be stitched',
      'without %d statements cannot be broken down by database',
      'without %u statements cannot be broken down by user',
    ]);
    expect(compilePrefix('%m [%p] %q%u@%d ').missing).toEqual([]);
  });

  it('rejects an escape PostgreSQL does not know', () => {
    expect(() => compilePrefix('%m %z ')).toThrow("Unknown escape %z in log_line_prefix '%m %z '.");
  });
});

describe('detectPrefix', () => {
  it('picks the common prefix that matches the sample lines', () => {
    const lines = [
      '2017-09-06 08:40:10 UTC [20]: [1-1] user=,db=,app=,client= LOG:  database system was shut down at 2017-09-06 08:40:08 UTC',
      '2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 2.280 ms  statement: END;',
    ];
    expect(detectPrefix(lines).matcher.prefix).toBe('%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ');
  });

  it('falls back to reading fields heuristically when no common prefix fits', () => {
    const line = '2023-03-07 09:06:08 CET [130096]: [247-1] [0] usr=usr6,db=progdb,appli=76ae131687c458a8 LOG:  duration: 778.166 ms  execute <unnamed>: select 1';
    const choice = detectPrefix([line]);
    expect(choice.matcher.prefix).toBe('(not recognised: fields read heuristically)');
    expect(choice.matcher.match(line)).toMatchObject({ pid: 130096, user: 'usr6', database: 'progdb', application: '76ae131687c458a8', severity: 'LOG' });
  });
});
