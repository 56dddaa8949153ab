/**
 * Short-lived snapshots of catalog reads, shared by the questions that arrive together: ten
 * people asking "tables" within a few seconds cause one read of the catalog, not ten.
 *
 * A snapshot lives a few seconds only, and a caller learns whether its data was read for it or
 * for an earlier question (`shared`), so a reply built from a shared snapshot can say when it
 * was read ("as of 14:02:11 UTC"): a DBA must never take an older reading for a live one.
 * Failed reads are not kept, and reads that can be cancelled (an AbortSignal) are never shared,
 * since cancelling one person's question must not fail another's.
 *
 * @example
 * const { value: tables, readAt, shared } = await snapshotsOf(target).read('largest-tables:10', () => readLargestTables(target, 10));
 */
import type { TargetDatabase } from '../target-database.js';

/** How long a catalog reading is shared with later questions. */
export const snapshotTtlMs = 5_000;

export interface Snapshot<T> {
  value: T;
  /** When the read started: the data is at least this recent. */
  readAt: Date;
  /** True when the data was read for an earlier question rather than for this call. */
  shared: boolean;
}

interface Entry {
  readAt: number;
  value: Promise<unknown>;
}

export class SnapshotCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly ttlMs = snapshotTtlMs,
    private readonly now: () => number = Date.now,
  ) {}

  /** The snapshot under `key` if it is younger than the TTL, else a fresh one from `load`. */
  async read<T>(key: string, load: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<Snapshot<T>> {
    const now = this.now();
    if (options.signal) return { value: await load(), readAt: new Date(now), shared: false };
    this.forgetExpired(now);
    const kept = this.entries.get(key);
    if (kept) return { value: (await kept.value) as T, readAt: new Date(kept.readAt), shared: true };
    const entry: Entry = { readAt: now, value: load() };
    this.entries.set(key, entry);
    try {
      return { value: (await entry.value) as T, readAt: new Date(now), shared: false };
    } catch (error) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  /** Drops every snapshot, e.g. after pgdba itself changed the database. */
  clear(): void {
    this.entries.clear();
  }

  private forgetExpired(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.readAt >= this.ttlMs) this.entries.delete(key);
  }
}

const cachesByTarget = new WeakMap<TargetDatabase, SnapshotCache>();

/** The snapshot cache of one open target (a reopened target starts with an empty one). */
export function snapshotsOf(target: TargetDatabase): SnapshotCache {
  let cache = cachesByTarget.get(target);
  if (!cache) {
    cache = new SnapshotCache();
    cachesByTarget.set(target, cache);
  }
  return cache;
}

/** "as of 14:02:11 UTC": when a shared snapshot was read, for the reply. */
export function snapshotTime(readAt: Date): string {
  return `${readAt.toISOString().slice(11, 19)} UTC`;
}

/** The line a reply carries when its data comes from a snapshot read for an earlier question. */
export function sharedSnapshotNote(readAt: Date): string {
  return `As of ${snapshotTime(readAt)}: read for a question asked just before (readings are reused for ${snapshotTtlMs / 1000} s).`;
}
