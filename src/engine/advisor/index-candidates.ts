/**
 * Index candidates from query predicates: equality columns first (most selective first), then
 * one range or the ORDER BY columns; join keys; GROUP BY; partial indexes for constant
 * predicates on low-cardinality columns; INCLUDE columns for index-only scans. Anything an
 * existing index already serves is dropped here.
 */
import type { ExistingIndex, RelationFacts } from '../plan/relation-facts.js';
import { quoteIdent } from '../plan/relation-facts.js';
import type { TablePredicates } from './query-predicates.js';

export interface IndexKey {
  column: string;
  descending?: boolean;
}

export interface IndexCandidate {
  /** Stable identity: same table, keys, include and predicate → same id. */
  id: string;
  schema: string;
  table: string;
  keys: IndexKey[];
  /** How many leading keys are equality columns (their order among themselves does not matter). */
  equalityPrefix: number;
  include: string[];
  /** Partial index predicate (SQL), e.g. "status = 'open'". */
  where?: string;
  /** Why it was proposed, in DBA words. */
  reasons: string[];
}

/** n_distinct per column (positive: distinct values; negative: fraction of rows, as in pg_stats). */
export type DistinctOf = (schema: string, table: string, column: string) => number | undefined;

const maxEqualityColumns = 3;

/** Candidates for one query's per-table predicates. */
export function candidatesFor(predicates: TablePredicates[], facts: RelationFacts[], distinctOf: DistinctOf): IndexCandidate[] {
  const out: IndexCandidate[] = [];
  for (const p of predicates) {
    const f = facts.find((r) => r.name === p.table.name && (!p.table.schema || r.schema === p.table.schema));
    if (!f) continue;
    const distinct = (column: string) => {
      const n = distinctOf(f.schema, f.name, column);
      if (n === undefined) return 100;
      return n < 0 ? -n * Math.max(f.reltuples, 1) : n;
    };
    const bySelectivity = (a: string, b: string) => distinct(b) - distinct(a);
    const lowCardinality = [...p.equality.entries()].filter(([c, v]) => v !== undefined && v !== 'NULL' && distinct(c) <= 20).map(([c, v]) => ({ column: c, value: v! }));
    const eq = [...p.equality.keys()].sort(bySelectivity).slice(0, maxEqualityColumns);
    const range = [...p.ranges].filter((c) => !p.equality.has(c)).sort(bySelectivity)[0];
    const add = (keys: IndexKey[], equalityPrefix: number, reason: string, include: string[] = [], where?: string) => {
      if (keys.length === 0) return;
      out.push(makeCandidate(f, keys, equalityPrefix, include, where, reason));
    };
    const eqKeys = eq.map((column) => ({ column }));
    if (eq.length > 0 || range) {
      const keys = [...eqKeys, ...(range ? [{ column: range }] : [])];
      add(keys, eq.length, `${describe(eq, range)} in ${f.name}`);
      const include = includeColumns(p, f, keys);
      if (include.length > 0) add(keys, eq.length, `covers the columns read, for an index-only scan`, include);
    }
    for (const column of eq) if (eq.length > 1) add([{ column }], 1, `equality on ${column}`);
    if (range && eq.length > 0) add([{ column: range }], 0, `range on ${range}`);
    for (const join of p.joinKeys) {
      if (!p.equality.has(join)) {
        add([{ column: join }], 1, `join key ${f.name}.${join}`);
        if (eq.length > 0) add([...eqKeys, { column: join }], eq.length + 1, `equality on ${eq.join(', ')} then join key ${join}`);
      }
    }
    if (p.orderBy.length > 0) {
      const orderKeys = p.orderBy.filter((o) => !p.equality.has(o.column)).map((o) => ({ column: o.column, descending: o.descending }));
      if (orderKeys.length > 0) add([...eqKeys, ...orderKeys], eq.length, `${eq.length ? `equality on ${eq.join(', ')} then ` : ''}ORDER BY ${orderKeys.map((k) => k.column).join(', ')}`);
    }
    if (p.groupBy.length > 0) add(p.groupBy.map((column) => ({ column })), p.groupBy.length, `GROUP BY ${p.groupBy.join(', ')}`);
    for (const partial of lowCardinality) {
      const rest = eq.filter((c) => c !== partial.column);
      const orderKeys = p.orderBy.filter((o) => !p.equality.has(o.column)).map((o) => ({ column: o.column, descending: o.descending }));
      const keys = rest.length > 0 || range ? [...rest.map((column) => ({ column })), ...(range ? [{ column: range }] : [])] : orderKeys.length > 0 ? orderKeys : [{ column: partial.column }];
      add(keys, rest.length, `partial: only rows with ${partial.column} = ${partial.value} (a few distinct values)`, [], `${quoteIdent(partial.column)} = ${partial.value}`);
    }
  }
  return out;
}

function describe(eq: string[], range: string | undefined): string {
  return [eq.length ? `equality on ${eq.join(', ')}` : '', range ? `range on ${range}` : ''].filter(Boolean).join(' then ');
}

// INCLUDE pays when the query reads only a few more columns than the keys and not the whole row.
function includeColumns(p: TablePredicates, f: RelationFacts, keys: IndexKey[]): string[] {
  if (p.selectStar) return [];
  const keyNames = new Set(keys.map((k) => k.column));
  const extra = [...p.referenced].filter((c) => !keyNames.has(c) && f.columns.some((col) => col.name === c));
  return extra.length > 0 && extra.length <= 3 && extra.length + keyNames.size < f.columnCount ? extra.sort() : [];
}

function makeCandidate(f: RelationFacts, keys: IndexKey[], equalityPrefix: number, include: string[], where: string | undefined, reason: string): IndexCandidate {
  const id = `${f.schema}.${f.name}(${keys.map((k) => `${k.column}${k.descending ? ' desc' : ''}`).join(',')})${include.length ? ` include(${include.join(',')})` : ''}${where ? ` where ${where}` : ''}`;
  return { id, schema: f.schema, table: f.name, keys, equalityPrefix: Math.min(equalityPrefix, keys.length), include, ...(where ? { where } : {}), reasons: [reason] };
}

/** Merges candidates proposed by several queries (same id) and drops those an existing index serves. */
export function mergeCandidates(candidates: IndexCandidate[], facts: RelationFacts[]): IndexCandidate[] {
  const merged = new Map<string, IndexCandidate>();
  for (const c of candidates) {
    const seen = merged.get(c.id);
    if (seen) for (const r of c.reasons) { if (!seen.reasons.includes(r)) seen.reasons.push(r); }
    else merged.set(c.id, { ...c, reasons: [...c.reasons] });
  }
  return [...merged.values()].filter((c) => {
    const f = facts.find((r) => r.schema === c.schema && r.name === c.table);
    return !f || !f.indexes.some((index) => covers(index, c));
  });
}

/**
 * An existing btree index covers a candidate when its leading keys are the candidate's keys
 * (equality columns in any order, then the rest in order and direction), it holds the INCLUDE
 * columns, and it is not partial (or has the same predicate).
 */
export function covers(index: ExistingIndex, c: IndexCandidate): boolean {
  if (index.method !== 'btree') return false;
  if (index.partial && !(c.where && index.definition.includes(`WHERE (${c.where})`))) return false;
  if (index.keyColumns.length < c.keys.length) return false;
  const lead = index.keyColumns.slice(0, c.equalityPrefix);
  const eq = c.keys.slice(0, c.equalityPrefix).map((k) => k.column);
  if (!eq.every((column) => lead.includes(column))) return false;
  for (let i = c.equalityPrefix; i < c.keys.length; i += 1) {
    if (index.keyColumns[i] !== c.keys[i]!.column) return false;
    const descending = new RegExp(`${c.keys[i]!.column}"? DESC`).test(index.definition);
    // A btree reads backwards too: only a mix of directions needs the index to match.
    if (c.keys.some((k) => k.descending) && c.keys.some((k) => !k.descending) && descending !== Boolean(c.keys[i]!.descending)) return false;
  }
  const stored = new Set([...index.keyColumns.filter((k): k is string => k !== null), ...index.includeColumns]);
  return c.include.every((column) => stored.has(column));
}

/** `CREATE INDEX ON schema.table (keys) INCLUDE (…) WHERE …` without a name (hypopg and scripts add theirs). */
export function indexDefinition(c: IndexCandidate, name?: string, concurrently = false): string {
  const keys = c.keys.map((k) => `${quoteIdent(k.column)}${k.descending ? ' DESC' : ''}`).join(', ');
  return [
    `CREATE INDEX${concurrently ? ' CONCURRENTLY' : ''}${name ? ` ${quoteIdent(name)}` : ''} ON ${quoteIdent(c.schema)}.${quoteIdent(c.table)} (${keys})`,
    c.include.length ? ` INCLUDE (${c.include.map(quoteIdent).join(', ')})` : '',
    c.where ? ` WHERE ${c.where}` : '',
  ].join('');
}

/** A readable index name within PostgreSQL's 63 bytes: table_col1_col2_idx. */
export function indexName(c: IndexCandidate): string {
  const base = [c.table, ...c.keys.map((k) => k.column), c.where ? 'partial' : '', c.include.length ? 'incl' : ''].filter(Boolean).join('_').replace(/[^a-zA-Z0-9_]/g, '_');
  return `${base.slice(0, 59)}_idx`.toLowerCase();
}
