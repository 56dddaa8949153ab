/** Small lookups over a health report, so tests read as "this check found this object". */
import type { CheckStatus, Finding, HealthReport } from '../../../../src/engine/db/inspections/types.js';

export function findingsOf(report: { findings: Finding[] }, check: string): Finding[] {
  return report.findings.filter((f) => f.check === check);
}

export function objectsOf(report: { findings: Finding[] }, check: string): string[] {
  return findingsOf(report, check).map((f) => f.object).sort();
}

export function statusOf(report: Pick<HealthReport, 'checks'>, check: string): CheckStatus | undefined {
  return report.checks.find((c) => c.check === check);
}

/** Session settings for tests: short lock timeout so a planted lock fails fast. */
export const testSessionSettings = { statementTimeoutMs: 15_000, lockTimeoutMs: 1_000, connectTimeoutMs: 3_000, poolSize: 4 };
