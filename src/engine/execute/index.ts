/** The guarded executor: runs only approved changes, carefully. */
export { ApprovalRequiredError, isApprovedChange, samePrincipal, sealApprovedChange, type ApprovalEvidence, type ApprovalVote, type ApprovedChange, type Principal } from './approved-change.js';
export { ChangeExecutor, type ExecutionHooks } from './change-executor.js';
export type { EffectCheck } from './effect-checks.js';
export type { ExecutionEvent, ExecutionResult, ExecutorSettings, IndexCheck, StatementRun } from './execution-types.js';
export { guardedActions } from './guarded-actions.js';
export type { PlanSnapshot, QueryEvidence } from './plan-evidence.js';
