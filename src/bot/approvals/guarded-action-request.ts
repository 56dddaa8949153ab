/**
 * The guarded actions other views offer as buttons (cancel/terminate a backend, drop an index,
 * VACUUM (ANALYZE) a table) turned into a change request: the SQL comes from `guardedActions`,
 * never from the button, and a backend is looked up again so the card says what it is doing now
 * and the SQL signals only that session (not a later one that reuses its pid).
 */
import { z } from 'zod';
import type { TargetDatabase } from '../../engine/db/target-database.js';
import { guardedActions } from '../../engine/execute/guarded-actions.js';
import { ToolInputError } from '../../tools/tool.js';
import type { RequestEvidence } from './approval-request.js';

const objectName = z.string().trim().min(1).max(300).regex(/^[^;]+$/, 'a [schema.]name');

export const guardedActionInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cancel_backend'), pid: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('terminate_backend'), pid: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('drop_index'), index: objectName }).strict(),
  z.object({ kind: z.literal('vacuum_analyze'), table: objectName }).strict(),
]);

export type GuardedActionInput = z.infer<typeof guardedActionInput>;

export interface GuardedRequest {
  sql: string;
  title: string;
  reason: string;
  /** What was seen when the request was made (the backend's current state). */
  evidence?: RequestEvidence;
}

interface BackendRow {
  usename: string | null;
  application_name: string | null;
  state: string | null;
  backend_start: string;
  state_seconds: number | null;
  blocking: number;
}

function duration(seconds: number | null): string {
  if (seconds === null) return 'an unknown time';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

async function liveBackend(target: TargetDatabase, pid: number): Promise<BackendRow | undefined> {
  const result = await target.query<BackendRow>(
    // backend_start in UTC with microseconds, whatever the session's DateStyle: the SQL compares it exactly.
    `select usename::text, application_name, state,
            to_char(backend_start at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' as backend_start,
            extract(epoch from now() - state_change)::float8 as state_seconds,
            (select count(*)::int from pg_stat_activity w where w.wait_event_type = 'Lock' and $1 = any(pg_blocking_pids(w.pid))) as blocking
       from pg_stat_activity where pid = $1`,
    [pid],
  );
  return result.rows[0];
}

/** The request for a guarded action; a backend that is gone is a clear refusal, not a request. */
export async function guardedRequest(action: GuardedActionInput, reason: string | undefined, target: () => Promise<TargetDatabase>): Promise<GuardedRequest> {
  switch (action.kind) {
    case 'cancel_backend':
    case 'terminate_backend': {
      const verb = action.kind === 'cancel_backend' ? 'Cancel the query of' : 'Terminate';
      const backend = await liveBackend(await target(), action.pid);
      if (!backend) {
        throw new ToolInputError(`Backend ${action.pid} is no longer running (it ended after the activity view was read), so there is nothing to ${action.kind === 'cancel_backend' ? 'cancel' : 'terminate'}. Ask for "activity" again.`);
      }
      const who = `${backend.usename ?? '?'}${backend.application_name ? `, ${backend.application_name}` : ''}`;
      const now = `Now: pid ${action.pid} (${who}) is ${backend.state ?? 'in an unknown state'} for ${duration(backend.state_seconds)}${backend.blocking > 0 ? ` and blocks ${backend.blocking} session(s)` : ''}; connected since ${backend.backend_start}.`;
      const sql = action.kind === 'cancel_backend' ? guardedActions.cancelBackend(action.pid, backend.backend_start) : guardedActions.terminateBackend(action.pid, backend.backend_start);
      return { sql, title: `${verb} backend ${action.pid} (${who})`, reason: reason ?? `${verb} backend ${action.pid}`, evidence: { summary: now } };
    }
    case 'drop_index':
      return { sql: buildSql(() => guardedActions.dropIndexConcurrently(action.index)), title: `Drop index ${action.index}`, reason: reason ?? `Drop index ${action.index}` };
    case 'vacuum_analyze':
      return { sql: buildSql(() => guardedActions.vacuumAnalyze(action.table)), title: `VACUUM (ANALYZE) ${action.table}`, reason: reason ?? `VACUUM (ANALYZE) ${action.table}` };
  }
}

/** A name guardedActions cannot quote is the person's input to fix. */
function buildSql(build: () => string): string {
  try {
    return build();
  } catch (error) {
    throw new ToolInputError(`${(error as Error).message} Give the name as schema.name, as the index list shows it.`);
  }
}
