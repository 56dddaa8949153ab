/**
 * What a query asks of each table, read from the parse tree: columns compared for equality
 * (with their constant when there is one), ranges, join keys, ORDER BY / GROUP BY columns and
 * every column referenced. Index candidates are built from this.
 */
import { listItems } from '../plan/parameter-samples.js';
import { columnRefName, resolveColumn, tablesOf, unwrapCast, type TableRef } from '../plan/query-tables.js';
import { walk } from '../plan/sql-statement.js';

export interface TablePredicates {
  table: TableRef;
  /** Equality columns; the value is the SQL literal when compared with one constant (for partial indexes). */
  equality: Map<string, string | undefined>;
  ranges: Set<string>;
  joinKeys: Set<string>;
  /** ORDER BY columns of this table, in order (only when the whole ORDER BY is on this table). */
  orderBy: { column: string; descending: boolean }[];
  groupBy: string[];
  referenced: Set<string>;
  selectStar: boolean;
}

type Json = Record<string, unknown>;
export type ColumnsOf = (table: TableRef) => string[] | undefined;

const rangeOps = new Set(['<', '>', '<=', '>=']);

/** Per-table predicates of one parsed statement. */
export function queryPredicates(tree: unknown, columnsOf: ColumnsOf): TablePredicates[] {
  const tables = dedupe(tablesOf(tree));
  const byAlias = new Map<string, TablePredicates>();
  for (const table of tables) {
    byAlias.set(table.alias, {
      table, equality: new Map(), ranges: new Set(), joinKeys: new Set(), orderBy: [], groupBy: [], referenced: new Set(), selectStar: false,
    });
  }
  const owner = (node: unknown): { preds: TablePredicates; column: string } | undefined => {
    const ref = columnRefName(unwrapCast(node));
    if (!ref) return undefined;
    const table = resolveColumn(ref, tables, columnsOf);
    const preds = table ? byAlias.get(table.alias) : undefined;
    return preds ? { preds, column: ref.column } : undefined;
  };

  walk(tree, (key, value) => {
    if (key === 'ColumnRef') {
      const fields = (value as { fields?: Json[] }).fields ?? [];
      if (fields.some((f) => 'A_Star' in f)) {
        const qualifier = (fields[0]?.String as { sval?: string } | undefined)?.sval;
        for (const preds of byAlias.values()) if (!qualifier || preds.table.alias === qualifier) preds.selectStar = true;
        return;
      }
      const resolved = owner({ ColumnRef: value });
      resolved?.preds.referenced.add(resolved.column);
    }
    if (key === 'whereClause' || key === 'quals') conditions(value).forEach((c) => addCondition(c, owner));
    if (key === 'SelectStmt') {
      const select = value as { sortClause?: Json[]; groupClause?: unknown[] };
      const sorts = (select.sortClause ?? []).map((s) => s.SortBy as { node?: unknown; sortby_dir?: string });
      const sortOwners = sorts.map((s) => owner(s.node));
      if (sortOwners.length > 0 && sortOwners.every((o) => o && o.preds === sortOwners[0]!.preds)) {
        sortOwners[0]!.preds.orderBy = sortOwners.map((o, i) => ({ column: o!.column, descending: sorts[i]!.sortby_dir === 'SORTBY_DESC' }));
      }
      const groupOwners = (select.groupClause ?? []).map(owner);
      if (groupOwners.length > 0 && groupOwners.every((o) => o && o.preds === groupOwners[0]!.preds)) {
        groupOwners[0]!.preds.groupBy = groupOwners.map((o) => o!.column);
      }
    }
  });
  return [...byAlias.values()];
}

/** The AND-ed conditions of a WHERE or ON clause (OR branches are left out: they need other plans). */
function conditions(node: unknown): unknown[] {
  const bool = (node as { BoolExpr?: { boolop?: string; args?: unknown[] } } | undefined)?.BoolExpr;
  if (bool) return bool.boolop === 'AND_EXPR' ? (bool.args ?? []).flatMap(conditions) : [];
  return [node];
}

function addCondition(condition: unknown, owner: (node: unknown) => { preds: TablePredicates; column: string } | undefined): void {
  const c = condition as Json;
  if ('NullTest' in c) {
    const test = c.NullTest as { arg?: unknown; nulltesttype?: string };
    const o = owner(test.arg);
    if (o && test.nulltesttype === 'IS_NULL') o.preds.equality.set(o.column, 'NULL');
    return;
  }
  const expr = c.A_Expr as { kind?: string; name?: Json[]; lexpr?: unknown; rexpr?: unknown } | undefined;
  if (!expr) return;
  const op = (expr.name?.[expr.name.length - 1]?.String as { sval?: string } | undefined)?.sval ?? '';
  const left = owner(expr.lexpr);
  const right = owner(expr.rexpr);
  if (expr.kind === 'AEXPR_IN' && left && op === '=') {
    const items = listItems(expr.rexpr) ?? [];
    left.preds.equality.set(left.column, items.length === 1 ? literal(items[0]) : undefined);
    return;
  }
  if (expr.kind === 'AEXPR_BETWEEN' && left) {
    left.preds.ranges.add(left.column);
    return;
  }
  if (expr.kind !== 'AEXPR_OP') return;
  if (left && right) {
    if (op === '=' && left.preds !== right.preds) {
      left.preds.joinKeys.add(left.column);
      right.preds.joinKeys.add(right.column);
    }
    return;
  }
  const column = left ?? right;
  const other = left ? expr.rexpr : expr.lexpr;
  if (!column || !isValue(other)) return;
  if (op === '=') column.preds.equality.set(column.column, literal(other));
  else if (rangeOps.has(op)) column.preds.ranges.add(column.column);
}

// A value the index can be probed with: constants, parameters, and expressions of them (now(), $1::date).
function isValue(node: unknown): boolean {
  let hasColumn = false;
  walk(node, (key) => {
    if (key === 'ColumnRef' || key === 'SubLink') hasColumn = true;
  });
  return node !== undefined && !hasColumn;
}

/** SQL text of a constant, for a partial index predicate; undefined for anything else. */
export function literal(node: unknown): string | undefined {
  const constant = (unwrapCast(node) as { A_Const?: Json } | undefined)?.A_Const;
  if (!constant) return undefined;
  if (constant.sval) return `'${String((constant.sval as { sval?: string }).sval ?? '').replace(/'/g, "''")}'`;
  if (constant.ival) return String((constant.ival as { ival?: number }).ival ?? 0);
  if (constant.fval) return String((constant.fval as { fval?: string }).fval);
  if (constant.boolval) return (constant.boolval as { boolval?: boolean }).boolval ? 'true' : 'false';
  if (constant.isnull) return 'NULL';
  return undefined;
}

function dedupe(tables: TableRef[]): TableRef[] {
  const seen = new Map<string, TableRef>();
  for (const t of tables) if (!seen.has(t.alias)) seen.set(t.alias, t);
  return [...seen.values()];
}
