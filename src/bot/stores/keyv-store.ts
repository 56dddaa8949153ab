/**
 * The state store behind pgdba's lasting state (approvals, audit, recommendations,
 * conversations), one keyv per kind of state over one backend chosen by PGDBA_STORE_URL:
 * - `memory:` (or unset): this process only, gone at exit;
 * - `file:///…/store.jsonl`: survives restarts, one process per file;
 * - `redis://…` / `rediss://…`: shared by every replica, with atomic claims and indexes
 *   (see store-coordination.ts). Connected at open, so a wrong URL, a wrong password or a Redis
 *   that is down is a clear error at start-up; later outages are StoreUnavailableErrors.
 */
import { fileURLToPath } from 'node:url';
import Keyv from 'keyv';
import { FileStore } from './file-store.js';
import { RedisConnection } from './redis-connection.js';
import { SharedRedisAdapter } from './shared-redis-adapter.js';
import { StoreConfigurationError } from './store-errors.js';
import { describeStoreUrl } from './store-url.js';

export { StoreConfigurationError, StoreUnavailableError } from './store-errors.js';

export interface StateStore {
  /** The keyv of one kind of state, e.g. "approvals". */
  keyv<Value = unknown>(namespace: string): Keyv<Value>;
  /** Where state lives, without credentials (for logs and replies). */
  readonly description: string;
  /** true when several pgdba processes can share this store (Redis). */
  readonly shared: boolean;
  /** Ends the connection (Redis); other stores have nothing to release. */
  close(): Promise<void>;
}

export interface StateStoreOptions {
  /** Redis: how long connecting and each operation may take (default 5 s). */
  timeoutMs?: number;
  /** Operational log for connection loss and recovery (default: stderr). */
  log?: (line: string) => void;
}

// One FileStore per file: every namespace of a process shares it, so compaction never drops another's keys.
const fileStores = new Map<string, FileStore>();

/** Opens the store PGDBA_STORE_URL names (unset = memory). */
export async function openStateStore(url: string | undefined, options: StateStoreOptions = {}): Promise<StateStore> {
  if (!url || url === 'memory:') return localStateStore(new Map(), 'memory (this process only)');
  if (url.startsWith('file:')) {
    const path = fileURLToPath(new URL(url));
    let store = fileStores.get(path);
    if (!store) {
      store = new FileStore(path);
      fileStores.set(path, store);
    }
    return localStateStore(store, describeStoreUrl(url));
  }
  if (/^rediss?:\/\//.test(url)) {
    if (!URL.canParse(url)) throw new StoreConfigurationError('PGDBA_STORE_URL is not a valid redis:// URL: write it as redis://[:PASSWORD@]HOST:PORT[/DB].');
    const connection = await RedisConnection.open(url, {
      timeoutMs: options.timeoutMs ?? 5_000,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    });
    // One keyv per namespace: each adapter listens to the shared client's events.
    const namespaces = new Map<string, Keyv>();
    return {
      description: connection.where,
      shared: true,
      keyv: <Value>(namespace: string) => {
        let keyv = namespaces.get(namespace);
        if (!keyv) {
          keyv = new Keyv(new SharedRedisAdapter(connection, namespace), { namespace, useKeyPrefix: false, throwOnErrors: true });
          namespaces.set(namespace, keyv);
        }
        return keyv as Keyv<Value>;
      },
      close: () => connection.close(),
    };
  }
  throw new StoreConfigurationError('PGDBA_STORE_URL must be a file:///path/store.jsonl, redis://host:port or memory: URL.');
}

function localStateStore(store: Map<string, unknown> | FileStore, description: string): StateStore {
  return {
    description,
    shared: false,
    keyv: <Value>(namespace: string) => new Keyv<Value>({ store, namespace }),
    close: async () => undefined,
  };
}
