/** The schemas pgdba inspects: everything except the system catalogs, TOAST and other sessions' temp schemas. */
export function userSchemaFilter(namespaceAlias: string): string {
  return `${namespaceAlias}.nspname not in ('pg_catalog', 'information_schema')
    and ${namespaceAlias}.nspname not like 'pg\\_toast%' and ${namespaceAlias}.nspname not like 'pg\\_temp%'`;
}

/**
 * Relations someone holds or awaits an ACCESS EXCLUSIVE lock on (ALTER TABLE, VACUUM FULL, REINDEX,
 * LOCK TABLE). Size functions take ACCESS SHARE and would queue behind it until lock_timeout, so
 * for these the sizes come from pg_class.relpages instead.
 */
export const exclusivelyLockedRelations = `(select distinct relation from pg_locks
  where locktype = 'relation' and mode = 'AccessExclusiveLock'
    and database = (select oid from pg_database where datname = current_database()))`;

/** How sizes are measured: exactly (opens the relation) for the few that matter, from relpages for the rest. */
export interface SizePolicy {
  /** Relations with at least this many pages (per pg_class.relpages) are measured exactly. */
  exactMinPages: number;
  /** At most this many tables (and as many indexes) are measured exactly, largest first. */
  exactMaxRelations: number;
  versionNum: number;
}

/**
 * Relations whose size pg_class cannot tell: never vacuumed or analysed (reltuples -1 from
 * PostgreSQL 14; 0 with relpages 0 before).
 */
export function sizeUnknown(alias: string, versionNum: number): string {
  return versionNum >= 140000 ? `${alias}.reltuples < 0` : `(${alias}.reltuples = 0 and ${alias}.relpages = 0)`;
}
