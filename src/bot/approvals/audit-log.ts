/**
 * Append-only audit trail of guarded changes in keyv (namespace "audit"): every request, each
 * approval, rejection and refusal with who and when, execution start and end with result,
 * error, duration and before/after evidence. There is no update or delete. The per-request
 * indexes go through the store's coordination, so records appended at once by two replicas
 * (Redis) are all kept.
 */
import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { coordinationFor, type StoreCoordination } from '../stores/store-coordination.js';
import type { ChatUser } from './approver-policy.js';

export type AuditKind =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'refused'
  | 'expired'
  | 'dry-run'
  | 'scheduled'
  | 'execution-started'
  | 'execution-finished';

export interface AuditRecord {
  id: string;
  at: string;
  requestId: string;
  kind: AuditKind;
  actor?: { platform: string; id: string; name?: string };
  /** Kind-specific data: the SQL, a refusal reason, the execution result and evidence. */
  details: Record<string, unknown>;
}

export interface AuditQuery {
  requestId?: string;
  kind?: AuditKind;
  /** "platform:id" of the actor. */
  actor?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

const requestIndexKey = 'audited-requests';

export class AuditLog {
  private readonly coordination: StoreCoordination;

  constructor(
    private readonly keyv: Keyv,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.coordination = coordinationFor(keyv);
  }

  /** Appends one record; records are stored under their own key, never rewritten. */
  async append(entry: { requestId: string; kind: AuditKind; actor?: ChatUser; details?: Record<string, unknown> }): Promise<AuditRecord> {
    const record: AuditRecord = {
      id: randomUUID(),
      at: this.now().toISOString(),
      requestId: entry.requestId,
      kind: entry.kind,
      ...(entry.actor ? { actor: { platform: entry.actor.platform, id: entry.actor.id, ...(entry.actor.name ? { name: entry.actor.name } : {}) } } : {}),
      details: entry.details ?? {},
    };
    await this.keyv.set(`audit-record:${record.id}`, record);
    await this.coordination.addToIndex(`audit-request:${entry.requestId}`, record.id);
    await this.coordination.addToIndex(requestIndexKey, entry.requestId);
    return record;
  }

  /** Records matching the filter, oldest first. */
  async query(filter: AuditQuery = {}): Promise<AuditRecord[]> {
    const requestIds = filter.requestId ? [filter.requestId] : await this.coordination.readIndex(requestIndexKey);
    const records: AuditRecord[] = [];
    for (const requestId of requestIds) {
      const ids = await this.coordination.readIndex(`audit-request:${requestId}`);
      for (const id of ids) {
        const record = (await this.keyv.get(`audit-record:${id}`)) as AuditRecord | undefined;
        if (record) records.push(record);
      }
    }
    const matching = records
      .filter((r) => (filter.kind ? r.kind === filter.kind : true))
      .filter((r) => (filter.actor ? `${r.actor?.platform}:${r.actor?.id}` === filter.actor : true))
      .filter((r) => (filter.since ? Date.parse(r.at) >= filter.since.getTime() : true))
      .filter((r) => (filter.until ? Date.parse(r.at) <= filter.until.getTime() : true))
      .sort((a, b) => a.at.localeCompare(b.at));
    return filter.limit ? matching.slice(-filter.limit) : matching;
  }

  /** The matching records as pretty JSON, for export. */
  async exportJson(filter: AuditQuery = {}): Promise<string> {
    return JSON.stringify({ exportedAt: this.now().toISOString(), records: await this.query(filter) }, null, 2);
  }
}
