/**
 * The WebAssembly line scanner must read every line exactly as the regular-expression reader
 * does: the same records (fields, message, line numbers), the same events, the same unparsed
 * lines. Each case runs both readers on the same bytes and compares what they give.
 */
import { isAscii } from 'node:buffer';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeLogs } from '../../../src/engine/logs/analyze-logs.js';
import { eventOf, type LogEvent } from '../../../src/engine/logs/classifier.js';
import { CHUNK, openInput } from '../../../src/engine/logs/line-source.js';
import { compilePrefix } from '../../../src/engine/logs/prefix-compiler.js';
import { StderrReader } from '../../../src/engine/logs/readers/stderr-reader.js';
import { prefixProgram } from '../../../src/engine/logs/scanner/prefix-program.js';
import { lineScannerAvailable, WasmLineScanner } from '../../../src/engine/logs/scanner/wasm-line-scanner.js';
import { statementKeyHash } from '../../../src/engine/logs/sql-normalizer.js';
import type { LogAnalysis } from '../../../src/engine/logs/analysis-types.js';
import type { LogEntry, LogRecord } from '../../../src/engine/logs/types.js';
import { corpus } from './corpus.js';
import { generatedLog } from './generated-log.js';

interface Read {
  items: Record<string, unknown>[];
  unparsed: { line: number; text: string }[];
  skipped: number[];
  scannedEntries: number;
  /** Statement events that came with the scanner's key hash (each checked against the tokenizer's). */
  hashedStatements: number;
}

/**
 * The event as the text reader gives it: the scanner's key hash of a statement is checked
 * against the JavaScript tokenizer's (statementKeyHash of the final SQL), then left out.
 */
function checkedEvent(event: LogEvent, result: Read): LogEvent {
  if (event.kind !== 'query' || event.keyHash === undefined) return event;
  expect(event.keyHash, event.query).toBe(statementKeyHash(event.query));
  result.hashedStatements += 1;
  const { keyHash: _checked, ...rest } = event;
  return rest;
}

/** What a reader gives for `text`: records (and whole entries, with `entries`), in order. */
async function read(prefix: string, text: string | Buffer, scan: boolean, entries = false): Promise<Read> {
  const result: Read = { items: [], unparsed: [], skipped: [], scannedEntries: 0, hashedStatements: 0 };
  const shape = (record: LogRecord, event: LogEvent) => ({ ...record, event: checkedEvent(event, result), message: record.message });
  const reader = new StderrReader(compilePrefix(prefix), {
    record: (record) => result.items.push(shape(record, eventOf(record as LogEntry))),
    unparsed: (line, lineText) => result.unparsed.push({ line, text: lineText }),
    skipped: (line) => result.skipped.push(line),
    ...(entries ? { entry: (entry: LogEntry, event: LogEvent) => {
      result.scannedEntries += 1;
      // A whole entry carries no message: it is aggregated from its event alone.
      result.items.push({ ...shape(entry, event), message: '(whole entry)', messageStart: '(whole entry)' });
    } } : {}),
  }, scan);
  // Pieces as the line source cuts them (whole lines, at most 64 kB unless a line is longer).
  let lineNumber = 0;
  for await (const piece of (await openInput({ name: 'test.log', data: text })).lines(() => undefined)) lineNumber = reader.pushPiece(piece, lineNumber);
  reader.end();
  return result;
}

/** Records of both readers, with the scanner's whole entries compared without their message. */
async function expectSameRecords(prefix: string, text: string | Buffer): Promise<Read> {
  const byText = await read(prefix, text, false);
  const byScanner = await read(prefix, text, true);
  expect({ ...byScanner, hashedStatements: 0 }).toEqual(byText);
  const withEntries = await read(prefix, text, true, true);
  const messageless = (items: Record<string, unknown>[], whole: Record<string, unknown>[]) =>
    items.map((item, i) => (whole[i]?.message === '(whole entry)' ? { ...item, message: '(whole entry)', messageStart: '(whole entry)' } : item));
  expect(withEntries.items).toEqual(messageless(byText.items, withEntries.items));
  expect(withEntries.unparsed).toEqual(byText.unparsed);
  return withEntries;
}

const busyPrefix = '%m [%p] %e: db=%d,user=%u,app=%a,client=%h ';

describe('WebAssembly line scanner', () => {
  it('is built (npm ci and the test setup build it)', () => {
    expect(lineScannerAvailable()).toBe(true);
  });

  it.each([
    ['%m [%p] %q%u@%d ', '2020-04-16 12:48:36.677 CEST [34492] LOG:  duration: 0.327 ms  statement: select 1;'],
    ['%m [%p] %q%u@%d ', '2017-04-03 22:32:14.322 CEST [31225] postgres@mydb LOG:  could not receive data from client'],
    ['%m [%p] %q%u@%d ', '2017-04-03 22:32:14.322 +05:30 [31225] a@b LOG:  x\n2017-04-03 22:32:14.322+0530 [31225] a@b LOG:  y\n2017-04-03 22:32:14.322 -03 [1] LOG:  z'],
    ['%m [%p] %q%u@%d ', '2017-04-03 22:32:14.322 [31225] a@b LOG:  no zone\n2017-04-03 22:32:61.322 UTC [31225] a@b LOG:  second 61'],
    ['%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ', '2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 2.280 ms  statement: END;'],
    ['%t:%r:%u@%d:[%p]:', '2020-03-11 20:41:42 CET:[local]:postgres@postgres:[12835]:LOG:  duration: 0.860 ms  statement: SELECT 1\n2020-03-11 20:40:43 CET::@:[12760]:LOG:  starting PostgreSQL 12.2'],
    ['%t:%r:%u@%d:[%p]:', '2020-03-11 20:41:42 UTC:10.0.0.1(54321):app@db:[12835]:LOG:  connection authorized: user=app database=db'],
    ['%m|%u|%d|%c|', '2010-12-31 10:59:52.243 UTC|postgres|postgres|4d1db7a8.4227|LOG:  connection authorized: user=postgres database=postgres'],
    ['%t [%p-%l] %q%u@%d ', '2017-12-19 02:50:28 UTC [417-3935] dexter@dexter_test LOG:  duration: 21.701 ms  execute <unnamed>: SELECT * FROM posts WHERE id = $1\n2017-12-19 02:50:28 UTC [417-3936] dexter@dexter_test DETAIL:  parameters: $1 = \'1\''],
    ['%m [%p] %q%u@%d ', '2019-07-23 12:06:24.406 UTC [25] LOG:  00000: database system was interrupted; last known up at 2019-07-23 12:03:20 UTC'],
    ['%m [%p] [queryid=%Q] %q%u@%d ', '2024-01-01 00:00:00.000 UTC [7] [queryid=-123456789] a@b LOG:  statement: select 1\n2024-01-01 00:00:00.000 UTC [7] [queryid=0] LOG:  x'],
    ['%m [%p][%b][%x] %q[user=%u,db=%d,app=%a] ', '2024-01-01 00:00:00.000 UTC [7][client backend][0] [user=a,db=b,app=c] LOG:  x\n2024-01-01 00:00:00.000 UTC [7][][] LOG:  y'],
    ['%m [%p] %q%u@%d ', '2024-01-01 00:00:00.000 UTC [7] LOG:  x\r\n2024-01-01 00:00:00.000 UTC [7] LOG:  with a \r inside\n\tcontinued\r\n  spaces continue\n\tTopMemoryContext: 8192 total in 1 blocks;'],
    ['%m [%p] %q%u@%d ', '  TopMemoryContext: 8192 total in 1 blocks; 1 free\n\tcontinuation before any record\ngarbage\n\n2024-01-01 00:00:00.000 UTC [7] a@b LOG:  x'],
    ['%m [%p] %q%u@%d ', '2024-01-01 00:00:00.000 UTC [7] a@b DEBUG1:  d\n2024-01-01 00:00:00.000 UTC [7] a@b DEBUG:  d\n2024-01-01 00:00:00.000 UTC [7] a@b DEBUG6:  d\n2024-01-01 00:00:00.000 UTC [7] a@b LOG: one space\n2024-01-01 00:00:00.000 UTC [7] a@b LOGX:  no'],
    ['%m [%p] %q%u@%d ', '2024-01-01 00:00:00.000 UTC [7] naïve@b LOG:  non-ASCII\n2024-01-01 00:00:00.000 UTC [7] a@b LOG:  \u00e9t\u00e9 \u2028 sep'],
    [busyPrefix, '2025-11-30 21:15:45.323 UTC [1263] 42601: db=a,b,user=x,app=y,client=z ERROR:  a database name with a comma'],
    [busyPrefix, '2025-11-30 21:15:45.323 UTC [1263] 00000: db=d,user=u,app=my app LOG: x,client=1.2.3.4 LOG:  a space and a severity in a value'],
    ['%m [%p] ', '2025-11-30 21:15:45.323 UTC [1234567890123] LOG:  a pid too long for 32 bits'],
    ['%m [%p] %q%u@%d ', '2025-11-30 21:15:45.323 UTC [1] LOG:  x\n\tline 2\n2025-11-30 21:15:45.324 UTC [1] STATEMENT:  select 1\n2025-11-30 21:15:45.324 UTC [1] HINT:  h'],
  ])('reads %s lines as the regular expression does (%#)', async (prefix, text) => {
    expect(prefixProgram(prefix)).toBeDefined();
    await expectSameRecords(prefix, `${text}\n`);
  });

  it.each([
    ['connection received: host=[local]'],
    ['connection received: host=10.0.0.1 port=5432'],
    ['connection received: host= port=1'],
    ['connection authorized: user=app'],
    ['connection authorized: user=app database=shop'],
    ['connection authorized: user=app database=shop application_name=psql'],
    ['connection authorized: user=app database=shop application_name=my app'],
    ['connection authorized: user=app database=shop application_name=x (y)'],
    ['connection authorized: user=app database=shop SSL enabled (protocol=TLSv1.3)'],
    ['connection authorized: user=app database=shop application_name=psql SSL enabled'],
    ['connection authenticated: identity="app" method=md5'],
    ['connection ready: setup total=1 ms'],
    ['disconnection: session time: 0:00:00.170 user=postgres database=postgres host=[local]'],
    ['disconnection: session time: 12:34:56.789 user=a b database=c d host=10.0.0.1 port=5432'],
    ['disconnection: session time: 0:00:00 user=a database=b host=c'],
    ['disconnection: session time: 123456789012:00:00.1 user=a database=b host=c'],
    ['disconnection: session time: 0:0:00.1 user=a database=b host=c'],
    ['disconnection: session time: 0:00:00. user=a database=b host=c'],
    ['disconnection: session time: 0:00:00.170 user=a host=c'],
    ['disconnection: session time: 0:00:00.170 user=a database=b host='],
  ])('classifies "%s" as classify() does', async (message) => {
    const line = `2025-11-30 21:15:45.323 UTC [1263] 00000: db=shop,user=app,app=psql,client=[local] LOG:  ${message}`;
    // Followed by another entry (whole-entry path) and followed by a continuation line (record path).
    const followed = await expectSameRecords(busyPrefix, `${line}\n${line}\n`);
    expect(followed.items[0]!.event).toEqual(eventOf({ ...followed.items[0], message } as unknown as LogEntry));
    await expectSameRecords(busyPrefix, `${line}\n\tand more\n`);
  });

  it('reads a generated log of interleaved sessions, and logs with many distinct values, as the text reader does', async () => {
    await expectSameRecords('%m [%p] %q%u@%d ', generatedLog(3000, 7));
    // More distinct values than the intern table keeps: it is emptied between pieces.
    const lines = Array.from({ length: 40_000 }, (_, i) => `2024-01-01 00:${String(i % 60).padStart(2, '0')}:00 UTC:10.0.${i % 250}.${i % 7}(${10000 + i}):user${i}@db${i}:[${i}]:LOG:  connection authorized: user=user${i} database=db${i}`);
    const text = `${lines.join('\n')}\n`;
    const result = await expectSameRecords('%t:%r:%u@%d:[%p]:', text);
    expect(result.items).toHaveLength(40_000);
    // Every line but the last of each scanned batch is a whole entry (the next line is known).
    expect(result.scannedEntries).toBeGreaterThan(39_000);
    expect(result.items.at(-1)).toMatchObject({ user: 'user39999', database: 'db39999', client: '10.0.249.1', pid: 39999 });
  });

  it('takes continuation lines into their record, and hashes its SQL as the tokenizer does, wherever the lines end', async () => {
    const head = (pid: number, ms: string) => `2024-01-01 00:00:00.000 UTC [${pid}] 00000: db=shop,user=app,app=psql,client=[local] LOG:  duration: ${ms} ms  `;
    const next = (pid: number) => `2024-01-01 00:00:00.001 UTC [${pid}] 00000: db=shop,user=app,app=psql,client=[local] LOG:  connection received: host=[local]`;
    const cases = [
      `${head(1, '1.5')}statement: SELECT a,\n\tb FROM t\n\tWHERE id = 42 -- note\n${next(1)}`,
      `${head(2, '1.5')}execute S_1: SELECT $1\n\t, 'x' /* c */\n\r\n${next(2)}`,
      `${head(3, '2')}statement: SELECT 1\r\n\tFROM t\r\n${next(3)}`,
      // A non-ASCII line, an empty line, then more continuation lines: the text reader goes on.
      `${head(4, '2')}statement: SELECT 1\n\tFROM t\n\tWHERE n = 'é'\n\tAND m = 2\n${next(4)}`,
      `${head(5, '2')}statement: SELECT 1\n\tFROM t\n\n\tAND m = 2\n${next(5)}`,
      `${head(6, '2')}statement: SELECT 1\n\tFROM t\n  AND m = 2\n\tAND k = 3\n${next(6)}`,
      // Other messages taken in: classified whole, as the text reader does.
      `2024-01-01 00:00:00.000 UTC [7] 00000: db=shop,user=app,app=psql,client=[local] LOG:  connection received: host=[local]\n\tport=5\n${next(7)}`,
      `2024-01-01 00:00:00.000 UTC [8] 42601: db=shop,user=app,app=psql,client=[local] ERROR:  syntax error\n\tat line 2\n${next(8)}`,
      `${head(9, '3')}statement: SELECT $$ a\n\tb $$, $x$ c $x$ FROM "a\n\tb"\n\tWHERE x = E'\\'' || B'01' || X'ff' || U&'d' || N'n'`,
    ];
    const result = await expectSameRecords(busyPrefix, `${cases.join('\n')}\n`);
    expect(result.hashedStatements).toBeGreaterThanOrEqual(4);
    // Statements over piece (64 kB) and scan boundaries, many lines each.
    const statement = (i: number) => `${head(100 + (i % 30), String(i % 97))}statement: SELECT *\n${Array.from({ length: 1 + (i % 9) }, (_, k) => `\tFROM t${k} WHERE c = ${i * k} AND d = 'v${k}'`).join('\n')}`;
    const long = await expectSameRecords(busyPrefix, `${Array.from({ length: 6000 }, (_, i) => statement(i)).join('\n')}\n`);
    // Pieces are cut before records: every statement is joined and hashed by the scanner.
    expect(long.hashedStatements).toBe(6000);
    // A statement across a scan's last slot (4,096 lines): the next scan starts at the statement.
    const short = `${Array.from({ length: 4000 }, (_, i) => `${i} LOG:  x`).join('\n')}\n7 LOG:  duration: 1 ms  statement: SELECT 1\n${Array.from({ length: 300 }, (_, k) => `\t,${k}`).join('\n')}\n8 LOG:  x\n`;
    const acrossScans = await expectSameRecords('%p ', short);
    expect(acrossScans.hashedStatements).toBe(1);
    const interleaved = await expectSameRecords('%m [%p] %q%u@%d ', generatedLog(3000, 11));
    expect(interleaved.hashedStatements).toBeGreaterThan(0);
  });

  it("computes the tokenizer's statement key hash for any ASCII SQL (generated and from the corpus)", async () => {
    const scanner = WasmLineScanner.create(prefixProgram(busyPrefix)!)!;
    let state = 12345;
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
    const tokens = [
      'SELECT', 'from', 'x1', '_a$b', 'e', 'E', 'b', 'x', 'n', 'u', 'U', '0', '7', '42', '0001', '2147483647', '2147483648', '-2147483648', '-2147483649',
      '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '12345678901234567890', '1.5', '.5', '1.', '1..2', '1e5', '1E+5', '1e-', '2e',
      '0x1F_a', '0X', "'a''b'", "'unterminated", "E'\\''", "e'\\\\'", "B'01'", "X'ff'", "N'x'", "U&'d'", "u&'", '$$a$$', '$t$ b $t$', '$t$ open', '$', '$1', '$12', '$a',
      '--c\n', '--c', '/* a /* b */ c */', '/* open', '"q""i"', '"open', '-', '--', '(', ')', '[', ']', ',', ';', '=', '<>', '::', '.', '*', '/', '+', ' ', '  ', '\n', '\t', '\r', '\f', '\n\t',
    ];
    const checked: string[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 14) }, () => pick(tokens));
      checked.push(parts.join(random() < 0.5 ? '' : pick([' ', '\n', ''])));
    }
    // Every statement text of the corpus's stderr and csv logs that is ASCII.
    for (const file of [join(corpus, 'quellog', 'stderr.log'), join(corpus, 'quellog', 'csvlog.csv')]) {
      const analysis = await analyzeLogs([file], { jobs: 1, topQueries: 10_000 });
      for (const query of analysis.queries) if (isAscii(Buffer.from(query.example))) checked.push(query.example);
    }
    for (const text of checked) expect(scanner.keyHash(Buffer.from(text, 'latin1')), JSON.stringify(text)).toBe(statementKeyHash(text));
    expect(checked.length).toBeGreaterThan(20_050);
  });

  it('matches generated prefixes and ambiguous lines as the regular expression does (first path and backtracking)', async () => {
    let state = 987654321;
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
    const escapes = ['%p', '%l', '%e', '%c', '%u', '%d', '%a', '%h', '%r', '%x', '%Q', '%i', '%b', '%m', '%t'];
    const separators = [' ', ',', ':', '@', '[', ']', '=', '-', '|', ' [', '] ', 'db=', ',user=', ''];
    // Values chosen so that several choices of a field or a zone can match: they hold the
    // prefix's separators, digits, severities and zones.
    const texts = ['', 'a', 'a b', 'x,y', 'u@d', '[local]', 'a:b', 'a]b', 'db=x', ',user=z', '-', '|', 'LOG', 'LOG:  x', '12', ' UTC', '10.0.0.1(5432)', 'a=b,c'];
    const zones = [' UTC', 'UTC', '+05:30', '+0530', '-03', ' +02', '', ' CEST', ' X1', '+05:3', ' -0800'];
    const values: Record<string, () => string> = {
      '%p': () => pick(['1', '42', '123456', '']), '%l': () => pick(['1', '17']), '%x': () => pick(['', '0', '789']), '%Q': () => pick(['-12', '0', '5', '-']),
      '%e': () => pick(['00000', '42P01', '0000']), '%c': () => pick(['4d1db7a8.4227', 'a.b', '1.2', 'ab.']),
      '%m': () => `2024-01-01 00:00:0${Math.floor(random() * 10)}.123${pick(zones)}`, '%t': () => `2024-01-01 00:00:0${Math.floor(random() * 10)}${pick(zones)}`,
    };
    const severities = ['LOG:  ', 'ERROR:  ', 'LOG: ', 'STATEMENT:  ', 'DEBUG1:  ', 'DEBUG:  '];
    const messages = ['duration: 1.5 ms  statement: SELECT 1', 'connection received: host=[local]', 'x LOG:  y', 'disconnection: session time: 0:00:01.000 user=a database=b host=c'];
    let programs = 0;
    for (let p = 0; p < 150; p += 1) {
      const parts = [pick(['%m', '%t'])];
      for (let k = 0, n = 1 + Math.floor(random() * 5); k < n; k += 1) parts.push(pick(separators), random() < 0.15 ? '%q' : '', pick(escapes));
      parts.push(pick([' ', ': ', '']));
      const prefix = parts.join('');
      if (prefixProgram(prefix) === undefined) continue;
      programs += 1;
      const lines: string[] = [];
      for (let l = 0; l < 30; l += 1) {
        // The prefix with a value per escape; %q ends it early at random (processes without a session).
        let line = '';
        for (const part of parts) {
          if (part === '%q') {
            if (random() < 0.3) break;
            continue;
          }
          line += part in values ? values[part]!() : part.startsWith('%') ? pick(texts) : part;
        }
        line += `${pick(severities)}${pick(messages)}`;
        // Now and then a byte more or less, so that matches fail or take another path.
        if (random() < 0.15) {
          const at = Math.floor(random() * line.length);
          line = random() < 0.5 ? line.slice(0, at) + line.slice(at + 1) : line.slice(0, at) + pick([' ', ',', ':', '1', 'a']) + line.slice(at);
        }
        lines.push(line);
        if (random() < 0.2) lines.push(`\t${pick(messages)}`);
      }
      await expectSameRecords(prefix, `${lines.join('\n')}\n`);
    }
    expect(programs).toBeGreaterThan(100);
  });

  it('hands a line to the text reader when the matcher exceeds its step budget, with the same result', async () => {
    const prefix = '%a:%u:%d:%a:%u:%d ';
    const long = `${'a:'.repeat(3000)} LOG:  x`;
    await expectSameRecords(prefix, `${long}\n`);
  });

  it('has no program for prefixes it does not implement (padding, %s, %v, %n): the text reader reads them', () => {
    expect(prefixProgram('%-10u %p ')).toBeUndefined();
    expect(prefixProgram('%s ')).toBeUndefined();
    expect(prefixProgram('%v ')).toBeUndefined();
    expect(prefixProgram('%n [%p] ')).toBeUndefined();
    // Two %q: the regular expression makes the text after the last one optional; the program has one group.
    expect(prefixProgram('%m %q%u %q%d ')).toBeUndefined();
    expect(new StderrReader(compilePrefix('%n [%p] '), { record: () => undefined, unparsed: () => undefined, skipped: () => undefined }, true).scansBytes).toBe(false);
  });

  it('reads in one pass by default when the scanner reads every input (workers only when asked for)', async () => {
    const path = join(corpus, 'quellog', 'stderr.log');
    const byDefault = await analyzeLogs([path], { parallelMinBytes: 0 });
    expect(byDefault.summary.workers).toBe(0);
    const asked = await analyzeLogs([path], { parallelMinBytes: 0, rangeBytes: 200_000, jobs: 2 });
    expect(asked.summary.workers).toBe(2);
    expect({ ...asked.queries }).toEqual({ ...byDefault.queries });
  });

  it('scans a file where its chunks are read to, in the scanner memory, as the text reader reads it', async () => {
    // Lines across chunk ends, a statement longer than a chunk (a carry of its own) and one
    // longer than the part of the input area that pieces are copied to (the text reader's).
    const log = generatedLog(40_000, 11);
    // Inserted before a line that starts a record (not a continuation of the one before).
    const at = log.indexOf('\n2024-', log.length >> 1) + 1;
    const longSql = (columns: number) => `SELECT ${Array.from({ length: columns }, (_, i) => `c${i}`).join(', ')} FROM wide`;
    const longStatement = (columns: number, ms: string) => `2024-05-01 11:00:00.000 UTC [4242] app@shop LOG:  duration: ${ms} ms  statement: ${longSql(columns)}\n`;
    // The longer one starts a chunk: that chunk has no newline, and nothing carried before it.
    const before = log.slice(0, at) + longStatement(40_000, '9000.000');
    const header = '2024-05-01 11:00:00.000 UTC [4243] app@shop LOG:  padding ';
    const padding = CHUNK - (before.length % CHUNK) + CHUNK;
    const text = `${before}${header}${'-'.repeat(padding - header.length - 1)}\n${longStatement(120_000, '9001.000')}${log.slice(at)}`;
    expect(text.indexOf(longStatement(120_000, '9001.000')) % CHUNK).toBe(0);
    expect(text.length).toBeGreaterThan(8 * CHUNK);
    const dir = mkdtempSync(join(tmpdir(), 'pgdba-chunks-'));
    try {
      const path = join(dir, 'chunks.log');
      writeFileSync(path, text);
      const comparable = (analysis: LogAnalysis) => ({ ...analysis, summary: { ...analysis.summary, elapsed_ms: 0, parser_calls: 0 } });
      const byText = await analyzeLogs([path], { scanner: 'js', jobs: 1, prefix: '%m [%p] %q%u@%d ' });
      const byScanner = await analyzeLogs([path], { scanner: 'wasm', jobs: 1, prefix: '%m [%p] %q%u@%d ' });
      expect(comparable(byScanner)).toEqual(comparable(byText));
      expect(byScanner.summary.lines).toBe(text.split('\n').length - 1);
      // The long lines arrive whole (the line source copies what it keeps of a chunk).
      const examples = new Set(byScanner.queries.map((query) => query.example));
      expect(examples.has(longSql(40_000))).toBe(true);
      expect(examples.has(longSql(120_000))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the analysis of the text reader on every stderr file of the corpus', async () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (!/LICENSE|SOURCES|MANIFEST|expected/.test(name)) files.push(path);
      }
    };
    walk(corpus);
    const comparable = (analysis: LogAnalysis) => ({ ...analysis, summary: { ...analysis.summary, elapsed_ms: 0, parser_calls: 0 } });
    let scanned = 0;
    for (const file of files) {
      const [byText, byScanner] = [await analyzeLogs([file], { scanner: 'js', jobs: 1 }), await analyzeLogs([file], { scanner: 'wasm', jobs: 1 })];
      expect(comparable(byScanner), file).toEqual(comparable(byText));
      if (byText.summary.format === 'stderr' && readFileSync(file).length > 0) scanned += 1;
    }
    expect(scanned).toBeGreaterThan(20);
  });
});
