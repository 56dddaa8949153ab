/** What the executor reports: per statement, the whole run, and events while it runs. */
import type { EffectCheck } from './effect-checks.js';
import type { QueryEvidence } from './plan-evidence.js';

export interface ExecutorSettings {
  /**
   * Target connection URL; the executor opens its own writable session from it. A function when
   * the URL is only known once the target is up (the embedded demo listens on a random port).
   */
  databaseUrl: string | (() => Promise<string>);
  /** lock_timeout of the writable session (default 3000 ms). */
  lockTimeoutMs?: number;
  /** statement_timeout of the writable session (default 30 min: index builds are long). */
  statementTimeoutMs?: number;
  /** Attempts per statement when a lock is not granted in time (default 4). */
  maxAttempts?: number;
  /** Wait before attempt n+1 (default 1 s, 2 s, 4 s … capped at 30 s). */
  backoffMs?: (attempt: number) => number;
  /** How often index-build progress is read from pg_stat_progress_create_index (default 1 s). */
  progressIntervalMs?: number;
  /** How long a cancelled or terminated backend may take to stop before the run is reported failed (default 5 s). */
  signalCheckMs?: number;
}

export type ExecutionEvent =
  | { kind: 'statement-started'; statementIndex: number; sql: string; attempt: number }
  | { kind: 'statement-finished'; statementIndex: number; durationMs: number }
  | { kind: 'lock-timeout'; statementIndex: number; attempt: number; maxAttempts: number; message: string }
  | { kind: 'retry'; statementIndex: number; attempt: number; maxAttempts: number; delayMs: number }
  | { kind: 'index-progress'; statementIndex: number; phase: string; done: number; total: number; unit: string }
  | { kind: 'cleanup'; statementIndex: number; index: string; dropped: boolean; error?: string };

export interface StatementRun {
  index: number;
  sql: string;
  status: 'succeeded' | 'failed' | 'not-run';
  attempts: number;
  durationMs: number;
  error?: string;
  sqlstate?: string;
  /** First column of the rows a cancel/terminate call returned (true/false; empty when no backend matched). */
  returned?: unknown[];
}

export interface IndexCheck {
  name: string;
  valid: boolean;
}

export interface ExecutionResult {
  requestId: string;
  status: 'succeeded' | 'failed' | 'skipped';
  /** Why it was skipped (another replica holds the execution lock, already executed). */
  skippedReason?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  statements: StatementRun[];
  /** A sentence saying what went wrong and what was left behind. */
  error?: string;
  /** Indexes created by the change, checked valid after the build. */
  indexes: IndexCheck[];
  /** INVALID indexes dropped after a failed build, and any that could not be. */
  cleanup: { index: string; dropped: boolean; error?: string }[];
  evidence: QueryEvidence[];
  /** Whether guarded actions took effect: backend gone or stopped, index dropped, dead tuples before/after. */
  checks?: EffectCheck[];
}
