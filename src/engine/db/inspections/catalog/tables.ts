/**
 * Every user table with its sizes, activity, vacuum history and freeze ages, in one query.
 * Joins use pre-aggregated constraint/index sets (hash joins), never correlated subqueries, so the
 * query stays linear on 10,000 tables.
 */
import type { CatalogReader } from './catalog-reader.js';
import { exclusivelyLockedRelations, userSchemaFilter } from './user-relations.js';

export interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  kind: 'table' | 'materialized view';
  /** Planner row estimate; null when never analysed or vacuumed. */
  rowEstimate: number | null;
  pages: number;
  totalBytes: number;
  tableBytes: number;
  indexBytes: number;
  toastBytes: number;
  options: string[];
  liveTuples: number;
  deadTuples: number;
  modifiedSinceAnalyze: number;
  seqScans: number;
  seqRowsRead: number;
  indexScans: number;
  lastVacuumAgeSeconds: number | null;
  lastAnalyzeAgeSeconds: number | null;
  lastVacuumAt: string | null;
  lastAnalyzeAt: string | null;
  xidAge: number;
  multixactAge: number;
  hasPrimaryKey: boolean;
  hasUniqueIndex: boolean;
  isPartition: boolean;
  /** An ACCESS EXCLUSIVE lock was held or awaited: sizes are estimates from relpages. */
  locked: boolean;
}

interface TableRow {
  locked: boolean;
  oid: string;
  schema: string;
  name: string;
  relkind: string;
  reltuples: number;
  relpages: number;
  total_bytes: string;
  table_bytes: string;
  index_bytes: string;
  toast_bytes: string;
  reloptions: string[] | null;
  n_live_tup: string | null;
  n_dead_tup: string | null;
  n_mod_since_analyze: string | null;
  seq_scan: string | null;
  seq_tup_read: string | null;
  idx_scan: string | null;
  last_vacuum: Date | null;
  last_analyze: Date | null;
  vacuum_age: number | null;
  analyze_age: number | null;
  xid_age: number;
  mxid_age: number;
  has_pk: boolean;
  has_unique: boolean;
  relispartition: boolean;
}

const tablesSql = `
select c.oid::text, n.nspname as schema, c.relname as name, c.relkind::text,
       c.reltuples::float8 as reltuples, c.relpages::int as relpages,
       case when locked.relation is null then pg_total_relation_size(c.oid) else c.relpages::int8 * current_setting('block_size')::int8 end::text as total_bytes,
       case when locked.relation is null then pg_relation_size(c.oid) else c.relpages::int8 * current_setting('block_size')::int8 end::text as table_bytes,
       case when locked.relation is null then pg_indexes_size(c.oid) else 0 end::text as index_bytes,
       case when c.reltoastrelid = 0 then 0 when locked.relation is null and locked_toast.relation is null
            then pg_total_relation_size(c.reltoastrelid) else coalesce(t.relpages, 0)::int8 * current_setting('block_size')::int8 end::text as toast_bytes,
       locked.relation is not null as locked,
       c.reloptions,
       s.n_live_tup::text, s.n_dead_tup::text, s.n_mod_since_analyze::text,
       s.seq_scan::text, s.seq_tup_read::text, s.idx_scan::text,
       greatest(s.last_vacuum, s.last_autovacuum) as last_vacuum,
       greatest(s.last_analyze, s.last_autoanalyze) as last_analyze,
       extract(epoch from now() - greatest(s.last_vacuum, s.last_autovacuum))::float8 as vacuum_age,
       extract(epoch from now() - greatest(s.last_analyze, s.last_autoanalyze))::float8 as analyze_age,
       greatest(age(c.relfrozenxid), coalesce(age(t.relfrozenxid), 0))::float8 as xid_age,
       greatest(mxid_age(c.relminmxid), coalesce(mxid_age(t.relminmxid), 0))::float8 as mxid_age,
       pk.conrelid is not null as has_pk,
       uq.indrelid is not null as has_unique,
       c.relispartition
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_class t on t.oid = c.reltoastrelid
left join pg_stat_user_tables s on s.relid = c.oid
left join ${exclusivelyLockedRelations} locked on locked.relation = c.oid
left join ${exclusivelyLockedRelations} locked_toast on locked_toast.relation = c.reltoastrelid
left join (select distinct conrelid from pg_constraint where contype = 'p') pk on pk.conrelid = c.oid
left join (select distinct indrelid from pg_index where indisunique and indisvalid and indpred is null) uq on uq.indrelid = c.oid
where c.relkind in ('r', 'm') and ${userSchemaFilter('n')}`;

export async function readTables(reader: CatalogReader): Promise<TableInfo[]> {
  const rows = await reader.rows<TableRow>(tablesSql);
  const num = (value: string | null) => Number(value ?? 0);
  return rows.map((row) => ({
    oid: Number(row.oid),
    schema: row.schema,
    name: row.name,
    kind: row.relkind === 'm' ? 'materialized view' : 'table',
    // reltuples is -1 (PostgreSQL 14+) or 0 with relpages 0 before the first VACUUM/ANALYZE.
    rowEstimate: row.reltuples < 0 || (row.reltuples === 0 && row.relpages === 0) ? null : Math.round(row.reltuples),
    pages: row.relpages,
    totalBytes: num(row.total_bytes),
    tableBytes: num(row.table_bytes),
    indexBytes: num(row.index_bytes),
    toastBytes: num(row.toast_bytes),
    options: row.reloptions ?? [],
    liveTuples: num(row.n_live_tup),
    deadTuples: num(row.n_dead_tup),
    modifiedSinceAnalyze: num(row.n_mod_since_analyze),
    seqScans: num(row.seq_scan),
    seqRowsRead: num(row.seq_tup_read),
    indexScans: num(row.idx_scan),
    lastVacuumAgeSeconds: row.vacuum_age,
    lastAnalyzeAgeSeconds: row.analyze_age,
    lastVacuumAt: row.last_vacuum ? row.last_vacuum.toISOString() : null,
    lastAnalyzeAt: row.last_analyze ? row.last_analyze.toISOString() : null,
    xidAge: row.xid_age,
    multixactAge: row.mxid_age,
    hasPrimaryKey: row.has_pk,
    hasUniqueIndex: row.has_unique,
    isPartition: row.relispartition,
    locked: row.locked,
  }));
}

export function tableRowCount(table: TableInfo): number {
  return Math.max(table.rowEstimate ?? 0, table.liveTuples);
}
