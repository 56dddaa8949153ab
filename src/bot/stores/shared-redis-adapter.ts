/**
 * The @keyv/redis adapter for one namespace of pgdba's state ("approvals", "audit", …), over the
 * state store's single connection. Every operation goes through `RedisConnection.run`, so it has
 * a deadline and fails with a StoreUnavailableError that says what happened, never a hang, a raw
 * driver error, or (keyv's default) a silent `undefined` that would read as "no such request".
 */
import KeyvRedis from '@keyv/redis';
import type { KeyvEntry } from 'keyv';
import type { RedisClient, RedisConnection } from './redis-connection.js';

export class SharedRedisAdapter extends KeyvRedis<string> {
  constructor(
    readonly connection: RedisConnection,
    namespace: string,
  ) {
    super(connection.client, { namespace, throwOnErrors: true, throwOnConnectError: true });
  }

  /** The Redis key of a keyv key in this namespace (`approvals::request:chg-…`). */
  redisKey(key: string): string {
    return this.createKeyPrefix(key, this.namespace);
  }

  /** A raw Redis operation under the same deadline and error reporting as keyv's. */
  command<T>(operation: (client: RedisClient) => Promise<T>): Promise<T> {
    return this.connection.run(operation);
  }

  override get<U = string>(key: string): Promise<U | undefined> {
    return this.connection.run(() => super.get<U>(key));
  }

  override getMany<U = string>(keys: string[]): Promise<Array<U | undefined>> {
    return this.connection.run(() => super.getMany<U>(keys));
  }

  override set(key: string, value: string, ttl?: number): Promise<void> {
    return this.connection.run(() => super.set(key, value, ttl));
  }

  override setMany(entries: KeyvEntry[]): Promise<void> {
    return this.connection.run(() => super.setMany(entries));
  }

  override has(key: string): Promise<boolean> {
    return this.connection.run(() => super.has(key));
  }

  override hasMany(keys: string[]): Promise<boolean[]> {
    return this.connection.run(() => super.hasMany(keys));
  }

  override delete(key: string): Promise<boolean> {
    return this.connection.run(() => super.delete(key));
  }

  override deleteMany(keys: string[]): Promise<boolean> {
    return this.connection.run(() => super.deleteMany(keys));
  }

  override clear(): Promise<void> {
    return this.connection.run(() => super.clear());
  }

  /** The connection belongs to the state store (all namespaces share it): `StateStore.close()` ends it. */
  override async disconnect(): Promise<void> {}
}
