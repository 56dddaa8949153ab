/** Sessions from pg_stat_activity, with who blocks whom (pg_blocking_pids only for lock waiters). */
import type { CatalogReader } from './catalog-reader.js';

export interface SessionInfo {
  pid: number;
  user: string | null;
  database: string | null;
  application: string | null;
  client: string | null;
  backendType: string | null;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  querySeconds: number | null;
  transactionSeconds: number | null;
  stateSeconds: number | null;
  query: string | null;
  blockedBy: number[];
}

interface SessionRow {
  pid: number;
  usename: string | null;
  datname: string | null;
  application_name: string | null;
  client_addr: string | null;
  backend_type: string | null;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  query_seconds: number | null;
  xact_seconds: number | null;
  state_seconds: number | null;
  query: string | null;
  blocked_by: number[] | null;
}

const activitySql = `
select pid, usename::text, datname::text, application_name, client_addr::text, backend_type, state,
       wait_event_type, wait_event,
       extract(epoch from now() - query_start)::float8 as query_seconds,
       extract(epoch from now() - xact_start)::float8 as xact_seconds,
       extract(epoch from now() - state_change)::float8 as state_seconds,
       left(query, 1000) as query,
       case when wait_event_type = 'Lock' then pg_blocking_pids(pid) end as blocked_by
from pg_stat_activity
where pid <> pg_backend_pid()`;

export async function readSessions(reader: CatalogReader): Promise<SessionInfo[]> {
  const rows = await reader.rows<SessionRow>(activitySql);
  return rows.map((row) => ({
    pid: row.pid,
    user: row.usename,
    database: row.datname,
    application: row.application_name,
    client: row.client_addr,
    backendType: row.backend_type,
    state: row.state,
    waitEventType: row.wait_event_type,
    waitEvent: row.wait_event,
    querySeconds: row.query_seconds,
    transactionSeconds: row.xact_seconds,
    stateSeconds: row.state_seconds,
    query: row.query,
    blockedBy: row.blocked_by ?? [],
  }));
}
