/** Approval workflow for guarded changes: requests, the approval card, approvers, audit. */
export { approvalPayload, parseApprovalPayload } from './action-payload.js';
export { approvalCard } from './approval-card.js';
export type { ApprovalAction, ApprovalRequest, RequestEvidence, RequestSource, RequestStatus } from './approval-request.js';
export {
  ApprovalInputError,
  ApprovalWorkflow,
  type ApprovalActionInput,
  type ApprovalActionResult,
  type ApprovalOutcome,
  type ApprovalSettings,
  type ApprovalWorkflowOptions,
  type NewChangeRequest,
  type RecommendationLike,
} from './approval-workflow.js';
export { ApproverConfigurationError, describePolicy, isAllowedApprover, parseApprovers, type ApproverEntry, type ApproverPolicy, type ChatUser } from './approver-policy.js';
export { AuditLog, type AuditKind, type AuditQuery, type AuditRecord } from './audit-log.js';
export { parseChangeRequest } from './change-phrases.js';
export { createApprovalWorkflow, type ApprovalConfig } from './create-workflow.js';
