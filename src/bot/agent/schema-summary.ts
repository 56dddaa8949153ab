/**
 * A compact picture of the target for the agent's context: the largest tables with their
 * sizes, row estimates and index names, in a few hundred tokens. Names only — no comments,
 * no data — so table contents cannot smuggle instructions into the prompt.
 */
import type { TargetDatabase } from '../../engine/db/target-database.js';
import { formatBytes, formatCount } from '../../tools/format.js';

interface SummaryRow {
  schema: string;
  name: string;
  kind: string;
  bytes: string;
  rows: string;
  indexes: string | null;
}

const summarySql = `
select n.nspname as schema, c.relname as name, c.relkind as kind,
       pg_total_relation_size(c.oid)::text as bytes, greatest(c.reltuples, -1)::bigint::text as rows,
       (select string_agg(i.relname, ', ' order by i.relname)
          from pg_index x join pg_class i on i.oid = x.indexrelid
         where x.indrelid = c.oid) as indexes
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'm')
   and n.nspname not in ('pg_catalog', 'information_schema')
   and n.nspname !~ '^pg_(toast|temp)'
 order by pg_total_relation_size(c.oid) desc, 1, 2
 limit $1`;

/** One line per relation, largest first; `limit` bounds the prompt size. */
export async function readSchemaSummary(target: TargetDatabase, limit = 30, signal?: AbortSignal): Promise<string> {
  const result = await target.query<SummaryRow>(summarySql, [limit], signal ? { signal } : {});
  if (result.rows.length === 0) return `Database ${target.description.label}: no user tables.`;
  const lines = result.rows.map((row) => {
    const rows = Number(row.rows) < 0 ? 'not analysed' : `~${formatCount(Number(row.rows))} rows`;
    const kind = row.kind === 'm' ? ' (materialized view)' : row.kind === 'p' ? ' (partitioned)' : '';
    return `- ${row.schema}.${row.name}${kind}: ${formatBytes(Number(row.bytes))}, ${rows}; indexes: ${row.indexes ?? 'none'}`;
  });
  return [`Database ${target.description.label}, largest relations:`, ...lines].join('\n');
}
