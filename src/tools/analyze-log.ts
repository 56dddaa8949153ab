import { z } from 'zod';
import { analyzeLogs, LogInputError, type LogAnalysis, type LogInput } from '../engine/logs/index.js';
import { callsAndLatencySpec, errorsByClassSpec, topStatementsSpec } from '../renderers/log-charts.js';
import { renderChart } from '../renderers/chart.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { ReplyBuilder, type Reply } from './reply.js';
import { defineTool, ToolInputError } from './tool.js';

const uploadSchema = z
  .object({
    name: z.string().min(1),
    /** File content, base64-encoded (chat uploads). */
    contentBase64: z.string().min(1),
  })
  .strict();

export const analyzeLogInput = z
  .object({
    paths: z.array(z.string().min(1)).default([]),
    uploads: z.array(uploadSchema).default([]),
    prefix: z.string().optional(),
    format: z.enum(['auto', 'stderr', 'csvlog', 'jsonlog', 'syslog', 'cloudsql', 'cnpg', 'azure', 'logplex']).default('auto'),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    database: z.string().optional(),
    user: z.string().optional(),
    application: z.string().optional(),
    sample: z.number().int().min(1).optional(),
    anonymize: z.boolean().default(false),
  })
  .strict()
  .refine((input) => input.paths.length + input.uploads.length > 0, { message: 'Give at least one log file path or upload.' });

function ms(value: number | null): string {
  return value === null ? '-' : formatDuration(value);
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

async function buildReply(analysis: LogAnalysis): Promise<Reply> {
  const s = analysis.summary;
  const e = analysis.events;
  const reply = new ReplyBuilder();
  reply.text(`*Log analysis* of ${s.inputs.map((i) => `\`${i.name}\``).join(', ')} (${s.format}), ${s.first ?? '?'} → ${s.last ?? '?'}`);
  reply.fields([
    { label: 'Lines', value: `${formatCount(s.lines)} (${formatBytes(s.bytes)})` },
    { label: 'Statements', value: `${formatCount(s.query_calls)} executions, ${formatCount(s.distinct_queries)} distinct` },
    { label: 'Time in statements', value: formatDuration(s.query_total_ms) },
    { label: 'Errors', value: `${formatCount(s.errors_total)} (${formatCount(s.warnings_total)} warnings)` },
    { label: 'Lock waits / deadlocks', value: `${e.lock_waits.count} / ${e.deadlocks.count}` },
    { label: 'Temp files', value: `${e.temp_files.count} (${formatBytes(e.temp_files.total_bytes)})` },
  ]);
  if (analysis.queries.length > 0) {
    reply.table({
      title: 'Top statements by total time',
      columns: ['#', 'Calls', 'Total', 'Mean', 'p95', 'Max', 'Statement'],
      numericColumns: [0, 1, 2, 3, 4, 5],
      rows: analysis.queries.slice(0, 10).map((q, i) => [String(i + 1), formatCount(q.calls), ms(q.total_ms), ms(q.mean_ms), ms(q.p95_ms), ms(q.max_ms), oneLine(q.query, 90)]),
      ...(analysis.queries.length > 10 ? { note: `${s.distinct_queries - 10} more statements in the data.` } : {}),
    });
  }
  if (analysis.errors.length > 0) {
    reply.table({
      title: 'Errors',
      columns: ['Count', 'Severity', 'SQLSTATE', 'Message'],
      numericColumns: [0],
      rows: analysis.errors.slice(0, 10).map((x) => [formatCount(x.count), x.severity, x.sqlstate ?? '-', oneLine(x.message, 90)]),
    });
  }
  reply.text(
    [
      `- *Checkpoints*: ${e.checkpoints.count} (${e.checkpoints.timed} timed, ${e.checkpoints.requested} requested), ${formatCount(e.checkpoints.buffers_written)} buffers, ${e.checkpoints.warnings} "too frequent" warnings`,
      `- *Autovacuum*: ${e.autovacuum.count} runs (${formatCount(e.autovacuum.tuples_removed)} tuples removed), *autoanalyze*: ${e.autoanalyze.count}`,
      `- *Lock waits*: ${e.lock_waits.count}, longest ${formatDuration(e.lock_waits.max_wait_ms)}; *deadlocks*: ${e.deadlocks.count}`,
      `- *Connections*: ${formatCount(e.connections.count)}, *disconnections*: ${formatCount(e.disconnections.count)} (mean session ${ms(e.disconnections.session_mean_ms)})`,
      `- *Server*: ${e.server.starts} starts, ${e.server.shutdowns} shutdowns, ${e.server.crashes} crashes`,
    ].join('\n'),
  );
  if (analysis.queries.length > 0) {
    reply.image({ png: await renderChart(topStatementsSpec(analysis.queries)), title: 'Top statements by total time', alt: 'Bar chart of the statements with the most total time', fileName: 'log-top-statements.png' });
  }
  if (analysis.time_series.points.some((p) => p.calls > 0)) {
    reply.image({ png: await renderChart(callsAndLatencySpec(analysis.time_series.points)), title: 'Calls and latency per minute', alt: 'Statements per minute with mean latency', fileName: 'log-calls-per-minute.png' });
  }
  if (analysis.errors.length > 0) {
    reply.image({ png: await renderChart(errorsByClassSpec(analysis.errors)), title: 'Errors by class', alt: 'Bar chart of errors by SQLSTATE class', fileName: 'log-errors-by-class.png' });
  }
  const footnotes = [`Percentiles within ±${(s.percentile_relative_error * 100).toFixed(0)} %.`];
  if (s.unparsed.count > 0) footnotes.push(`${formatCount(s.unparsed.count)} lines not understood (first at ${s.unparsed.examples[0]?.source}:${s.unparsed.examples[0]?.line}).`);
  footnotes.push(...s.notes);
  reply.context(footnotes.join(' '));
  return reply.build();
}

export const analyzeLogTool = defineTool({
  name: 'analyze_log',
  description:
    'Analyses PostgreSQL server logs (stderr, csvlog, jsonlog, syslog, Cloud SQL/CloudNativePG/Azure JSON, .gz): the statements that cost the most, errors, lock waits, deadlocks, checkpoints, autovacuum, temp files and connections, with charts.',
  examples: ['analyze log /var/log/postgresql/postgresql-15-main.log', 'what is in this log file?'],
  input: analyzeLogInput,
  async run(input, context) {
    const inputs: LogInput[] = [
      ...input.paths,
      ...input.uploads.map((u) => ({ name: u.name, data: Buffer.from(u.contentBase64, 'base64') })),
    ];
    let analysis: LogAnalysis;
    try {
      analysis = await analyzeLogs(inputs, {
        format: input.format,
        ...(input.prefix !== undefined ? { prefix: input.prefix } : {}),
        ...(input.since !== undefined ? { since: new Date(input.since) } : {}),
        ...(input.until !== undefined ? { until: new Date(input.until) } : {}),
        ...(input.database !== undefined ? { database: input.database } : {}),
        ...(input.user !== undefined ? { user: input.user } : {}),
        ...(input.application !== undefined ? { application: input.application } : {}),
        ...(input.sample !== undefined ? { sample: input.sample } : {}),
        anonymize: input.anonymize,
        ...(context.signal ? { signal: context.signal } : {}),
        onProgress: ({ bytesRead, totalBytes }) => context.progress?.({ stage: 'reading logs', done: bytesRead, total: totalBytes, unit: 'bytes' }),
      });
    } catch (error) {
      if (error instanceof LogInputError) throw new ToolInputError(error.message);
      throw error;
    }
    return { data: analysis, reply: await buildReply(analysis) };
  },
});
