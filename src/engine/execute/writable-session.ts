/**
 * The executor's own session: a separate `pg.Client` (never the read-only analysis pool) with
 * lock_timeout and statement_timeout set, so a change that cannot get its lock gives up quickly
 * instead of queueing every other query behind it.
 */
import pg from 'pg';
import { parseTargetUrl } from '../db/connection-url.js';

export async function openWritableSession(
  databaseUrl: string,
  settings: { lockTimeoutMs: number; statementTimeoutMs: number; applicationName: string },
): Promise<pg.Client> {
  const client = new pg.Client({ ...parseTargetUrl(databaseUrl).clientConfig, application_name: settings.applicationName, connectionTimeoutMillis: 10_000 });
  // A dropped connection must surface as a failed statement, not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(
      [
        'SET default_transaction_read_only = off',
        `SET lock_timeout = ${Math.trunc(settings.lockTimeoutMs)}`,
        `SET statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`,
        'SET idle_in_transaction_session_timeout = 60000',
      ].join('; '),
    );
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/**
 * Runs one statement outside a transaction block as a write. On the embedded demo the analysis
 * sessions share this PGlite session and re-assert read-only before each query, so the executor
 * re-asserts read-write before each of its statements too (one extra round trip per statement).
 */
export async function runWritable(client: pg.Client, sql: string): Promise<pg.QueryResult> {
  await client.query('SET default_transaction_read_only = off');
  return client.query(sql);
}

/**
 * Puts the session back to read-only before disconnecting: on the embedded demo every connection
 * shares one PGlite session, so a setting left behind would apply to the analysis sessions too.
 */
export async function closeWritableSession(client: pg.Client): Promise<void> {
  await client.query('SET default_transaction_read_only = on').catch(() => undefined);
  await client.end().catch(() => undefined);
}

export function sqlState(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/** 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected: worth another try later. */
export function isLockFailure(error: unknown): boolean {
  const code = sqlState(error);
  return code === '55P03' || code === '40P01';
}
