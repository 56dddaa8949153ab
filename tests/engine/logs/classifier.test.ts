/** Classifier: real messages from the corpus and the event each must give. */
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/engine/logs/classifier.js';
import type { LogEntry } from '../../../src/engine/logs/types.js';

const entry = (message: string): LogEntry => ({ time: 0, pid: 1, severity: 'LOG', message, line: 1, source: 0 });

const cases: [string, object][] = [
  ['duration: 0.327 ms  statement: select 1;', { kind: 'query', durationMs: 0.327, step: 'statement', query: 'select 1;' }],
  ['duration: 21.701 ms  execute <unnamed>: SELECT * FROM posts WHERE id = $1', { kind: 'query', durationMs: 21.701, step: 'execute', name: '<unnamed>', query: 'SELECT * FROM posts WHERE id = $1' }],
  ['duration: 688786.283 ms  execute stmt_slow/stmt_slow: SELECT 1', { kind: 'query', step: 'execute', name: 'stmt_slow/stmt_slow', durationMs: 688786.283 }],
  ['duration: 12.437 ms  parse <unnamed>: select * from table', { kind: 'query', step: 'parse', name: '<unnamed>' }],
  ['duration: 0.039 ms  bind S_1: COMMIT', { kind: 'query', step: 'bind', name: 'S_1', query: 'COMMIT' }],
  ['duration: 430.394 ms', { kind: 'duration', durationMs: 430.394 }],
  ['statement: CREATE DATABASE accounts;', { kind: 'logged-statement', step: 'statement', query: 'CREATE DATABASE accounts;' }],
  ['execute S_1: SELECT 1', { kind: 'logged-statement', step: 'execute', name: 'S_1', query: 'SELECT 1' }],
  ['duration: 0.231 ms  plan:\nQuery Text: SELECT * FROM users WHERE id = 42;\nIndex Scan using users_pkey on public.users  (cost=0.29..8.30 rows=1 width=42)', { kind: 'plan', durationMs: 0.231, query: 'SELECT * FROM users WHERE id = 42;' }],
  ['duration: 1.5 ms  plan:\n{\n  "Query Text": "SELECT \\"a\\" FROM t",\n  "Plan": {}\n}', { kind: 'plan', query: 'SELECT "a" FROM t' }],
  ['connection received: host=172.20.0.10 port=45814', { kind: 'connection-received', host: '172.20.0.10' }],
  ['connection received: host=[local]', { kind: 'connection-received', host: '[local]' }],
  ['connection authorized: user=postgres database=postgres application_name=psql', { kind: 'connection-authorized', user: 'postgres', database: 'postgres', application: 'psql' }],
  ['connection authorized: user=cloudsqladmin database=cloudsqladmin', { kind: 'connection-authorized', user: 'cloudsqladmin', database: 'cloudsqladmin' }],
  ['disconnection: session time: 0:00:00.170 user=postgres database=postgres host=[local]', { kind: 'disconnection', sessionMs: 170, user: 'postgres', database: 'postgres', host: '[local]' }],
  ['disconnection: session time: 1:02:03.500 user=a database=b host=10.0.0.1 port=5432', { kind: 'disconnection', sessionMs: 3723500, host: '10.0.0.1' }],
  ['checkpoint starting: immediate force wait', { kind: 'checkpoint-start', reason: 'immediate force wait', restartpoint: false }],
  [
    'checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.006 s, sync=0.002 s, total=0.027 s; sync files=2, longest=0.001 s, average=0.001 s; distance=0 kB, estimate=0 kB',
    { kind: 'checkpoint-complete', buffers: 3, writeS: 0.006, syncS: 0.002, totalS: 0.027 },
  ],
  ['restartpoint complete: wrote 10 buffers (0.1%); write=1.0 s, sync=0.1 s, total=1.2 s', { kind: 'checkpoint-complete', restartpoint: true, buffers: 10 }],
  ['checkpoints are occurring too frequently (25 seconds apart)', { kind: 'checkpoint-warning', secondsApart: 25 }],
  [
    'automatic vacuum of table "app_db.public.large_transactions": index scans: 0\npages: 0 removed, 2500 remain, 2500 scanned (100.00% of total)\ntuples: 87 removed, 50000 remain, 0 are dead but not yet removable\nsystem usage: CPU: user: 0.11 s, system: 0.04 s, elapsed: 0.78 s',
    { kind: 'autovacuum', table: 'app_db.public.large_transactions', tuplesRemoved: 87, pagesRemoved: 0, elapsedS: 0.78 },
  ],
  ['automatic analyze of table "template1.pg_catalog.pg_shdepend"\nsystem usage: CPU: user: 0.01 s, system: 0.01 s, elapsed: 0.03 s', { kind: 'autoanalyze', table: 'template1.pg_catalog.pg_shdepend', elapsedS: 0.03 }],
  ['automatic analyze of table "testdb.sales.tab_shop_stats" system usage: CPU: user: 0.04 s, system: 0.00 s, elapsed: 0.08 s', { kind: 'autoanalyze', elapsedS: 0.08 }],
  ['temporary file: path "base/pgsql_tmp/pgsql_tmp128.0", size 700000', { kind: 'temp-file', path: 'base/pgsql_tmp/pgsql_tmp128.0', bytes: 700000 }],
  ['process 4882 still waiting for ShareLock on transaction 259635360 after 1000.119 ms', { kind: 'lock-wait', state: 'waiting', lockMode: 'ShareLock', object: 'transaction 259635360', waitMs: 1000.119 }],
  ['process 4821 acquired ShareLock on transaction 259635221 after 5634.256 ms', { kind: 'lock-wait', state: 'acquired', waitMs: 5634.256 }],
  ['process 4849 detected deadlock while waiting for ShareLock on transaction 259635360 after 1000.134 ms', { kind: 'lock-wait', state: 'deadlock-detected' }],
  ['process 77 still waiting for AccessExclusiveLock on relation 16384 of database 5 after 100.050 ms', { kind: 'lock-wait', lockMode: 'AccessExclusiveLock', object: 'relation 16384 of database 5' }],
  ['deadlock detected', { kind: 'deadlock' }],
  ['starting PostgreSQL 17.7 on x86_64-pc-linux-musl', { kind: 'server', action: 'starting' }],
  ['database system is ready to accept connections', { kind: 'server', action: 'ready' }],
  ['received fast shutdown request', { kind: 'server', action: 'shutdown-requested' }],
  ['database system is shut down', { kind: 'server', action: 'shut-down' }],
  ['server process (PID 1234) was terminated by signal 9: Killed', { kind: 'server', action: 'crash' }],
  ['database system was not properly shut down; automatic recovery in progress', { kind: 'server', action: 'recovery' }],
  ['could not receive data from client: Connection reset by peer', { kind: 'other' }],
  ['duration: abc ms  statement: x', { kind: 'other' }],
];

describe('classify', () => {
  it.each(cases)('%s', (message, expected) => {
    expect(classify(entry(message))).toMatchObject(expected);
  });
});

// The connection messages have hand-written fast paths; they must give what the regular
// expressions give (the slow path), including on unusual values.
describe('connection fast paths agree with the regular expressions', () => {
  const received = (message: string) => ({ kind: 'connection-received', host: /host=(\S+)/.exec(message)?.[1] ?? '' });
  const authorized = (message: string, database?: string) => {
    const m = /user=(\S*)(?: database=(\S*))?(?: application_name=(.*?))?(?: \(|$| SSL| GSS|$)/.exec(message);
    const event: Record<string, unknown> = { kind: 'connection-authorized', user: m?.[1] ?? '', database: m?.[2] ?? database ?? '' };
    if (m?.[3] !== undefined) event.application = m[3];
    return event;
  };
  const disconnection = (message: string) => {
    const m = /^disconnection: session time: (\S+) user=(.*?) database=(.*?) host=(\S*)/.exec(message);
    if (!m) return { kind: 'other' };
    const t = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(m[1]!);
    const sessionMs = t ? (Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3])) * 1000 : NaN;
    return { kind: 'disconnection', sessionMs, user: m[2], database: m[3], host: m[4] };
  };
  const messages = {
    received: ['host=10.0.0.1 port=5432', 'host=10.0.0.1 port=5432 connection received: host=x', 'host=[local]', 'host= port=1 host=x', 'host=ü.example port=1', 'host=a\tb', 'nohost here', 'host=1.2.3.4'],
    authorized: [
      'user=postgres database=postgres application_name=psql',
      'user=postgres database=postgres',
      'user=postgres',
      'user=app database=db application_name=',
      'user=app database=db application_name=my app (x)',
      'user=app database=db application_name=web SSL enabled (protocol=TLSv1.3, cipher=X, bits=256)',
      'user=app database=db SSL enabled (protocol=TLSv1.3)',
      'user=ünï database=db application_name=a',
      'user=a database=b application_name=c\u2028d',
      'user=a  database=b',
      'identity="x" method=trust user=a database=b',
    ],
    disconnection: [
      'session time: 0:00:00.170 user=postgres database=postgres host=[local]',
      'session time: 1:02:03.500 user=a database=b host=10.0.0.1 port=5432',
      'session time: 0:00:01.000 user=a b database=c d host=e f',
      'session time: 0:00:01.000 user= database= host=',
      'session time: 0:00:01.000 user=x database=y',
      'session time: 0:00:01.000 user=x\ny database=z host=h',
      'session time: 0:00:01.000 user=x database= host= database=q host=r',
      'session time: 0:00:01.000 user=x database=y host=ü',
      'session time: bad user=x database=y host=h',
      'session time: 123:59:59.999999 user=x database=y host=h',
      'session time: 0:00:01 user=x database=y host=h',
      'session time: 0:00:01. user=x database=y host=h',
      'session time: 0:0:01.5 user=x database=y host=h',
      'session time: :00:01.5 user=x database=y host=h',
      'session time: 0:00:01.5x user=x database=y host=h',
      'session time: 1:2:3:4 user=x database=y host=h',
      'session time: 00000000001:00:01.250 user=x database=y host=h',
    ],
  };
  it.each(messages.received)('connection received: %s', (tail) => {
    const message = `connection received: ${tail}`;
    expect(classify(entry(message))).toEqual(received(message));
  });
  it.each(messages.authorized)('connection authorized: %s', (tail) => {
    const message = `connection authorized: ${tail}`;
    expect(classify({ ...entry(message), database: 'fromprefix' })).toEqual(authorized(message, 'fromprefix'));
  });
  it.each(messages.disconnection)('disconnection: %s', (tail) => {
    const message = `disconnection: ${tail}`;
    expect(classify(entry(message))).toEqual(disconnection(message));
  });
});
