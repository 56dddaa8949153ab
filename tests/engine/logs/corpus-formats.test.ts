/**
 * One analysis per format on real logs of the shared corpus, checked against the oracles its
 * SOURCES.md lists (pgBadger's test assertions, quellog's golden report, grep counts of the files).
 * Every file must be read with zero unparsed lines; the expected exceptions are counted as skipped.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeLogs, type LogAnalysis } from '../../../src/engine/logs/index.js';
import { corpus } from './corpus.js';

const analyse = (file: string, options = {}) => analyzeLogs([join(corpus, file)], { topQueries: 1000, ...options });

describe('quellog: one workload captured in six formats gives one answer', () => {
  const files = ['quellog/stderr.log', 'quellog/csvlog.csv', 'quellog/jsonlog.json', 'quellog/syslog.log', 'quellog/syslog_bsd.log', 'quellog/syslog_rfc5424.log'];

  it.each(files)('%s', async (file) => {
    const a = await analyse(file);
    expect(a.summary.unparsed.count).toBe(0);
    expect(a.summary.orphan_attachments).toBe(0);
    // golden.json: ERROR 9 + FATAL 4, 1441 connections received, 1437 disconnections, 8 checkpoints
    // (4 time, 1 wal, 2 immediate force wait, 1 shutdown immediate), 1 warning, one 2.51 s lock
    // wait, 1 deadlock, 7 temp files of 56.08 MB, 16 vacuums, 39 analyzes, 83 distinct normalised
    // queries in quellog's grouping.
    expect({
      errors: a.summary.errors_total,
      received: a.events.connections.received,
      authorized: a.events.connections.count,
      disconnections: a.events.disconnections.count,
      checkpoints: a.events.checkpoints.count,
      reasons: a.events.checkpoints.by_reason,
      warnings: a.events.checkpoints.warnings,
      lockWaitMs: a.events.lock_waits.total_wait_ms,
      deadlocks: a.events.deadlocks.count,
      tempFiles: a.events.temp_files.count,
      tempBytes: a.events.temp_files.total_bytes,
      autovacuum: a.events.autovacuum.count,
      autoanalyze: a.events.autoanalyze.count,
      // 1385 duration lines; the multi-statement ones count once per statement, as pg_stat_statements does.
      calls: a.summary.query_calls,
      distinct: a.summary.distinct_queries,
    }).toEqual({
      errors: 13,
      received: 1441,
      authorized: 1439,
      disconnections: 1437,
      checkpoints: 8,
      reasons: { 'immediate force wait': 2, 'shutdown immediate': 1, time: 4, wal: 1 },
      warnings: 1,
      lockWaitMs: 2512.817,
      deadlocks: 1,
      tempFiles: 7,
      tempBytes: 58_805_856,
      autovacuum: 16,
      autoanalyze: 39,
      calls: 1413,
      distinct: 94,
    });
  });
});

describe('pgBadger fixtures, with pgBadger test assertions as oracles', () => {
  it('stderr with %l and key=value prefix: 629 statements (t/03_consistency.t:6)', async () => {
    const a = await analyse('pgbadger/light.postgres.log');
    expect(a.summary.inputs[0]!.prefix).toBe('%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ');
    expect(a.summary.query_calls).toBe(629);
    expect(a.summary.unparsed.count).toBe(0);
  });

  it('RDS prefix, gzip: the pg_database query took 2.667 ms in 4 calls (t/03_consistency.t:57)', async () => {
    const a = await analyse('pgbadger/rds.log.gz');
    expect(a.summary.inputs[0]!.prefix).toBe('%t:%r:%u@%d:[%p]:');
    const q = a.queries.find((x) => x.query === 'SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn');
    expect({ calls: q?.calls, total: q?.total_ms }).toEqual({ calls: 4, total: 2.667 });
    expect(a.summary.query_calls).toBe(114_594);
    expect(a.summary.unparsed.count).toBe(0);
  });

  it('Google Cloud SQL JSON: 151 connections of cloudsqladmin to cloudsqladmin (t/03_consistency.t:64)', async () => {
    const a = await analyse('pgbadger/cloudsql.log.gz');
    expect(a.summary.format).toBe('cloudsql');
    expect(a.events.connections.by_database.cloudsqladmin).toBe(151);
    expect(a.events.checkpoints.count).toBe(12);
    expect(a.summary.unparsed.count).toBe(0);
  });

  it('CloudNativePG JSON: 378 postgres connections, operator messages skipped (t/03_consistency.t:71)', async () => {
    const a = await analyse('pgbadger/cnpg.log.gz');
    expect(a.summary.format).toBe('cnpg');
    expect(a.events.connections.by_database.postgres).toBe(378);
    expect(a.summary.skipped).toBe(47);
    expect(a.summary.query_calls).toBe(400);
    expect(a.summary.unparsed.count).toBe(0);
  });

  it.each(['pgbadger/pg_vacuums.log.gz', 'pgbadger/pg_vacuums.json.gz'])('%s: 1450 autoanalyze, 2094 autovacuum (t/03_consistency.t:110-125)', async (file) => {
    const a = await analyse(file);
    expect({ analyze: a.events.autoanalyze.count, vacuum: a.events.autovacuum.count, unparsed: a.summary.unparsed.count }).toEqual({ analyze: 1450, vacuum: 2094, unparsed: 0 });
  });

  it('Heroku logplex: CTE duration in database GREEN is 21761.546 ms; lock waits and a deadlock (t/03_consistency.t:45)', async () => {
    const a = await analyse('pgbadger/logplex.gz');
    const cte = a.queries.filter((q) => q.query.startsWith('WITH'));
    expect(cte.reduce((sum, q) => sum + (q.by_database.GREEN?.total_ms ?? 0), 0)).toBeCloseTo(21761.546, 3);
    expect({ waits: a.events.lock_waits.count, acquired: a.events.lock_waits.acquired, deadlocks: a.events.deadlocks.count }).toEqual({ waits: 1, acquired: 3, deadlocks: 1 });
    expect(a.summary.unparsed.count).toBe(0);
  });

  it('csvlog: a statement without duration does not inherit one (t/07_csv_statement_duration.t)', async () => {
    const a = await analyse('pgbadger/csv_statement_without_duration.log');
    const byQuery = Object.fromEntries(a.queries.map((q) => [q.query, { calls: q.calls, max: q.max_ms }]));
    expect(byQuery).toEqual({
      'SELECT example_schema.slow_table.id FROM example_schema.slow_table': { calls: 1, max: 688786.283 },
      'SELECT example_schema.health_check()': { calls: 1, max: null },
    });
  });

  it('syslog with another program in the same file: 59871 statements, systemd lines skipped', async () => {
    const a = await analyse('pgbadger/pg-syslog.1.gz');
    expect(a.summary.format).toBe('syslog');
    expect(a.summary.query_calls).toBe(59_871);
    expect(a.summary.skipped).toBe(3);
    expect(a.summary.unparsed.count).toBe(0);
  });

  it('a prefix without space after the severity colon (%t:%h:%u@%d:[%p]:)', async () => {
    const a = await analyse('pgbadger/pg-timezones.log');
    expect(a.summary.query_calls).toBe(2);
    expect(a.summary.first).toBe('2021-05-27T17:00:00.000Z');
  });

  it('pg_ctl output in the server log is reported as unparsed, with line numbers', async () => {
    const a = await analyse('pgbadger/pg_rawcsv.log');
    expect(a.summary.unparsed.examples.map((x) => [x.line, x.text])).toEqual([
      [3, 'pg_ctl: could not start server'],
      [4, 'Examine the log output.'],
    ]);
  });
});

describe('other real logs', () => {
  it.each([
    // statement lines, duration lines, sum of the durations (grep/awk over the file)
    ['elastic-beats-filebeat/postgresql-13-log-statement-all.log', 111, 110, 1461.176],
    ['elastic-beats-filebeat/postgresql-9-log-statement-all.log', 101, 101, 1649.568],
  ])('%s: log_statement + log_duration lines are paired by process', async (file, statements, durations, totalMs) => {
    const a = await analyse(file);
    expect({
      calls: a.summary.query_calls,
      timed: a.queries.reduce((sum, q) => sum + q.calls_with_duration, 0),
      unpaired: a.summary.durations_without_statement,
      total: a.summary.query_total_ms,
    }).toEqual({ calls: statements, timed: durations, unpaired: 0, total: totalMs });
  });

  it('Azure diagnostic JSON (documented shape, hand-made sample: no real one in the corpus)', async () => {
    const line = JSON.stringify({
      time: '2024-05-01T10:00:00.000Z',
      category: 'PostgreSQLLogs',
      properties: { errorLevel: 'LOG', processId: 42, sqlerrcode: '00000', message: 'duration: 5.000 ms  statement: SELECT 1' },
    });
    const a = await analyzeLogs([{ name: 'azure.json', data: `${line}\n` }]);
    expect({ format: a.summary.format, calls: a.summary.query_calls, first: a.summary.first }).toEqual({ format: 'azure', calls: 1, first: '2024-05-01T10:00:00.000Z' });
  });

  it('pgreplay errlog: the memory context dump is skipped, the workload is read', async () => {
    const a = await analyse('pgreplay/errlog');
    expect({ unparsed: a.summary.unparsed.count, skipped: a.summary.skipped, errors: a.summary.errors_total }).toEqual({ unparsed: 0, skipped: 123, errors: 3 });
  });

  it.each(['dexter/queries.log', 'dexter/queries.csv', 'dexter/queries.json'])('%s: execute with its parameters', async (file) => {
    const a = await analyse(file);
    // The csv file has a newline in the statement; the normalised text keeps it, as pg_stat_statements does.
    expect(a.queries.map((q) => ({ query: q.query.replace(/\s+/g, ' '), calls: q.calls, parameters: q.example_parameters, total: q.total_ms }))).toEqual([
      { query: 'SELECT * FROM posts WHERE id = $1', calls: 1, parameters: "$1 = '1'", total: expect.any(Number) },
    ]);
  });

  it.each(['quellog/autoexplain/stderr.log', 'quellog/autoexplain/stderr_jsonplan.log', 'quellog/autoexplain/csvlog.csv', 'quellog/autoexplain/jsonlog_jsonplan.json'])(
    '%s: auto_explain plans are kept with their statement',
    async (file) => {
      const a = await analyse(file);
      expect(a.summary.query_calls).toBe(11);
      expect(a.queries.filter((q) => q.plan !== undefined && q.plans_logged === 1)).toHaveLength(11);
    },
  );

  it('several files are analysed in time order, whatever the order given', async () => {
    const a: LogAnalysis = await analyzeLogs([join(corpus, 'pgbadger/stmt_type.log'), join(corpus, 'elastic-beats-filebeat/postgresql-12-default.log')]);
    expect(a.summary.inputs.map((i) => i.name)).toEqual(['stmt_type.log', 'postgresql-12-default.log']);
    expect(a.summary.first).toBe('2019-10-21T09:03:31.311Z');
  });
});
