/** Transaction ID and multixact age of every database (wraparound is a cluster-wide danger). */
import type { CatalogReader } from './catalog-reader.js';

export interface DatabaseAge {
  name: string;
  xidAge: number;
  multixactAge: number;
  allowsConnections: boolean;
}

interface DatabaseRow {
  datname: string;
  xid_age: number;
  mxid_age: number;
  datallowconn: boolean;
}

export async function readDatabaseAges(reader: CatalogReader): Promise<DatabaseAge[]> {
  const rows = await reader.rows<DatabaseRow>(
    `select datname, age(datfrozenxid)::float8 as xid_age, mxid_age(datminmxid)::float8 as mxid_age, datallowconn
     from pg_database order by age(datfrozenxid) desc`,
  );
  return rows.map((row) => ({
    name: row.datname,
    xidAge: row.xid_age,
    multixactAge: row.mxid_age,
    allowsConnections: row.datallowconn,
  }));
}
