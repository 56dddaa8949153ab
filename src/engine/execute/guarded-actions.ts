/**
 * SQL for the guarded actions offered from other views (unused/duplicate indexes, tables with
 * many dead tuples, the activity view). They only build the text of a request; executing it
 * still needs an approval.
 */
import { quoteIdent } from '../sql/sql-script.js';

function qualified(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) throw new Error(`"${name}" is not a valid [schema.]name.`);
  return parts.map((p) => quoteIdent(p.replace(/^"(.*)"$/, '$1'))).join('.');
}

function backendPid(pid: number): number {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${pid} is not a backend process id (a positive integer from pg_stat_activity.pid).`);
  return pid;
}

/** pg_stat_activity.backend_start as text, e.g. "2024-05-01 10:00:00.123456+00". */
const timestampText = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2}){0,2}|Z)?$/;

/**
 * Signals one backend. With `backendStart`, only the session that started then is signalled: a
 * request may be approved hours later, when the pid can belong to a new, unrelated session.
 */
function signalBackend(fn: 'pg_cancel_backend' | 'pg_terminate_backend', pid: number, backendStart?: string): string {
  backendPid(pid);
  if (backendStart === undefined) return `SELECT ${fn}(${pid})`;
  if (!timestampText.test(backendStart)) throw new Error(`"${backendStart}" is not a backend start time from pg_stat_activity.backend_start.`);
  return `SELECT ${fn}(pid) FROM pg_stat_activity WHERE pid = ${pid} AND backend_start = '${backendStart}'::timestamptz`;
}

export const guardedActions = {
  dropIndexConcurrently: (index: string) => `DROP INDEX CONCURRENTLY IF EXISTS ${qualified(index)}`,
  vacuumAnalyze: (table: string) => `VACUUM (ANALYZE) ${qualified(table)}`,
  cancelBackend: (pid: number, backendStart?: string) => signalBackend('pg_cancel_backend', pid, backendStart),
  terminateBackend: (pid: number, backendStart?: string) => signalBackend('pg_terminate_backend', pid, backendStart),
};
