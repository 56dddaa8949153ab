import { z } from 'zod';
import { reviewConfiguration } from '../engine/db/inspections/review.js';
import { addFindings, addSkippedChecks } from './insight-replies.js';
import { ReplyBuilder } from './reply.js';
import { defineTool } from './tool.js';

export const configReviewTool = defineTool({
  name: 'config_review',
  description: 'Review the server configuration: settings changed from their defaults (and where), and recommendations with their reasoning.',
  examples: ['config', 'review the configuration', 'is my postgresql.conf ok?'],
  shareable: true,
  input: z.object({}).strict(),
  async run(_input, context) {
    const target = await context.target();
    const review = await reviewConfiguration(target, context.signal ? { signal: context.signal } : {});
    const reply = new ReplyBuilder().text(
      `*Configuration* of *${target.description.label}*: ${review.recommendations.length} recommendation(s), ${review.nonDefault.length} setting(s) changed from their defaults.`,
    );
    if (review.recommendations.length > 0) addFindings(reply, review.recommendations, { title: 'Recommendations', maxSql: 10 });
    reply.table({
      title: 'Non-default settings',
      columns: ['Setting', 'Value', 'Default', 'Set in'],
      rows: review.nonDefault.map((s) => [
        `${s.name}${s.pendingRestart ? ' (restart pending)' : ''}`,
        `${s.value}${s.unit ? ` ${s.unit}` : ''}`,
        s.defaultValue ?? '',
        s.sourceFile ? `${s.source} (${s.sourceFile})` : s.source,
      ]),
    });
    addSkippedChecks(reply, review.checks);
    return { data: review, reply: reply.build() };
  },
});
