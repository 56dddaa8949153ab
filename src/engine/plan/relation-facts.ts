/**
 * Catalog facts about the tables a plan or query touches: size, statistics freshness and the
 * indexes that exist. Tips use them (stale statistics, functions on indexed columns) and the
 * index advisor uses them to skip what existing indexes already cover.
 */
import type { TargetDatabase } from '../db/target-database.js';

export interface ExistingIndex {
  name: string;
  /** Key columns in order; null for an expression key. */
  keyColumns: (string | null)[];
  includeColumns: string[];
  method: string;
  unique: boolean;
  partial: boolean;
  definition: string;
  sizeBytes: number;
  scans: number;
}

export interface RelationFacts {
  schema: string;
  name: string;
  /** Planner row estimate (pg_class.reltuples); -1 when never analysed (PG14+). */
  reltuples: number;
  sizeBytes: number;
  liveTuples: number;
  modifiedSinceAnalyze: number;
  lastAnalyzed: string | null;
  /** Inserts + updates + deletes since statistics reset: the write load indexes would slow. */
  writes: number;
  columnCount: number;
  columns: { name: string; type: string }[];
  indexes: ExistingIndex[];
}

export interface RelationRef {
  schema?: string;
  name: string;
}

/** Reads facts for the given tables; unqualified names resolve through the search_path. */
export async function readRelationFacts(target: TargetDatabase, relations: RelationRef[], signal?: AbortSignal): Promise<RelationFacts[]> {
  if (relations.length === 0) return [];
  const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
  const names = relations.map((r) => (r.schema ? `${quote(r.schema)}.${quote(r.name)}` : quote(r.name)));
  const { rows } = await target.query<{
    schema: string; name: string; reltuples: number; size_bytes: string; live: string | null; modified: string | null;
    last_analyzed: Date | null; writes: string | null; columns: { name: string; type: string }[] | null; indexes: ExistingIndex[] | null;
  }>(
    `with wanted as (
       select distinct to_regclass(n) as oid from unnest($1::text[]) as n
     )
     select ns.nspname as schema, c.relname as name, c.reltuples::float8 as reltuples,
            pg_relation_size(c.oid)::text as size_bytes,
            s.n_live_tup::text as live, s.n_mod_since_analyze::text as modified,
            greatest(s.last_analyze, s.last_autoanalyze) as last_analyzed,
            (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::text as writes,
            (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
               from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
            (select json_agg(json_build_object(
                 'name', ic.relname,
                 'keyColumns', (select json_agg(case when k.attnum = 0 then null else (select attname from pg_attribute where attrelid = i.indrelid and attnum = k.attnum) end order by k.pos)
                                  from unnest(i.indkey::int2[]) with ordinality as k(attnum, pos) where k.pos <= i.indnkeyatts),
                 'includeColumns', coalesce((select json_agg((select attname from pg_attribute where attrelid = i.indrelid and attnum = k.attnum) order by k.pos)
                                  from unnest(i.indkey::int2[]) with ordinality as k(attnum, pos) where k.pos > i.indnkeyatts), '[]'::json),
                 'method', am.amname,
                 'unique', i.indisunique,
                 'partial', i.indpred is not null,
                 'definition', pg_get_indexdef(i.indexrelid),
                 'sizeBytes', pg_relation_size(i.indexrelid),
                 'scans', coalesce(si.idx_scan, 0)) order by ic.relname)
               from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam
               left join pg_stat_user_indexes si on si.indexrelid = i.indexrelid
              where i.indrelid = c.oid) as indexes
       from wanted w join pg_class c on c.oid = w.oid join pg_namespace ns on ns.oid = c.relnamespace
       left join pg_stat_user_tables s on s.relid = c.oid
      where c.relkind in ('r', 'p', 'm')`,
    [names],
    { signal },
  );
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    reltuples: Number(r.reltuples),
    sizeBytes: Number(r.size_bytes),
    liveTuples: Number(r.live ?? 0),
    modifiedSinceAnalyze: Number(r.modified ?? 0),
    lastAnalyzed: r.last_analyzed ? r.last_analyzed.toISOString() : null,
    writes: Number(r.writes ?? 0),
    columnCount: r.columns?.length ?? 0,
    columns: r.columns ?? [],
    indexes: (r.indexes ?? []).map((i) => ({ ...i, sizeBytes: Number(i.sizeBytes), scans: Number(i.scans) })),
  }));
}

// Reserved words that cannot stand as bare identifiers (the common ones in table and column names).
const reserved = new Set(['all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'both', 'case', 'cast', 'check', 'collate', 'column',
  'constraint', 'create', 'default', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant',
  'group', 'having', 'in', 'into', 'is', 'join', 'leading', 'limit', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'primary',
  'references', 'select', 'table', 'then', 'to', 'true', 'union', 'unique', 'user', 'using', 'when', 'where', 'window', 'with']);

/** Quotes an identifier only when PostgreSQL needs it to. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !reserved.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
