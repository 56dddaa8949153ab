/**
 * Entry point of the log engine: reads each input (file, bytes or stream; plain or gzip),
 * detects its format and prefix, and runs the stages
 *   lines -> format reader -> stitcher -> classifier + aggregator
 * in one streaming pass, or, for large plain stderr files, on worker threads over byte ranges
 * merged in order (same result). Inputs are analysed in time order of their first entry.
 */
import type { InputSummary, LogAnalysis, UnparsedExample } from './analysis-types.js';
import { LogAggregator } from './aggregator.js';
import { detectFormat } from './format-detector.js';
import { buildMatcher, chooseMatcher, createReader, type ReaderChoice } from './input-readers.js';
import { DEFAULT_RELATIVE_ERROR } from './latency-sketch.js';
import { openInput, pieceLines, type ChunkTarget, type OpenedInput } from './line-source.js';
import { analyseRanges, defaultJobs, type RangeTask } from './parallel-analysis.js';
import { entryStarts } from './range-splitter.js';
import { readRange, type RangeResult, type RangeSource } from './read-range.js';
import { prefixProgram } from './scanner/prefix-program.js';
import { lineScannerAvailable } from './scanner/wasm-line-scanner.js';
import type { RecordSink } from './readers/record-sink.js';
import { loadSqlParser, StatementGrouper } from './statement-grouper.js';
import type { LogAnalysisOptions, LogFormat, LogInput, LogRecord } from './types.js';

export { LogInputError } from './line-source.js';

interface PreparedInput extends ReaderChoice {
  opened: OpenedInput;
  firstTime: number;
}

const MB = 1024 * 1024;
/**
 * Below this much plain stderr text, worker threads cost more than they save: each worker pays
 * its start-up and its own JIT warm-up (~1 CPU s for two workers on the benchmark machine,
 * where they break even around 100-150 MB on two cores; see docs/logs.md).
 */
const DEFAULT_PARALLEL_MIN_BYTES = 128 * MB;

function prepare(opened: OpenedInput, options: LogAnalysisOptions): PreparedInput {
  const format = options.format && options.format !== 'auto' ? options.format : detectFormat(opened.head);
  const matcher = chooseMatcher(opened.head, format, options);
  buildMatcher(matcher); // a --prefix with an unknown escape fails here, before any reading
  return { opened, format, matcher, firstTime: NaN };
}

/** Time of the first record in the input's head, to order several inputs. */
function firstTimeOf(input: PreparedInput): number {
  let first = NaN;
  const sink: RecordSink = {
    record: (r: LogRecord) => {
      if (Number.isNaN(first) && Number.isFinite(r.time)) first = r.time;
    },
    unparsed: () => undefined,
    skipped: () => undefined,
  };
  const reader = createReader(input.format, buildMatcher(input.matcher), sink);
  const lines = input.opened.head.split('\n');
  lines.pop();
  for (let i = 0; i < lines.length && Number.isNaN(first); i += 1) reader.push(lines[i]!, i + 1);
  reader.end();
  return first;
}

/**
 * The physical records of one input, before stitching (for tests and debugging: one record per
 * message, DETAIL/STATEMENT lines included as their own records in stderr and syslog).
 */
export async function readLogRecords(input: LogInput, options: Pick<LogAnalysisOptions, 'format' | 'prefix'> = {}): Promise<{ records: LogRecord[]; unparsed: number; format: LogFormat }> {
  const opened = await openInput(input);
  const prepared = prepare(opened, options);
  const records: LogRecord[] = [];
  let unparsed = 0;
  const reader = createReader(prepared.format, buildMatcher(prepared.matcher), { record: (r) => records.push(r), unparsed: () => (unparsed += 1), skipped: () => undefined });
  let lineNumber = 0;
  for await (const piece of opened.lines(() => undefined)) for (const line of pieceLines(piece)) reader.push(line, ++lineNumber);
  reader.end();
  return { records, unparsed, format: prepared.format };
}

/**
 * Whether every plain stderr input is read by the WebAssembly line scanner. Then one pass is the
 * default: on the 2-core benchmark machine it reads the 200 MB log at ~175 MB/s, and two worker
 * threads (each with its own start-up and JIT warm-up, beside V8's own threads) at ~120 MB/s.
 * `jobs` still asks for workers.
 */
function scannerReadsAll(prepared: PreparedInput[], options: LogAnalysisOptions): boolean {
  if (options.scanner === 'js' || !lineScannerAvailable()) return false;
  return prepared.every((p) => p.format !== 'stderr' || p.matcher === null || ('prefix' in p.matcher && prefixProgram(p.matcher.prefix) !== undefined));
}

/**
 * The byte ranges for worker threads, or undefined when the inputs are read in one pass: one
 * job, sampling (one statement in N depends on the order), inputs that are not files (uploads,
 * streams), or too little plain stderr text to split.
 */
async function planRanges(prepared: PreparedInput[], options: LogAnalysisOptions, jobs: number): Promise<RangeTask[] | undefined> {
  if (jobs <= 1 || (options.sample !== undefined && options.sample > 1)) return undefined;
  if (prepared.some((p) => p.opened.path === undefined)) return undefined;
  const splittable = prepared.map((p) => !p.opened.gzip && p.format === 'stderr' && p.matcher !== null);
  const splittableBytes = prepared.reduce((sum, p, i) => sum + (splittable[i] ? p.opened.size : 0), 0);
  if (splittableBytes === 0 || splittableBytes < (options.parallelMinBytes ?? DEFAULT_PARALLEL_MIN_BYTES)) return undefined;
  const rangeBytes = Math.max(1, Math.floor(options.rangeBytes ?? Math.min(64 * MB, Math.max(4 * MB, splittableBytes / (jobs * 4)))));
  const tasks: RangeTask[] = [];
  for (let input = 0; input < prepared.length; input += 1) {
    const p = prepared[input]!;
    if (!splittable[input] || p.opened.size <= rangeBytes) {
      tasks.push({ index: tasks.length, input, start: 0, end: Infinity, whole: true });
      continue;
    }
    const starts = [0, ...(await entryStarts(p.opened.path!, p.opened.size, buildMatcher(p.matcher)!, rangeBytes))];
    starts.forEach((start, i) => tasks.push({ index: tasks.length, input, start, end: starts[i + 1] ?? Infinity, whole: false }));
  }
  return tasks.length > 1 ? tasks : undefined;
}

/**
 * Analyses PostgreSQL logs. Throws LogInputError when an input cannot be read; everything
 * else (garbage, wrong format, truncated lines) is counted and reported, never thrown.
 */
export async function analyzeLogs(inputs: LogInput[], options: LogAnalysisOptions = {}): Promise<LogAnalysis> {
  await loadSqlParser();
  const opened = await Promise.all(inputs.map((input) => openInput(input)));
  const prepared = opened.map((o) => {
    const input = prepare(o, options);
    input.firstTime = firstTimeOf(input);
    return input;
  });
  prepared.sort((a, b) => (Number.isNaN(a.firstTime) ? 1 : Number.isNaN(b.firstTime) ? -1 : a.firstTime - b.firstTime));
  const sources: RangeSource[] = prepared.map((p, source) => ({ name: p.opened.name, format: p.format, matcher: p.matcher, source }));

  const grouper = new StatementGrouper();
  const totalBytes = prepared.reduce((sum, p) => sum + p.opened.size, 0);
  const maxExamples = options.unparsedExamples ?? 10;
  let bytesRead = 0;
  const onBytes = (bytes: number) => {
    bytesRead += bytes;
    options.onProgress?.({ bytesRead, totalBytes });
  };

  const jobs = Math.max(1, Math.floor(options.jobs ?? (scannerReadsAll(prepared, options) ? 1 : defaultJobs())));
  const tasks = await planRanges(prepared, options, jobs);
  if (tasks !== undefined) {
    const inputs = sources.map((s, i) => ({ ...s, path: prepared[i]!.opened.path! }));
    const parallel = await analyseRanges({ tasks, inputs, jobs, grouper, options, maxExamples, onBytes });
    if (parallel !== undefined) {
      const perInput = prepared.map((_, i) => parallel.results.filter((_, r) => tasks[r]!.input === i));
      return report(prepared, perInput, parallel.aggregator, grouper, options, Math.min(jobs, tasks.length));
    }
    // A range could not be merged exactly (see parallel-analysis.ts): read the log in one pass.
    bytesRead = 0;
  }

  const aggregator = new LogAggregator(grouper, options);
  const perInput: RangeResult[][] = [];
  for (const [index, input] of prepared.entries()) {
    const chunkTarget: ChunkTarget = {};
    const result = await readRange(sources[index]!, {
      lines: input.opened.lines((bytes) => {
        bytesRead += bytes;
      }, chunkTarget),
      chunkTarget,
      aggregator,
      maxExamples,
      scanBytes: options.scanner !== 'js',
      beforeBatch: () => {
        if (options.signal?.aborted) throw new Error('Log analysis was cancelled.');
      },
      afterBatch: () => options.onProgress?.({ bytesRead, totalBytes }),
    });
    perInput.push([result]);
  }
  return report(prepared, perInput, aggregator, grouper, options, 0);
}

/** The JSON report, from the (merged) aggregator and each input's ranges in order. */
function report(prepared: PreparedInput[], perInput: RangeResult[][], aggregator: LogAggregator, grouper: StatementGrouper, options: LogAnalysisOptions, workers: number): LogAnalysis {
  aggregator.finish();
  const totalBytes = prepared.reduce((sum, p) => sum + p.opened.size, 0);
  options.onProgress?.({ bytesRead: totalBytes, totalBytes });
  const maxExamples = options.unparsedExamples ?? 10;
  const unparsedExamples: UnparsedExample[] = [];
  const notes: string[] = [];
  const summaries: InputSummary[] = [];
  let unparsedTotal = 0;
  let skippedTotal = 0;
  let orphans = 0;
  let linesTotal = 0;

  for (const [index, input] of prepared.entries()) {
    const name = input.opened.name;
    let lines = 0;
    let entries = 0;
    let unparsed = 0;
    let skipped = 0;
    let first = Infinity;
    let last = -Infinity;
    let fallbackLines = 0;
    let firstFallbackLine: RangeResult['firstFallbackLine'];
    const ranges = perInput[index]!;
    for (const range of ranges) {
      // Line numbers of a range count from its start: shift them by the lines before it.
      for (const example of range.unparsedExamples) if (unparsedExamples.length < maxExamples) unparsedExamples.push({ ...example, line: example.line + lines });
      if (firstFallbackLine === undefined && range.firstFallbackLine !== undefined) firstFallbackLine = { ...range.firstFallbackLine, line: range.firstFallbackLine.line + lines };
      lines += range.lines;
      entries += range.entries;
      unparsed += range.unparsed;
      skipped += range.skipped;
      first = Math.min(first, range.first);
      last = Math.max(last, range.last);
      orphans += range.orphans;
      fallbackLines += range.fallbackLines;
    }
    const prefix = ranges[0]?.prefix ?? '';
    linesTotal += lines;
    unparsedTotal += unparsed;
    skippedTotal += skipped;
    if (input.format === 'stderr' && fallbackLines > 0 && firstFallbackLine) {
      notes.push(
        `${name}: ${fallbackLines} lines did not match the prefix '${prefix}' and were read heuristically (first: line ${firstFallbackLine.line}: ${firstFallbackLine.text.slice(0, 120)}). Give --prefix with the server's log_line_prefix for exact fields.`,
      );
    }
    const matcher = buildMatcher(input.matcher);
    if (matcher && matcher.missing.length > 0 && input.format === 'stderr') {
      notes.push(`${name}: log_line_prefix '${matcher.prefix}': ${matcher.missing.join('; ')}.`);
    }
    if (lines > 0 && unparsed > lines / 2) {
      const detected = detectFormat(input.opened.head);
      notes.push(
        `${name}: ${unparsed} of ${lines} lines could not be read as ${input.format}${matcher ? ` with prefix '${matcher.prefix}'` : ''}${detected !== input.format ? `; the file looks like ${detected}` : ''}.`,
      );
    }
    summaries.push({
      name,
      format: input.format,
      prefix,
      bytes: input.opened.size,
      lines,
      entries,
      unparsed,
      skipped,
      first: Number.isFinite(first) ? new Date(first).toISOString() : null,
      last: Number.isFinite(last) ? new Date(last).toISOString() : null,
    });
  }

  const queries = aggregator.queryStats(options.topQueries ?? 100);
  const errors = aggregator.errorStats(options.topErrors ?? 50);
  const formats = [...new Set(summaries.map((s) => s.format))];
  if (options.sample !== undefined && options.sample > 1) notes.push(`Sampling: one statement in ${Math.floor(options.sample)} analysed; calls and times are scaled estimates.`);
  return {
    summary: {
      lines: linesTotal,
      bytes: totalBytes,
      entries: aggregator.entries,
      first: Number.isFinite(aggregator.first) ? new Date(aggregator.first).toISOString() : null,
      last: Number.isFinite(aggregator.last) ? new Date(aggregator.last).toISOString() : null,
      format: formats.join(', ') || 'none',
      inputs: summaries,
      unparsed: { count: unparsedTotal, examples: unparsedExamples },
      skipped: skippedTotal,
      orphan_attachments: orphans,
      filtered_out: aggregator.filteredOut,
      queries_total: queries.calls,
      query_calls: queries.calls,
      query_total_ms: queries.totalMs,
      distinct_queries: queries.distinct,
      errors_total: aggregator.errorsTotal,
      warnings_total: aggregator.warningsTotal,
      durations_without_statement: aggregator.durationsWithoutStatement,
      sampling: options.sample !== undefined && options.sample > 1 ? { every: Math.floor(options.sample), estimated: true } : null,
      anonymized: options.anonymize === true,
      percentile_relative_error: DEFAULT_RELATIVE_ERROR,
      parser_calls: grouper.parserCalls,
      workers,
      notes,
    },
    queries: queries.list,
    errors,
    events: aggregator.finalEvents(),
    time_series: { bucket: 'minute', points: aggregator.timeSeries() },
  };
}
