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
