/** Claims and indexes as single Redis commands, atomic across replicas (see store-coordination.ts). */
import type { ClaimOptions, StoreCoordination } from './store-coordination.js';
import type { SharedRedisAdapter } from './shared-redis-adapter.js';

export class RedisCoordination implements StoreCoordination {
  readonly atomicAcrossProcesses = true;

  constructor(private readonly redis: SharedRedisAdapter) {}

  async claim(key: string, owner: string, options: ClaimOptions): Promise<boolean> {
    const name = this.redis.redisKey(key);
    return this.redis.command(async (client) => {
      const set = await client.set(name, owner, { condition: 'NX', expiration: { type: 'PX', value: options.ttlMs } });
      if (set === 'OK') return true;
      // Re-entrant for the same owner, as the local claim is; a claim that just expired reads as not ours.
      return (await client.get(name)) === owner;
    });
  }

  async addToIndex(index: string, member: string): Promise<void> {
    const key = this.redis.redisKey(index);
    await this.redis.command(async (client) => {
      // A server-side counter orders members as they were added (clocks of replicas differ);
      // NX keeps a member's first position when it is added again.
      const position = await client.incr(`${key}:sequence`);
      await client.zAdd(key, { score: position, value: member }, { condition: 'NX' });
    });
  }

  async readIndex(index: string): Promise<string[]> {
    return this.redis.command((client) => client.zRange(this.redis.redisKey(index), 0, -1));
  }
}
