import { z } from 'zod';
import { readTopStatementsReport } from '../engine/db/inspections/review.js';
import { horizontalBarSpec } from '../renderers/chart-specs.js';
import { renderChart } from '../renderers/chart.js';
import { formatCount, formatDuration, formatPercent } from './format.js';
import { ReplyBuilder } from './reply.js';
import { defineTool } from './tool.js';

export const topStatementsTool = defineTool({
  name: 'top_statements',
  description: 'The statements that take the most total time (pg_stat_statements): calls, total and mean time, I/O; or how to enable pg_stat_statements.',
  examples: ['top queries', 'slowest statements', 'what takes the most time?'],
  shareable: true,
  input: z.object({ limit: z.number().int().min(1).max(50).default(10) }).strict(),
  async run(input, context) {
    const target = await context.target();
    const report = await readTopStatementsReport(target, input.limit, context.signal ? { signal: context.signal } : {});
    const reply = new ReplyBuilder();
    if (!report.installed) {
      reply.text(`${report.note ?? 'pg_stat_statements is not available.'} To enable it:`).code(report.enableSql ?? '', 'sql', 'Enable pg_stat_statements');
      return { data: report, reply: reply.build() };
    }
    if (report.statements.length === 0) {
      reply.text('pg_stat_statements has recorded no statements in this database yet.');
      return { data: report, reply: reply.build() };
    }
    const label = (query: string) => query.replace(/\s+/g, ' ').slice(0, 60);
    reply
      .text(`Top ${report.statements.length} statements by total time in *${target.description.label}*:`)
      .table({
        columns: ['Query', 'Calls', 'Total', 'Mean', 'Share', 'Blocks read', 'Temp written'],
        numericColumns: [1, 2, 3, 4, 5, 6],
        rows: report.statements.map((s) => [
          label(s.query),
          formatCount(s.calls),
          formatDuration(s.totalMs),
          formatDuration(s.meanMs),
          formatPercent(s.shareOfTotal),
          formatCount(s.sharedBlocksRead),
          formatCount(s.tempBlocksWritten),
        ]),
      });
    if (report.note) reply.context(report.note);
    const png = await renderChart(horizontalBarSpec(
      report.statements.map((s, i) => ({ label: `${i + 1}. ${label(s.query).slice(0, 40)}`, value: s.totalMs })),
      { title: 'Total execution time by statement', valueTitle: 'ms', valueFormat: '.2~s' },
    ));
    reply.image({ png, title: 'Top statements', alt: 'Bar chart of total execution time per statement', fileName: 'top-statements.png' });
    return { data: report, reply: reply.build() };
  },
});
