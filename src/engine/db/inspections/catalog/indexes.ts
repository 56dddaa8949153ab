/** Every user index with its definition, key, usage and size, in one query. */
import type { CatalogReader } from './catalog-reader.js';
import { exclusivelyLockedRelations, userSchemaFilter } from './user-relations.js';

export interface IndexInfo {
  oid: number;
  tableOid: number;
  schema: string;
  table: string;
  name: string;
  method: string;
  definition: string;
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
  definition: string;
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
const indexesSql = `
select x.indexrelid::text as oid, x.indrelid::text as table_oid, n.nspname as schema, t.relname as table, i.relname as name,
       am.amname as method, pg_get_indexdef(x.indexrelid) as definition,
       x.indkey::text as indkey, x.indnkeyatts::int as indnkeyatts, x.indclass::text as indclass,
       x.indcollation::text as indcollation, x.indoption::text as indoption,
       pg_get_expr(x.indexprs, x.indrelid) as expressions, pg_get_expr(x.indpred, x.indrelid) as predicate,
       x.indisunique, x.indisprimary, x.indisvalid,
       con.conindid is not null as backs_constraint,
       case when locked.relation is null then pg_relation_size(x.indexrelid) else i.relpages::int8 * current_setting('block_size')::int8 end::text as bytes,
       s.idx_scan::text as scans,
       t.reltuples::float8 as reltuples
from pg_index x
join pg_class i on i.oid = x.indexrelid
join pg_class t on t.oid = x.indrelid
join pg_namespace n on n.oid = t.relnamespace
join pg_am am on am.oid = i.relam
left join pg_stat_user_indexes s on s.indexrelid = x.indexrelid
left join ${exclusivelyLockedRelations} locked on locked.relation = x.indexrelid
left join (select distinct conindid from pg_constraint where contype in ('p', 'u', 'x')) con on con.conindid = x.indexrelid
where t.relkind in ('r', 'm') and ${userSchemaFilter('n')}`;

export async function readIndexes(reader: CatalogReader): Promise<IndexInfo[]> {
  const rows = await reader.rows<IndexRow>(indexesSql);
  return rows.map((row) => ({
    oid: Number(row.oid),
    tableOid: Number(row.table_oid),
    schema: row.schema,
    table: row.table,
    name: row.name,
    method: row.method,
    definition: row.definition,
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
