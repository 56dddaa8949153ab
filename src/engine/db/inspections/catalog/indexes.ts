/** Every user index with its definition, key, usage and size, in one query. */
import type { CatalogReader } from './catalog-reader.js';
import { exclusivelyLockedRelations, sizeUnknown, userSchemaFilter, type SizePolicy } from './user-relations.js';

export interface IndexInfo {
  oid: number;
  tableOid: number;
  schema: string;
  table: string;
  name: string;
  method: string;
  /**
   * Short description built from the catalog, e.g. "btree (region, created_at) WHERE (active)".
   * pg_get_indexdef costs ~0.1 ms per index, seconds on 20,000, so full definitions are fetched
   * only for the indexes shown (see readIndexDefinitions).
   */
  shape: string;
  /** Key then INCLUDE column names; null for expression positions. */
  columnNames: (string | null)[];
  /** CREATE INDEX statement, when fetched with readIndexDefinitions. */
  definition?: string;
  /** Table column numbers of the key; 0 marks an expression. */
  columns: number[];
  /** Key column count (excludes INCLUDE columns). */
  keyColumnCount: number;
  /** Operator classes of the key, so that text_pattern_ops and plain btree are not "duplicates". */
  operatorClasses: string;
  collations: string;
  options: string;
  expressions: string | null;
  predicate: string | null;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  /** Backs a primary key, unique or exclusion constraint: cannot be dropped alone. */
  backsConstraint: boolean;
  bytes: number;
  scans: number;
  tableRowEstimate: number | null;
}

interface IndexRow {
  oid: string;
  table_oid: string;
  schema: string;
  table: string;
  name: string;
  method: string;
  column_names: (string | null)[] | null;
  indkey: string;
  indnkeyatts: number;
  indclass: string;
  indcollation: string;
  indoption: string;
  expressions: string | null;
  predicate: string | null;
  indisunique: boolean;
  indisprimary: boolean;
  indisvalid: boolean;
  backs_constraint: boolean;
  bytes: string;
  scans: string | null;
  reltuples: number;
}

// indnkeyatts (PostgreSQL 11+) separates key columns from INCLUDE columns.
// Sizes as for tables (see tables.ts): exact for large or unknown-size indexes, relpages for the rest.
function indexesSql(policy: SizePolicy): string {
  return `
with exact as (
  select i.oid from pg_index x
  join pg_class i on i.oid = x.indexrelid
  join pg_class t on t.oid = x.indrelid
  join pg_namespace n on n.oid = t.relnamespace
  where ${userSchemaFilter('n')} and (i.relpages >= $1 or ${sizeUnknown('t', policy.versionNum)})
    and not exists (select 1 from ${exclusivelyLockedRelations} l where l.relation = i.oid)
  order by i.relpages desc
  limit $2
),
index_columns as (
  select x.indexrelid, array_agg(a.attname::text order by k.ord) as column_names
  from pg_index x
  join pg_class t on t.oid = x.indrelid
  join pg_namespace n on n.oid = t.relnamespace
  cross join lateral unnest(x.indkey::int2[]) with ordinality k(attnum, ord)
  left join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
  where ${userSchemaFilter('n')}
  group by x.indexrelid
)
select x.indexrelid::text as oid, x.indrelid::text as table_oid, n.nspname as schema, t.relname as table, i.relname as name,
       am.amname as method, ic.column_names,
       x.indkey::text as indkey, x.indnkeyatts::int as indnkeyatts, x.indclass::text as indclass,
       x.indcollation::text as indcollation, x.indoption::text as indoption,
       pg_get_expr(x.indexprs, x.indrelid) as expressions, pg_get_expr(x.indpred, x.indrelid) as predicate,
       x.indisunique, x.indisprimary, x.indisvalid,
       con.conindid is not null as backs_constraint,
       case when e.oid is not null then pg_relation_size(x.indexrelid) else i.relpages::int8 * current_setting('block_size')::int8 end::text as bytes,
       pg_stat_get_numscans(x.indexrelid)::text as scans,
       t.reltuples::float8 as reltuples
from pg_index x
join pg_class i on i.oid = x.indexrelid
join pg_class t on t.oid = x.indrelid
join pg_namespace n on n.oid = t.relnamespace
join pg_am am on am.oid = i.relam
left join exact e on e.oid = x.indexrelid
left join index_columns ic on ic.indexrelid = x.indexrelid
left join (select distinct conindid from pg_constraint where contype in ('p', 'u', 'x')) con on con.conindid = x.indexrelid
where t.relkind in ('r', 'm') and ${userSchemaFilter('n')}`;
}

export async function readIndexes(reader: CatalogReader, policy: SizePolicy): Promise<IndexInfo[]> {
  const rows = await reader.rows<IndexRow>(indexesSql(policy), [policy.exactMinPages, policy.exactMaxRelations]);
  return rows.map((row) => ({
    oid: Number(row.oid),
    tableOid: Number(row.table_oid),
    schema: row.schema,
    table: row.table,
    name: row.name,
    method: row.method,
    shape: indexShape(row),
    columnNames: row.column_names ?? [],
    columns: row.indkey.split(' ').filter((v) => v !== '').map(Number),
    keyColumnCount: row.indnkeyatts,
    operatorClasses: row.indclass,
    collations: row.indcollation,
    options: row.indoption,
    expressions: row.expressions,
    predicate: row.predicate,
    unique: row.indisunique,
    primary: row.indisprimary,
    valid: row.indisvalid,
    backsConstraint: row.backs_constraint,
    bytes: Number(row.bytes),
    scans: Number(row.scans ?? 0),
    tableRowEstimate: row.reltuples < 0 ? null : row.reltuples,
  }));
}

function indexShape(row: IndexRow): string {
  const expressions = splitExpressions(row.expressions);
  const names = (row.column_names ?? []).map((name) => name ?? expressions.shift() ?? '(expression)');
  const key = names.slice(0, row.indnkeyatts).join(', ');
  const include = names.slice(row.indnkeyatts);
  return `${row.indisunique ? 'unique ' : ''}${row.method} (${key})${include.length > 0 ? ` INCLUDE (${include.join(', ')})` : ''}${row.predicate ? ` WHERE ${row.predicate}` : ''}`;
}

/** pg_get_expr joins several index expressions with ", "; split at top-level commas only. */
function splitExpressions(text: string | null): string[] {
  if (!text) return [];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** Full CREATE INDEX statements for a few indexes (one query). */
export async function readIndexDefinitions(reader: CatalogReader, oids: number[]): Promise<Map<number, string>> {
  if (oids.length === 0) return new Map();
  const rows = await reader.rows<{ oid: string; definition: string }>(
    'select indexrelid::text as oid, pg_get_indexdef(indexrelid) as definition from pg_index where indexrelid = any($1::oid[])',
    [oids],
  );
  return new Map(rows.map((r) => [Number(r.oid), r.definition]));
}
