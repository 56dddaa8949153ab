import { z } from 'zod';
import { runHealthReport } from '../engine/db/inspections/health-report.js';
import { qualifiedName } from '../engine/db/inspections/format.js';
import { listIndexes } from '../engine/db/inspections/review.js';
import { sharedSnapshotNote, snapshotsOf } from '../engine/db/inspections/snapshot-cache.js';
import { renderChart } from '../renderers/chart.js';
import { indexUsageSpec } from '../renderers/insight-charts.js';
import { formatBytes, formatCount } from './format.js';
import { findingActions } from './guarded-action-buttons.js';
import { ReplyBuilder } from './reply.js';
import { defineTool } from './tool.js';

export const listIndexesTool = defineTool({
  name: 'list_indexes',
  description: 'List indexes (of one table or all) with definitions, sizes and how often they were scanned, and a usage chart.',
  examples: ['indexes', 'indexes on orders', 'which indexes are never used?'],
  shareable: true,
  input: z.object({
    table: z.string().trim().min(1).max(200).optional(),
    schema: z.string().trim().min(1).max(63).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  }).strict(),
  async run(input, context) {
    const target = await context.target();
    const filter = { ...(input.table ? { table: input.table } : {}), ...(input.schema ? { schema: input.schema } : {}) };
    const snapshot = await snapshotsOf(target).read(`indexes:${JSON.stringify(filter)}:${input.limit}`, () => listIndexes(target, filter, input.limit));
    const { indexes, total } = snapshot.value;
    const scope = input.table ? `on *${input.table}*` : input.schema ? `in schema *${input.schema}*` : `in *${target.description.label}*`;
    const reply = new ReplyBuilder();
    if (indexes.length === 0) {
      reply.text(`No indexes ${scope}.`);
      return { data: { indexes, total }, reply: reply.build() };
    }
    const unused = indexes.filter((i) => i.scans === 0 && !i.unique);
    reply
      .text(`${total} indexes ${scope}, largest first; ${unused.length} of the ${indexes.length} shown are non-unique and never scanned.`)
      .table({
        columns: ['Index', 'Table', 'Size', 'Scans', 'Kind', 'Definition'],
        numericColumns: [2, 3],
        rows: indexes.map((i) => [
          `${i.schema}.${i.name}`,
          i.table,
          formatBytes(i.bytes),
          formatCount(i.scans),
          [i.primary ? 'primary' : i.unique ? 'unique' : '', i.valid ? '' : 'INVALID'].filter(Boolean).join(' '),
          i.definition ?? i.shape,
        ]),
        ...(total > indexes.length ? { note: `${total - indexes.length} smaller indexes not shown.` } : {}),
      });
    // The same checks as the health report decide which indexes may go; only the listed ones get a button.
    const listed = new Set(indexes.map((i) => qualifiedName(i.schema, i.name)));
    const { findings } = await runHealthReport(target, { families: ['indexes'], checks: ['duplicate_index', 'redundant_index', 'unused_index'] });
    const candidates = findings.filter((f) => listed.has(f.object));
    const actions = findingActions(candidates);
    if (actions.length > 0) {
      reply
        .table({ title: 'Drop candidates', columns: ['Index', 'Why'], rows: candidates.map((f) => [f.object, f.detail]) })
        .actions(actions)
        .context('Drop asks for approval first (DROP INDEX CONCURRENTLY: reads and writes continue); the card shows the rollback.');
    }
    const png = await renderChart(indexUsageSpec(indexes.slice(0, 20).map((i) => ({ index: `${i.schema}.${i.name}`, bytes: i.bytes, scans: i.scans }))));
    reply.image({ png, title: 'Index usage', alt: 'Bar chart of index sizes, never-scanned ones in red', fileName: 'index-usage.png' });
    if (snapshot.shared) reply.context(sharedSnapshotNote(snapshot.readAt));
    return { data: { indexes, total }, reply: reply.build() };
  },
});
