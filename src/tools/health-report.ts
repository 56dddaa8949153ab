import { z } from 'zod';
import { checkFamilies, runHealthReport } from '../engine/db/inspections/health-report.js';
import type { HealthReport } from '../engine/db/inspections/types.js';
import { horizontalBarSpec } from '../renderers/chart-specs.js';
import { renderChart } from '../renderers/chart.js';
import { indexUsageSpec } from '../renderers/insight-charts.js';
import { formatDuration } from './format.js';
import { findingActions } from './guarded-action-buttons.js';
import { addFindings, addSkippedChecks } from './insight-replies.js';
import { ReplyBuilder } from './reply.js';
import { defineTool } from './tool.js';

const familyEnum = z.enum(checkFamilies as [string, ...string[]]);

export const healthReportTool = defineTool({
  name: 'health_report',
  description: 'Full health check of the database (indexes, bloat, vacuum, wraparound, sequences, activity, replication, workload, configuration) with what to fix and the SQL.',
  examples: ['insights', 'health report', 'what is wrong with my database?', 'check indexes and tables'],
  shareable: true,
  input: z.object({ only: z.array(familyEnum).min(1).optional() }).strict(),
  async run(input, context) {
    const target = await context.target();
    context.progress?.({ stage: 'running health checks', done: 0 });
    const report: HealthReport = await runHealthReport(target, {
      ...(input.only ? { families: input.only as HealthReport['checks'][number]['family'][] } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    const { critical, warning, info } = report.summary;
    const reply = new ReplyBuilder().text(
      `*Health report* for *${target.description.label}*: ${critical} critical, ${warning} warning, ${info} info ` +
        `(${report.checks.length} checks in ${formatDuration(report.durationMs)}).`,
    );
    if (report.findings.length === 0) reply.text('No findings: nothing needs attention.');
    else addFindings(reply, report.findings);
    const actions = findingActions(report.findings);
    if (actions.length > 0) reply.actions(actions).context('Drop and VACUUM buttons create approval requests; nothing runs until an allowed approver approves.');
    addSkippedChecks(reply, report.checks);
    if (report.largestTables.length > 0) {
      const data = report.largestTables.flatMap((t) => [
        { label: t.object, value: t.tableBytes + t.toastBytes, group: 'table + TOAST' },
        { label: t.object, value: t.indexBytes, group: 'indexes' },
      ]);
      const png = await renderChart(horizontalBarSpec(data, { title: 'Largest tables', valueTitle: 'bytes', valueFormat: '.2~s' }));
      reply.image({ png, title: 'Largest tables', alt: `Bar chart of the ${report.largestTables.length} largest tables`, fileName: 'largest-tables.png' });
    }
    if (report.largestIndexes.length > 0) {
      const png = await renderChart(indexUsageSpec(report.largestIndexes.map((i) => ({ index: i.object, bytes: i.bytes, scans: i.scans })), 'Largest indexes and their usage'));
      reply.image({ png, title: 'Largest indexes', alt: 'Bar chart of the largest indexes, never-scanned ones in red', fileName: 'largest-indexes.png' });
    }
    reply.context(`${report.catalogQueries} catalog queries; statistics-based checks cover the time since the last statistics reset.`);
    return { data: report, reply: reply.build() };
  },
});
