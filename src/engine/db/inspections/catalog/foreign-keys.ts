/** Foreign keys with their referencing column numbers and names, in one query. */
import type { CatalogReader } from './catalog-reader.js';
import { userSchemaFilter } from './user-relations.js';

export interface ForeignKeyInfo {
  name: string;
  tableOid: number;
  schema: string;
  table: string;
  columns: number[];
  columnNames: string[];
  referencedTable: string;
  tableRowEstimate: number | null;
}

interface ForeignKeyRow {
  name: string;
  table_oid: string;
  schema: string;
  table: string;
  conkey: number[];
  column_names: string[];
  referenced: string;
  reltuples: number;
}

const foreignKeysSql = `
select c.conname as name, c.conrelid::text as table_oid, n.nspname as schema, t.relname as table,
       c.conkey::int[] as conkey,
       array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, ord)
             join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.ord) as column_names,
       (select format('%I.%I', rn.nspname, r.relname) from pg_class r join pg_namespace rn on rn.oid = r.relnamespace where r.oid = c.confrelid) as referenced,
       t.reltuples::float8 as reltuples
from pg_constraint c
join pg_class t on t.oid = c.conrelid
join pg_namespace n on n.oid = t.relnamespace
where c.contype = 'f' and t.relkind = 'r' and ${userSchemaFilter('n')}`;

export async function readForeignKeys(reader: CatalogReader): Promise<ForeignKeyInfo[]> {
  const rows = await reader.rows<ForeignKeyRow>(foreignKeysSql);
  return rows.map((row) => ({
    name: row.name,
    tableOid: Number(row.table_oid),
    schema: row.schema,
    table: row.table,
    columns: row.conkey,
    columnNames: row.column_names,
    referencedTable: row.referenced,
    tableRowEstimate: row.reltuples < 0 ? null : row.reltuples,
  }));
}
