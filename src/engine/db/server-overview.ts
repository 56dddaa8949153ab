/**
 * The first thing a DBA asks: which server is this, how big, how busy, is the cache working.
 * One round trip; works on PostgreSQL 12+ and on the embedded PGlite.
 */
import type { TargetDatabase } from './target-database.js';

export interface ServerOverview {
  version: string;
  versionNum: number;
  database: string;
  databaseBytes: number;
  connections: { total: number; active: number; idle: number; idleInTransaction: number; max: number };
  /** Share of block reads served from shared buffers in this database, 0..1; null before any read. */
  cacheHitRatio: number | null;
  /** Same for index blocks. */
  indexCacheHitRatio: number | null;
  statsResetAt: string | null;
  uptimeSeconds: number | null;
}

interface OverviewRow {
  version: string;
  version_num: string;
  database: string;
  database_bytes: string;
  total: number;
  active: number;
  idle: number;
  idle_in_transaction: number;
  max_connections: string;
  blks_hit: string | null;
  blks_read: string | null;
  idx_hit: string | null;
  idx_read: string | null;
  stats_reset: Date | null;
  uptime_seconds: number | null;
}

const overviewSql = `
select current_setting('server_version') as version,
       current_setting('server_version_num') as version_num,
       current_database() as database,
       pg_database_size(current_database())::text as database_bytes,
       (select count(*)::int from pg_stat_activity where backend_type in ('client backend', 'standalone backend')) as total,
       (select count(*)::int from pg_stat_activity where backend_type in ('client backend', 'standalone backend') and state = 'active') as active,
       (select count(*)::int from pg_stat_activity where backend_type in ('client backend', 'standalone backend') and state = 'idle') as idle,
       (select count(*)::int from pg_stat_activity where backend_type in ('client backend', 'standalone backend') and state like 'idle in transaction%') as idle_in_transaction,
       current_setting('max_connections') as max_connections,
       d.blks_hit::text, d.blks_read::text,
       (select sum(idx_blks_hit)::text from pg_statio_user_indexes) as idx_hit,
       (select sum(idx_blks_read)::text from pg_statio_user_indexes) as idx_read,
       d.stats_reset,
       extract(epoch from now() - pg_postmaster_start_time())::float8 as uptime_seconds
from pg_stat_database d
where d.datname = current_database()`;

function ratio(hit: string | null, read: string | null): number | null {
  const h = Number(hit ?? 0);
  const r = Number(read ?? 0);
  return h + r === 0 ? null : h / (h + r);
}

export async function readServerOverview(target: TargetDatabase, signal?: AbortSignal): Promise<ServerOverview> {
  const { rows } = await target.query<OverviewRow>(overviewSql, [], signal ? { signal } : {});
  const row = rows[0];
  if (!row) throw new Error('pg_stat_database has no row for the current database.');
  return {
    version: row.version,
    versionNum: Number(row.version_num),
    database: row.database,
    databaseBytes: Number(row.database_bytes),
    connections: {
      total: row.total,
      active: row.active,
      idle: row.idle,
      idleInTransaction: row.idle_in_transaction,
      max: Number(row.max_connections),
    },
    cacheHitRatio: ratio(row.blks_hit, row.blks_read),
    indexCacheHitRatio: ratio(row.idx_hit, row.idx_read),
    statsResetAt: row.stats_reset ? row.stats_reset.toISOString() : null,
    uptimeSeconds: row.uptime_seconds,
  };
}
