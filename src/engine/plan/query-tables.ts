/**
 * Which tables a parsed statement reads and how its column references resolve to them. Shared by
 * parameter sampling, plan tips, the index advisor and rewrite suggestions.
 */
import { walk } from './sql-statement.js';

export interface TableRef {
  schema?: string;
  name: string;
  /** The name the query uses for it (alias, or the table name). */
  alias: string;
}

type Json = Record<string, unknown>;

/** Every table named in FROM/JOIN (CTE names excluded). */
export function tablesOf(tree: unknown): TableRef[] {
  const cteNames = new Set<string>();
  walk(tree, (key, value) => {
    if (key === 'CommonTableExpr') cteNames.add(String((value as Json).ctename));
  });
  const tables: TableRef[] = [];
  walk(tree, (key, value) => {
    // The target of INSERT/UPDATE/DELETE/MERGE is a bare RangeVar under "relation".
    if (key !== 'RangeVar' && !(key === 'relation' && typeof (value as Json | null)?.relname === 'string')) return;
    const rv = value as { relname?: string; schemaname?: string; alias?: { aliasname?: string } };
    if (!rv.relname || (!rv.schemaname && cteNames.has(rv.relname))) return;
    tables.push({ ...(rv.schemaname ? { schema: rv.schemaname } : {}), name: rv.relname, alias: rv.alias?.aliasname ?? rv.relname });
  });
  return tables;
}

/** The column a ColumnRef names: its qualifier (if any) and column name; undefined for `*`. */
export function columnRefName(node: unknown): { qualifier?: string; column: string } | undefined {
  const ref = (node as { ColumnRef?: { fields?: Json[] } } | undefined)?.ColumnRef;
  if (!ref?.fields) return undefined;
  const names = ref.fields.map((f) => (f.String as { sval?: string } | undefined)?.sval);
  if (names.some((n) => n === undefined)) return undefined;
  const column = names[names.length - 1]!;
  const qualifier = names.length >= 2 ? names[names.length - 2] : undefined;
  return qualifier ? { qualifier, column } : { column };
}

/**
 * Resolves a column reference to a table: by qualifier (alias or name), or — unqualified — the
 * one table of the query that has the column (needs `columnsOf`).
 */
export function resolveColumn(
  ref: { qualifier?: string; column: string },
  tables: TableRef[],
  columnsOf?: (table: TableRef) => string[] | undefined,
): TableRef | undefined {
  if (ref.qualifier) return tables.find((t) => t.alias === ref.qualifier) ?? tables.find((t) => t.name === ref.qualifier);
  const distinct = dedupeTables(tables);
  if (distinct.length === 1) return distinct[0];
  if (!columnsOf) return undefined;
  const owners = distinct.filter((t) => columnsOf(t)?.includes(ref.column));
  return owners.length === 1 ? owners[0] : undefined;
}

function dedupeTables(tables: TableRef[]): TableRef[] {
  const seen = new Map<string, TableRef>();
  for (const t of tables) seen.set(t.alias, t);
  return [...seen.values()];
}

/** Strips TypeCast wrappers: `$1::int` and `col::text` look through to the inner node. */
export function unwrapCast(node: unknown): unknown {
  let current = node as Json | undefined;
  while (current && typeof current === 'object' && 'TypeCast' in current) current = (current.TypeCast as Json).arg as Json;
  return current;
}
