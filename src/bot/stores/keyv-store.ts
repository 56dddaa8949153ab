/**
 * The keyv store behind pgdba's lasting state (conversations now; approvals, audit later).
 * In memory by default; `PGDBA_STORE_URL=redis://…` uses Redis when `@keyv/redis` is installed,
 * so several replicas share one state.
 */
import { fileURLToPath } from 'node:url';
import Keyv from 'keyv';
import { FileStore } from './file-store.js';

export interface StoreOptions {
  /** PGDBA_STORE_URL; unset = in-process memory. */
  url?: string | undefined;
  /** Separates kinds of state sharing one backend, e.g. "conversations". */
  namespace: string;
}

/** A store URL that cannot be used, phrased with what to do. */
export class StoreConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigurationError';
  }
}

// One FileStore per file: every namespace of a process shares it, so compaction never drops another's keys.
const fileStores = new Map<string, FileStore>();

export async function openKeyvStore<Value>(options: StoreOptions): Promise<Keyv<Value>> {
  if (!options.url || options.url === 'memory:') return new Keyv<Value>({ namespace: options.namespace });
  if (options.url.startsWith('file:')) {
    const path = fileURLToPath(new URL(options.url));
    let store = fileStores.get(path);
    if (!store) {
      store = new FileStore(path);
      fileStores.set(path, store);
    }
    return new Keyv<Value>({ store, namespace: options.namespace });
  }
  if (/^rediss?:\/\//.test(options.url)) {
    const moduleName = '@keyv/redis';
    let adapter: unknown;
    try {
      // Optional dependency, loaded by name so the default install stays small.
      const redis = (await import(moduleName)) as { default: new (url: string) => unknown };
      adapter = new redis.default(options.url);
    } catch {
      throw new StoreConfigurationError('PGDBA_STORE_URL is a redis:// URL but @keyv/redis is not installed: run `npm install @keyv/redis` or unset PGDBA_STORE_URL.');
    }
    return new Keyv<Value>({ store: adapter as never, namespace: options.namespace });
  }
  throw new StoreConfigurationError('PGDBA_STORE_URL must be a file:///path/store.jsonl, redis:// or memory: URL.');
}
