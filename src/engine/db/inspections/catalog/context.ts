/** Who we are connected as and what the server is: decides which checks can run and which SQL to use. */
import type { CatalogReader } from './catalog-reader.js';

export interface ServerContext {
  versionNum: number;
  database: string;
  role: string;
  superuser: boolean;
  /** Member of pg_read_all_stats (directly, through pg_monitor, or as superuser). */
  readAllStats: boolean;
  inRecovery: boolean;
  /** Seconds the statistics cover (since pg_stat_database.stats_reset, else since server start). */
  statsAgeSeconds: number;
  statsResetAt: string | null;
  blocksHit: number;
  blocksRead: number;
  tableBlocksHit: number;
  tableBlocksRead: number;
  indexBlocksHit: number;
  indexBlocksRead: number;
  tempFiles: number;
  tempBytes: number;
  checkpointsTimed: number | null;
  checkpointsRequested: number | null;
  /** Schema of the pg_stat_statements extension in this database, null when not installed. */
  statStatementsSchema: string | null;
  statStatementsVersion: string | null;
}

interface ContextRow {
  database: string;
  role: string;
  superuser: boolean | null;
  read_all_stats: boolean;
  in_recovery: boolean;
  stats_age_seconds: number | null;
  stats_reset: Date | null;
  blks_hit: string | null;
  blks_read: string | null;
  heap_hit: string | null;
  heap_read: string | null;
  idx_hit: string | null;
  idx_read: string | null;
  temp_files: string | null;
  temp_bytes: string | null;
  checkpoints_timed: string | null;
  checkpoints_requested: string | null;
  pgss_schema: string | null;
  pgss_version: string | null;
}

// PostgreSQL 17 moved checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer.
function checkpointColumns(versionNum: number): string {
  return versionNum >= 170000
    ? `(select num_timed from pg_stat_checkpointer)::text as checkpoints_timed,
       (select num_requested from pg_stat_checkpointer)::text as checkpoints_requested`
    : `(select checkpoints_timed from pg_stat_bgwriter)::text as checkpoints_timed,
       (select checkpoints_req from pg_stat_bgwriter)::text as checkpoints_requested`;
}

export async function readServerContext(reader: CatalogReader, versionNum: number): Promise<ServerContext> {
  const sql = `
select current_database() as database, current_user as role,
       (select rolsuper from pg_roles where rolname = current_user) as superuser,
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') as read_all_stats,
       pg_is_in_recovery() as in_recovery,
       extract(epoch from now() - coalesce(d.stats_reset, pg_postmaster_start_time()))::float8 as stats_age_seconds,
       d.stats_reset,
       d.blks_hit::text, d.blks_read::text, d.temp_files::text, d.temp_bytes::text,
       io.heap_hit, io.heap_read, io.idx_hit, io.idx_read,
       ${checkpointColumns(versionNum)},
       (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
         where e.extname = 'pg_stat_statements') as pgss_schema,
       (select e.extversion from pg_extension e where e.extname = 'pg_stat_statements') as pgss_version
from pg_stat_database d,
     -- the functions behind pg_statio_user_tables/indexes, summed directly (the views are slow on huge schemas)
     (select sum(pg_stat_get_blocks_hit(c.oid)) filter (where c.relkind in ('r', 'm', 't'))::text as heap_hit,
             sum(pg_stat_get_blocks_fetched(c.oid) - pg_stat_get_blocks_hit(c.oid)) filter (where c.relkind in ('r', 'm', 't'))::text as heap_read,
             sum(pg_stat_get_blocks_hit(c.oid)) filter (where c.relkind = 'i')::text as idx_hit,
             sum(pg_stat_get_blocks_fetched(c.oid) - pg_stat_get_blocks_hit(c.oid)) filter (where c.relkind = 'i')::text as idx_read
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema')) io
where d.datname = current_database()`;
  const [row] = await reader.rows<ContextRow>(sql);
  if (!row) throw new Error('pg_stat_database has no row for the current database.');
  const num = (value: string | null) => Number(value ?? 0);
  const superuser = row.superuser === true;
  return {
    versionNum,
    database: row.database,
    role: row.role,
    superuser,
    readAllStats: superuser || row.read_all_stats,
    inRecovery: row.in_recovery,
    statsAgeSeconds: row.stats_age_seconds ?? 0,
    statsResetAt: row.stats_reset ? row.stats_reset.toISOString() : null,
    blocksHit: num(row.blks_hit),
    blocksRead: num(row.blks_read),
    tableBlocksHit: num(row.heap_hit),
    tableBlocksRead: num(row.heap_read),
    indexBlocksHit: num(row.idx_hit),
    indexBlocksRead: num(row.idx_read),
    tempFiles: num(row.temp_files),
    tempBytes: num(row.temp_bytes),
    checkpointsTimed: row.checkpoints_timed === null ? null : Number(row.checkpoints_timed),
    checkpointsRequested: row.checkpoints_requested === null ? null : Number(row.checkpoints_requested),
    statStatementsSchema: row.pgss_schema,
    statStatementsVersion: row.pgss_version,
  };
}
