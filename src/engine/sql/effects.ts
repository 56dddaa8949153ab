/**
 * What a guarded action does beyond its lock, in the DBA's words, for the approval card: a
 * terminated backend loses its transaction and connection, a cancelled one only its query, and
 * so on. Also finds the backend a cancel/terminate statement names, so the executor can check
 * afterwards that the backend really went away or stopped its query.
 */
import { nameParts, relationName, type ScriptStatement } from './sql-script.js';

export type BackendSignalFunction = 'pg_cancel_backend' | 'pg_terminate_backend';

export interface BackendSignal {
  fn: BackendSignalFunction;
  /** The backend's pid, when the statement names exactly one (a literal or `WHERE pid = <n>`). */
  pid?: number;
}

const signalFunctions = new Set<string>(['pg_cancel_backend', 'pg_terminate_backend']);

type Node = Record<string, unknown>;

function child(node: unknown, key: string): Node | undefined {
  const value = node && typeof node === 'object' ? (node as Node)[key] : undefined;
  return value && typeof value === 'object' ? (value as Node) : undefined;
}

function integerConstant(node: unknown): number | undefined {
  const value = (child(child(node, 'A_Const'), 'ival') as { ival?: number } | undefined)?.ival;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function isColumn(node: unknown, column: string): boolean {
  const fields = (child(node, 'ColumnRef') as { fields?: unknown } | undefined)?.fields;
  return nameParts(fields).at(-1) === column;
}

/** `pid = <n>` (either way round) anywhere under a WHERE clause's ANDs. */
function pidInWhere(where: unknown): number | undefined {
  const expr = child(where, 'A_Expr') as { name?: unknown; lexpr?: unknown; rexpr?: unknown } | undefined;
  if (expr && nameParts(expr.name).join('') === '=') {
    if (isColumn(expr.lexpr, 'pid')) return integerConstant(expr.rexpr);
    if (isColumn(expr.rexpr, 'pid')) return integerConstant(expr.lexpr);
  }
  const bool = child(where, 'BoolExpr') as { boolop?: string; args?: unknown[] } | undefined;
  if (bool?.boolop === 'AND_EXPR') {
    for (const arg of bool.args ?? []) {
      const pid = pidInWhere(arg);
      if (pid !== undefined) return pid;
    }
  }
  return undefined;
}

/** The cancel/terminate call of a `SELECT pg_terminate_backend(…)` statement, if it is one. */
export function backendSignal(statement: ScriptStatement): BackendSignal | undefined {
  if (statement.nodeType !== 'SelectStmt') return undefined;
  const targets = (statement.node.targetList as unknown[] | undefined) ?? [];
  const calls = targets
    .map((target) => child(child(child(target, 'ResTarget'), 'val'), 'FuncCall') as { funcname?: unknown; args?: unknown[] } | undefined)
    .filter((call): call is { funcname?: unknown; args?: unknown[] } => call !== undefined)
    .filter((call) => signalFunctions.has(nameParts(call.funcname).at(-1)?.toLowerCase() ?? ''));
  const call = calls[0];
  if (!call) return undefined;
  const fn = nameParts(call.funcname).at(-1)!.toLowerCase() as BackendSignalFunction;
  // Several calls in one statement name several backends: there is no single one to check.
  if (calls.length > 1) return { fn };
  const [first] = call.args ?? [];
  const pid = integerConstant(first) ?? (isColumn(first, 'pid') ? pidInWhere(statement.node.whereClause) : undefined);
  return pid === undefined ? { fn } : { fn, pid };
}

/** Index names a DROP INDEX statement removes, as written. */
export function droppedIndexNames(statement: ScriptStatement): string[] {
  if (statement.nodeType !== 'DropStmt' || statement.node.removeType !== 'OBJECT_INDEX') return [];
  return ((statement.node.objects as unknown[] | undefined) ?? []).map((o) => nameParts((o as { List?: { items?: unknown } }).List?.items).join('.'));
}

/** Tables a plain VACUUM names (not VACUUM FULL, which rewrites and is described by its lock). */
export function vacuumedTables(statement: ScriptStatement): string[] {
  if (statement.nodeType !== 'VacuumStmt' || !statement.node.is_vacuumcmd) return [];
  return ((statement.node.rels as { VacuumRelation: { relation?: unknown } }[] | undefined) ?? [])
    .map((r) => relationName(r.VacuumRelation.relation))
    .filter((r): r is string => r !== undefined);
}

/** One sentence on what the statement does to sessions or data, for guarded actions; undefined for the rest. */
export function statementEffect(statement: ScriptStatement): string | undefined {
  const signal = backendSignal(statement);
  if (signal) {
    const who = signal.pid !== undefined ? `backend ${signal.pid}` : 'every backend the query selects';
    return signal.fn === 'pg_terminate_backend'
      ? `Terminates ${who}: its open transaction is rolled back, its locks are released and its client is disconnected (the application must reconnect).`
      : `Cancels the query ${who} is running: that query fails with an error and its transaction is aborted; the session stays connected. It has no effect on a session that is idle in transaction.`;
  }
  const dropped = droppedIndexNames(statement);
  if (dropped.length > 0 && statement.node.concurrent) {
    return `Drops ${dropped.join(', ')} without blocking reads or writes (it waits for transactions using the table to finish); queries that used it are planned without it.`;
  }
  const vacuumed = vacuumedTables(statement);
  if (vacuumed.length > 0) {
    return `Removes dead row versions from ${vacuumed.join(', ')}${JSON.stringify(statement.node.options ?? []).includes('"analyze"') ? ' and refreshes its planner statistics' : ''}; reads and writes continue, but it reads the whole table (I/O on a big table).`;
  }
  return undefined;
}
