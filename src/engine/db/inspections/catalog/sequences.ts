/**
 * Sequences with their current value and the columns they feed (OWNED BY / identity, and column
 * defaults calling nextval), in one query; an int4 column fed by a bigint sequence runs out at
 * the column's limit, not the sequence's.
 */
import type { CatalogReader } from './catalog-reader.js';
import { userSchemaFilter } from './user-relations.js';

export interface FedColumn {
  table: string;
  column: string;
  type: string;
}

export interface SequenceInfo {
  schema: string;
  name: string;
  dataType: string;
  /** null when never called, or when the role may not read it (USAGE or SELECT on the sequence). */
  lastValue: number | null;
  readable: boolean;
  minValue: number;
  maxValue: number;
  increment: number;
  cycles: boolean;
  columns: FedColumn[];
}

interface SequenceRow {
  schema: string;
  name: string;
  data_type: string;
  last_value: string | null;
  readable: boolean;
  min_value: string;
  max_value: string;
  increment: string;
  cycles: boolean;
  columns: FedColumn[] | null;
}

const sequencesSql = `
with seqs as (
  select c.oid, n.nspname as schema, c.relname as name, format_type(q.seqtypid, null) as data_type,
         has_sequence_privilege(c.oid, 'SELECT,USAGE') as readable,
         q.seqmin, q.seqmax, q.seqincrement, q.seqcycle
  from pg_sequence q
  join pg_class c on c.oid = q.seqrelid
  join pg_namespace n on n.oid = c.relnamespace
  where ${userSchemaFilter('n')}
),
feeds as (
  select d.objid as seq, d.refobjid as tbl, d.refobjsubid as attnum
  from pg_depend d
  where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
    and d.deptype in ('a', 'i') and d.refobjsubid > 0
  union
  select d.refobjid as seq, ad.adrelid as tbl, ad.adnum as attnum
  from pg_depend d
  join pg_attrdef ad on ad.oid = d.objid
  where d.classid = 'pg_attrdef'::regclass and d.refclassid = 'pg_class'::regclass
)
select s.schema, s.name, s.data_type, s.readable,
       case when s.readable then pg_sequence_last_value(s.oid)::text end as last_value,
       s.seqmin::text as min_value, s.seqmax::text as max_value, s.seqincrement::text as increment, s.seqcycle as cycles,
       (select json_agg(json_build_object('table', format('%I.%I', tn.nspname, tc.relname), 'column', a.attname,
                                          'type', format_type(a.atttypid, a.atttypmod)))
        from feeds f
        join pg_attribute a on a.attrelid = f.tbl and a.attnum = f.attnum
        join pg_class tc on tc.oid = f.tbl
        join pg_namespace tn on tn.oid = tc.relnamespace
        where f.seq = s.oid) as columns
from seqs s`;

export async function readSequences(reader: CatalogReader): Promise<SequenceInfo[]> {
  const rows = await reader.rows<SequenceRow>(sequencesSql);
  return rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    dataType: row.data_type,
    lastValue: row.last_value === null ? null : Number(row.last_value),
    readable: row.readable,
    minValue: Number(row.min_value),
    maxValue: Number(row.max_value),
    increment: Number(row.increment),
    cycles: row.cycles,
    columns: row.columns ?? [],
  }));
}
