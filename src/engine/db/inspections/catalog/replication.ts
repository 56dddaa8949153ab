/** Replicas (pg_stat_replication) and replication slots in one query; LSN arithmetic only on a primary. */
import type { CatalogReader } from './catalog-reader.js';

export interface ReplicaInfo {
  name: string;
  client: string | null;
  state: string | null;
  syncState: string | null;
  replayLagBytes: number | null;
  replayLagSeconds: number | null;
}

export interface SlotInfo {
  name: string;
  type: string;
  database: string | null;
  active: boolean;
  retainedWalBytes: number | null;
  /** PostgreSQL 13+: reserved, extended, unreserved or lost. */
  walStatus: string | null;
}

interface ReplicationRow {
  replicas: { name: string; client: string | null; state: string | null; sync_state: string | null; lag_bytes: number | null; lag_seconds: number | null }[] | null;
  slots: { name: string; type: string; database: string | null; active: boolean; retained: number | null; wal_status: string | null }[] | null;
}

export async function readReplication(reader: CatalogReader, versionNum: number): Promise<{ replicas: ReplicaInfo[]; slots: SlotInfo[] }> {
  const walStatus = versionNum >= 130000 ? 'wal_status' : 'null::text';
  const sql = `
select (select json_agg(json_build_object(
          'name', application_name, 'client', client_addr::text, 'state', state, 'sync_state', sync_state,
          'lag_bytes', case when pg_is_in_recovery() then null else pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) end,
          'lag_seconds', extract(epoch from replay_lag)))
        from pg_stat_replication) as replicas,
       (select json_agg(json_build_object(
          'name', slot_name, 'type', slot_type, 'database', database, 'active', active,
          'retained', case when pg_is_in_recovery() or restart_lsn is null then null
                           else pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) end,
          'wal_status', ${walStatus}))
        from pg_replication_slots) as slots`;
  const [row] = await reader.rows<ReplicationRow>(sql);
  return {
    replicas: (row?.replicas ?? []).map((r) => ({
      name: r.name,
      client: r.client,
      state: r.state,
      syncState: r.sync_state,
      replayLagBytes: r.lag_bytes === null ? null : Number(r.lag_bytes),
      replayLagSeconds: r.lag_seconds === null ? null : Number(r.lag_seconds),
    })),
    slots: (row?.slots ?? []).map((s) => ({
      name: s.name,
      type: s.type,
      database: s.database,
      active: s.active,
      retainedWalBytes: s.retained === null ? null : Number(s.retained),
      walStatus: s.wal_status,
    })),
  };
}
