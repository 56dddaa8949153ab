/**
 * The only key to the executor. An `ApprovedChange` can be made only by `sealApprovedChange`,
 * which checks the approvals against the policy (enough distinct allowed approvers, none of
 * them the requester when four-eyes is on, not expired). The executor accepts nothing else:
 * objects are remembered in a module-private WeakSet, so a look-alike object (from JSON, from
 * an LLM tool call, from a spread copy) is refused at run time, not only by the type checker.
 */

export interface Principal {
  /** "slack", "discord", "teams", "local", … */
  platform: string;
  id: string;
  /** Display name, for the audit trail only (never used to decide). */
  name?: string;
}

export interface ApprovalVote {
  approver: Principal;
  /** ISO time of the approval. */
  at: string;
}

export interface ApprovalEvidence {
  requestId: string;
  sql: string;
  requester: Principal;
  approvals: ApprovalVote[];
  requiredApprovals: number;
  fourEyes: boolean;
  /** ISO time after which the request can no longer be executed. */
  expiresAt: string;
  /** The approver policy: is this principal allowed to approve? */
  isAllowedApprover: (approver: Principal) => boolean;
  /** Queries the change is meant to help; re-explained before and after. */
  verifyQueries?: string[];
  now?: Date;
}

export interface ApprovedChange {
  readonly requestId: string;
  readonly sql: string;
  readonly approvedBy: readonly Principal[];
  readonly verifyQueries: readonly string[];
}

export class ApprovalRequiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalRequiredError';
  }
}

const sealed = new WeakSet<object>();

export function samePrincipal(a: Principal, b: Principal): boolean {
  return a.platform === b.platform && a.id === b.id;
}

/** Checks the approvals and returns the sealed change; throws ApprovalRequiredError saying what is missing. */
export function sealApprovedChange(evidence: ApprovalEvidence): ApprovedChange {
  const now = evidence.now ?? new Date();
  if (now.getTime() >= Date.parse(evidence.expiresAt)) {
    throw new ApprovalRequiredError(`Request ${evidence.requestId} expired at ${evidence.expiresAt}; ask for a new request.`);
  }
  const counted: Principal[] = [];
  for (const vote of evidence.approvals) {
    if (!evidence.isAllowedApprover(vote.approver)) continue;
    if (evidence.fourEyes && samePrincipal(vote.approver, evidence.requester)) continue;
    if (counted.some((p) => samePrincipal(p, vote.approver))) continue;
    counted.push(vote.approver);
  }
  const required = Math.max(1, Math.trunc(evidence.requiredApprovals));
  if (counted.length < required) {
    throw new ApprovalRequiredError(`Request ${evidence.requestId} has ${counted.length} of ${required} required approvals from allowed approvers.`);
  }
  const change: ApprovedChange = Object.freeze({
    requestId: evidence.requestId,
    sql: evidence.sql,
    approvedBy: Object.freeze(counted.map((p) => Object.freeze({ ...p }))),
    verifyQueries: Object.freeze([...(evidence.verifyQueries ?? [])]),
  });
  sealed.add(change);
  return change;
}

/** True only for objects made by sealApprovedChange in this process. */
export function isApprovedChange(value: unknown): value is ApprovedChange {
  return typeof value === 'object' && value !== null && sealed.has(value);
}
