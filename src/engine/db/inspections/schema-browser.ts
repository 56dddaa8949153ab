/**
 * Schema browser: schemas, a table's full description, views, functions, and search by name.
 * Each call is one or two catalog queries whatever the schema size.
 */
import type { TargetDatabase } from '../target-database.js';
import { userSchemaFilter } from './catalog/user-relations.js';

export interface SchemaSummary {
  name: string;
  owner: string;
  tables: number;
  views: number;
  functions: number;
  totalBytes: number;
}

export interface ColumnDescription {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  comment: string | null;
}

export interface ConstraintDescription {
  name: string;
  type: 'primary key' | 'unique' | 'foreign key' | 'check' | 'exclusion' | 'not null' | 'trigger' | string;
  definition: string;
}

export interface IndexDescription {
  name: string;
  definition: string;
  bytes: number;
  scans: number;
  valid: boolean;
  unique: boolean;
  primary: boolean;
}

export interface TableDescription {
  schema: string;
  name: string;
  kind: string;
  comment: string | null;
  rowEstimate: number | null;
  totalBytes: number;
  tableBytes: number;
  indexBytes: number;
  toastBytes: number;
  liveTuples: number | null;
  deadTuples: number | null;
  seqScans: number | null;
  indexScans: number | null;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
  columns: ColumnDescription[];
  constraints: ConstraintDescription[];
  indexes: IndexDescription[];
}

export interface FoundObject {
  schema: string;
  name: string;
  kind: string;
  /** For indexes the table, for functions the argument list. */
  detail: string | null;
}

export interface ViewSummary {
  schema: string;
  name: string;
  materialized: boolean;
  definition: string;
}

export interface FunctionSummary {
  schema: string;
  name: string;
  arguments: string;
  result: string;
  language: string;
  kind: string;
}

const relkindNames: Record<string, string> = {
  r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view', i: 'index', I: 'partitioned index',
  S: 'sequence', f: 'foreign table', c: 'composite type', t: 'TOAST table',
};

const constraintTypes: Record<string, string> = {
  p: 'primary key', u: 'unique', f: 'foreign key', c: 'check', x: 'exclusion', n: 'not null', t: 'trigger',
};

export async function listSchemas(target: TargetDatabase): Promise<SchemaSummary[]> {
  const { rows } = await target.query<{ name: string; owner: string; tables: number; views: number; functions: number; total_bytes: string }>(`
select n.nspname as name, pg_get_userbyid(n.nspowner) as owner,
       coalesce(r.tables, 0)::int as tables, coalesce(r.views, 0)::int as views, coalesce(f.functions, 0)::int as functions,
       coalesce(r.total_bytes, 0)::text as total_bytes
from pg_namespace n
left join (select relnamespace, count(*) filter (where relkind in ('r', 'p')) as tables,
                  count(*) filter (where relkind in ('v', 'm')) as views,
                  sum(pg_total_relation_size(oid)) filter (where relkind in ('r', 'm')) as total_bytes
           from pg_class group by relnamespace) r on r.relnamespace = n.oid
left join (select pronamespace, count(*) as functions from pg_proc group by pronamespace) f on f.pronamespace = n.oid
where ${userSchemaFilter('n')}
order by n.nspname`);
  return rows.map((r) => ({ name: r.name, owner: r.owner, tables: r.tables, views: r.views, functions: r.functions, totalBytes: Number(r.total_bytes) }));
}

/** Objects whose name contains `text` (case-insensitive), tables first. */
export async function searchObjects(target: TargetDatabase, text: string, limit = 50): Promise<FoundObject[]> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await target.query<FoundObject>(`
select * from (
  select n.nspname as schema, c.relname as name, c.relkind::text as kind,
         case when c.relkind in ('i', 'I') then (select format('%I.%I', tn.nspname, t.relname) from pg_index x join pg_class t on t.oid = x.indrelid join pg_namespace tn on tn.oid = t.relnamespace where x.indexrelid = c.oid) end as detail
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relname ilike $1 and c.relkind in ('r', 'p', 'v', 'm', 'i', 'I', 'S', 'f') and ${userSchemaFilter('n')}
  union all
  select n.nspname, p.proname, 'function', pg_get_function_identity_arguments(p.oid)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.proname ilike $1 and ${userSchemaFilter('n')}
) found
order by case kind when 'r' then 0 when 'p' then 0 when 'v' then 1 when 'm' then 1 when 'function' then 3 else 2 end, schema, name
limit $2`, [pattern, limit]);
  return rows.map((r) => ({ ...r, kind: relkindNames[r.kind] ?? r.kind }));
}

interface DescribeRow {
  schema: string;
  name: string;
  relkind: string;
  comment: string | null;
  reltuples: number;
  relpages: number;
  total_bytes: string;
  table_bytes: string;
  index_bytes: string;
  toast_bytes: string;
  n_live_tup: string | null;
  n_dead_tup: string | null;
  seq_scan: string | null;
  idx_scan: string | null;
  last_vacuum: string | null;
  last_autovacuum: string | null;
  last_analyze: string | null;
  last_autoanalyze: string | null;
  columns: ColumnDescription[] | null;
  constraints: { name: string; type: string; definition: string }[] | null;
  indexes: IndexDescription[] | null;
}

/** Resolves `name` ("orders", "sales.orders", "Sales"."Orders") as PostgreSQL would, then describes it. Null when absent. */
export async function describeTable(target: TargetDatabase, name: string): Promise<TableDescription | null> {
  const { rows } = await target.query<DescribeRow>(`
with rel as (
  select c.* from pg_class c
  where c.oid = coalesce(to_regclass($1),
    (select c2.oid from pg_class c2 join pg_namespace n2 on n2.oid = c2.relnamespace
     where lower(c2.relname) = lower($1) and c2.relkind in ('r', 'p', 'm', 'v', 'f') and ${userSchemaFilter('n2')}
     order by n2.nspname = 'public' desc, n2.nspname limit 1))
    and c.relkind in ('r', 'p', 'm', 'v', 'f')
)
select n.nspname as schema, rel.relname as name, rel.relkind::text as relkind, obj_description(rel.oid, 'pg_class') as comment,
       rel.reltuples::float8 as reltuples, rel.relpages::int as relpages,
       pg_total_relation_size(rel.oid)::text as total_bytes, pg_relation_size(rel.oid)::text as table_bytes,
       pg_indexes_size(rel.oid)::text as index_bytes,
       case when rel.reltoastrelid <> 0 then pg_total_relation_size(rel.reltoastrelid) else 0 end::text as toast_bytes,
       s.n_live_tup::text, s.n_dead_tup::text, s.seq_scan::text, s.idx_scan::text,
       s.last_vacuum::text, s.last_autovacuum::text, s.last_analyze::text, s.last_autoanalyze::text,
       (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                          'nullable', not a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid),
                                          'comment', col_description(rel.oid, a.attnum)) order by a.attnum)
        from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped) as columns,
       (select json_agg(json_build_object('name', co.conname, 'type', co.contype, 'definition', pg_get_constraintdef(co.oid))
                        order by co.contype, co.conname)
        from pg_constraint co where co.conrelid = rel.oid) as constraints,
       (select json_agg(json_build_object('name', i.relname, 'definition', pg_get_indexdef(x.indexrelid),
                                          'bytes', pg_relation_size(x.indexrelid), 'scans', coalesce(si.idx_scan, 0),
                                          'valid', x.indisvalid, 'unique', x.indisunique, 'primary', x.indisprimary)
                        order by i.relname)
        from pg_index x join pg_class i on i.oid = x.indexrelid
        left join pg_stat_all_indexes si on si.indexrelid = x.indexrelid
        where x.indrelid = rel.oid) as indexes
from rel
join pg_namespace n on n.oid = rel.relnamespace
left join pg_stat_all_tables s on s.relid = rel.oid`, [name]);
  const row = rows[0];
  if (!row) return null;
  const maybe = (v: string | null) => (v === null ? null : Number(v));
  return {
    schema: row.schema,
    name: row.name,
    kind: relkindNames[row.relkind] ?? row.relkind,
    comment: row.comment,
    rowEstimate: row.reltuples < 0 || (row.reltuples === 0 && row.relpages === 0) ? null : Math.round(row.reltuples),
    totalBytes: Number(row.total_bytes),
    tableBytes: Number(row.table_bytes),
    indexBytes: Number(row.index_bytes),
    toastBytes: Number(row.toast_bytes),
    liveTuples: maybe(row.n_live_tup),
    deadTuples: maybe(row.n_dead_tup),
    seqScans: maybe(row.seq_scan),
    indexScans: maybe(row.idx_scan),
    lastVacuum: row.last_vacuum,
    lastAutovacuum: row.last_autovacuum,
    lastAnalyze: row.last_analyze,
    lastAutoanalyze: row.last_autoanalyze,
    columns: row.columns ?? [],
    constraints: (row.constraints ?? []).map((c) => ({ ...c, type: constraintTypes[c.type] ?? c.type })),
    indexes: (row.indexes ?? []).map((i) => ({ ...i, bytes: Number(i.bytes), scans: Number(i.scans) })),
  };
}

export async function listViews(target: TargetDatabase, schema?: string): Promise<ViewSummary[]> {
  const { rows } = await target.query<{ schema: string; name: string; relkind: string; definition: string }>(`
select n.nspname as schema, c.relname as name, c.relkind::text as relkind, pg_get_viewdef(c.oid, true) as definition
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'm') and ${userSchemaFilter('n')} and ($1::text is null or n.nspname = $1)
order by 1, 2`, [schema ?? null]);
  return rows.map((r) => ({ schema: r.schema, name: r.name, materialized: r.relkind === 'm', definition: r.definition }));
}

export async function listFunctions(target: TargetDatabase, schema?: string): Promise<FunctionSummary[]> {
  // prokind (PostgreSQL 11+): f function, p procedure, a aggregate, w window.
  const { rows } = await target.query<FunctionSummary>(`
select n.nspname as schema, p.proname as name, pg_get_function_identity_arguments(p.oid) as arguments,
       coalesce(pg_get_function_result(p.oid), '') as result, l.lanname as language,
       case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' when 'w' then 'window' else 'function' end as kind
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
where ${userSchemaFilter('n')} and ($1::text is null or n.nspname = $1)
  and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
order by 1, 2`, [schema ?? null]);
  return rows;
}
