/** Approval requests in keyv (namespace "approvals"), with a list of ids for listing. */
import type Keyv from 'keyv';
import type { ApprovalRequest } from './approval-request.js';

export interface ExecutionRecord {
  status: 'executing' | 'executed' | 'failed';
  execution: NonNullable<ApprovalRequest['execution']>;
}

const indexKey = 'request-ids';

export class RequestStore {
  constructor(private readonly keyv: Keyv) {}

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
    const existing = await this.keyv.get(`request:${request.id}`);
    await this.keyv.set(`request:${request.id}`, request);
    if (!existing) {
      const ids = ((await this.keyv.get(indexKey)) as string[] | undefined) ?? [];
      if (!ids.includes(request.id)) await this.keyv.set(indexKey, [...ids, request.id]);
    }
  }

  async list(): Promise<ApprovalRequest[]> {
    const ids = ((await this.keyv.get(indexKey)) as string[] | undefined) ?? [];
    const requests = await Promise.all(ids.map((id) => this.get(id)));
    return requests.filter((r): r is ApprovalRequest => r !== undefined);
  }

  /**
   * Claims the right to execute `id` for `owner` (set-if-absent by compare-and-set). keyv has
   * no atomic set-if-absent, so this writes, waits `settleMs` and reads back: with a store that
   * is read-your-writes consistent and writes that land within `settleMs`, at most one claimant
   * reads its own token back (Fischer's timed mutual exclusion). The executor's advisory lock
   * on the target is the second, authoritative guard (see docs/guarded-execution.md).
   */
  async claimExecution(id: string, owner: string, settleMs: number, ttlMs: number): Promise<boolean> {
    const key = `execution-claim:${id}`;
    const current = (await this.keyv.get(key)) as string | undefined;
    if (current !== undefined && current !== owner) return false;
    await this.keyv.set(key, owner, ttlMs);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return (await this.keyv.get(key)) === owner;
  }
}
