import { z } from 'zod';
import { RecommendationNotFoundError, RecommendationStore } from '../engine/advisor/index.js';
import { textReply } from './reply.js';
import { defineTool, ToolInputError } from './tool.js';

export const dismissRecommendationTool = defineTool({
  name: 'dismiss_recommendation',
  description: 'Dismisses a recommendation by id, or postpones it until a date (it then comes back as pending).',
  examples: ['dismiss rec-1a2b3c4d', 'postpone rec-1a2b3c4d until 2026-12-01'],
  input: z
    .object({
      id: z.string().regex(/^rec-[0-9a-f]{8}$/, 'Recommendation ids look like rec-1a2b3c4d.'),
      reason: z.string().max(500).optional(),
      until: z.iso.date().or(z.iso.datetime()).optional(),
    })
    .strict(),
  async run(input, context) {
    if (!context.recommendations) throw new ToolInputError('Recommendations are not stored in this setup (no store configured).');
    const store = new RecommendationStore(context.recommendations);
    try {
      if (input.until) {
        const until = new Date(input.until);
        if (until.getTime() <= Date.now()) throw new ToolInputError(`${input.until} is not in the future: give a later date to postpone to.`);
        const rec = await store.postpone(input.id, until, input.reason);
        return { data: { recommendation: rec }, reply: textReply(`Postponed *${rec.title}* (${rec.id}) until ${input.until}.`) };
      }
      const rec = await store.dismiss(input.id, input.reason);
      return { data: { recommendation: rec }, reply: textReply(`Dismissed *${rec.title}* (${rec.id}). It will not be suggested again.`) };
    } catch (error) {
      if (error instanceof RecommendationNotFoundError) throw new ToolInputError(error.message);
      throw error;
    }
  },
});
