/** Bad input never crashes: it is counted, reported with line numbers, and the rest is analysed. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyzeLogs, LogInputError } from '../../../src/engine/logs/index.js';

const good = '2024-05-01 10:00:00.000 UTC [100] app@shop LOG:  duration: 1.500 ms  statement: SELECT * FROM orders WHERE id = 7\n';
const bytes = (text: string | Buffer) => ({ name: 'upload.log', data: typeof text === 'string' ? Buffer.from(text) : text });

describe('bad input', () => {
  it('an empty file gives an empty analysis', async () => {
    const a = await analyzeLogs([bytes('')]);
    expect({ lines: a.summary.lines, entries: a.summary.entries, unparsed: a.summary.unparsed.count, queries: a.queries }).toEqual({ lines: 0, entries: 0, unparsed: 0, queries: [] });
  });

  it('binary garbage between good lines is counted with its line number', async () => {
    const garbage = Buffer.concat([Buffer.from(good), Buffer.from('\x00\x01\x02 not a log line \xff\xfe\n', 'latin1'), Buffer.from(good)]);
    const a = await analyzeLogs([bytes(garbage)]);
    expect(a.summary.query_calls).toBe(2);
    expect(a.summary.unparsed.count).toBe(1);
    expect(a.summary.unparsed.examples[0]).toMatchObject({ source: 'upload.log', line: 2 });
  });

  it('random bytes do not crash the analysis', async () => {
    const a = await analyzeLogs([bytes(randomBytes(200_000))], { format: 'stderr', prefix: '%m [%p] %q%u@%d ' });
    expect(a.summary.entries).toBe(0);
    expect(a.summary.unparsed.count).toBeGreaterThan(0);
  });

  it('invalid UTF-8 inside a statement is replaced, the statement still counted', async () => {
    const line = Buffer.concat([Buffer.from("2024-05-01 10:00:00.000 UTC [100] app@shop LOG:  duration: 2.000 ms  statement: SELECT '"), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from("'\n")]);
    const a = await analyzeLogs([bytes(line)]);
    expect(a.queries.map((q) => [q.query, q.calls])).toEqual([['SELECT $1', 1]]);
  });

  it('a truncated last line (no newline, cut mid-statement) is still read', async () => {
    const a = await analyzeLogs([bytes(good + good.slice(0, -3))]); // ends in "WHERE id ="
    expect(a.summary.lines).toBe(2);
    expect(a.summary.query_calls).toBe(2);
    expect(a.queries.map((q) => q.parsed)).toEqual([true, false]);
  });

  it('a 100,000-character statement is analysed', async () => {
    const values = Array.from({ length: 20_000 }, (_, i) => i).join(',');
    const line = `2024-05-01 10:00:00.000 UTC [100] app@shop LOG:  duration: 3.000 ms  statement: SELECT * FROM t WHERE id IN (${values})\n`;
    expect(line.length).toBeGreaterThan(100_000);
    const a = await analyzeLogs([bytes(line + line)]);
    expect(a.queries).toHaveLength(1);
    expect(a.queries[0]!.calls).toBe(2);
  });

  it('a line over 16 MiB is cut and reported, from a file or from one stream chunk, and the lines around it are analysed', async () => {
    const huge = Buffer.concat([Buffer.from(good), Buffer.alloc(17 * 1024 * 1024, 'x'), Buffer.from('\n'), Buffer.from(good)]);
    const dir = mkdtempSync(join(tmpdir(), 'pgdba-huge-'));
    try {
      const path = join(dir, 'huge.log');
      writeFileSync(path, huge);
      for (const input of [path, { name: 'stream.log', stream: (async function* () { yield huge; })() }]) {
        const a = await analyzeLogs([input], { prefix: '%m [%p] %q%u@%d ' });
        expect(a.summary.query_calls).toBe(2);
        expect(a.summary.unparsed.count).toBeGreaterThan(0);
        expect(a.summary.unparsed.examples[0]).toMatchObject({ line: 2 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file in another format than declared says so', async () => {
    const a = await analyzeLogs([bytes(good.repeat(3))], { format: 'csvlog' });
    expect(a.summary.unparsed.count).toBe(3);
    expect(a.summary.notes.join(' ')).toContain('the file looks like stderr');
  });

  it('a prefix that does not fit is reported with an example line and the prefix tried', async () => {
    const a = await analyzeLogs([bytes('no prefix here at all\n'.repeat(2))], { prefix: '%m [%p] ' });
    expect(a.summary.unparsed.examples[0]).toEqual({ source: 'upload.log', line: 1, text: 'no prefix here at all', reason: "does not start with the log_line_prefix '%m [%p] ' and a severity" });
  });

  it('interleaved sessions are stitched by process id', async () => {
    const log = [
      '2024-05-01 10:00:00.000 UTC [1] a@db ERROR:  relation "x" does not exist at character 15',
      '2024-05-01 10:00:00.000 UTC [1] a@db STATEMENT:  select * from x',
      '2024-05-01 10:00:00.001 UTC [2] b@db ERROR:  division by zero',
      '2024-05-01 10:00:00.001 UTC [2] b@db STATEMENT:  select 1/0',
      '',
    ].join('\n');
    const a = await analyzeLogs([bytes(log)]);
    expect(a.errors.map((e) => [e.message, e.example.statement])).toEqual([
      ['relation "…" does not exist', 'select * from x'],
      ['division by zero', 'select 1/0'],
    ]);
  });

  it('a missing file is an input error that says what to check', async () => {
    await expect(analyzeLogs(['/nonexistent/postgresql.log'])).rejects.toThrow(LogInputError);
    await expect(analyzeLogs(['/nonexistent/postgresql.log'])).rejects.toThrow('Cannot read /nonexistent/postgresql.log: no such file.');
  });

  it('gzip input is read; a corrupt gzip is an input error', async () => {
    const a = await analyzeLogs([bytes(gzipSync(good))]);
    expect(a.summary.query_calls).toBe(1);
    const corrupt = Buffer.concat([gzipSync(good.repeat(1000)).subarray(0, 40), randomBytes(100)]);
    await expect(analyzeLogs([bytes(corrupt)])).rejects.toThrow(LogInputError);
  });

  it('filters and time window leave out what they should', async () => {
    const log = [
      '2024-05-01 10:00:00.000 UTC [1] a@shop LOG:  duration: 1.000 ms  statement: SELECT 1',
      '2024-05-01 11:00:00.000 UTC [2] b@shop LOG:  duration: 1.000 ms  statement: SELECT 2',
      '2024-05-01 12:00:00.000 UTC [3] a@other LOG:  duration: 1.000 ms  statement: SELECT 3',
      '',
    ].join('\n');
    const window = await analyzeLogs([bytes(log)], { since: new Date('2024-05-01T10:30:00Z'), until: new Date('2024-05-01T11:30:00Z') });
    expect(window.summary.query_calls).toBe(1);
    const user = await analyzeLogs([bytes(log)], { user: 'a', database: 'shop' });
    expect(user.summary.query_calls).toBe(1);
    expect(user.summary.filtered_out).toBe(2);
  });

  it('anonymize masks examples and parameters', async () => {
    const log = [
      "2024-05-01 10:00:00.000 UTC [1] a@shop LOG:  duration: 1.000 ms  execute <unnamed>: SELECT * FROM users WHERE email = $1 AND id = 42",
      "2024-05-01 10:00:00.000 UTC [1] a@shop DETAIL:  parameters: $1 = 'alice@example.com'",
      '',
    ].join('\n');
    const a = await analyzeLogs([bytes(log)], { anonymize: true });
    expect(a.queries[0]!.example).toBe('SELECT * FROM users WHERE email = $1 AND id = $2');
    expect(a.queries[0]!.example_parameters).toBe("$1 = '…'");
    expect(JSON.stringify(a)).not.toContain('alice');
  });

  it('sampling scales counts and marks them as estimates', async () => {
    const a = await analyzeLogs([bytes(good.repeat(100))], { sample: 10 });
    expect(a.summary.sampling).toEqual({ every: 10, estimated: true });
    expect(a.queries[0]!.calls).toBe(100);
  });
});
