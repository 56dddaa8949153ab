import { z } from 'zod';
import { RecommendationStore } from '../engine/advisor/index.js';
import { recommendationActions } from './recommendation-actions.js';
import { ReplyBuilder } from './reply.js';
import { defineTool, ToolInputError } from './tool.js';

export const listRecommendationsTool = defineTool({
  name: 'list_recommendations',
  description: 'Lists the recommendations pgdba has made (indexes, query rewrites, tables, settings) by impact, with their status, SQL and rollback.',
  examples: ['recommendations', 'show dismissed recommendations'],
  input: z
    .object({
      status: z.enum(['actionable', 'pending', 'approved', 'applied', 'dismissed', 'postponed', 'all']).default('actionable'),
      type: z.enum(['index', 'query', 'table', 'config']).optional(),
      limit: z.number().int().min(1).max(100).default(20),
    })
    .strict(),
  async run(input, context) {
    if (!context.recommendations) throw new ToolInputError('Recommendations are not stored in this setup (no store configured), so there is nothing to list.');
    const store = new RecommendationStore(context.recommendations);
    const all = await store.list({ ...(input.status !== 'actionable' ? { status: input.status } : {}), ...(input.type ? { type: input.type } : {}) });
    const shown = all.slice(0, input.limit);
    const reply = new ReplyBuilder();
    if (shown.length === 0) {
      reply.text(input.status === 'actionable' ? 'No open recommendations. Ask for index advice or rewrite suggestions to get some.' : `No ${input.status} recommendations.`);
      return { data: { recommendations: [] }, reply: reply.build() };
    }
    reply.table({
      columns: ['Id', 'Impact', 'Type', 'Recommendation', 'Saving', 'Status'],
      numericColumns: [1],
      rows: shown.map((r) => [r.id, String(r.impactScore), r.type, r.title, r.estimatedSaving.text, r.status === 'postponed' && r.postponedUntil ? `postponed until ${r.postponedUntil.slice(0, 10)}` : r.status]),
      ...(all.length > shown.length ? { note: `${all.length - shown.length} more not shown` } : {}),
    });
    const top = shown[0]!;
    if (top.sql) reply.code(`${top.sql}\n-- rollback:\n${top.rollback}`, 'sql', `${top.id}: ${top.title}`);
    reply.actions(recommendationActions(shown));
    return { data: { recommendations: shown }, reply: reply.build() };
  },
});
