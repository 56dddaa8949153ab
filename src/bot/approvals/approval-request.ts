/** The approval request as stored in keyv: plain JSON, so it survives restarts and replicas. */
import type { ChangeAnalysis } from '../../engine/sql/analyze-change.js';
import type { ExecutionResult } from '../../engine/execute/execution-types.js';
import type { ChatUser } from './approver-policy.js';

export type RequestSource = 'recommendation' | 'agent' | 'person';
export type RequestStatus = 'pending' | 'approved' | 'executing' | 'executed' | 'failed' | 'rejected' | 'expired';
export type ApprovalAction = 'approve' | 'reject' | 'dry-run' | 'schedule';

export interface RequestEvidence {
  summary: string;
  before?: number;
  after?: number;
  plans?: { before?: string; after?: string };
}

/** The analysis without parse trees (they are large and rebuilt from the SQL when needed). */
export interface StoredAnalysis {
  class: ChangeAnalysis['class'];
  parseError?: string;
  statements: { sql: string; class: string; reasons: string[]; lock: ChangeAnalysis['statements'][number]['lock'] }[];
  lint: ChangeAnalysis['lint'];
  rollback: ChangeAnalysis['rollback'];
  impact: ChangeAnalysis['impact'];
}

export interface ApprovalRequest {
  id: string;
  sql: string;
  title: string;
  source: RequestSource;
  recommendationId?: string;
  requester: ChatUser;
  reason: string;
  evidence?: RequestEvidence;
  /** Queries the change is meant to help; re-explained before and after execution. */
  verifyQueries: string[];
  analysis: StoredAnalysis;
  status: RequestStatus;
  requiredApprovals: number;
  fourEyes: boolean;
  approvals: { approver: ChatUser; at: string }[];
  rejection?: { by: ChatUser; at: string; reason?: string };
  /** Set by "Schedule for maintenance window": executes when the window opens. */
  scheduledFor?: string;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
  /** `auditRecordId` names the execution-finished audit record. */
  execution?: { owner: string; startedAt: string; result?: ExecutionResult; auditRecordId?: string };
  /** Plans from the last dry-run (EXPLAIN, never executed). */
  dryRun?: { at: string; by: ChatUser; plans: { sql: string; plan: string }[] };
}

export function storedAnalysis(analysis: ChangeAnalysis): StoredAnalysis {
  return {
    class: analysis.class,
    ...(analysis.parseError ? { parseError: analysis.parseError } : {}),
    statements: analysis.statements.map((s) => ({ sql: s.sql, class: s.class, reasons: s.reasons, lock: s.lock })),
    lint: analysis.lint,
    rollback: analysis.rollback,
    impact: analysis.impact,
  };
}
