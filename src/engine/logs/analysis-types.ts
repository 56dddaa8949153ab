/** The JSON shape of `pgdba logs analyze --format json` (field names as in DESIGN.md). */

export interface CountAndTime {
  calls: number;
  total_ms: number;
}

export interface QueryStats {
  fingerprint: string;
  /** Normalised text with $n placeholders. */
  query: string;
  /** Statement executions (with or without a logged duration). */
  calls: number;
  /** Executions whose duration was logged; the latency figures are over these. */
  calls_with_duration: number;
  total_ms: number;
  mean_ms: number | null;
  min_ms: number | null;
  max_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  /** Time spent in parse/bind steps of the extended protocol (not in total_ms, as pg_stat_statements). */
  parse_bind_ms: number;
  utility: boolean;
  /** False when PostgreSQL's parser rejected the text (grouped by normalised text instead). */
  parsed: boolean;
  example: string;
  example_parameters?: string;
  example_duration_ms?: number;
  example_time?: string;
  /** auto_explain plan of the slowest execution seen. */
  plan?: { duration_ms: number; text: string };
  plans_logged: number;
  first: string | null;
  last: string | null;
  by_database: Record<string, CountAndTime>;
  by_user: Record<string, CountAndTime>;
  by_application: Record<string, CountAndTime>;
  by_client: Record<string, CountAndTime>;
}

export interface ErrorStats {
  severity: string;
  sqlstate: string | null;
  /** SQLSTATE class (first two characters) and its name. */
  class: string;
  message: string;
  count: number;
  first: string | null;
  last: string | null;
  example: { message: string; detail?: string; hint?: string; statement?: string; time: string | null; database?: string; user?: string };
}

export interface MinutePoint {
  minute: string;
  calls: number;
  total_ms: number;
  errors: number;
  temp_bytes: number;
  lock_waits: number;
}

export interface UnparsedExample {
  source: string;
  line: number;
  text: string;
  reason: string;
}

export interface InputSummary {
  name: string;
  format: string;
  prefix: string;
  bytes: number;
  lines: number;
  entries: number;
  unparsed: number;
  skipped: number;
  first: string | null;
  last: string | null;
}

export interface LogSummary {
  lines: number;
  bytes: number;
  entries: number;
  first: string | null;
  last: string | null;
  format: string;
  inputs: InputSummary[];
  unparsed: { count: number; examples: UnparsedExample[] };
  /** Records expected in the format but not from PostgreSQL (e.g. CloudNativePG operator messages). */
  skipped: number;
  /** DETAIL/STATEMENT... lines whose parent message was not in the input. */
  orphan_attachments: number;
  /** Entries left out by --since/--until and the database/user/application filters. */
  filtered_out: number;
  queries_total: number;
  query_calls: number;
  query_total_ms: number;
  distinct_queries: number;
  errors_total: number;
  warnings_total: number;
  /** Durations (`duration: N ms` alone) whose statement was not logged. */
  durations_without_statement: number;
  sampling: { every: number; estimated: boolean } | null;
  anonymized: boolean;
  percentile_relative_error: number;
  /**
   * Times the SQL parser ran (once per distinct statement form). With worker threads it can be a
   * little higher: workers ask for statement texts ahead, including statements that then fail.
   */
  parser_calls: number;
  /** Worker threads that read the logs (0: one pass on the calling thread). */
  workers: number;
  notes: string[];
}

export interface LogAnalysis {
  summary: LogSummary;
  queries: QueryStats[];
  errors: ErrorStats[];
  events: LogEvents;
  time_series: { bucket: 'minute'; points: MinutePoint[] };
}

export interface TableMaintenance {
  table: string;
  count: number;
  tuples_removed?: number;
  pages_removed?: number;
  total_s: number;
  max_s: number;
}

export interface LogEvents {
  checkpoints: {
    count: number;
    started: number;
    timed: number;
    requested: number;
    by_reason: Record<string, number>;
    buffers_written: number;
    write_s: number;
    sync_s: number;
    total_s: number;
    max_total_s: number;
    restartpoints: number;
    warnings: number;
  };
  autovacuum: { count: number; tuples_removed: number; pages_removed: number; total_s: number; tables: TableMaintenance[] };
  autoanalyze: { count: number; total_s: number; tables: TableMaintenance[] };
  lock_waits: {
    count: number;
    acquired: number;
    deadlock_detected: number;
    total_wait_ms: number;
    max_wait_ms: number;
    by_lock_mode: Record<string, number>;
    examples: { time: string | null; lock_mode: string; object: string; wait_ms: number; state: string; statement?: string; detail?: string; database?: string }[];
  };
  deadlocks: { count: number; examples: { time: string | null; detail?: string; statement?: string; database?: string }[] };
  temp_files: {
    count: number;
    total_bytes: number;
    max_bytes: number;
    by_query: { fingerprint: string | null; query: string; count: number; total_bytes: number; max_bytes: number }[];
  };
  connections: {
    count: number;
    received: number;
    by_database: Record<string, number>;
    by_user: Record<string, number>;
    by_host: Record<string, number>;
    by_application: Record<string, number>;
  };
  disconnections: {
    count: number;
    session_total_ms: number;
    session_mean_ms: number | null;
    session_max_ms: number | null;
    session_p50_ms: number | null;
    session_p95_ms: number | null;
    by_database: Record<string, number>;
    by_user: Record<string, number>;
    by_host: Record<string, number>;
  };
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
