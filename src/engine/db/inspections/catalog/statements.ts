/** Top statements from pg_stat_statements (column names changed in PostgreSQL 13). */
import type { TopStatement } from '../types.js';
import type { CatalogReader } from './catalog-reader.js';

interface StatementRow {
  queryid: string | null;
  query: string;
  calls: string;
  total_ms: number;
  mean_ms: number;
  rows: string;
  shared_blks_hit: string;
  shared_blks_read: string;
  temp_blks_written: string;
  total_all: number;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function readTopStatements(
  reader: CatalogReader,
  schema: string,
  versionNum: number,
  limit: number,
): Promise<TopStatement[]> {
  const [total, mean] = versionNum >= 130000 ? ['total_exec_time', 'mean_exec_time'] : ['total_time', 'mean_time'];
  const sql = `
select queryid::text, left(query, 2000) as query, calls::text, ${total}::float8 as total_ms, ${mean}::float8 as mean_ms,
       rows::text, shared_blks_hit::text, shared_blks_read::text, temp_blks_written::text,
       sum(${total}) over ()::float8 as total_all
from ${quoteIdent(schema)}.pg_stat_statements
where dbid = (select oid from pg_database where datname = current_database())
order by ${total} desc
limit $1`;
  const rows = await reader.rows<StatementRow>(sql, [limit]);
  return rows.map((row) => ({
    queryId: row.queryid,
    query: row.query,
    calls: Number(row.calls),
    totalMs: row.total_ms,
    meanMs: row.mean_ms,
    rows: Number(row.rows),
    sharedBlocksHit: Number(row.shared_blks_hit),
    sharedBlocksRead: Number(row.shared_blks_read),
    tempBlocksWritten: Number(row.temp_blks_written),
    shareOfTotal: row.total_all > 0 ? row.total_ms / row.total_all : 0,
  }));
}
