/**
 * Focused reads for the chat tools: configuration review, current activity, top statements and
 * the index list. Each runs only the checks and catalog queries it needs.
 */
import type { TargetDatabase } from '../target-database.js';
import type { SessionInfo } from './catalog/activity.js';
import { readIndexDefinitions, type IndexInfo } from './catalog/indexes.js';
import { activityChecks } from './activity-checks.js';
import { configurationChecks, nonDefaultSettings, type NonDefaultSetting } from './configuration-checks.js';
import { describeCheckError, openInspectionContext, runChecks } from './health-report.js';
import type { InspectionThresholds } from './thresholds.js';
import type { CheckStatus, Finding, TopStatement } from './types.js';
import { enableStatStatementsSql } from './workload-checks.js';

interface ReadOptions {
  thresholds?: Partial<InspectionThresholds>;
  signal?: AbortSignal;
}

export interface ConfigurationReview {
  nonDefault: NonDefaultSetting[];
  recommendations: Finding[];
  checks: CheckStatus[];
}

export async function reviewConfiguration(target: TargetDatabase, options: ReadOptions = {}): Promise<ConfigurationReview> {
  const { context } = await openInspectionContext(target, options);
  const [{ findings, checks }, settings] = await Promise.all([runChecks(configurationChecks, context), context.settings()]);
  return { nonDefault: nonDefaultSettings(settings), recommendations: findings, checks };
}

export interface ActivityReport {
  connections: { used: number; max: number; byState: Record<string, number> };
  /** Client sessions, longest-running first (empty without pg_read_all_stats for other roles' details). */
  sessions: SessionInfo[];
  findings: Finding[];
  checks: CheckStatus[];
}

export async function readActivity(target: TargetDatabase, options: ReadOptions = {}): Promise<ActivityReport> {
  const { context } = await openInspectionContext(target, options);
  const [{ findings, checks }, sessions, settings] = await Promise.all([
    runChecks(activityChecks, context),
    context.sessions(),
    context.settings(),
  ]);
  const clients = sessions.filter((s) => s.backendType === 'client backend');
  const byState: Record<string, number> = {};
  for (const s of clients) byState[s.state ?? 'unknown'] = (byState[s.state ?? 'unknown'] ?? 0) + 1;
  return {
    connections: { used: clients.length + 1, max: settings.number('max_connections') ?? 0, byState },
    sessions: clients.sort((a, b) => (b.transactionSeconds ?? b.querySeconds ?? 0) - (a.transactionSeconds ?? a.querySeconds ?? 0)),
    findings,
    checks,
  };
}

export interface StatementsReport {
  installed: boolean;
  statements: TopStatement[];
  /** How to enable pg_stat_statements when it is missing. */
  enableSql?: string;
  note?: string;
}

export async function readTopStatementsReport(target: TargetDatabase, limit = 10, options: ReadOptions = {}): Promise<StatementsReport> {
  const { context } = await openInspectionContext(target, { ...options, thresholds: { ...options.thresholds, topStatementsLimit: limit } });
  const [server, settings] = await Promise.all([context.server(), context.settings()]);
  const enableSql = enableStatStatementsSql(settings.text('shared_preload_libraries') ?? '');
  if (!server.statStatementsSchema) return { installed: false, statements: [], enableSql, note: `pg_stat_statements is not installed in ${server.database}.` };
  try {
    const statements = await context.topStatements();
    return {
      installed: true,
      statements,
      ...(server.readAllStats ? {} : { note: `Other roles' statement texts are hidden: GRANT pg_read_all_stats TO ${server.role};` }),
    };
  } catch (error) {
    if (/shared_preload_libraries/i.test((error as Error).message)) {
      return { installed: false, statements: [], enableSql, note: 'pg_stat_statements is installed but not loaded (shared_preload_libraries).' };
    }
    throw new Error(describeCheckError(error).message, { cause: error });
  }
}

export interface IndexFilter {
  /** Table name, optionally schema-qualified; case-insensitive. */
  table?: string;
  schema?: string;
}

/** Indexes matching `filter`, largest first; the first `limit` carry their full CREATE INDEX definition. */
export async function listIndexes(target: TargetDatabase, filter: IndexFilter = {}, limit = 100): Promise<{ indexes: IndexInfo[]; total: number }> {
  const { context, reader } = await openInspectionContext(target);
  const wanted = filter.table?.toLowerCase();
  const matching = (await context.indexes())
    .filter((i) => !filter.schema || i.schema === filter.schema)
    .filter((i) => !wanted || i.table.toLowerCase() === wanted || `${i.schema}.${i.table}`.toLowerCase() === wanted)
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const shown = matching.slice(0, limit);
  const definitions = await readIndexDefinitions(reader, shown.map((i) => i.oid));
  return { indexes: shown.map((i) => ({ ...i, definition: definitions.get(i.oid) ?? i.shape })), total: matching.length };
}
