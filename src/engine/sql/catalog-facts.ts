/**
 * Facts from the target's catalog that a change analysis needs: table sizes and use (for the
 * impact line and lint), function volatility (to vouch for user functions), and definitions of
 * indexes about to be dropped (for the rollback script). Read-only queries in analysis sessions.
 */
import type { TargetDatabase } from '../db/target-database.js';
import type { RelationFacts } from './lint.js';
import { quoteIdent } from './sql-script.js';

export interface CatalogFacts {
  relations: Map<string, RelationFacts & { table: string }>;
  functionVolatility: Map<string, string>;
  indexDefinitions: Map<string, string>;
}

/**
 * Looks up relations by name as written; an index name resolves to its table's size (the lock
 * and the build time are about the table).
 */
export async function lookupCatalogFacts(
  target: TargetDatabase,
  wanted: { relations: string[]; functions: string[]; droppedIndexes: string[] },
): Promise<CatalogFacts> {
  const facts: CatalogFacts = { relations: new Map(), functionVolatility: new Map(), indexDefinitions: new Map() };
  const relations = [...new Set(wanted.relations)];
  // Names come from the parse tree unquoted ("Orders" stays Orders); quote them for to_regclass.
  const quoted = new Map(relations.map((name) => [name.split('.').map(quoteIdent).join('.'), name]));
  if (relations.length > 0) {
    const result = await target.query<{ name: string; table_name: string; bytes: string; rows: string; scans: string | null }>(
      `select w.name,
              t.oid::regclass::text as table_name,
              pg_total_relation_size(t.oid)::text as bytes,
              greatest(t.reltuples, 0)::text as rows,
              (coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0))::text as scans
         from unnest($1::text[]) as w(name)
         join pg_class c on c.oid = to_regclass(w.name)
         left join pg_index i on i.indexrelid = c.oid
         join pg_class t on t.oid = coalesce(i.indrelid, c.oid)
         left join pg_stat_all_tables s on s.relid = t.oid`,
      [[...quoted.keys()]],
    );
    for (const row of result.rows) {
      facts.relations.set(quoted.get(row.name) ?? row.name, { table: row.table_name, bytes: Number(row.bytes), rows: Number(row.rows), scans: Number(row.scans ?? 0) });
    }
  }
  const functions = [...new Set(wanted.functions)];
  if (functions.length > 0) {
    // The riskiest volatility across overloads and schemas on the search path decides.
    const result = await target.query<{ name: string; volatility: string }>(
      `select w.name, max(p.provolatile::text) as volatility
         from unnest($1::text[]) as w(name)
         join pg_proc p on p.proname = split_part(w.name, '.', -1)
         join pg_namespace n on n.oid = p.pronamespace
        where (position('.' in w.name) = 0 and n.nspname = any(current_schemas(true)))
           or n.nspname = split_part(w.name, '.', 1)
        group by w.name`,
      [functions],
    );
    // 'v' > 's' > 'i' in text order, so max() picks the riskiest.
    for (const row of result.rows) facts.functionVolatility.set(row.name, row.volatility);
  }
  const indexes = [...new Set(wanted.droppedIndexes)];
  const quotedIndexes = new Map(indexes.map((name) => [name.split('.').map(quoteIdent).join('.'), name]));
  if (indexes.length > 0) {
    const result = await target.query<{ name: string; definition: string }>(
      `select w.name, pg_get_indexdef(to_regclass(w.name)) as definition
         from unnest($1::text[]) as w(name)
        where to_regclass(w.name) is not null`,
      [[...quotedIndexes.keys()]],
    );
    for (const row of result.rows) facts.indexDefinitions.set(quotedIndexes.get(row.name) ?? row.name, row.definition);
  }
  return facts;
}
