/**
 * What approvals and the audit trail need beyond keyv's get/set, done atomically where the
 * backend can: claiming a key for one owner, and indexes of ids that concurrent writers never
 * lose. Callers hand in their keyv and never learn which backend is behind it.
 *
 * - Redis (several replicas): `SET key owner NX PX ttl` and sorted sets (`ZADD NX`), atomic on
 *   the server, so two replicas can never both claim, and concurrent additions are all kept.
 * - memory and file stores (one process): a timed write/read-back claim and index updates
 *   serialised inside the process.
 */
import type Keyv from 'keyv';
import { LocalCoordination } from './local-coordination.js';
import { RedisCoordination } from './redis-coordination.js';
import { SharedRedisAdapter } from './shared-redis-adapter.js';

export interface ClaimOptions {
  /** How long the claim holds if its owner never finishes (ms). */
  ttlMs: number;
  /** Local stores only: how long to wait before reading the claim back (ms). */
  settleMs: number;
}

export interface StoreCoordination {
  /** true when claims and indexes hold across every process sharing the store. */
  readonly atomicAcrossProcesses: boolean;
  /** Claims `key` for `owner` unless another owner holds it; true when `owner` holds it now. */
  claim(key: string, owner: string, options: ClaimOptions): Promise<boolean>;
  /** Adds `member` to the named index once. */
  addToIndex(index: string, member: string): Promise<void>;
  /** The index's members, first added first. */
  readIndex(index: string): Promise<string[]>;
}

export function coordinationFor(keyv: Keyv): StoreCoordination {
  const store: unknown = keyv.store;
  return store instanceof SharedRedisAdapter ? new RedisCoordination(store) : new LocalCoordination(keyv);
}
