/**
 * Approval requests in keyv (namespace "approvals"), with an index of ids for listing. The
 * execution claim and the index go through the store's coordination, atomic when the store is
 * shared by replicas (Redis) — see src/bot/stores/store-coordination.ts.
 */
import type Keyv from 'keyv';
import { coordinationFor, type StoreCoordination } from '../stores/store-coordination.js';
import type { ApprovalRequest } from './approval-request.js';

export interface ExecutionRecord {
  status: 'executing' | 'executed' | 'failed';
  execution: NonNullable<ApprovalRequest['execution']>;
}

const indexKey = 'request-ids';

export class RequestStore {
  private readonly coordination: StoreCoordination;

  constructor(private readonly keyv: Keyv) {
    this.coordination = coordinationFor(keyv);
  }

  /** The request, with its execution record (kept under its own key) applied on top. */
  async get(id: string): Promise<ApprovalRequest | undefined> {
    const request = (await this.keyv.get(`request:${id}`)) as ApprovalRequest | undefined;
    if (!request) return undefined;
    const execution = (await this.keyv.get(`execution:${id}`)) as ExecutionRecord | undefined;
    return execution ? { ...request, status: execution.status, execution: execution.execution } : request;
  }

  /**
   * Records that execution started or finished. Written only by the executing process while it
   * holds the execution lock, and under its own key, so a stale save of the request (a late
   * second click) can never erase the fact that it ran.
   */
  async recordExecution(id: string, record: ExecutionRecord): Promise<void> {
    await this.keyv.set(`execution:${id}`, record);
  }

  async save(request: ApprovalRequest): Promise<void> {
    await this.keyv.set(`request:${request.id}`, request);
    await this.coordination.addToIndex(indexKey, request.id);
  }

  async list(): Promise<ApprovalRequest[]> {
    const ids = await this.coordination.readIndex(indexKey);
    const requests = await Promise.all(ids.map((id) => this.get(id)));
    return requests.filter((r): r is ApprovalRequest => r !== undefined);
  }

  /**
   * Claims the right to execute `id` for `owner`. With Redis this is one `SET … NX PX`, so of
   * two replicas clicked at once exactly one gets it; with a local store (one process) it is a
   * timed write/read-back that waits `settleMs`. The executor's advisory lock on the target is
   * the second guard (see docs/guarded-execution.md).
   */
  async claimExecution(id: string, owner: string, settleMs: number, ttlMs: number): Promise<boolean> {
    return this.coordination.claim(`execution-claim:${id}`, owner, { ttlMs, settleMs });
  }
}
