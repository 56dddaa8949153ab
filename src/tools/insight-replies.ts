/** Reply pieces shared by the insights tools: a findings table and the SQL that fixes them. */
import type { CheckStatus, Finding } from '../engine/db/inspections/types.js';
import type { ReplyBuilder } from './reply.js';

const severityMark: Record<Finding['severity'], string> = { critical: 'CRITICAL', warning: 'warning', info: 'info' };

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Findings as a table (most severe first), then the SQL of the most severe ones. */
export function addFindings(reply: ReplyBuilder, findings: Finding[], options: { maxRows?: number; maxSql?: number; title?: string } = {}): void {
  const maxRows = options.maxRows ?? 25;
  const shown = findings.slice(0, maxRows);
  reply.table({
    title: options.title ?? 'Findings',
    columns: ['Severity', 'Check', 'Object', 'Detail', 'Recommendation'],
    rows: shown.map((f) => [severityMark[f.severity], f.check, f.object, shorten(f.detail, 160), shorten(f.recommendation, 120)]),
    ...(findings.length > maxRows ? { note: `${findings.length - maxRows} more findings not shown; use --format json for all.` } : {}),
  });
  const withSql = findings.filter((f) => f.sql && f.severity !== 'info').slice(0, options.maxSql ?? 5);
  if (withSql.length > 0) {
    reply.code(withSql.map((f) => `-- ${f.check}: ${f.object}\n${f.sql}`).join('\n\n'), 'sql', 'Suggested fixes (review before running)');
  }
}

/** A footnote naming the checks that could not run, with the privilege or reason. */
export function addSkippedChecks(reply: ReplyBuilder, checks: CheckStatus[]): void {
  const skipped = checks.filter((c) => c.status !== 'ran');
  if (skipped.length === 0) return;
  reply.context(`Not run: ${skipped.map((c) => `${c.check} (${c.message ?? c.status})`).join('; ')}`);
}
