/** Shapes shared by every inspection: a finding, a check's outcome, the whole report. */

export type Severity = 'info' | 'warning' | 'critical';

export const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export type CheckFamily =
  | 'indexes'
  | 'tables'
  | 'wraparound'
  | 'activity'
  | 'replication'
  | 'workload'
  | 'configuration';

export interface Finding {
  /** Stable check identifier, e.g. "duplicate_index". */
  check: string;
  severity: Severity;
  /** The object concerned, schema-qualified where it has a schema: "public.orders_customer_id_idx". */
  object: string;
  /** What was seen, with the numbers. */
  detail: string;
  /** What to do, and why. */
  recommendation: string;
  /** SQL that fixes or investigates it, when one applies. */
  sql?: string;
}

/**
 * - `ran`: the check ran (it may or may not have findings);
 * - `no_privilege`: the connected role lacks a privilege; `privilege` names it;
 * - `unavailable`: the feature is absent (extension not installed, not a primary...);
 * - `failed`: a query error such as a statement or lock timeout; `message` says which.
 */
export type CheckOutcome = 'ran' | 'no_privilege' | 'unavailable' | 'failed';

export interface CheckStatus {
  check: string;
  family: CheckFamily;
  status: CheckOutcome;
  findings: number;
  message?: string;
  privilege?: string;
}

export interface TopStatement {
  queryId: string | null;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  sharedBlocksHit: number;
  sharedBlocksRead: number;
  tempBlocksWritten: number;
  /** Share of the total execution time of all statements, 0..1. */
  shareOfTotal: number;
}

export interface HealthReport {
  generatedAt: string;
  database: string;
  serverVersionNum: number;
  durationMs: number;
  /** Catalog queries issued (session setup and timeouts not counted). */
  catalogQueries: number;
  findings: Finding[];
  checks: CheckStatus[];
  summary: { critical: number; warning: number; info: number };
  /** Largest tables and indexes by size, for charts. */
  largestTables: { object: string; totalBytes: number; tableBytes: number; indexBytes: number; toastBytes: number }[];
  largestIndexes: { object: string; bytes: number; scans: number }[];
  topStatements: TopStatement[];
}
