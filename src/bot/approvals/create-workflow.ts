/** Builds the approval workflow from configuration and a keyv store. */
import type Keyv from 'keyv';
import type { TargetDatabase } from '../../engine/db/target-database.js';
import { ChangeExecutor } from '../../engine/execute/change-executor.js';
import type { ExecutorSettings } from '../../engine/execute/execution-types.js';
import { parseApprovers } from './approver-policy.js';
import { ApprovalWorkflow, type ApprovalSettings } from './approval-workflow.js';

export interface ApprovalConfig extends ApprovalSettings {
  /** PGDBA_APPROVERS as configured. */
  PGDBA_APPROVERS?: string | undefined;
  /** Target URL the executor opens its own writable session to (DATABASE_URL, or the embedded demo's socket URL once it is up). */
  databaseUrl: string | (() => Promise<string>);
  executor?: Omit<ExecutorSettings, 'databaseUrl'>;
}

export function createApprovalWorkflow(
  config: ApprovalConfig,
  stores: { approvals: Keyv; audit?: Keyv },
  options: { target?: () => Promise<TargetDatabase>; now?: () => Date; replicaId?: string; recommendations?: Keyv } = {},
): ApprovalWorkflow {
  const { PGDBA_APPROVERS, databaseUrl, executor, ...settings } = config;
  return new ApprovalWorkflow({
    ...settings,
    ...options,
    store: stores.approvals,
    ...(stores.audit ? { auditStore: stores.audit } : {}),
    policy: parseApprovers(PGDBA_APPROVERS),
    executor: new ChangeExecutor({ ...executor, databaseUrl }),
  });
}
