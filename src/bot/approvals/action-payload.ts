/** Button payloads of the approval card: `pgdba-approval:<action>:<requestId>`. */
import type { ApprovalAction } from './approval-request.js';

const prefix = 'pgdba-approval';
const actions: readonly ApprovalAction[] = ['approve', 'reject', 'dry-run', 'schedule'];

export function approvalPayload(action: ApprovalAction, requestId: string): string {
  return `${prefix}:${action}:${requestId}`;
}

/** Parses a button payload; undefined when it is not an approval button. */
export function parseApprovalPayload(payload: string): { action: ApprovalAction; requestId: string } | undefined {
  const [head, action, requestId, ...rest] = payload.split(':');
  if (head !== prefix || rest.length > 0 || !requestId || !actions.includes(action as ApprovalAction)) return undefined;
  return { action: action as ApprovalAction, requestId };
}
