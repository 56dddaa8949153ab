/** The schemas pgdba inspects: everything except the system catalogs, TOAST and other sessions' temp schemas. */
export function userSchemaFilter(namespaceAlias: string): string {
  return `${namespaceAlias}.nspname not in ('pg_catalog', 'information_schema')
    and ${namespaceAlias}.nspname not like 'pg\\_toast%' and ${namespaceAlias}.nspname not like 'pg\\_temp%'`;
}
