/**
 * Thresholds of every check, with defaults chosen to avoid false alarms on small or fresh
 * databases. Each is documented in docs/insights.md; pass overrides to `runHealthReport`.
 */
export interface InspectionThresholds {
  /** Unused indexes smaller than this are ignored (tiny indexes cost nothing). */
  unusedIndexMinBytes: number;
  /** Below this statistics age an unused index is only `info`: zero scans mean little yet. */
  unusedIndexMinStatsAgeDays: number;
  /** Estimated bloat share at which an index or table is reported ... */
  bloatMinRatio: number;
  /** ... and only when the wasted space is at least this many bytes. */
  bloatMinBytes: number;
  /** A foreign key without index is a warning from this many rows in the referencing table (info below). */
  foreignKeyWarningMinRows: number;
  /** Sequential-scan share (seq_scan / (seq_scan + idx_scan)) above which a table is reported ... */
  seqScanMinShare: number;
  /** ... when it holds at least this many rows ... */
  seqScanMinRows: number;
  /** ... and sequential scans read at least this many rows in total. */
  seqScanMinRowsRead: number;
  /** Dead tuples share of live + dead at which a table is reported ... */
  deadTupleMinRatio: number;
  /** ... when it has at least this many dead tuples. */
  deadTupleMinCount: number;
  /** Days since the last (auto)vacuum / (auto)analyze of a table with changes before it is stale. */
  vacuumStaleDays: number;
  analyzeStaleDays: number;
  /** Tables below this many rows are ignored by staleness and missing-PK checks (except no-PK which uses 0). */
  staleMinRows: number;
  /** TOAST bigger than this share of the table's total size, and at least toastMinBytes, is reported. */
  toastMinShare: number;
  toastMinBytes: number;
  /**
   * xid / multixact age as a share of autovacuum_freeze_max_age (or the multixact one) at which a
   * database or table is a warning: past 1.0 the anti-wraparound autovacuum is overdue.
   */
  wraparoundWarningShare: number;
  /** Age (transactions) at which it is critical: PostgreSQL stops assigning xids near 2^31 - 3M. */
  wraparoundCriticalAge: number;
  /** Share of a sequence's (or its column's) maximum used at which it is a warning, and a critical. */
  sequenceWarningShare: number;
  sequenceCriticalShare: number;
  /** Active queries running longer than this (seconds). */
  longRunningQuerySeconds: number;
  /** Sessions idle in transaction longer than this (seconds). */
  idleInTransactionSeconds: number;
  /** Sessions waiting on a lock longer than this (seconds) make a blocking tree critical. */
  blockedCriticalSeconds: number;
  /** Share of usable connections (max_connections - reserved) in use: warning, critical. */
  connectionWarningShare: number;
  connectionCriticalShare: number;
  /** Cache hit ratio below which table/index caching is reported ... */
  cacheHitMinRatio: number;
  /** ... once at least this many blocks were read in total (fresh databases read from disk). */
  cacheHitMinBlocks: number;
  /** Replica replay lag (bytes, seconds) and WAL retained by a slot (bytes). */
  replicationLagBytes: number;
  replicationLagSeconds: number;
  slotRetainedWalBytes: number;
  /** Statements reported as slow: mean time (ms) and minimum calls. */
  slowStatementMeanMs: number;
  slowStatementMinCalls: number;
  /** How many top statements the report keeps. */
  topStatementsLimit: number;
  /** Share of requested (not timed) checkpoints above which max_wal_size is too small, with a minimum count. */
  requestedCheckpointShare: number;
  requestedCheckpointMinCount: number;
  /**
   * Relations at least this big (by pg_class.relpages) get an exact size; smaller ones use relpages
   * (as of their last VACUUM/ANALYZE), which avoids opening 10,000s of relations.
   */
  exactSizeMinBytes: number;
  /** At most this many tables, and as many indexes, are measured exactly (largest first). */
  exactSizeMaxRelations: number;
  /** Temporary file bytes written in the database above which work_mem is reported. */
  tempBytesWarning: number;
}

export const defaultThresholds: InspectionThresholds = {
  unusedIndexMinBytes: 1024 * 1024,
  unusedIndexMinStatsAgeDays: 7,
  bloatMinRatio: 0.3,
  bloatMinBytes: 10 * 1024 * 1024,
  foreignKeyWarningMinRows: 10_000,
  seqScanMinShare: 0.9,
  seqScanMinRows: 10_000,
  seqScanMinRowsRead: 10_000_000,
  deadTupleMinRatio: 0.2,
  deadTupleMinCount: 10_000,
  vacuumStaleDays: 7,
  analyzeStaleDays: 7,
  staleMinRows: 10_000,
  toastMinShare: 0.5,
  toastMinBytes: 1024 * 1024 * 1024,
  wraparoundWarningShare: 1.0,
  wraparoundCriticalAge: 1_500_000_000,
  sequenceWarningShare: 0.8,
  sequenceCriticalShare: 0.95,
  longRunningQuerySeconds: 60,
  idleInTransactionSeconds: 60,
  blockedCriticalSeconds: 60,
  connectionWarningShare: 0.8,
  connectionCriticalShare: 0.95,
  cacheHitMinRatio: 0.99,
  cacheHitMinBlocks: 100_000,
  replicationLagBytes: 1024 * 1024 * 1024,
  replicationLagSeconds: 300,
  slotRetainedWalBytes: 1024 * 1024 * 1024,
  slowStatementMeanMs: 100,
  slowStatementMinCalls: 100,
  topStatementsLimit: 10,
  requestedCheckpointShare: 0.3,
  requestedCheckpointMinCount: 10,
  exactSizeMinBytes: 1024 * 1024,
  exactSizeMaxRelations: 1000,
  tempBytesWarning: 10 * 1024 * 1024 * 1024,
};

export function resolveThresholds(overrides: Partial<InspectionThresholds> = {}): InspectionThresholds {
  return { ...defaultThresholds, ...overrides };
}
