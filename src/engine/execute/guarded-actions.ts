/**
 * SQL for the guarded actions offered from other views (unused/duplicate indexes, bloated
 * tables, the activity view). They only build the text of a request; executing it still needs
 * an approval.
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

export const guardedActions = {
  dropIndexConcurrently: (index: string) => `DROP INDEX CONCURRENTLY IF EXISTS ${qualified(index)}`,
  vacuumAnalyze: (table: string) => `VACUUM (ANALYZE) ${qualified(table)}`,
  cancelBackend: (pid: number) => `SELECT pg_cancel_backend(${backendPid(pid)})`,
  terminateBackend: (pid: number) => `SELECT pg_terminate_backend(${backendPid(pid)})`,
};
