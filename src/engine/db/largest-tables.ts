/**
 * Largest tables by total size (heap + indexes + TOAST), with row estimates: what fills the disk.
 */
import type { TargetDatabase } from './target-database.js';

export interface TableSize {
  schema: string;
  table: string;
  totalBytes: number;
  tableBytes: number;
  indexBytes: number;
  toastBytes: number;
  /** Planner estimate (pg_class.reltuples); null when the table was never analysed or vacuumed. */
  rowEstimate: number | null;
}

interface TableSizeRow {
  schema: string;
  table: string;
  total_bytes: string;
  table_bytes: string;
  index_bytes: string;
  toast_bytes: string;
  reltuples: number;
}

// reltuples is -1 for never-analysed tables on PostgreSQL 14+, 0 before; both mean "unknown".
const largestTablesSql = `
select n.nspname as schema, c.relname as table,
       pg_total_relation_size(c.oid)::text as total_bytes,
       pg_relation_size(c.oid)::text as table_bytes,
       pg_indexes_size(c.oid)::text as index_bytes,
       coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)::text as toast_bytes,
       c.reltuples::float8 as reltuples
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'm', 'p')
  and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg_toast%'
  and n.nspname not like 'pg_temp%'
order by pg_total_relation_size(c.oid) desc, n.nspname, c.relname
limit $1`;

export async function readLargestTables(target: TargetDatabase, limit = 10, signal?: AbortSignal): Promise<TableSize[]> {
  const { rows } = await target.query<TableSizeRow>(largestTablesSql, [limit], signal ? { signal } : {});
  return rows.map((row) => ({
    schema: row.schema,
    table: row.table,
    totalBytes: Number(row.total_bytes),
    tableBytes: Number(row.table_bytes),
    indexBytes: Number(row.index_bytes),
    toastBytes: Number(row.toast_bytes),
    rowEstimate: row.reltuples > 0 ? Math.round(row.reltuples) : null,
  }));
}
