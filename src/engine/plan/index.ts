/** Query plans: safe EXPLAIN, the typed plan model, tips and text rendering. */
export { explainQuery, type ExplainOptions, type ExplainResult, type ParameterMode } from './explain.js';
export { planFromExplainJson, planNodes, describeNode, type Plan, type PlanNode, type PlanBuffers, type PlanJit } from './plan-model.js';
export { planTips, type PlanTip, type TipKind, type TipSeverity } from './plan-tips.js';
export { renderPlanText, planSummary } from './plan-text.js';
export { ExplainInputError, parseExplainable, loadSqlParser } from './sql-statement.js';
export { readRelationFacts, type RelationFacts, type ExistingIndex } from './relation-facts.js';
