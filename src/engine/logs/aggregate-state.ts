/**
 * The aggregator's state as plain data: what one byte range of a log adds up to (sent from a
 * worker thread to the main thread, which merges the ranges in order). Totals are exact
 * (exact-total.ts) and everything order-dependent carries an order key, so that merging ranges
 * gives the same result as reading the log in one pass.
 */
import type { ExactTotal } from './exact-total.js';
import type { SketchState } from './latency-sketch.js';
import type { StatementGroupRef } from './statement-memo.js';
import type { LogEntry } from './types.js';

/** Order keys: (range index) * RANGE_ORDER + 2 * (entry index in the range) (+ 1 for the entry's own effects). */
export const RANGE_ORDER = 2 ** 36;

export interface Breakdown {
  calls: number;
  total: ExactTotal;
}

/** The text of the call that created a group, and which of its statements the group is. */
export interface Creator {
  text: string;
  index: number;
}

export interface QueryState<Sketch> {
  ref: StatementGroupRef;
  /** Worker ranges: the creating call's text, to show the group as one pass would (see firstRef). */
  creator: Creator | undefined;
  /** Order key of the call that created the group (ties in the report keep this order). */
  order: number;
  calls: number;
  sketch: Sketch;
  total: ExactTotal;
  parseBind: ExactTotal;
  first: number;
  last: number;
  /** The slowest call (the earliest of equals); before any timed call, the first call. */
  example: string;
  exampleParameters: string | undefined;
  exampleDurationMs: number;
  exampleTime: number;
  exampleOrder: number;
  plan: { durationMs: number; text: string } | undefined;
  plans: number;
  byDatabase: Map<string, Breakdown>;
  byUser: Map<string, Breakdown>;
  byApplication: Map<string, Breakdown>;
  byClient: Map<string, Breakdown>;
}

export interface ErrorState {
  severity: string;
  sqlstate: string | null;
  message: string;
  count: number;
  first: number;
  last: number;
  example: LogEntry;
}

export interface MinuteState {
  minute: string;
  calls: number;
  total: ExactTotal;
  errors: number;
  temp_bytes: number;
  lock_waits: number;
}

export interface TableState {
  table: string;
  count: number;
  tuples_removed?: number;
  pages_removed?: number;
  total: ExactTotal;
  max_s: number;
}

export interface TempState {
  fingerprint: string | null;
  query: string;
  creator?: Creator;
  count: number;
  total_bytes: number;
  max_bytes: number;
}

export interface LockWaitExample {
  time: string | null;
  lock_mode: string;
  object: string;
  wait_ms: number;
  state: string;
  statement?: string;
  detail?: string;
  database?: string;
}

export interface EventState {
  checkpoints: {
    count: number;
    started: number;
    timed: number;
    requested: number;
    buffers_written: number;
    write: ExactTotal;
    sync: ExactTotal;
    total: ExactTotal;
    max_total_s: number;
    restartpoints: number;
    warnings: number;
  };
  autovacuum: { count: number; tuples_removed: number; pages_removed: number; total: ExactTotal };
  autoanalyze: { count: number; total: ExactTotal };
  lock_waits: { count: number; acquired: number; deadlock_detected: number; total_wait: ExactTotal; max_wait_ms: number; examples: LockWaitExample[] };
  deadlocks: { count: number; examples: { time: string | null; detail?: string; statement?: string; database?: string }[] };
  temp_files: { count: number; total_bytes: number; max_bytes: number };
  connections: { count: number; received: number };
  disconnections: { count: number; session_total: ExactTotal };
  server: {
    starts: number;
    ready: number;
    shutdown_requests: number;
    shutdowns: number;
    crashes: number;
    recoveries: number;
    events: { time: string | null; action: string; message: string }[];
  };
}

/** What a call needs of the entry that logged it. */
export type CallContext = Pick<LogEntry, 'time' | 'database' | 'user' | 'application' | 'client' | 'detail'>;

/** A logged statement waiting for its duration (log_statement + log_duration), per process. */
export interface PendingState {
  pid: number;
  query: string;
  context: CallContext;
  /** Order key of the insertion that gives the session its place (oldest first). */
  order: number;
  /**
   * Inserted by the range's first `statement:` of this process: in one pass the process's
   * statement pending from before the range (if any) would have held this place.
   */
  inherit: boolean;
}

/**
 * A step of a range that depends on the statement a process had pending when the range began,
 * which only the main thread knows (from the ranges before): replayed there, in order.
 */
export type DeferredSessionStep =
  /** `statement:` — the pending statement (if any) is a call without duration. */
  | { step: 'statement'; pid: number; seq: number }
  /** `duration:` alone — pairs with the pending statement, or counts as a duration without statement. */
  | { step: 'duration'; pid: number; seq: number; durationMs: number; time: number }
  /** `duration: … statement:` — ends the pending statement (a call unless it is this same statement). */
  | { step: 'timed-statement'; pid: number; seq: number; query: string }
  /** disconnection — the pending statement is a call. */
  | { step: 'disconnection'; pid: number; seq: number }
  /** an error with this STATEMENT — the pending statement, if it is this one, failed. */
  | { step: 'error'; pid: number; seq: number; statement: string };

export interface AggregatePartial {
  entries: number;
  filteredOut: number;
  first: number;
  last: number;
  errorsTotal: number;
  warningsTotal: number;
  durationsWithoutStatement: number;
  /** In order of creation. */
  queries: QueryState<SketchState>[];
  /** In order of first occurrence. */
  errors: ErrorState[];
  minutes: [number, MinuteState][];
  vacuums: TableState[];
  analyzes: TableState[];
  tempByQuery: TempState[];
  sessionSketch: SketchState;
  conn: { byDatabase: Map<string, { n: number }>; byUser: Map<string, { n: number }>; byHost: Map<string, { n: number }>; byApplication: Map<string, { n: number }> };
  disc: { byDatabase: Map<string, { n: number }>; byUser: Map<string, { n: number }>; byHost: Map<string, { n: number }> };
  lockModes: Map<string, number>;
  checkpointReasons: Map<string, number>;
  events: EventState;
  /** Statements still pending at the end of the range, in the order one pass would keep them. */
  pending: PendingState[];
  deferred: DeferredSessionStep[];
  /** Most statements pending at once in the range (bounds the one-pass session table size). */
  maxPending: number;
  /** First text used in the range per statement form (with its order key). */
  firstUses: { raw: string; order: number }[];
}
