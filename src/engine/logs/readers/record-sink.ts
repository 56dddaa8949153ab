/** What every format reader reports to: whole physical records, and lines it could not read. */
import type { LogEvent } from '../classifier.js';
import type { LogEntry, LogRecord } from '../types.js';

export interface RecordSink {
  record(record: LogRecord): void;
  /**
   * A whole entry, already classified, that nothing can be attached to (the next line starts
   * another entry): it follows the records before it, past the stitcher. `entry` is reused by
   * the reader after the call: keep a copy, not the object.
   */
  entry?(entry: LogEntry, event: LogEvent): void;
  /**
   * A whole LOG entry of no interest but its count and time ('connection received' when
   * `received`, other connection messages otherwise); false when the sink needs the entry itself
   * (filters, held entries): the reader then calls `entry`.
   */
  uneventful?(time: number, received: boolean): boolean;
  /**
   * Whole LOG entries 'connection authorized' and 'disconnection', from their values alone (what
   * their event and the prefix's fields give); false as for `uneventful`, and the reader then
   * calls `entry`.
   */
  authorized?(time: number, user: string, database: string, application: string | undefined, client: string | undefined): boolean;
  disconnected?(time: number, pid: number, sessionMs: number, user: string, database: string, host: string): boolean;
  unparsed(line: number, text: string, reason: string): void;
  /** Lines that are not PostgreSQL server records but are expected in this format (e.g. operator messages). */
  skipped(line: number, reason: string): void;
}

export interface FormatReader {
  push(line: string, lineNumber: number): void;
  end(): void;
  /** Prefix (or envelope) the reader settled on, for the report. */
  describe(): string;
}

const verboseState = /^[0-9A-Z]{5}: /;

/** log_error_verbosity = verbose puts the SQLSTATE after the severity: "ERROR:  42P01: relation ...". */
export function splitVerboseState(record: LogRecord): void {
  const message = record.message;
  if (message.length > 7 && message.charCodeAt(5) === 58 && verboseState.test(message)) {
    record.sqlstate ??= message.slice(0, 5);
    record.message = message.slice(7);
  }
}
