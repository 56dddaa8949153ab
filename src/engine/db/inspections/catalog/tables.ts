/**
 * Every user table with its sizes, activity, vacuum history and freeze ages, in one query.
 * Joins use pre-aggregated constraint/index sets (hash joins), never correlated subqueries, so the
 * query stays linear on 10,000 tables.
 */
import type { CatalogReader } from './catalog-reader.js';
import type { IndexInfo } from './indexes.js';
import { exclusivelyLockedRelations, sizeUnknown, userSchemaFilter, type SizePolicy } from './user-relations.js';

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
  /** False when sizes are relpages estimates (small tables, see tablesSql). */
  exactSize: boolean;
  /** An ACCESS EXCLUSIVE lock was held or awaited: sizes are estimates from relpages. */
  locked: boolean;
}

interface TableRow {
  locked: boolean;
  exact_size: boolean;
  oid: string;
  schema: string;
  name: string;
  relkind: string;
  reltuples: number;
  relpages: number;
  table_bytes: string;
  index_bytes: string | null;
  toast_bytes: string;
  reloptions: string[] | null;
  n_live_tup: string | null;
  n_dead_tup: string | null;
  n_mod_since_analyze: string | null;
  seq_scan: string | null;
  seq_tup_read: string | null;
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

/**
 * Sizes: pg_total_relation_size and friends open each relation, and building the relation cache
 * for 10,000 tables costs seconds in a fresh session. So only tables that are large by
 * pg_class.relpages, or whose size pg_class does not know (never vacuumed/analysed), are measured
 * exactly (up to a cap, largest first); the rest use relpages, as of their last VACUUM/ANALYZE.
 * Tables under an ACCESS EXCLUSIVE lock are never opened (the size call would wait on the lock).
 * Activity counters come from the pg_stat_get_* functions behind pg_stat_user_tables (the view
 * aggregates over every index per table, which is slow on huge schemas); they exist on 12-18.
 */
function tablesSql(policy: SizePolicy): string {
  const bs = `current_setting('block_size')::int8`;
  return `
with locked as ${exclusivelyLockedRelations},
exact as (
  select c.oid from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'm') and ${userSchemaFilter('n')}
    and (c.relpages >= $1 or ${sizeUnknown('c', policy.versionNum)})
    and not exists (select 1 from locked l where l.relation in (c.oid, c.reltoastrelid))
  order by c.relpages desc
  limit $2
)
select c.oid::text, n.nspname as schema, c.relname as name, c.relkind::text,
       c.reltuples::float8 as reltuples, c.relpages::int as relpages,
       e.oid is not null as exact_size,
       case when e.oid is not null then pg_relation_size(c.oid) else c.relpages::int8 * ${bs} end::text as table_bytes,
       case when e.oid is not null then pg_indexes_size(c.oid) end::text as index_bytes,
       case when c.reltoastrelid = 0 then 0 when e.oid is not null then pg_total_relation_size(c.reltoastrelid)
            else (coalesce(t.relpages, 0)::int8 + coalesce(ti.relpages, 0)) * ${bs} end::text as toast_bytes,
       exists (select 1 from locked l where l.relation = c.oid) as locked,
       c.reloptions,
       pg_stat_get_live_tuples(c.oid)::text as n_live_tup, pg_stat_get_dead_tuples(c.oid)::text as n_dead_tup,
       pg_stat_get_mod_since_analyze(c.oid)::text as n_mod_since_analyze,
       pg_stat_get_numscans(c.oid)::text as seq_scan, pg_stat_get_tuples_returned(c.oid)::text as seq_tup_read,
       greatest(pg_stat_get_last_vacuum_time(c.oid), pg_stat_get_last_autovacuum_time(c.oid)) as last_vacuum,
       greatest(pg_stat_get_last_analyze_time(c.oid), pg_stat_get_last_autoanalyze_time(c.oid)) as last_analyze,
       extract(epoch from now() - greatest(pg_stat_get_last_vacuum_time(c.oid), pg_stat_get_last_autovacuum_time(c.oid)))::float8 as vacuum_age,
       extract(epoch from now() - greatest(pg_stat_get_last_analyze_time(c.oid), pg_stat_get_last_autoanalyze_time(c.oid)))::float8 as analyze_age,
       greatest(age(c.relfrozenxid), coalesce(age(t.relfrozenxid), 0))::float8 as xid_age,
       greatest(mxid_age(c.relminmxid), coalesce(mxid_age(t.relminmxid), 0))::float8 as mxid_age,
       pk.conrelid is not null as has_pk,
       uq.indrelid is not null as has_unique,
       c.relispartition
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join exact e on e.oid = c.oid
left join pg_class t on t.oid = c.reltoastrelid
left join pg_index tx on tx.indrelid = c.reltoastrelid
left join pg_class ti on ti.oid = tx.indexrelid
left join (select distinct conrelid from pg_constraint where contype = 'p') pk on pk.conrelid = c.oid
left join (select distinct indrelid from pg_index where indisunique and indisvalid and indpred is null) uq on uq.indrelid = c.oid
where c.relkind in ('r', 'm') and ${userSchemaFilter('n')}`;
}

/**
 * Tables with their index totals (size, scans) summed from the index rows already read, rather
 * than aggregated a second time over every index in SQL.
 */
export async function readTables(reader: CatalogReader, policy: SizePolicy, indexes: Promise<IndexInfo[]>): Promise<TableInfo[]> {
  const [tables, allIndexes] = await Promise.all([readTableRows(reader, policy), indexes]);
  const totals = new Map<number, { bytes: number; scans: number }>();
  for (const index of allIndexes) {
    const total = totals.get(index.tableOid) ?? { bytes: 0, scans: 0 };
    total.bytes += index.bytes;
    total.scans += index.scans;
    totals.set(index.tableOid, total);
  }
  return tables.map((table) => {
    const total = totals.get(table.oid);
    const indexBytes = table.exactSize ? table.indexBytes : total?.bytes ?? 0;
    return { ...table, indexBytes, indexScans: total?.scans ?? 0, totalBytes: table.tableBytes + indexBytes + table.toastBytes };
  });
}

async function readTableRows(reader: CatalogReader, policy: SizePolicy): Promise<TableInfo[]> {
  const rows = await reader.rows<TableRow>(tablesSql(policy), [policy.exactMinPages, policy.exactMaxRelations]);
  const num = (value: string | null) => Number(value ?? 0);
  return rows.map((row) => ({
    oid: Number(row.oid),
    schema: row.schema,
    name: row.name,
    kind: row.relkind === 'm' ? 'materialized view' : 'table',
    // reltuples is -1 (PostgreSQL 14+) or 0 with relpages 0 before the first VACUUM/ANALYZE.
    rowEstimate: row.reltuples < 0 || (row.reltuples === 0 && row.relpages === 0) ? null : Math.round(row.reltuples),
    pages: row.relpages,
    totalBytes: num(row.table_bytes) + num(row.index_bytes) + num(row.toast_bytes),
    exactSize: row.exact_size,
    tableBytes: num(row.table_bytes),
    indexBytes: num(row.index_bytes),
    toastBytes: num(row.toast_bytes),
    options: row.reloptions ?? [],
    liveTuples: num(row.n_live_tup),
    deadTuples: num(row.n_dead_tup),
    modifiedSinceAnalyze: num(row.n_mod_since_analyze),
    seqScans: num(row.seq_scan),
    seqRowsRead: num(row.seq_tup_read),
    indexScans: 0,
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
