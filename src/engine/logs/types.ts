/**
 * Shared shapes of the log pipeline: a physical record read from one format, the stitched
 * entry (message plus its DETAIL/HINT/CONTEXT/STATEMENT/QUERY), and the analysis options.
 */
import type { LogEvent } from './classifier.js';

export type LogFormat = 'stderr' | 'csvlog' | 'jsonlog' | 'syslog' | 'cloudsql' | 'cnpg' | 'azure' | 'logplex';

/** Severity words PostgreSQL writes, including the attachment kinds of stderr/syslog lines. */
export type Severity =
  | 'DEBUG'
  | 'DEBUG1'
  | 'DEBUG2'
  | 'DEBUG3'
  | 'DEBUG4'
  | 'DEBUG5'
  | 'INFO'
  | 'NOTICE'
  | 'WARNING'
  | 'ERROR'
  | 'LOG'
  | 'FATAL'
  | 'PANIC'
  | 'DETAIL'
  | 'HINT'
  | 'CONTEXT'
  | 'STATEMENT'
  | 'QUERY'
  | 'LOCATION';

/** Fields known about the session that wrote a line (whatever the prefix or format carried). */
export interface SessionFields {
  /** Milliseconds since the epoch, NaN when the line carries no time. */
  time: number;
  pid: number;
  user?: string;
  database?: string;
  application?: string;
  client?: string;
  sessionId?: string;
  sqlstate?: string;
  backendType?: string;
}

/** One physical record as a reader sees it, before stitching. */
export interface LogRecord extends SessionFields {
  severity: Severity;
  message: string;
  /** What the message means, when the reader already knows (see classifier.ts eventOf). */
  event?: LogEvent;
  /** csvlog/jsonlog carry the attachments in the same record. */
  detail?: string;
  hint?: string;
  context?: string;
  statement?: string;
  internalQuery?: string;
  /** 1-based line number in its file of the record's first line. */
  line: number;
}

/** A stitched log entry: one message with everything PostgreSQL attached to it. */
export interface LogEntry extends SessionFields {
  severity: Severity;
  message: string;
  event?: LogEvent;
  detail?: string;
  hint?: string;
  context?: string;
  statement?: string;
  internalQuery?: string;
  line: number;
  /** Index of the input the entry came from. */
  source: number;
}

/** A line the readers could not make sense of. */
export interface UnparsedLine {
  source: string;
  line: number;
  text: string;
  reason: string;
}

export interface LogInputObject {
  /** Shown in reports (file name, upload name). */
  name: string;
  /** A path on disk, bytes in memory, or any readable stream of bytes. */
  path?: string;
  data?: Buffer | Uint8Array | string;
  stream?: AsyncIterable<Buffer | Uint8Array | string>;
  /** Total size in bytes when known (for progress). */
  size?: number;
}

export type LogInput = string | LogInputObject;

export interface LogProgress {
  bytesRead: number;
  totalBytes: number;
}

export interface LogAnalysisOptions {
  /** Force a format; by default it is detected from the first lines of each input. */
  format?: LogFormat | 'auto';
  /** `log_line_prefix` of stderr/syslog logs; detected from the lines when absent. */
  prefix?: string;
  since?: Date;
  until?: Date;
  database?: string;
  user?: string;
  application?: string;
  /** Analyse one statement in N (counts are scaled back up and marked as estimates). */
  sample?: number;
  /** Mask constants in examples, parameters and error details. */
  anonymize?: boolean;
  onProgress?: (progress: LogProgress) => void;
  /** How many queries / errors to list (default 100 / 50). */
  topQueries?: number;
  topErrors?: number;
  /** How many unparsed lines to report with their text (default 10). */
  unparsedExamples?: number;
  signal?: AbortSignal;
  /**
   * Worker threads for large plain stderr files (default: 1 when the WebAssembly line scanner reads
   * every plain stderr input, else one per idle core, at most 4); 1 reads
   * every input in one pass on the calling thread. The result is the same either way.
   */
  jobs?: number;
  /** Plain stderr input (in bytes, all files together) below which one pass is used (default 128 MiB). */
  parallelMinBytes?: number;
  /** Size of the byte ranges handed to worker threads (default: input / (4 x jobs), 4-64 MiB). */
  rangeBytes?: number;
  /**
   * How plain stderr lines are read: 'wasm' (default) with the WebAssembly line scanner where the
   * prefix allows it, 'js' with the regular expression only. Same result; for tests and benchmarks.
   */
  scanner?: 'wasm' | 'js';
}
