/**
 * The health report: runs every selected check over a dozen memoised catalog queries, and keeps
 * going when one check fails (missing privilege, statement or lock timeout): that check's status
 * says why and what it needs, the others still report.
 *
 * @example
 * const report = await runHealthReport(target, { thresholds: { unusedIndexMinBytes: 0 } });
 * for (const f of report.findings) console.log(f.severity, f.check, f.object);
 */
import type { TargetDatabase } from '../target-database.js';
import { activityChecks } from './activity-checks.js';
import { CatalogReader } from './catalog/catalog-reader.js';
import { configurationChecks } from './configuration-checks.js';
import { qualifiedName } from './format.js';
import { indexChecks } from './index-checks.js';
import { CheckNotRun, type CheckResult, type InspectionCheck } from './inspection-check.js';
import { createInspectionContext, type InspectionContext } from './inspection-context.js';
import { replicationChecks } from './replication-checks.js';
import { tableChecks } from './table-checks.js';
import { resolveThresholds, type InspectionThresholds } from './thresholds.js';
import { severityRank, type CheckFamily, type CheckStatus, type Finding, type HealthReport } from './types.js';
import { workloadChecks } from './workload-checks.js';
import { wraparoundChecks } from './wraparound-checks.js';

export const allChecks: InspectionCheck[] = [
  ...indexChecks,
  ...tableChecks,
  ...wraparoundChecks,
  ...activityChecks,
  ...replicationChecks,
  ...workloadChecks,
  ...configurationChecks,
];

export const checkFamilies: CheckFamily[] = ['indexes', 'tables', 'wraparound', 'activity', 'replication', 'workload', 'configuration'];

export interface HealthReportOptions {
  thresholds?: Partial<InspectionThresholds>;
  /** Only these families (default: all). */
  families?: CheckFamily[];
  /** Only these checks by name (default: all of the selected families). */
  checks?: string[];
  /** statement_timeout of each catalog query in ms (default: the analysis session's). */
  queryTimeoutMs?: number;
  signal?: AbortSignal;
}

/** What a failed check tells the person: which privilege, or which timeout, and what to do. */
export function describeCheckError(error: unknown): Pick<CheckStatus, 'status' | 'message' | 'privilege'> {
  if (error instanceof CheckNotRun) {
    return { status: error.outcome, message: error.message, ...(error.privilege ? { privilege: error.privilege } : {}) };
  }
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  if (code === '42501') {
    return {
      status: 'no_privilege',
      message: `${message}: grant pg_monitor (or pg_read_all_stats and SELECT on the objects) to the pgdba role`,
      privilege: 'pg_monitor',
    };
  }
  if (code === '57014') return { status: 'failed', message: `statement timeout: ${message}; retry later or raise the query timeout` };
  if (code === '55P03') return { status: 'failed', message: `lock timeout: another session holds a conflicting lock (${message}); retry once it finishes` };
  return { status: 'failed', message };
}

async function runCheck(check: InspectionCheck, context: InspectionContext): Promise<{ status: CheckStatus; findings: Finding[] }> {
  try {
    const result = await check.run(context);
    const { findings, note } = Array.isArray(result) ? ({ findings: result } as CheckResult) : result;
    return {
      findings,
      status: { check: check.name, family: check.family, status: 'ran', findings: findings.length, ...(note ? { message: note } : {}) },
    };
  } catch (error) {
    return { findings: [], status: { check: check.name, family: check.family, findings: 0, ...describeCheckError(error) } };
  }
}

/** Runs checks against one context, concurrently; findings most severe first. */
export async function runChecks(checks: InspectionCheck[], context: InspectionContext): Promise<{ findings: Finding[]; checks: CheckStatus[] }> {
  const results = await Promise.all(checks.map((check) => runCheck(check, context)));
  const findings = results
    .flatMap((r) => r.findings)
    .sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.check.localeCompare(b.check) || a.object.localeCompare(b.object));
  return { findings, checks: results.map((r) => r.status) };
}

/** Opens the memoised datasets for `target`: the server version is read through the counted reader. */
export async function openInspectionContext(
  target: TargetDatabase,
  options: Pick<HealthReportOptions, 'thresholds' | 'queryTimeoutMs' | 'signal'> = {},
): Promise<{ context: InspectionContext; reader: CatalogReader; database: string }> {
  const reader = new CatalogReader(target, {
    ...(options.queryTimeoutMs !== undefined ? { queryTimeoutMs: options.queryTimeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const [versionRow] = await reader.rows<{ version_num: number; database: string }>(
    "select current_setting('server_version_num')::int as version_num, current_database() as database",
  );
  const versionNum = versionRow?.version_num ?? 0;
  // PGlite (embedded) publishes its own backend's statistics only when asked (PostgreSQL 15+).
  if (target.description.embedded && versionNum >= 150000) {
    await reader.rows('select pg_stat_force_next_flush()').catch(() => undefined);
  }
  const context = createInspectionContext(reader, versionNum, resolveThresholds(options.thresholds), target.description.embedded);
  return { context, reader, database: versionRow?.database ?? '' };
}

function selectChecks(options: HealthReportOptions): InspectionCheck[] {
  const families = new Set(options.families ?? checkFamilies);
  const names = options.checks ? new Set(options.checks) : undefined;
  return allChecks.filter((c) => families.has(c.family) && (!names || names.has(c.name)));
}

export async function runHealthReport(target: TargetDatabase, options: HealthReportOptions = {}): Promise<HealthReport> {
  const started = performance.now();
  const { context, reader, database } = await openInspectionContext(target, options);
  const { findings, checks } = await runChecks(selectChecks(options), context);
  const summary = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) summary[f.severity] += 1;

  const settled = async <T>(load: () => Promise<T>, used: boolean): Promise<T | undefined> => (used ? load().catch(() => undefined) : undefined);
  const families = new Set(checks.map((c) => c.family));
  const tables = await settled(context.tables, families.has('tables') || families.has('indexes') || families.has('wraparound'));
  const indexes = await settled(context.indexes, families.has('indexes'));
  const topStatements = (await settled(context.topStatements, families.has('workload'))) ?? [];

  return {
    generatedAt: new Date().toISOString(),
    database,
    serverVersionNum: context.versionNum,
    durationMs: Math.round(performance.now() - started),
    catalogQueries: reader.queryCount,
    findings,
    checks,
    summary,
    largestTables: [...(tables ?? [])]
      .sort((a, b) => b.totalBytes - a.totalBytes)
      .slice(0, 10)
      .map((t) => ({ object: qualifiedName(t.schema, t.name), totalBytes: t.totalBytes, tableBytes: t.tableBytes, indexBytes: t.indexBytes, toastBytes: t.toastBytes })),
    largestIndexes: [...(indexes ?? [])]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 10)
      .map((i) => ({ object: qualifiedName(i.schema, i.name), bytes: i.bytes, scans: i.scans })),
    topStatements,
  };
}

/** True when the report has findings of severity warning or worse (the CLI then exits 1). */
export function hasWarnings(report: HealthReport): boolean {
  return report.summary.critical + report.summary.warning > 0;
}
