/**
 * Access to the real PostgreSQL test server provided by tests/setup/postgres-server.ts.
 * Each test file gets its own fresh database so files can run in parallel without sharing state.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** URL of the test server's `postgres` database; fails the test, with the reason, if none could be had. */
export function serverUrl(): string {
  const url = inject('databaseUrl');
  if (!url) throw new Error(inject('serverUnavailableReason') || 'No PostgreSQL test server is available.');
  return url;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface ScratchDatabase {
  name: string;
  url: string;
  /** A superuser connection to the scratch database, for planting test data. */
  admin: pg.Client;
  drop(): Promise<void>;
}

/** Creates an empty database on the test server; `drop()` removes it (call it in afterAll). */
export async function createScratchDatabase(prefix = 'pgdba_test'): Promise<ScratchDatabase> {
  const base = serverUrl();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const maintenance = new pg.Client({ connectionString: base });
  await maintenance.connect();
  await maintenance.query(`create database ${name}`);
  await maintenance.end();
  const url = withDatabase(base, name);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return {
    name,
    url,
    admin,
    async drop() {
      await admin.end().catch(() => undefined);
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
