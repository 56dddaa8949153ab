import { z } from 'zod';
import { describeTable, searchObjects, type TableDescription } from '../engine/db/inspections/schema-browser.js';
import { defaultThresholds } from '../engine/db/inspections/thresholds.js';
import { qualifiedName } from '../engine/db/inspections/format.js';
import { formatBytes, formatCount, formatPercent } from './format.js';
import { guardedActionButton } from './guarded-action-buttons.js';
import { ReplyBuilder } from './reply.js';
import { defineTool, ToolInputError } from './tool.js';

export const describeTableTool = defineTool({
  name: 'describe_table',
  description: 'Describe one table: columns and types, constraints, indexes with definitions and usage, size, row estimate, last vacuum and analyze.',
  examples: ['describe orders', 'describe table sales.invoices', 'show me the columns of customers'],
  shareable: true,
  input: z.object({ table: z.string().trim().min(1).max(200).regex(/^[^;]+$/, 'a table name, optionally schema-qualified') }).strict(),
  async run(input, context) {
    const target = await context.target();
    const table: TableDescription | null = await describeTable(target, input.table);
    if (!table) {
      const tableKinds = ['table', 'partitioned table', 'view', 'materialized view', 'foreign table'];
      const similar = (await searchObjects(target, input.table.split('.').pop()!.replace(/"/g, ''), 20))
        .filter((s) => tableKinds.includes(s.kind))
        .slice(0, 5);
      const hint = similar.length > 0 ? ` Did you mean ${similar.map((s) => `${s.schema}.${s.name}`).join(', ')}?` : '';
      throw new ToolInputError(`There is no table or view named "${input.table}".${hint}`);
    }
    const name = `${table.schema}.${table.name}`;
    const reply = new ReplyBuilder()
      .text(`*${name}* (${table.kind})${table.comment ? `: ${table.comment}` : ''}`)
      .fields([
        { label: 'Total size', value: formatBytes(table.totalBytes) },
        { label: 'Table / indexes / TOAST', value: `${formatBytes(table.tableBytes)} / ${formatBytes(table.indexBytes)} / ${formatBytes(table.toastBytes)}` },
        { label: 'Rows (estimate)', value: table.rowEstimate === null ? 'not analysed' : formatCount(table.rowEstimate) },
        { label: 'Dead tuples', value: table.deadTuples === null ? 'n/a' : formatCount(table.deadTuples) },
        { label: 'Last vacuum', value: latest(table.lastVacuum, table.lastAutovacuum) },
        { label: 'Last analyze', value: latest(table.lastAnalyze, table.lastAutoanalyze) },
        { label: 'Scans (seq / index)', value: `${formatCount(table.seqScans ?? 0)} / ${formatCount(table.indexScans ?? 0)}` },
      ])
      .table({
        title: 'Columns',
        columns: ['Column', 'Type', 'Null', 'Default'],
        rows: table.columns.map((c) => [c.name, c.type, c.nullable ? 'yes' : 'not null', c.default ?? '']),
      });
    if (table.constraints.length > 0) {
      reply.table({ title: 'Constraints', columns: ['Name', 'Type', 'Definition'], rows: table.constraints.map((c) => [c.name, c.type, c.definition]) });
    }
    if (table.indexes.length > 0) {
      reply.table({
        title: 'Indexes',
        columns: ['Index', 'Size', 'Scans', 'Definition'],
        numericColumns: [1, 2],
        rows: table.indexes.map((i) => [`${i.name}${i.valid ? '' : ' (INVALID)'}`, formatBytes(i.bytes), formatCount(i.scans), i.definition]),
      });
    }
    const dead = table.deadTuples ?? 0;
    const live = table.rowEstimate ?? 0;
    // The health report's dead-tuple thresholds decide when a VACUUM is worth offering.
    if (table.kind === 'table' && dead >= defaultThresholds.deadTupleMinCount && dead / Math.max(1, dead + live) >= defaultThresholds.deadTupleMinRatio) {
      const qualified = qualifiedName(table.schema, table.name);
      reply.actions([
        guardedActionButton({ kind: 'vacuum_analyze', table: qualified }, `VACUUM (ANALYZE) ${qualified}`, `${qualified} has ${formatCount(dead)} dead tuples (${formatPercent(dead / (dead + live))} of its rows), last vacuum ${latest(table.lastVacuum, table.lastAutovacuum)}.`),
      ]);
    }
    return { data: table, reply: reply.build() };
  },
});

function latest(manual: string | null, auto: string | null): string {
  const pick = [manual, auto].filter((v): v is string => v !== null).sort().pop();
  if (!pick) return 'never';
  return `${pick.slice(0, 19)}${pick === auto ? ' (auto)' : ''}`;
}
