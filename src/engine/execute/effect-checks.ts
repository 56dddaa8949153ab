/**
 * After a guarded action, checks it did what it says: a terminated backend is gone, a cancelled
 * one stopped its query, a dropped index no longer exists, a vacuumed table lost its dead
 * tuples. Each check reads the catalog from the executor's session outside any transaction
 * (pg_stat_activity is a per-transaction snapshot), polling briefly for signals, which act
 * asynchronously.
 */
import type pg from 'pg';
import { backendSignal, droppedIndexNames, vacuumedTables, type BackendSignal } from '../sql/effects.js';
import { quoteIdent, type ScriptStatement } from '../sql/sql-script.js';

export interface EffectCheck {
  statementIndex: number;
  /** False when the action visibly did not take effect (the run is then reported failed). */
  ok: boolean;
  detail: string;
}

interface BackendSnapshot {
  state: string | null;
  queryStart: string | null;
  backendStart: string;
}

export type Observation =
  | { kind: 'signal'; signal: BackendSignal; backend: BackendSnapshot | undefined }
  | { kind: 'vacuum'; deadTuples: Map<string, number | null> }
  | { kind: 'drop-index'; indexes: string[] };

export interface EffectCheckSettings {
  /** How long a signalled backend may take to go away or stop its query. */
  timeoutMs: number;
  pollMs: number;
}

async function backend(client: pg.Client, pid: number): Promise<BackendSnapshot | undefined> {
  const result = await client.query<BackendSnapshot>(
    'select state, query_start::text as "queryStart", backend_start::text as "backendStart" from pg_stat_activity where pid = $1',
    [pid],
  );
  return result.rows[0];
}

async function deadTuples(client: pg.Client, table: string): Promise<number | null> {
  const quoted = table.split('.').map(quoteIdent).join('.');
  const result = await client.query<{ n: string | null }>('select n_dead_tup::text as n from pg_stat_all_tables where relid = to_regclass($1)', [quoted]);
  const value = result.rows[0]?.n;
  return value === undefined || value === null ? null : Number(value);
}

/** What the check afterwards compares against, read just before the statement runs. */
export async function observeBefore(client: pg.Client, statement: ScriptStatement): Promise<Observation | undefined> {
  const signal = backendSignal(statement);
  if (signal) return { kind: 'signal', signal, backend: signal.pid === undefined ? undefined : await backend(client, signal.pid) };
  const tables = vacuumedTables(statement);
  if (tables.length > 0) {
    const counts = new Map<string, number | null>();
    for (const table of tables) counts.set(table, await deadTuples(client, table));
    return { kind: 'vacuum', deadTuples: counts };
  }
  const indexes = droppedIndexNames(statement);
  return indexes.length > 0 ? { kind: 'drop-index', indexes } : undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `done` until it returns a text or the time is up. */
async function waitFor(settings: EffectCheckSettings, done: () => Promise<string | undefined>): Promise<string | undefined> {
  const deadline = Date.now() + settings.timeoutMs;
  for (;;) {
    const outcome = await done();
    if (outcome !== undefined || Date.now() >= deadline) return outcome;
    await delay(settings.pollMs);
  }
}

async function checkSignal(client: pg.Client, index: number, observation: Extract<Observation, { kind: 'signal' }>, returned: unknown[], settings: EffectCheckSettings): Promise<EffectCheck> {
  const { fn, pid } = observation.signal;
  const said = returned.length === 0 ? 'no row' : returned.map(String).join(', ');
  if (pid === undefined) return { statementIndex: index, ok: true, detail: `${fn} returned ${said}; the statement names no single backend, so which ones ended was not checked.` };
  const before = observation.backend;
  if (returned.length === 0 || returned[0] === false || !before) {
    return { statementIndex: index, ok: true, detail: `Backend ${pid} was no longer running when the change executed, so nothing was signalled (${fn} returned ${said}); a new session that reused its pid was left alone.` };
  }
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  if (fn === 'pg_terminate_backend') {
    const gone = await waitFor(settings, async () => {
      const now = await backend(client, pid);
      return !now || now.backendStart !== before.backendStart ? `Backend ${pid} is gone: terminated (pg_terminate_backend returned true; gone within ${seconds()} s).` : undefined;
    });
    return gone
      ? { statementIndex: index, ok: true, detail: gone }
      : { statementIndex: index, ok: false, detail: `pg_terminate_backend(${pid}) returned true but backend ${pid} was still there ${settings.timeoutMs / 1000} s later (it may be stuck in a call that cannot be interrupted); look at the activity view.` };
  }
  if (before.state !== 'active') {
    return { statementIndex: index, ok: false, detail: `Backend ${pid} was ${before.state ?? 'in an unknown state'}, not running a query, so pg_cancel_backend had nothing to cancel; request Terminate to end its session and transaction.` };
  }
  const stopped = await waitFor(settings, async () => {
    const now = await backend(client, pid);
    if (!now || now.backendStart !== before.backendStart) return `Backend ${pid} is gone (its query was cancelled and the client disconnected).`;
    if (now.state !== 'active' || now.queryStart !== before.queryStart) return `Backend ${pid} stopped its query within ${seconds()} s (now ${now.state ?? 'unknown'}).`;
    return undefined;
  });
  return stopped
    ? { statementIndex: index, ok: true, detail: stopped }
    : { statementIndex: index, ok: false, detail: `pg_cancel_backend(${pid}) returned true but backend ${pid} was still running the same query ${settings.timeoutMs / 1000} s later; request Terminate if it must stop.` };
}

/** Checks the statement's effect against what was observed before it ran. */
export async function verifyEffect(client: pg.Client, index: number, observation: Observation, returned: unknown[], settings: EffectCheckSettings): Promise<EffectCheck> {
  switch (observation.kind) {
    case 'signal':
      return checkSignal(client, index, observation, returned, settings);
    case 'vacuum': {
      const parts: string[] = [];
      for (const [table, before] of observation.deadTuples) {
        const after = await deadTuples(client, table);
        parts.push(`${table}: ${before ?? 'unknown'} dead tuples before, ${after ?? 'unknown'} after`);
      }
      // Informational: before PostgreSQL 15 the statistics arrive a moment later, so a high count is not a failure.
      return { statementIndex: index, ok: true, detail: `${parts.join('; ')}.` };
    }
    case 'drop-index': {
      const left: string[] = [];
      for (const name of observation.indexes) {
        const quoted = name.split('.').map(quoteIdent).join('.');
        const result = await client.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [quoted]);
        if (result.rows[0]?.exists) left.push(name);
      }
      return left.length === 0
        ? { statementIndex: index, ok: true, detail: `${observation.indexes.join(', ')} no longer exist${observation.indexes.length === 1 ? 's' : ''}.` }
        : { statementIndex: index, ok: false, detail: `${left.join(', ')} still exist${left.length === 1 ? 's' : ''} after the DROP.` };
    }
  }
}
