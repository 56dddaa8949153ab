/**
 * Claims and indexes for the memory and file stores, which serve one process: index updates
 * are serialised per key inside the process (so concurrent clicks never lose an id), and the
 * claim is a timed write/read-back (Fischer's mutual exclusion), as before Redis support.
 */
import type Keyv from 'keyv';
import type { ClaimOptions, StoreCoordination } from './store-coordination.js';

// Per backing store (two Keyv over one Map are one store), the tail of each key's update queue.
const updateQueues = new WeakMap<object, Map<string, Promise<unknown>>>();

export class LocalCoordination implements StoreCoordination {
  readonly atomicAcrossProcesses = false;

  constructor(private readonly keyv: Keyv) {}

  /**
   * keyv has no set-if-absent, so this writes, waits `settleMs` and reads back: with writes that
   * land within `settleMs` (true in one process), at most one claimant reads its own token back.
   */
  async claim(key: string, owner: string, options: ClaimOptions): Promise<boolean> {
    const current = (await this.keyv.get(key)) as string | undefined;
    if (current !== undefined && current !== owner) return false;
    await this.keyv.set(key, owner, options.ttlMs);
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    return (await this.keyv.get(key)) === owner;
  }

  async addToIndex(index: string, member: string): Promise<void> {
    await this.serialised(index, async () => {
      const members = await this.readIndex(index);
      if (!members.includes(member)) await this.keyv.set(index, [...members, member]);
    });
  }

  async readIndex(index: string): Promise<string[]> {
    return ((await this.keyv.get(index)) as string[] | undefined) ?? [];
  }

  private serialised<T>(key: string, update: () => Promise<T>): Promise<T> {
    const store = this.keyv.store as object;
    let queues = updateQueues.get(store);
    if (!queues) updateQueues.set(store, (queues = new Map()));
    const name = `${this.keyv.namespace ?? ''}\u0000${key}`;
    const run = (queues.get(name) ?? Promise.resolve()).then(update, update);
    const tail = run.catch(() => undefined);
    queues.set(name, tail);
    void tail.then(() => {
      if (queues.get(name) === tail) queues.delete(name);
    });
    return run;
  }
}
