/**
 * stderr logs: each record starts with the `log_line_prefix` and "SEVERITY:  "; lines of a
 * multi-line message follow with a leading tab (PostgreSQL inserts it). Lines that neither match
 * the prefix nor continue a record are reported as unparsed.
 */
import { lineText, pieceLines, type LinePiece } from '../line-source.js';
import { emptyMatch, type LinePrefixMatcher } from '../prefix-compiler.js';
import { HEURISTIC_PREFIX, heuristicPrefixMatcher } from '../prefix-heuristics.js';
import { prefixProgram } from '../scanner/prefix-program.js';
import { authorizedApplication, authorizedDatabase, scannedEvent, wholeOnItsLine } from '../scanner/scanned-event.js';
import {
  SLOTS, STATUS_CONTINUATION, STATUS_RECORD, S_END, S_FIELDS, S_KIND, S_MESSAGE, S_PID, S_RAW_END, S_SEVERITY, S_SPAN, S_START, S_STATUS,
  S_TEXT_END, S_TEXT_START, S_TIME_KEY, S_TIME_MS, S_K1, S_K2, S_K3, WasmLineScanner, latin1, KIND_AUTHORIZED, KIND_DISCONNECTION,
  KIND_OTHER_CONNECTION, KIND_QUERY, KIND_RECEIVED,
} from '../scanner/wasm-line-scanner.js';
import { minuteEpoch } from '../timestamp.js';
import type { LogEntry, LogRecord, Severity } from '../types.js';
import { splitVerboseState, type FormatReader, type RecordSink } from './record-sink.js';

/**
 * Whether the scanned record at `at` is a whole entry of its own: a LOG message (no error to
 * report with its text) whose next line after the `span` continuation lines it took in, in the
 * same scan, starts a new entry (a record that is not a DETAIL/HINT/CONTEXT/STATEMENT/QUERY/
 * LOCATION attachment): nothing can join it.
 */
function endsAtOnce(slots: Int32Array, at: number, hasNext: boolean, span = 0): boolean {
  if (!hasNext || slots[at + S_SEVERITY] !== 0) return false;
  const next = at + (span + 1) * SLOTS;
  const severity = slots[next + S_SEVERITY]!;
  return slots[next + S_STATUS] === STATUS_RECORD && (severity < 5 || severity > 10);
}

/** The interned value of a field slot (id 0: the prefix gave no value). */
function fieldValue(slots: Int32Array, slot: number, values: string[]): string | undefined {
  const id = slots[slot]!;
  return id === 0 ? undefined : values[id];
}

/** Severity codes of the line scanner. */
const scannedSeverities: Severity[] = [
  'LOG', 'ERROR', 'WARNING', 'FATAL', 'PANIC', 'DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION', 'INFO', 'NOTICE',
  'DEBUG', 'DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5',
];

const memoryContextLine = /^\s*(?:[\w .:\-/()]+: \d+ total in \d+ blocks;|Grand total: \d+ bytes in)/;

export class StderrReader implements FormatReader {
  private current: LogRecord | undefined;
  private readonly fallback = heuristicPrefixMatcher();
  /** Lines matched only by the heuristic fallback (the given or detected prefix did not fit). */
  fallbackLines = 0;
  firstFallbackLine: { line: number; text: string } | undefined;

  /**
   * The entry handed to the sink's `entry` for an entry complete on its own line (past the
   * stitcher, when the sink takes such entries), reused for the next such line.
   */
  private readonly completeEntry: LogEntry = { ...emptyMatch('LOG', 0) };
  /** The WebAssembly scanner for pieces of bytes, when the prefix allows it and it is built. */
  private readonly scanner: WasmLineScanner | undefined;
  /** Epoch ms of the start of each interned minute (scanner ids of minute + zone). */
  private minuteStarts: number[] = [];

  /** `scan`: read pieces of bytes with the WebAssembly scanner where it can (same records). */
  constructor(
    private readonly matcher: LinePrefixMatcher,
    private readonly sink: RecordSink,
    scan = false,
  ) {
    const program = scan && matcher.prefix !== HEURISTIC_PREFIX ? prefixProgram(matcher.prefix) : undefined;
    this.scanner = program === undefined ? undefined : WasmLineScanner.create(program);
  }

  /**
   * A continuation line joins the record's message. The SQL of a scanned statement is the end of
   * the message and grows with it; any other scanned event no longer describes the message.
   */
  private continueRecord(record: LogRecord, text: string): void {
    record.message += `\n${text}`;
    const event = record.event;
    if (event === undefined) return;
    if (event.kind === 'query') {
      event.query += `\n${text}`;
      // The scanner's key hash was of the SQL without this line.
      if (event.keyHash !== undefined) event.keyHash = undefined;
    } else record.event = undefined;
  }

  /** Whether pieces of bytes are read by the WebAssembly scanner. */
  get scansBytes(): boolean {
    return this.scanner !== undefined;
  }

  /** A buffer in the scanner's memory for a file's chunks to be read to (ChunkTarget), when bytes are scanned. */
  chunkBuffer(bytes: number): Buffer | undefined {
    return this.scanner?.chunkArea(bytes);
  }

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
      this.continueRecord(this.current, first === 9 ? line.slice(1) : line);
      return;
    }
    if (line.length === 0) return;
    this.sink.unparsed(lineNumber, line, line.charCodeAt(0) === 9 ? 'continuation line before any record' : `does not start with the log_line_prefix '${this.matcher.prefix}' and a severity`);
  }

  /**
   * Reads the lines of a piece of bytes, numbered from `lineNumber` + 1; returns the number of
   * the last. Lines the scanner matched become records here without a regular expression or a
   * string per field, with the continuation lines it took into them; every other line takes the
   * text path of `push`, so the records are the same.
   */
  pushPiece(piece: LinePiece, lineNumber: number): number {
    const { bytes } = piece;
    const scanner = this.scanner;
    if (scanner === undefined || !scanner.fits(bytes, piece.start, piece.end)) {
      for (const line of pieceLines(piece)) this.push(line, ++lineNumber);
      return lineNumber;
    }
    if (scanner.load(bytes, piece.start, piece.end)) this.minuteStarts = [];
    // Scanner offsets of this piece's bytes: `start` + an offset is its index in `bytes`.
    const start = piece.start - scanner.origin;
    const end = piece.end - start;
    let from = scanner.origin;
    while (from <= end) {
      const count = scanner.scan(from, end);
      const slots = scanner.slots;
      const values = scanner.values;
      for (let line = 0, at = 0; line < count; line += 1, at += SLOTS) {
        lineNumber += 1;
        const status = slots[at + S_STATUS]!;
        const lineStart = start + slots[at + S_START]!;
        if (status === STATUS_RECORD && wholeOnItsLine(slots[at + S_KIND]!) && this.sink.entry !== undefined && endsAtOnce(slots, at, line + 1 < count)) {
          // A connection or disconnection message, complete on its line: aggregated as it is.
          if (this.current !== undefined) this.sink.record(this.current);
          this.current = undefined;
          const kind = slots[at + S_KIND]!;
          if ((kind === KIND_RECEIVED || kind === KIND_OTHER_CONNECTION) && this.sink.uneventful?.(this.scannedTime(slots, at, values), kind === KIND_RECEIVED) === true) continue;
          if (this.takeConnection(slots, at, line, values, scanner.numbers)) continue;
          this.handWhole(scanner, at, line, bytes, start, lineNumber);
        } else if (status === STATUS_RECORD) {
          if (this.current !== undefined) this.sink.record(this.current);
          // The continuation lines the record took in.
          const span = slots[at + S_SPAN]!;
          const last = line + span;
          if (slots[at + S_KIND] === KIND_QUERY && this.sink.entry !== undefined && endsAtOnce(slots, at, last + 1 < count, span)) {
            // A statement whose next line starts another entry: nothing can be attached to it.
            this.current = undefined;
            this.handWhole(scanner, at, line, bytes, start, lineNumber);
          } else {
            this.current = this.scannedRecord(slots, at, values, bytes, start, lineNumber);
            if (slots[at + S_KIND] !== 0) this.current.event = scannedEvent(slots, scanner.numbers, at, line, values, this.current, scanner.hashes[line]!);
          }
          line = last;
          at += span * SLOTS;
          lineNumber += span;
        } else if (status === STATUS_CONTINUATION && this.current !== undefined) {
          this.continueRecord(this.current, latin1(bytes, lineStart + 1, start + slots[at + S_END]!));
        } else {
          this.push(lineText(bytes, lineStart, start + slots[at + S_RAW_END]!), lineNumber);
        }
      }
      from = slots[(count - 1) * SLOTS + S_RAW_END]! + 1;
    }
    return lineNumber;
  }

  /** Hands the scanned record at slot `at` to the sink's `entry` whole: the reused entry object, with its event. */
  private handWhole(scanner: WasmLineScanner, at: number, line: number, bytes: Buffer, pieceStart: number, lineNumber: number): void {
    const { slots, values } = scanner;
    const entry = this.completeEntry;
    this.fillFields(entry, slots, at, values);
    entry.message = this.scannedMessage(slots, at, bytes, pieceStart);
    entry.line = lineNumber;
    this.sink.entry!(entry, scannedEvent(slots, scanner.numbers, at, line, values, entry, scanner.hashes[line]!));
  }

  /**
   * A whole 'connection authorized' or 'disconnection' entry handed to the sink by its values
   * (the values its event and its entry would carry); false when the sink needs the entry.
   */
  private takeConnection(slots: Int32Array, at: number, line: number, values: string[], numbers: Float64Array): boolean {
    const kind = slots[at + S_KIND]!;
    const fields = at + S_FIELDS;
    if (kind === KIND_AUTHORIZED && this.sink.authorized !== undefined) {
      return this.sink.authorized(
        this.scannedTime(slots, at, values),
        values[slots[at + S_K1]!]!,
        authorizedDatabase(slots, at, values, fieldValue(slots, fields + 1, values)),
        // The aggregator counts the prefix's %a when the message names no application.
        authorizedApplication(slots, at, values) ?? fieldValue(slots, fields + 2, values),
        fieldValue(slots, fields + 3, values),
      );
    }
    if (kind === KIND_DISCONNECTION && this.sink.disconnected !== undefined) {
      return this.sink.disconnected(this.scannedTime(slots, at, values), slots[at + S_PID]!, numbers[line]!, values[slots[at + S_K1]!]!, values[slots[at + S_K2]!]!, values[slots[at + S_K3]!]!);
    }
    return false;
  }

  /** The record of a line the scanner matched: what `parse` makes of it, field for field. */
  private scannedRecord(slots: Int32Array, at: number, values: string[], bytes: Buffer, pieceStart: number, lineNumber: number): LogRecord {
    const record: LogRecord = emptyMatch(scannedSeverities[slots[at + S_SEVERITY]!]!, slots[at + S_MESSAGE]! - slots[at + S_START]!);
    this.fillFields(record, slots, at, values);
    record.message = this.scannedMessage(slots, at, bytes, pieceStart);
    record.line = lineNumber;
    splitVerboseState(record);
    return record;
  }

  /** The message of a scanned record: the rest of its line, or its lines joined in the text area. */
  private scannedMessage(slots: Int32Array, at: number, bytes: Buffer, pieceStart: number): string {
    if (slots[at + S_SPAN] === 0) return latin1(bytes, pieceStart + slots[at + S_MESSAGE]!, pieceStart + slots[at + S_END]!);
    return this.scanner!.text(slots[at + S_TEXT_START]!, slots[at + S_TEXT_END]!);
  }

  /** The prefix's fields of a scanned line (every field set, so a reused entry keeps none of the last line's). */
  private fillFields(record: LogRecord, slots: Int32Array, at: number, values: string[]): void {
    record.severity = scannedSeverities[slots[at + S_SEVERITY]!]!;
    record.time = this.scannedTime(slots, at, values);
    record.pid = slots[at + S_PID]!;
    const fields = at + S_FIELDS;
    record.user = fieldValue(slots, fields, values);
    record.database = fieldValue(slots, fields + 1, values);
    record.application = fieldValue(slots, fields + 2, values);
    record.client = fieldValue(slots, fields + 3, values);
    record.sessionId = fieldValue(slots, fields + 4, values);
    record.sqlstate = fieldValue(slots, fields + 5, values);
    record.backendType = fieldValue(slots, fields + 6, values);
  }

  private scannedTime(slots: Int32Array, at: number, values: string[]): number {
    const minute = slots[at + S_TIME_KEY]!;
    return minute === 0 ? NaN : this.minuteStart(minute, values) + slots[at + S_TIME_MS]!;
  }

  /** Epoch ms of an interned minute: its text (YYYY-MM-DD HH:MM then the zone) read once. */
  private minuteStart(id: number, values: string[]): number {
    let ms = this.minuteStarts[id];
    if (ms === undefined) {
      const key = values[id]!;
      ms = minuteEpoch(key, key.slice(16).trim());
      this.minuteStarts[id] = ms;
    }
    return ms;
  }

  end(): void {
    if (this.current !== undefined) this.sink.record(this.current);
    this.current = undefined;
  }
}
