/**
 * Buttons under a list of recommendations: "Apply" turns one into an approval request (nothing
 * runs until an allowed person approves it), "Dismiss" hides it.
 */
import type { Recommendation } from '../engine/advisor/recommendations.js';
import type { ReplyAction } from './reply.js';

// Index and table changes are SQL pgdba can run; query rewrites are changes to application code.
const applicableTypes = new Set(['index', 'table', 'config']);

/** What a button needs of a recommendation; index advice is applicable SQL even without a type. */
export type ActionableRecommendation = Pick<Recommendation, 'id' | 'sql'> & { type?: Recommendation['type'] };

export function recommendationActions(recommendations: readonly ActionableRecommendation[], limit = 5): ReplyAction[] {
  return recommendations.slice(0, limit).flatMap((r) => [
    ...(applicableTypes.has(r.type ?? 'index') && r.sql.trim() !== ''
      ? [{ id: 'request_change', label: `Apply ${r.id}`, style: 'primary' as const, payload: JSON.stringify({ recommendationId: r.id }) }]
      : []),
    { id: 'dismiss_recommendation', label: `Dismiss ${r.id}`, payload: r.id },
  ]);
}
