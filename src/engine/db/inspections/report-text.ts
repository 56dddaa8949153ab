/** Plain-text rendering of a health report for `pgdba insights --format text`. */
import { formatDuration } from './format.js';
import type { HealthReport } from './types.js';

export function healthReportText(report: HealthReport): string {
  const lines: string[] = [];
  const { critical, warning, info } = report.summary;
  lines.push(`Health report for ${report.database} (PostgreSQL ${Math.floor(report.serverVersionNum / 10000)}), ${report.generatedAt}`);
  lines.push(`${critical} critical, ${warning} warning, ${info} info; ${report.checks.length} checks in ${formatDuration(report.durationMs / 1000)} with ${report.catalogQueries} catalog queries`);
  for (const finding of report.findings) {
    lines.push('');
    lines.push(`[${finding.severity.toUpperCase()}] ${finding.check}: ${finding.object}`);
    lines.push(`  ${finding.detail.replace(/\n/g, '\n  ')}`);
    lines.push(`  -> ${finding.recommendation}`);
    if (finding.sql) lines.push(`  ${finding.sql.replace(/\n/g, '\n  ')}`);
  }
  const notRun = report.checks.filter((c) => c.status !== 'ran' || c.message);
  if (notRun.length > 0) {
    lines.push('');
    lines.push('Checks not run or limited:');
    for (const check of notRun) lines.push(`  ${check.check} (${check.status}): ${check.message ?? ''}`);
  }
  if (report.findings.length === 0) lines.push('', 'No findings.');
  return lines.join('\n');
}
