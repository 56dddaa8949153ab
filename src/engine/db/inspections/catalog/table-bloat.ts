/**
 * Table bloat estimate (ioguix "table_bloat" query, as used by check_pgactivity and pgexperts):
 * expected pages = rows * estimated tuple width (from pg_stats avg_width and null_frac, tuple
 * header, alignment) / usable page space at the table's fillfactor; bloat = actual - expected.
 * Needs ANALYZE statistics for every column; tables missing some are marked not applicable
 * rather than guessed. Only tables of at least `minPages` pages are estimated.
 */
import type { CatalogReader } from './catalog-reader.js';
import { userSchemaFilter } from './user-relations.js';

export interface BloatEstimate {
  oid: number;
  realBytes: number;
  bloatBytes: number;
  bloatRatio: number;
  /** False when statistics were missing and no estimate could be made. */
  applicable: boolean;
}

interface BloatRow {
  oid: string;
  real_bytes: string;
  bloat_bytes: string;
  bloat_ratio: number;
  is_na: boolean;
}

const tableBloatSql = `
select tblid::text as oid, (bs * tblpages)::text as real_bytes,
       greatest(tblpages - est_tblpages_ff, 0)::numeric * bs as bloat_bytes,
       case when tblpages > 0 then greatest(tblpages - est_tblpages_ff, 0) / tblpages::float8 else 0 end as bloat_ratio,
       is_na
from (
  select ceil(reltuples / ((bs - page_hdr) * fillfactor / (tpl_size * 100))) + ceil(toasttuples / 4) as est_tblpages_ff,
         tblpages, bs, tblid, is_na
  from (
    select (4 + tpl_hdr_size + tpl_data_size + (2 * ma)
            - case when tpl_hdr_size % ma = 0 then ma else tpl_hdr_size % ma end
            - case when ceil(tpl_data_size)::int % ma = 0 then ma else ceil(tpl_data_size)::int % ma end) as tpl_size,
           (heappages + toastpages) as tblpages, reltuples, toasttuples, bs, page_hdr, tblid, fillfactor, is_na
    from (
      select tbl.oid as tblid, tbl.reltuples, tbl.relpages as heappages,
             coalesce(toast.relpages, 0) as toastpages, coalesce(toast.reltuples, 0) as toasttuples,
             coalesce(substring(array_to_string(tbl.reloptions, ' ') from 'fillfactor=([0-9]+)')::smallint, 100) as fillfactor,
             current_setting('block_size')::numeric as bs,
             case when version() ~ 'mingw32|64-bit|x86_64|ppc64|ia64|amd64|aarch64' then 8 else 4 end as ma,
             24 as page_hdr,
             23 + case when max(coalesce(s.null_frac, 0)) > 0 then (7 + count(s.attname)) / 8 else 0::int end as tpl_hdr_size,
             sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) as tpl_data_size,
             bool_or(att.atttypid = 'pg_catalog.name'::regtype) or count(*) <> count(s.attname) as is_na
      from pg_attribute att
      join pg_class tbl on att.attrelid = tbl.oid
      join pg_namespace ns on ns.oid = tbl.relnamespace
      left join pg_stats s on s.schemaname = ns.nspname and s.tablename = tbl.relname
                          and s.inherited = false and s.attname = att.attname
      left join pg_class toast on tbl.reltoastrelid = toast.oid
      where att.attnum > 0 and not att.attisdropped and tbl.relkind in ('r', 'm')
        and tbl.relpages >= $1 and tbl.reltuples > 0 and ${userSchemaFilter('ns')}
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9
    ) s
  ) s2
) s3`;

export async function readTableBloat(reader: CatalogReader, minPages: number): Promise<Map<number, BloatEstimate>> {
  const rows = await reader.rows<BloatRow>(tableBloatSql, [Math.max(1, Math.floor(minPages))]);
  return new Map(rows.map((row) => [Number(row.oid), toEstimate(row)]));
}

export function toEstimate(row: BloatRow): BloatEstimate {
  return {
    oid: Number(row.oid),
    realBytes: Number(row.real_bytes),
    bloatBytes: Number(row.bloat_bytes),
    bloatRatio: Number(row.bloat_ratio),
    applicable: !row.is_na,
  };
}

export type { BloatRow };
