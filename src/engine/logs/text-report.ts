/** Plain-text terminal summary of a log analysis (`pgdba logs analyze --format text`). */
import type { LogAnalysis } from './analysis-types.js';

function ms(value: number | null): string {
  if (value === null) return '-';
  if (value < 1) return `${value.toFixed(3)} ms`;
  if (value < 1000) return `${value.toFixed(1)} ms`;
  if (value < 120_000) return `${(value / 1000).toFixed(2)} s`;
  return `${(value / 60_000).toFixed(1)} min`;
}

function bytes(value: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = value;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function table(header: string[], rows: string[][], right: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function renderTextReport(analysis: LogAnalysis, topN = 10): string {
  const s = analysis.summary;
  const e = analysis.events;
  const out: string[] = [];
  out.push(`PostgreSQL log analysis: ${s.inputs.map((i) => i.name).join(', ')}`);
  out.push(`  ${s.lines} lines, ${bytes(s.bytes)}, ${s.entries} entries, format ${s.format}, from ${s.first ?? '?'} to ${s.last ?? '?'}`);
  out.push(`  ${s.query_calls} statement executions (${s.distinct_queries} distinct), ${ms(s.query_total_ms)} in total; ${s.errors_total} errors, ${s.warnings_total} warnings`);
  if (s.unparsed.count > 0) out.push(`  ${s.unparsed.count} lines not understood (first: ${s.unparsed.examples.map((x) => `${x.source}:${x.line}`).slice(0, 3).join(', ')})`);
  for (const note of s.notes) out.push(`  note: ${note}`);
  out.push('');
  out.push(`Top ${Math.min(topN, analysis.queries.length)} statements by total time`);
  out.push(
    ...table(
      ['#', 'calls', 'total', 'mean', 'p95', 'max', 'statement'],
      analysis.queries.slice(0, topN).map((q, i) => [String(i + 1), String(q.calls), ms(q.total_ms), ms(q.mean_ms), ms(q.p95_ms), ms(q.max_ms), oneLine(q.query, 70)]),
      new Set([0, 1, 2, 3, 4, 5]),
    ),
  );
  out.push('');
  if (analysis.errors.length > 0) {
    out.push('Errors');
    out.push(
      ...table(
        ['count', 'severity', 'sqlstate', 'message'],
        analysis.errors.slice(0, topN).map((x) => [String(x.count), x.severity, x.sqlstate ?? '-', oneLine(x.message, 80)]),
        new Set([0]),
      ),
    );
    out.push('');
  }
  out.push('Events');
  out.push(`  checkpoints: ${e.checkpoints.count} (${e.checkpoints.timed} timed, ${e.checkpoints.requested} requested), ${e.checkpoints.buffers_written} buffers written, ${e.checkpoints.total_s} s; ${e.checkpoints.warnings} "too frequent" warnings`);
  out.push(`  autovacuum: ${e.autovacuum.count} runs, ${e.autovacuum.tuples_removed} tuples removed; autoanalyze: ${e.autoanalyze.count} runs`);
  out.push(`  lock waits: ${e.lock_waits.count} (max ${ms(e.lock_waits.max_wait_ms)}); deadlocks: ${e.deadlocks.count}`);
  out.push(`  temp files: ${e.temp_files.count}, ${bytes(e.temp_files.total_bytes)} (largest ${bytes(e.temp_files.max_bytes)})`);
  out.push(`  connections: ${e.connections.count} authorised, ${e.connections.received} received; disconnections: ${e.disconnections.count} (mean session ${ms(e.disconnections.session_mean_ms)})`);
  out.push(`  server: ${e.server.starts} starts, ${e.server.shutdowns} shutdowns, ${e.server.crashes} crashes`);
  return `${out.join('\n')}\n`;
}
