/**
 * Snapshots of schema and size statistics kept in a keyv store, so a later call can say what grew
 * and which tables, columns and indexes appeared, disappeared or changed since the last one.
 * Two catalog queries per snapshot.
 */
import type { Keyv } from 'keyv';
import type { TargetDatabase } from '../target-database.js';
import { userSchemaFilter } from './catalog/user-relations.js';

export interface TableSnapshot {
  bytes: number;
  rows: number;
  /** column name -> type */
  columns: Record<string, string>;
}

export interface SchemaSnapshot {
  takenAt: string;
  database: string;
  /** Keyed by schema-qualified name. */
  tables: Record<string, TableSnapshot>;
  /** definition: a structural signature (method, columns, operator classes, expressions, predicate). */
  indexes: Record<string, { table: string; bytes: number; definition: string }>;
}

export interface TableGrowth {
  table: string;
  bytesBefore: number;
  bytesAfter: number;
  rowsBefore: number;
  rowsAfter: number;
}

export interface SnapshotChanges {
  since: string;
  addedTables: string[];
  droppedTables: string[];
  addedColumns: string[];
  droppedColumns: string[];
  /** "table.column: old type -> new type" */
  changedColumns: string[];
  addedIndexes: string[];
  droppedIndexes: string[];
  changedIndexes: string[];
  /** Tables whose size changed, largest absolute change first. */
  growth: TableGrowth[];
  totalBytesBefore: number;
  totalBytesAfter: number;
}

export async function takeSnapshot(target: TargetDatabase): Promise<SchemaSnapshot> {
  const tables = await target.query<{ name: string; bytes: string; rows: number; columns: Record<string, string> | null; database: string }>(`
select format('%I.%I', n.nspname, c.relname) as name,
       -- relpages (as of the last VACUUM/ANALYZE): exact sizes would open every relation
       (c.relpages::int8 * current_setting('block_size')::int8)::text as bytes,
       greatest(c.reltuples, 0)::float8 as rows, current_database() as database,
       (select json_object_agg(a.attname, format_type(a.atttypid, a.atttypmod))
        from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'm') and ${userSchemaFilter('n')}`);
  const indexes = await target.query<{ name: string; table: string; bytes: string; definition: string }>(`
select format('%I.%I', n.nspname, i.relname) as name, format('%I.%I', n.nspname, t.relname) as table,
       i.relpages::int8 * current_setting('block_size')::int8 as bytes,
       -- a structural signature instead of pg_get_indexdef (slow on tens of thousands of indexes)
       concat_ws(' ', am.amname, x.indisunique, x.indkey::text, x.indclass::text, x.indoption::text,
                 pg_get_expr(x.indexprs, x.indrelid), pg_get_expr(x.indpred, x.indrelid)) as definition
from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
join pg_am am on am.oid = i.relam
join pg_namespace n on n.oid = t.relnamespace
where ${userSchemaFilter('n')}`);
  const database = tables.rows[0]?.database ?? (await target.query<{ d: string }>('select current_database() as d')).rows[0]?.d ?? '';
  return {
    takenAt: new Date().toISOString(),
    database,
    tables: Object.fromEntries(tables.rows.map((r) => [r.name, { bytes: Number(r.bytes), rows: Math.round(r.rows), columns: r.columns ?? {} }])),
    indexes: Object.fromEntries(indexes.rows.map((r) => [r.name, { table: r.table, bytes: Number(r.bytes), definition: r.definition }])),
  };
}

export function compareSnapshots(before: SchemaSnapshot, after: SchemaSnapshot): SnapshotChanges {
  const keys = (o: object) => new Set(Object.keys(o));
  const beforeTables = keys(before.tables);
  const afterTables = keys(after.tables);
  const changes: SnapshotChanges = {
    since: before.takenAt,
    addedTables: [...afterTables].filter((t) => !beforeTables.has(t)).sort(),
    droppedTables: [...beforeTables].filter((t) => !afterTables.has(t)).sort(),
    addedColumns: [],
    droppedColumns: [],
    changedColumns: [],
    addedIndexes: Object.keys(after.indexes).filter((i) => !(i in before.indexes)).sort(),
    droppedIndexes: Object.keys(before.indexes).filter((i) => !(i in after.indexes)).sort(),
    changedIndexes: Object.keys(after.indexes).filter((i) => i in before.indexes && before.indexes[i]?.definition !== after.indexes[i]?.definition).sort(),
    growth: [],
    totalBytesBefore: Object.values(before.tables).reduce((sum, t) => sum + t.bytes, 0),
    totalBytesAfter: Object.values(after.tables).reduce((sum, t) => sum + t.bytes, 0),
  };
  for (const name of afterTables) {
    const old = before.tables[name];
    const now = after.tables[name];
    if (!old || !now) continue;
    for (const [column, type] of Object.entries(now.columns)) {
      const oldType = old.columns[column];
      if (oldType === undefined) changes.addedColumns.push(`${name}.${column}`);
      else if (oldType !== type) changes.changedColumns.push(`${name}.${column}: ${oldType} -> ${type}`);
    }
    for (const column of Object.keys(old.columns)) if (!(column in now.columns)) changes.droppedColumns.push(`${name}.${column}`);
    if (old.bytes !== now.bytes || old.rows !== now.rows) {
      changes.growth.push({ table: name, bytesBefore: old.bytes, bytesAfter: now.bytes, rowsBefore: old.rows, rowsAfter: now.rows });
    }
  }
  changes.growth.sort((a, b) => Math.abs(b.bytesAfter - b.bytesBefore) - Math.abs(a.bytesAfter - a.bytesBefore));
  return changes;
}

export function snapshotKey(database: string): string {
  return `insights-snapshot:${database}`;
}

/**
 * Takes a snapshot, compares it with the last one stored for this database (if any) and stores
 * the new one. `changes` is undefined on the first call.
 */
export async function snapshotAndCompare(
  target: TargetDatabase,
  store: Keyv,
  options: { key?: string } = {},
): Promise<{ snapshot: SchemaSnapshot; changes?: SnapshotChanges }> {
  const snapshot = await takeSnapshot(target);
  const key = options.key ?? snapshotKey(`${target.description.label}`);
  const previous = (await store.get(key)) as SchemaSnapshot | undefined;
  await store.set(key, snapshot);
  return previous ? { snapshot, changes: compareSnapshots(previous, snapshot) } : { snapshot };
}
