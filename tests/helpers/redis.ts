/**
 * Access to the throw-away Redis that tests/setup/redis-server.ts starts. Each caller gets a
 * database of its own on it, so test files running in parallel never see each other's state.
 */
import { createClient } from '@keyv/redis';
import { inject } from 'vitest';
import { redisDatabases } from '../setup/redis-server.js';

/** redis://127.0.0.1:PORT of the shared test server; fails the test, with the reason, if there is none. */
export function sharedRedisUrl(): string {
  const url = inject('redisUrl');
  if (!url) throw new Error(inject('redisUnavailableReason') || 'No Redis test server is available.');
  return url;
}

/** redis://127.0.0.1:PORT/N with a database number nobody else in this test run uses. */
export async function redisTestUrl(): Promise<string> {
  const base = sharedRedisUrl();
  const client = createClient({ url: base });
  await client.connect();
  try {
    // INCR is atomic on the server: parallel test files always get different numbers.
    const database = await client.incr('pgdba-test:next-database');
    if (database >= redisDatabases) throw new Error(`The test Redis has only ${redisDatabases} databases; raise redisDatabases in tests/setup/redis-server.ts.`);
    return `${base}/${database}`;
  } finally {
    await client.close();
  }
}
