/** Index advisor, rewrite suggestions and the recommendation model. */
export { adviseIndexes, type AdviseOptions, type IndexAdvice, type IndexRecommendation, type WorkloadQuery, type AdvisedQuery } from './advise-indexes.js';
export { suggestRewrites, type RewriteSuggestion, type RewriteKind } from './query-rewrites.js';
export { hypopgStatus, type HypopgStatus } from './hypopg.js';
export { greedySelection, exhaustiveSelection, type SelectionProblem, type SelectionBudget } from './index-selection.js';
export { workloadFromStatStatements, workloadFromText } from './workload-sources.js';
export {
  RecommendationStore,
  RecommendationNotFoundError,
  indexAdviceRecommendations,
  rewriteRecommendation,
  type Recommendation,
  type RecommendationStatus,
  type RecommendationType,
  type NewRecommendation,
} from './recommendations.js';
export { type IndexDropSuggestion } from './index-drops.js';
