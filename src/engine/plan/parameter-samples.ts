/**
 * Sample values for `$n` parameters when the server cannot plan generically (before PG16):
 * each parameter is matched to the column it is compared with, and gets a typical value from
 * pg_stats (most common value, else the middle histogram bound; range ends get the outer bounds),
 * falling back to any non-null value of the column.
 */
import type { TargetDatabase } from '../db/target-database.js';
import { readRelationFacts } from './relation-facts.js';
import { columnRefName, resolveColumn, tablesOf, unwrapCast, type TableRef } from './query-tables.js';
import { ExplainInputError, walk } from './sql-statement.js';

export interface ParameterSample {
  position: number;
  value: string | null;
  /** Where the value came from, for people: "pg_stats most common value of orders.status". */
  source: string;
}

type Role = 'typical' | 'low' | 'high';
interface ParameterUse {
  position: number;
  column: { qualifier?: string; column: string };
  role: Role;
}

type Json = Record<string, unknown>;

const paramNumber = (node: unknown): number | undefined => {
  const inner = unwrapCast(node) as { ParamRef?: { number?: number } } | undefined;
  return inner?.ParamRef?.number;
};

/** IN and BETWEEN right-hand sides: a bare array in older parse trees, `{ List: { items } }` in newer ones. */
export function listItems(node: unknown): unknown[] | undefined {
  if (Array.isArray(node)) return node;
  const items = (node as { List?: { items?: unknown[] } } | undefined)?.List?.items;
  return Array.isArray(items) ? items : undefined;
}

function parameterUses(tree: unknown): ParameterUse[] {
  const uses: ParameterUse[] = [];
  walk(tree, (key, value) => {
    if (key !== 'A_Expr') return;
    const expr = value as { kind?: string; name?: Json[]; lexpr?: unknown; rexpr?: unknown };
    const op = (expr.name?.[expr.name.length - 1]?.String as { sval?: string } | undefined)?.sval ?? '';
    const left = columnRefName(unwrapCast(expr.lexpr));
    const right = columnRefName(unwrapCast(expr.rexpr));
    const roleFor = (forLeftColumn: boolean): Role =>
      op === '>' || op === '>=' ? (forLeftColumn ? 'low' : 'high') : op === '<' || op === '<=' ? (forLeftColumn ? 'high' : 'low') : 'typical';
    const list = listItems(expr.rexpr);
    if (list && left) {
      const between = expr.kind?.startsWith('AEXPR_BETWEEN') || expr.kind?.startsWith('AEXPR_NOT_BETWEEN');
      list.forEach((item, index) => {
        const position = paramNumber(item);
        if (position !== undefined) uses.push({ position, column: left, role: between ? (index === 0 ? 'low' : 'high') : 'typical' });
      });
      return;
    }
    const rightParam = paramNumber(expr.rexpr);
    const leftParam = paramNumber(expr.lexpr);
    if (left && rightParam !== undefined) uses.push({ position: rightParam, column: left, role: roleFor(true) });
    if (right && leftParam !== undefined) uses.push({ position: leftParam, column: right, role: roleFor(false) });
  });
  return uses;
}

/** Picks a value for every parameter 1..count; explains which ones it could not find. */
export async function sampleParameters(
  target: TargetDatabase,
  tree: unknown,
  count: number,
  signal?: AbortSignal,
): Promise<ParameterSample[]> {
  const tables = tablesOf(tree);
  const facts = await readRelationFacts(target, tables, signal);
  const factsOf = (t: TableRef) => facts.find((f) => f.name === t.name && (!t.schema || f.schema === t.schema));
  const uses = parameterUses(tree);
  const samples: ParameterSample[] = [];
  const missing: number[] = [];
  for (let position = 1; position <= count; position += 1) {
    const use = uses.find((u) => u.position === position);
    const table = use ? resolveColumn(use.column, tables, (t) => factsOf(t)?.columns.map((c) => c.name)) : undefined;
    const tableFacts = table ? factsOf(table) : undefined;
    if (!use || !tableFacts) {
      missing.push(position);
      continue;
    }
    const sample = await sampleColumn(target, tableFacts.schema, tableFacts.name, use.column.column, use.role, signal);
    if (sample === undefined) missing.push(position);
    else samples.push({ position, value: sample.value, source: `${sample.source} of ${tableFacts.name}.${use.column.column}` });
  }
  if (missing.length > 0) {
    const list = missing.map((p) => `$${p}`).join(', ');
    throw new ExplainInputError(
      `The query has parameters and this server (before PostgreSQL 16) cannot plan them generically; no sample value was found for ${list}. ` +
        `Give the values with params (e.g. params: ["42", "2024-01-01"]).`,
    );
  }
  return samples;
}

async function sampleColumn(
  target: TargetDatabase,
  schema: string,
  table: string,
  column: string,
  role: Role,
  signal?: AbortSignal,
): Promise<{ value: string; source: string } | undefined> {
  const { rows } = await target.query<{ mcv: string[] | null; hist: string[] | null }>(
    `select most_common_vals::text::text[] as mcv, histogram_bounds::text::text[] as hist
       from pg_stats where schemaname = $1 and tablename = $2 and attname = $3 limit 1`,
    [schema, table, column],
    { signal },
  );
  const stats = rows[0];
  const hist = stats?.hist ?? [];
  if (role !== 'typical' && hist.length > 0) {
    const index = role === 'low' ? Math.floor(hist.length / 4) : Math.floor((hist.length * 3) / 4);
    return { value: hist[index]!, source: `pg_stats histogram bound (${role === 'low' ? 'lower' : 'upper'} quartile)` };
  }
  if (stats?.mcv && stats.mcv.length > 0) return { value: stats.mcv[0]!, source: 'pg_stats most common value' };
  if (hist.length > 0) return { value: hist[Math.floor(hist.length / 2)]!, source: 'pg_stats median histogram bound' };
  const quoted = (n: string) => `"${n.replace(/"/g, '""')}"`;
  const any = await target.query<{ v: string }>(
    `select ${quoted(column)}::text as v from ${quoted(schema)}.${quoted(table)} where ${quoted(column)} is not null limit 1`,
    [],
    { signal },
  );
  return any.rows[0] ? { value: any.rows[0].v, source: 'a stored value' } : undefined;
}
