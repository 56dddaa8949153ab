import { z } from 'zod';
import {
  adviseIndexes,
  indexAdviceRecommendations,
  RecommendationStore,
  workloadFromStatStatements,
  type IndexAdvice,
  type WorkloadQuery,
} from '../engine/advisor/index.js';
import { ExplainInputError, planSummary } from '../engine/plan/index.js';
import { renderPlan } from '../renderers/plan-diagram.js';
import { recommendationActions } from './recommendation-actions.js';
import { ReplyBuilder } from './reply.js';
import { defineTool, ToolInputError } from './tool.js';

const kb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} kB`);

export const adviseIndexesTool = defineTool({
  name: 'advise_indexes',
  description:
    'Recommends indexes for one query, a list of queries, or the heaviest statements in pg_stat_statements, each verified with hypothetical indexes (hypopg), with saving, size, before/after plans and the CREATE INDEX CONCURRENTLY script; also unused or redundant indexes to drop.',
  examples: ['advise indexes for select * from orders where customer_id = 42', 'which indexes would help my workload?'],
  input: z
    .object({
      sql: z.string().min(1).optional(),
      queries: z.array(z.string().min(1)).max(500).optional(),
      fromStatStatements: z.boolean().default(false),
      maxIndexes: z.number().int().min(1).max(50).default(5),
      maxSizeMb: z.number().positive().optional(),
      minImprovementPercent: z.number().min(0).max(100).default(10),
    })
    .strict()
    .refine((i) => i.sql !== undefined || (i.queries?.length ?? 0) > 0 || i.fromStatStatements, {
      message: 'Give a query (sql), a list of queries, or fromStatStatements: true.',
    }),
  async run(input, context) {
    const target = await context.target();
    const rethrow = (error: unknown): never => {
      if (error instanceof ExplainInputError) throw new ToolInputError(error.message);
      throw error;
    };
    const workload: WorkloadQuery[] = [
      ...(input.sql ? [{ sql: input.sql }] : []),
      ...(input.queries ?? []).map((sql) => ({ sql })),
      ...(input.fromStatStatements ? await workloadFromStatStatements(target, context.signal ? { signal: context.signal } : {}).catch(rethrow) : []),
    ];
    if (workload.length === 0) throw new ToolInputError('pg_stat_statements has no statements for this database yet; give the queries instead.');
    context.progress?.({ stage: 'verifying index candidates with hypothetical indexes', done: 0, total: workload.length, unit: 'queries' });
    const advice = await adviseIndexes(target, workload, {
      maxIndexes: input.maxIndexes,
      ...(input.maxSizeMb ? { maxBytes: input.maxSizeMb * 1024 * 1024 } : {}),
      minImprovement: input.minImprovementPercent / 100,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    const stored = context.recommendations
      ? await Promise.all(indexAdviceRecommendations(advice, target.description.label).map((r) => new RecommendationStore(context.recommendations!).upsert(r)))
      : [];
    const reply = await adviceReply(advice, stored.map((r) => ({ id: r.id, sql: r.sql })), input.minImprovementPercent);
    return { data: { ...advice, plans: advice.plans.map((p) => ({ index: p.index, before: p.before, after: p.after })), recommendationIds: stored.map((r) => r.id) }, reply };
  },
});

async function adviceReply(advice: IndexAdvice, stored: { id: string; sql: string }[], minImprovementPercent: number) {
  const reply = new ReplyBuilder();
  const skipped = advice.queries.filter((q) => q.skipped);
  if (!advice.verified) {
    reply.text(`*hypopg is not available*, so these candidates are *unverified* guesses from the query text: the planner has not confirmed it would use them.\n${advice.hypopg.howToEnable ?? ''}`);
  }
  if (advice.recommendations.length === 0) {
    reply.text(
      advice.verified
        ? `No new index lowers the planner's cost by at least ${minImprovementPercent} % for these ${advice.queries.length - skipped.length} quer${advice.queries.length - skipped.length === 1 ? 'y' : 'ies'}: existing indexes already serve them, or a scan is the best plan.`
        : 'No index candidates came out of these queries.',
    );
  } else {
    if (advice.verified) {
      reply.text(
        `${advice.recommendations.length} index${advice.recommendations.length === 1 ? '' : 'es'} verified with hypopg: weighted planner cost ${advice.totals.baselineCost.toFixed(0)} → ${advice.totals.finalCost.toFixed(0)} (−${advice.totals.savingPercent.toFixed(1)} %).`,
      );
    }
    reply.table({
      columns: ['Index', 'Saving', 'Queries helped', 'Size', 'Cost before → after'],
      numericColumns: [1, 2, 3],
      rows: advice.recommendations.map((r) => [
        `${r.table} (${r.columns.join(', ')})${r.include.length ? ` INCLUDE (${r.include.join(', ')})` : ''}${r.where ? ` WHERE ${r.where}` : ''}`,
        r.verified ? (r.saving ?? 0).toFixed(0) : 'unverified',
        String(r.queriesHelped.length),
        r.sizeBytes !== undefined ? kb(r.sizeBytes) : '?',
        r.queriesHelped[0] ? `${r.queriesHelped[0].before.toFixed(0)} → ${r.queriesHelped[0].after.toFixed(0)}` : '',
      ]),
    });
    reply.code(advice.recommendations.map((r) => r.sql).join('\n'), 'sql', 'Create (run outside a transaction)');
    reply.code(advice.recommendations.map((r) => r.rollback).join('\n'), 'sql', 'Rollback');
  }
  const top = advice.plans[0];
  if (top) {
    reply.text(`Plan of query ${top.index + 1} before: ${planSummary(top.before)}\nafter: ${planSummary(top.after)}`);
    reply.image({ png: await renderPlan(top.after, { title: 'Plan with the recommended indexes (hypothetical)' }), title: 'Plan after', alt: `Plan after the recommended indexes: ${planSummary(top.after)}`, fileName: 'plan-after-indexes.png' });
  }
  if (advice.drops.length > 0) {
    reply.table({
      title: 'Indexes the workload does not need',
      columns: ['Index', 'Why', 'Size'],
      numericColumns: [2],
      rows: advice.drops.map((d) => [`${d.schema}.${d.index}`, d.kind, kb(d.sizeBytes)]),
    });
    reply.code(advice.drops.map((d) => d.sql).join('\n'), 'sql', 'Drop (check replicas first)');
  }
  if (skipped.length > 0) reply.context(`Skipped ${skipped.length} quer${skipped.length === 1 ? 'y' : 'ies'}: ${skipped.map((q) => `#${q.index + 1}: ${q.skipped}`).join(' · ')}`);
  reply.actions(recommendationActions(stored));
  reply.context(`${advice.totals.candidates} candidates, ${advice.totals.verifiedCandidates} verified, ${advice.totals.explains} what-if plans in ${(advice.totals.elapsedMs / 1000).toFixed(1)} s.`);
  return reply.build();
}
