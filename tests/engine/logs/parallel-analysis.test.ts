/**
 * Worker threads over byte ranges give exactly the one-pass analysis: every corpus file and a
 * generated log whose multi-line entries, DETAIL/parameters lines, log_statement + log_duration
 * pairs, failed statements and plans straddle range boundaries, cut into tiny ranges (many
 * boundaries), compared field by field with the one-pass result. Only the two fields that
 * describe the run itself may differ: `summary.workers`, and `summary.parser_calls` (workers ask
 * for statement texts ahead, including logged statements that then fail and are not counted).
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { LogAggregator } from '../../../src/engine/logs/aggregator.js';
import { analyzeLogs, type LogAnalysis, type LogAnalysisOptions } from '../../../src/engine/logs/index.js';
import { defaultJobs } from '../../../src/engine/logs/parallel-analysis.js';
import { loadSqlParser, StatementGrouper } from '../../../src/engine/logs/statement-grouper.js';
import type { LogEntry } from '../../../src/engine/logs/types.js';
import { corpus } from './corpus.js';
import { generatedLog } from './generated-log.js';

const dir = mkdtempSync(join(tmpdir(), 'pgdba-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runIndependent(analysis: LogAnalysis): LogAnalysis {
  const copy = structuredClone(analysis);
  copy.summary.workers = 0;
  copy.summary.parser_calls = 0;
  return copy;
}

const oneOptions: LogAnalysisOptions = { topQueries: 10_000, topErrors: 10_000, unparsedExamples: 25 };
const onePass = (files: string[], options: LogAnalysisOptions = {}) => analyzeLogs(files, { ...oneOptions, ...options, jobs: 1 });
const inRanges = (files: string[], rangeBytes: number, options: LogAnalysisOptions = {}) => analyzeLogs(files, { ...oneOptions, ...options, jobs: 2, parallelMinBytes: 0, rangeBytes });

/** Every file of the corpus but its documentation and oracles. */
function corpusFiles(): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((name) => (statSync(join(d, name)).isDirectory() ? walk(join(d, name)) : [join(d, name)]));
  return walk(corpus)
    .filter((file) => !/(LICENSE|SOURCES|MANIFEST|-expected\.json$|\.exp$|\.out$|golden\.json$)/.test(file))
    .map((file) => relative(corpus, file))
    .sort();
}

describe('worker threads over byte ranges: corpus files', () => {
  it.each(corpusFiles())('%s', async (file) => {
    const path = join(corpus, file);
    const size = statSync(path).size;
    // Tiny ranges: a boundary every few entries (at most ~200 ranges per file, to stay quick).
    const rangeBytes = Math.max(256, Math.ceil(size / 200));
    const one = await onePass([path]);
    const ranges = await inRanges([path], rangeBytes);
    expect(runIndependent(ranges)).toEqual(runIndependent(one));
    const splittable = one.summary.inputs[0]!.format === 'stderr' && !file.endsWith('.gz') && one.summary.entries > 1 && size > 4 * rangeBytes;
    if (splittable) expect(ranges.summary.workers).toBe(2);
  });
});

describe('worker threads over byte ranges: a generated log with entries straddling boundaries', () => {
  const path = join(dir, 'generated.log');
  writeFileSync(path, generatedLog(4000, 42));
  const prefix = '%m [%p] %q%u@%d ';

  it.each([97, 1000, 16_384])('ranges of %i bytes give the one-pass analysis', async (rangeBytes) => {
    const one = await onePass([path], { prefix });
    const ranges = await inRanges([path], rangeBytes, { prefix });
    expect(ranges.summary.workers).toBe(2);
    // The generated log exercises what the ranges must carry over.
    expect(one.summary.unparsed.count).toBeGreaterThan(50);
    expect(one.summary.durations_without_statement).toBeGreaterThan(0);
    expect(one.queries.some((q) => q.example_parameters !== undefined)).toBe(true);
    expect(one.queries.some((q) => q.plans_logged > 0)).toBe(true);
    expect(one.events.lock_waits.examples.length).toBe(20);
    expect(runIndependent(ranges)).toEqual(runIndependent(one));
  });

  it('keeps a whole disconnection after the statement a worker holds before it (a new text)', async () => {
    // Each session logs a statement of a new form, then disconnects; its pid is reused by a
    // session that logs a bare duration (log_duration): it must not pair with the old statement.
    const head = (pid: number, second: number) => `2024-01-01 00:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000 UTC [${pid}] 00000: db=d,user=u,app=a,client=[local] `;
    const lines: string[] = [];
    for (let i = 0; i < 400; i += 1) {
      const pid = 1000 + (i % 7);
      lines.push(`${head(pid, i)}LOG:  statement: SELECT c${i} FROM t${i}`);
      lines.push(`${head(pid, i)}LOG:  disconnection: session time: 0:00:01.000 user=u database=d host=[local]`);
      lines.push(`${head(pid, i)}LOG:  duration: 5.000 ms`);
    }
    const path = join(dir, 'held-before-disconnection.log');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const prefix = '%m [%p] %e: db=%d,user=%u,app=%a,client=%h ';
    const one = await onePass([path], { prefix });
    expect(one.summary.durations_without_statement).toBe(400);
    expect(one.summary.query_calls).toBe(400);
    for (const rangeBytes of [300, 4000]) expect(runIndependent(await inRanges([path], rangeBytes, { prefix }))).toEqual(runIndependent(one));
  });

  it('gives the one-pass analysis with filters, anonymisation and three workers', async () => {
    const options: LogAnalysisOptions = { prefix, since: new Date('2024-05-01T10:05:00Z'), user: 'app', anonymize: true };
    const one = await onePass([path], options);
    const ranges = await analyzeLogs([path], { ...oneOptions, ...options, jobs: 3, parallelMinBytes: 0, rangeBytes: 2000 });
    expect(ranges.summary.workers).toBe(3);
    expect(one.summary.filtered_out).toBeGreaterThan(0);
    expect(runIndependent(ranges)).toEqual(runIndependent(one));
  });

  it('gives the one-pass analysis of several inputs in time order (ranges and whole gzip/csv files)', async () => {
    const later = join(dir, 'later.log.gz');
    writeFileSync(later, gzipSync(generatedLog(500, 7).replaceAll('2024-05-01', '2024-05-02')));
    const files = [later, join(corpus, 'quellog/csvlog.csv'), path, join(corpus, 'quellog/stderr.log')];
    const one = await onePass(files, { prefix: '%m [%p] %q%u@%d ' });
    const ranges = await inRanges(files, 5000, { prefix: '%m [%p] %q%u@%d ' });
    expect(ranges.summary.workers).toBe(2);
    expect(runIndependent(ranges)).toEqual(runIndependent(one));
  });

  it('reads in one pass when ranges cannot be merged exactly (over 10,000 sessions with a pending statement)', async () => {
    const many = join(dir, 'many-sessions.log');
    const lines: string[] = [];
    for (let pid = 1; pid <= 10_050; pid += 1) lines.push(`2024-05-01 10:00:00.000 UTC [${pid}] app@shop LOG:  statement: SELECT ${pid % 10}`);
    for (let pid = 1; pid <= 10_050; pid += 1) lines.push(`2024-05-01 10:01:00.000 UTC [${pid}] app@shop LOG:  duration: 1.000 ms`);
    writeFileSync(many, `${lines.join('\n')}\n`);
    const one = await onePass([many], { prefix });
    const ranges = await inRanges([many], 50_000, { prefix });
    expect(ranges.summary.workers).toBe(0);
    expect(one.summary.durations_without_statement).toBe(50);
    expect(runIndependent(ranges)).toEqual(runIndependent(one));
  });

  it('reports progress up to the total and stops the workers when cancelled', async () => {
    const seen: number[] = [];
    const ranges = await inRanges([path], 4096, { prefix, onProgress: ({ bytesRead, totalBytes }) => seen.push(bytesRead / totalBytes) });
    expect(ranges.summary.workers).toBe(2);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    const controller = new AbortController();
    const cancelled = inRanges([path], 512, { prefix, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(cancelled).rejects.toThrow('Log analysis was cancelled.');
  });
});

describe('merging ranges', () => {
  it('shows a group with the first text of its form in the log, whichever text the parser saw first', async () => {
    await loadSqlParser();
    const first = 'SELECT *\nFROM orders\nWHERE id = 1';
    const later = 'SELECT * FROM orders WHERE id = 2';
    const entry = (sql: string, line: number): LogEntry => ({ time: Date.UTC(2024, 4, 1, 10, 0, line), pid: 100 + line, severity: 'LOG', message: `duration: 1.000 ms  statement: ${sql}`, line, source: 0 });
    const seq = new LogAggregator(new StatementGrouper(), {});
    seq.add(entry(first, 1));
    seq.add(entry(later, 2));
    seq.finish();
    const expected = seq.queryStats(10).list[0]!.query;
    expect(expected).toBe('SELECT *\nFROM orders\nWHERE id = $1');

    // The worker of the second range asked the parser first: its memo holds the later text's form.
    const grouper = new StatementGrouper();
    grouper.resolveText(later);
    expect(grouper.resolve(first)[0]!.query).toBe('SELECT * FROM orders WHERE id = $1');
    const range0 = new LogAggregator(grouper, {}, { firstTexts: true });
    range0.add(entry(first, 1));
    const range1 = new LogAggregator(grouper, {}, { startsUnknown: true, firstTexts: true });
    range1.add(entry(later, 2));
    const merged = new LogAggregator(grouper, {}, { firstTexts: true });
    expect(merged.mergeRange(range0.partial(), 0)).toBe(true);
    expect(merged.mergeRange(range1.partial(), 1)).toBe(true);
    merged.finish();
    expect(merged.queryStats(10).list[0]!.query).toBe(expected);
  });
});

describe('default number of worker threads', () => {
  it('is one per idle core, at most 4, and one pass on a busy machine', () => {
    expect([defaultJobs(2, 0.3), defaultJobs(2, 1.2), defaultJobs(2, 5), defaultJobs(16, 0), defaultJobs(8, 6.5), defaultJobs(1, 0)]).toEqual([2, 1, 1, 4, 2, 1]);
  });
});
