import { z } from 'zod';
import { sharedSnapshotNote, snapshotsOf } from '../engine/db/inspections/snapshot-cache.js';
import { readLargestTables, type TableSize } from '../engine/db/largest-tables.js';
import { horizontalBarSpec } from '../renderers/chart-specs.js';
import { renderChart } from '../renderers/chart.js';
import { formatBytes, formatCount } from './format.js';
import { ReplyBuilder } from './reply.js';
import { defineTool } from './tool.js';

export const largestTablesTool = defineTool({
  name: 'largest_tables',
  description: 'The largest tables by total size (table, indexes, TOAST) with row estimates, and a bar chart.',
  examples: ['tables', 'show me the biggest tables'],
  shareable: true,
  input: z.object({ limit: z.number().int().min(1).max(50).default(10) }).strict(),
  async run(input, context) {
    const target = await context.target();
    const signal = context.signal ? { signal: context.signal } : {};
    const snapshot = await snapshotsOf(target).read(`largest-tables:${input.limit}`, () => readLargestTables(target, input.limit, context.signal), signal);
    const tables: TableSize[] = snapshot.value;
    const reply = new ReplyBuilder();
    if (tables.length === 0) {
      reply.text('This database has no user tables yet.');
      return { data: { tables }, reply: reply.build() };
    }
    reply
      .text(`The ${tables.length} largest tables in *${target.description.label}*:`)
      .table({
        columns: ['Table', 'Total', 'Table', 'Indexes', 'TOAST', 'Rows (est.)'],
        numericColumns: [1, 2, 3, 4, 5],
        rows: tables.map((t) => [
          `${t.schema}.${t.table}`,
          formatBytes(t.totalBytes),
          formatBytes(t.tableBytes),
          formatBytes(t.indexBytes),
          formatBytes(t.toastBytes),
          t.rowEstimate === null ? 'not analysed' : formatCount(t.rowEstimate),
        ]),
      });
    const chartData = tables.flatMap((t) => [
      { label: `${t.schema}.${t.table}`, value: t.tableBytes + t.toastBytes, group: 'table + TOAST' },
      { label: `${t.schema}.${t.table}`, value: t.indexBytes, group: 'indexes' },
    ]);
    const png = await renderChart(horizontalBarSpec(chartData, { title: 'Largest tables', valueTitle: 'bytes', valueFormat: '.2~s' }));
    reply.image({ png, title: 'Largest tables', alt: `Bar chart of the ${tables.length} largest tables by size`, fileName: 'largest-tables.png' });
    if (snapshot.shared) reply.context(sharedSnapshotNote(snapshot.readAt));
    // The next question is usually "what is in it?": one click to the biggest tables' structure.
    reply.actions(
      tables.slice(0, 3).map((t) => ({ id: 'describe_table', label: `Describe ${t.schema}.${t.table}`, payload: JSON.stringify({ table: `${t.schema}.${t.table}` }) })),
    );
    return { data: { tables }, reply: reply.build() };
  },
});
