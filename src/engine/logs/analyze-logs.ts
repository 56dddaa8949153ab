/**
 * Entry point of the log engine: reads each input (file, bytes or stream; plain or gzip),
 * detects its format and prefix, and runs the stages
 *   lines -> format reader -> stitcher -> classifier + aggregator
 * in one streaming pass. Inputs are analysed in time order of their first entry.
 */
import type { InputSummary, LogAnalysis, UnparsedExample } from './analysis-types.js';
import { LogAggregator } from './aggregator.js';
import { detectFormat, detectPrefix, prefixSamples } from './format-detector.js';
import { detach } from './detach.js';
import { DEFAULT_RELATIVE_ERROR } from './latency-sketch.js';
import { openInput, type OpenedInput } from './line-source.js';
import { compilePrefix, type LinePrefixMatcher } from './prefix-compiler.js';
import { CsvReader } from './readers/csv-reader.js';
import { JsonReader } from './readers/json-reader.js';
import type { FormatReader, RecordSink } from './readers/record-sink.js';
import { StderrReader } from './readers/stderr-reader.js';
import { SyslogReader } from './readers/syslog-reader.js';
import { loadSqlParser, StatementGrouper } from './statement-grouper.js';
import { Stitcher } from './stitcher.js';
import type { LogAnalysisOptions, LogFormat, LogInput, LogRecord } from './types.js';

export { LogInputError } from './line-source.js';

interface PreparedInput {
  opened: OpenedInput;
  format: LogFormat;
  matcher: LinePrefixMatcher | undefined;
  firstTime: number;
}

function chooseMatcher(opened: OpenedInput, format: LogFormat, options: LogAnalysisOptions): LinePrefixMatcher | undefined {
  if (format === 'csvlog' || format === 'jsonlog' || format === 'cnpg' || format === 'azure') return undefined;
  if (options.prefix !== undefined && format !== 'cloudsql' && format !== 'logplex') return compilePrefix(options.prefix);
  if (format === 'logplex') return compilePrefix('');
  return detectPrefix(prefixSamples(opened.head, format)).matcher;
}

function createReader(input: PreparedInput, sink: RecordSink): FormatReader {
  switch (input.format) {
    case 'csvlog':
      return new CsvReader(sink);
    case 'jsonlog':
    case 'cnpg':
    case 'azure':
      return new JsonReader(sink);
    case 'cloudsql':
      return new JsonReader(sink, input.matcher);
    case 'syslog':
    case 'logplex':
      return new SyslogReader(input.matcher!, sink);
    default:
      return new StderrReader(input.matcher!, sink);
  }
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
  const reader = createReader(input, sink);
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
  const format = options.format && options.format !== 'auto' ? options.format : detectFormat(opened.head);
  const prepared: PreparedInput = { opened, format, matcher: chooseMatcher(opened, format, options), firstTime: NaN };
  const records: LogRecord[] = [];
  let unparsed = 0;
  const reader = createReader(prepared, { record: (r) => records.push(r), unparsed: () => (unparsed += 1), skipped: () => undefined });
  let lineNumber = 0;
  for await (const batch of opened.lines(() => undefined)) for (const line of batch) reader.push(line, ++lineNumber);
  reader.end();
  return { records, unparsed, format };
}

/**
 * Analyses PostgreSQL logs. Throws LogInputError when an input cannot be read; everything
 * else (garbage, wrong format, truncated lines) is counted and reported, never thrown.
 */
export async function analyzeLogs(inputs: LogInput[], options: LogAnalysisOptions = {}): Promise<LogAnalysis> {
  await loadSqlParser();
  const opened = await Promise.all(inputs.map((input) => openInput(input)));
  const prepared: PreparedInput[] = opened.map((o) => {
    const format = options.format && options.format !== 'auto' ? options.format : detectFormat(o.head);
    const input: PreparedInput = { opened: o, format, matcher: chooseMatcher(o, format, options), firstTime: NaN };
    input.firstTime = firstTimeOf(input);
    return input;
  });
  prepared.sort((a, b) => (Number.isNaN(a.firstTime) ? 1 : Number.isNaN(b.firstTime) ? -1 : a.firstTime - b.firstTime));

  const grouper = new StatementGrouper();
  const aggregator = new LogAggregator(grouper, options);
  const totalBytes = prepared.reduce((sum, p) => sum + p.opened.size, 0);
  const maxExamples = options.unparsedExamples ?? 10;
  const unparsedExamples: UnparsedExample[] = [];
  const notes: string[] = [];
  const summaries: InputSummary[] = [];
  let bytesRead = 0;
  let unparsedTotal = 0;
  let skippedTotal = 0;
  let orphans = 0;
  let linesTotal = 0;

  for (let index = 0; index < prepared.length; index += 1) {
    const input = prepared[index]!;
    const name = input.opened.name;
    let entries = 0;
    let unparsed = 0;
    let skipped = 0;
    let first = Infinity;
    let last = -Infinity;
    const stitcher = new Stitcher((entry) => {
      entries += 1;
      if (entry.time < first) first = entry.time;
      if (entry.time > last) last = entry.time;
      aggregator.add(entry);
    }, index, input.format !== 'syslog' && input.format !== 'logplex');
    const sink: RecordSink = {
      record: (record) => stitcher.push(record),
      unparsed: (line, text, reason) => {
        unparsed += 1;
        if (unparsedExamples.length < maxExamples) unparsedExamples.push({ source: name, line, text: detach(text.slice(0, 300)), reason });
      },
      skipped: () => {
        skipped += 1;
      },
    };
    const reader = createReader(input, sink);
    let lineNumber = 0;
    for await (const batch of input.opened.lines((bytes) => {
      bytesRead += bytes;
    })) {
      if (options.signal?.aborted) throw new Error('Log analysis was cancelled.');
      for (let i = 0; i < batch.length; i += 1) {
        lineNumber += 1;
        reader.push(batch[i]!, lineNumber);
      }
      options.onProgress?.({ bytesRead, totalBytes });
    }
    reader.end();
    stitcher.end();
    orphans += stitcher.orphans;
    linesTotal += lineNumber;
    unparsedTotal += unparsed;
    skippedTotal += skipped;
    if (reader instanceof StderrReader && reader.fallbackLines > 0 && reader.firstFallbackLine) {
      notes.push(
        `${name}: ${reader.fallbackLines} lines did not match the prefix '${reader.describe()}' and were read heuristically (first: line ${reader.firstFallbackLine.line}: ${reader.firstFallbackLine.text.slice(0, 120)}). Give --prefix with the server's log_line_prefix for exact fields.`,
      );
    }
    if (input.matcher && input.matcher.missing.length > 0 && input.format === 'stderr') {
      notes.push(`${name}: log_line_prefix '${input.matcher.prefix}': ${input.matcher.missing.join('; ')}.`);
    }
    if (lineNumber > 0 && unparsed > lineNumber / 2) {
      const detected = detectFormat(input.opened.head);
      notes.push(
        `${name}: ${unparsed} of ${lineNumber} lines could not be read as ${input.format}${input.matcher ? ` with prefix '${input.matcher.prefix}'` : ''}${detected !== input.format ? `; the file looks like ${detected}` : ''}.`,
      );
    }
    summaries.push({
      name,
      format: input.format,
      prefix: reader.describe(),
      bytes: input.opened.size,
      lines: lineNumber,
      entries,
      unparsed,
      skipped,
      first: Number.isFinite(first) ? new Date(first).toISOString() : null,
      last: Number.isFinite(last) ? new Date(last).toISOString() : null,
    });
  }
  aggregator.finish();
  options.onProgress?.({ bytesRead: totalBytes, totalBytes });

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
      notes,
    },
    queries: queries.list,
    errors,
    events: aggregator.finalEvents(),
    time_series: { bucket: 'minute', points: aggregator.timeSeries() },
  };
}
