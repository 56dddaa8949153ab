/**
 * stderr logs: each record starts with the `log_line_prefix` and "SEVERITY:  "; lines of a
 * multi-line message follow with a leading tab (PostgreSQL inserts it). Lines that neither match
 * the prefix nor continue a record are reported as unparsed.
 */
import type { LinePrefixMatcher } from '../prefix-compiler.js';
import { heuristicPrefixMatcher } from '../prefix-heuristics.js';
import type { LogRecord } from '../types.js';
import { splitVerboseState, type FormatReader, type RecordSink } from './record-sink.js';

const memoryContextLine = /^\s*(?:[\w .:\-/()]+: \d+ total in \d+ blocks;|Grand total: \d+ bytes in)/;

export class StderrReader implements FormatReader {
  private current: LogRecord | undefined;
  private readonly fallback = heuristicPrefixMatcher();
  /** Lines matched only by the heuristic fallback (the given or detected prefix did not fit). */
  fallbackLines = 0;
  firstFallbackLine: { line: number; text: string } | undefined;

  constructor(
    private readonly matcher: LinePrefixMatcher,
    private readonly sink: RecordSink,
  ) {}

  describe(): string {
    return this.matcher.prefix;
  }

  /** Parses one line into a new record (not emitted), or undefined when it has no prefix. */
  parse(line: string, lineNumber: number): LogRecord | undefined {
    let match = this.matcher.match(line);
    if (match === undefined && line.charCodeAt(0) !== 9 && line.charCodeAt(0) !== 32) {
      match = this.fallback.match(line);
      if (match !== undefined) {
        this.fallbackLines += 1;
        this.firstFallbackLine ??= { line: lineNumber, text: Buffer.from(line.slice(0, 300)).toString() };
      }
    }
    if (match === undefined) return undefined;
    const record: LogRecord = match;
    record.message = line.slice(match.messageStart);
    record.line = lineNumber;
    splitVerboseState(record);
    return record;
  }

  push(rawLine: string, lineNumber: number): void {
    const line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    const record = this.parse(line, lineNumber);
    if (record !== undefined) {
      if (this.current !== undefined) this.sink.record(this.current);
      this.current = record;
      return;
    }
    const first = line.charCodeAt(0);
    if (first !== 9 && memoryContextLine.test(line)) {
      // MemoryContextStats() writes straight to stderr, without a prefix (out-of-memory reports).
      this.sink.skipped(lineNumber, 'memory context dump');
      return;
    }
    if ((first === 9 || first === 32) && this.current !== undefined) {
      // PostgreSQL indents continuation lines with a tab; some collectors turn it into spaces.
      this.current.message += `\n${first === 9 ? line.slice(1) : line}`;
      return;
    }
    if (line.length === 0) return;
    this.sink.unparsed(lineNumber, line, line.charCodeAt(0) === 9 ? 'continuation line before any record' : `does not start with the log_line_prefix '${this.matcher.prefix}' and a severity`);
  }

  end(): void {
    if (this.current !== undefined) this.sink.record(this.current);
    this.current = undefined;
  }
}
