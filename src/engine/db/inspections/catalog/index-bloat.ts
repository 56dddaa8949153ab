/**
 * B-tree index bloat estimate (ioguix "btree_bloat" query): expected leaf pages = rows * estimated
 * index tuple width (pg_stats avg_width of the key columns, tuple header, alignment) / usable page
 * space at the index fillfactor (90 by default). Only B-trees of at least `minPages` pages; indexes
 * on columns without statistics (or on expressions without stats) are marked not applicable.
 */
import type { CatalogReader } from './catalog-reader.js';
import { toEstimate, type BloatEstimate, type BloatRow } from './table-bloat.js';
import { userSchemaFilter } from './user-relations.js';

const indexBloatSql = `
select idxoid::text as oid, (bs * relpages)::text as real_bytes,
       (greatest(relpages - est_pages_ff, 0) * bs)::text as bloat_bytes,
       case when relpages > 0 then greatest(relpages - est_pages_ff, 0) / relpages::float8 else 0 end as bloat_ratio,
       is_na
from (
  select coalesce(1 + ceil(reltuples / floor((bs - pageopqdata - pagehdr) * fillfactor / (100 * (4 + nulldatahdrwidth)::float8))), 0) as est_pages_ff,
         bs, relpages, idxoid, is_na
  from (
    select bs, reltuples, relpages, idxoid, fillfactor, pagehdr, pageopqdata, is_na,
           (index_tuple_hdr_bm + maxalign
             - case when index_tuple_hdr_bm % maxalign = 0 then maxalign else index_tuple_hdr_bm % maxalign end
             + nulldatawidth + maxalign
             - case when nulldatawidth = 0 then 0
                    when nulldatawidth::integer % maxalign = 0 then maxalign
                    else nulldatawidth::integer % maxalign end)::numeric as nulldatahdrwidth
    from (
      select i.reltuples, i.relpages, i.idxoid, i.fillfactor,
             current_setting('block_size')::numeric as bs,
             case when version() ~ 'mingw32|64-bit|x86_64|ppc64|ia64|amd64|aarch64' then 8 else 4 end as maxalign,
             24 as pagehdr, 16 as pageopqdata,
             case when max(coalesce(s.null_frac, 0)) = 0 then 8 else 8 + ((32 + 8 - 1) / 8) end as index_tuple_hdr_bm,
             sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 1024)) as nulldatawidth,
             bool_or(i.atttypid = 'pg_catalog.name'::regtype) or count(*) <> count(s.attname) as is_na
      from (
        select ic.reltuples, ic.relpages, ic.idxoid, ic.fillfactor, ct.relnamespace,
               coalesce(a1.atttypid, a2.atttypid) as atttypid,
               coalesce(a1.attname, a2.attname) as attname,
               case when a1.attnum is null then ic.idxname else ct.relname end as attrelname
        from (
          select ci.relname as idxname, ci.reltuples, ci.relpages, x.indrelid as tbloid, x.indexrelid as idxoid,
                 coalesce(substring(array_to_string(ci.reloptions, ' ') from 'fillfactor=([0-9]+)')::smallint, 90) as fillfactor,
                 string_to_array(x.indkey::text, ' ')::int[] as indkey,
                 generate_series(1, x.indnatts) as attpos
          from pg_index x
          join pg_class ci on ci.oid = x.indexrelid
          join pg_namespace ns on ns.oid = ci.relnamespace
          where ci.relam = (select oid from pg_am where amname = 'btree') and ci.relpages >= $1
            and ci.reltuples > 0 and ${userSchemaFilter('ns')}
        ) ic
        join pg_class ct on ct.oid = ic.tbloid
        left join pg_attribute a1 on ic.indkey[ic.attpos] <> 0 and a1.attrelid = ic.tbloid and a1.attnum = ic.indkey[ic.attpos]
        left join pg_attribute a2 on ic.indkey[ic.attpos] = 0 and a2.attrelid = ic.idxoid and a2.attnum = ic.attpos
      ) i
      join pg_namespace n on n.oid = i.relnamespace
      left join pg_stats s on s.schemaname = n.nspname and s.tablename = i.attrelname and s.attname = i.attname
      group by 1, 2, 3, 4, 5, 6, 7, 8
    ) rows_data_stats
  ) rows_hdr_pdg_stats
) relation_stats`;

export async function readIndexBloat(reader: CatalogReader, minPages: number): Promise<Map<number, BloatEstimate>> {
  const rows = await reader.rows<BloatRow>(indexBloatSql, [Math.max(1, Math.floor(minPages))]);
  return new Map(rows.map((row) => [Number(row.oid), toEstimate(row)]));
}
