/**
 * The datasets a report reads, each loaded at most once (memoised) and only if a selected check
 * needs it: about a dozen catalog queries for a whole report, whatever the number of tables.
 */
import type { CatalogReader } from './catalog/catalog-reader.js';
import { once } from './catalog/catalog-reader.js';
import { readServerContext, type ServerContext } from './catalog/context.js';
import { readDatabaseAges, type DatabaseAge } from './catalog/databases.js';
import { readForeignKeys, type ForeignKeyInfo } from './catalog/foreign-keys.js';
import { readIndexBloat } from './catalog/index-bloat.js';
import { readIndexes, type IndexInfo } from './catalog/indexes.js';
import { readReplication, type ReplicaInfo, type SlotInfo } from './catalog/replication.js';
import { readSequences, type SequenceInfo } from './catalog/sequences.js';
import { readSessions, type SessionInfo } from './catalog/activity.js';
import { readSettings, type ServerSettings } from './catalog/settings.js';
import { readTableBloat, type BloatEstimate } from './catalog/table-bloat.js';
import { readTables, type TableInfo } from './catalog/tables.js';
import { readTopStatements } from './catalog/statements.js';
import type { InspectionThresholds } from './thresholds.js';
import type { TopStatement } from './types.js';

export interface InspectionContext {
  thresholds: InspectionThresholds;
  versionNum: number;
  /** The target is pgdba's in-process demo (PGlite). */
  embedded: boolean;
  server: () => Promise<ServerContext>;
  settings: () => Promise<ServerSettings>;
  tables: () => Promise<TableInfo[]>;
  tableBloat: () => Promise<Map<number, BloatEstimate>>;
  indexes: () => Promise<IndexInfo[]>;
  indexBloat: () => Promise<Map<number, BloatEstimate>>;
  foreignKeys: () => Promise<ForeignKeyInfo[]>;
  databaseAges: () => Promise<DatabaseAge[]>;
  sequences: () => Promise<SequenceInfo[]>;
  sessions: () => Promise<SessionInfo[]>;
  replication: () => Promise<{ replicas: ReplicaInfo[]; slots: SlotInfo[] }>;
  /** Empty when pg_stat_statements is not installed in this database. */
  topStatements: () => Promise<TopStatement[]>;
}

export function createInspectionContext(
  reader: CatalogReader,
  versionNum: number,
  thresholds: InspectionThresholds,
  embedded = false,
): InspectionContext {
  const blockSize = 8192;
  const bloatMinPages = Math.max(1, Math.floor(thresholds.bloatMinBytes / blockSize));
  const sizePolicy = {
    exactMinPages: Math.max(1, Math.floor(thresholds.exactSizeMinBytes / blockSize)),
    exactMaxRelations: thresholds.exactSizeMaxRelations,
    versionNum,
  };
  const indexes = once(() => readIndexes(reader, sizePolicy));
  const server = once(() => readServerContext(reader, versionNum));
  return {
    thresholds,
    versionNum,
    embedded,
    server,
    settings: once(() => readSettings(reader)),
    tables: once(() => readTables(reader, sizePolicy, indexes())),
    tableBloat: once(() => readTableBloat(reader, bloatMinPages)),
    indexes,
    indexBloat: once(() => readIndexBloat(reader, bloatMinPages)),
    foreignKeys: once(() => readForeignKeys(reader)),
    databaseAges: once(() => readDatabaseAges(reader)),
    sequences: once(() => readSequences(reader)),
    sessions: once(() => readSessions(reader)),
    replication: once(() => readReplication(reader, versionNum)),
    topStatements: once(async () => {
      const { statStatementsSchema } = await server();
      if (!statStatementsSchema) return [];
      return readTopStatements(reader, statStatementsSchema, versionNum, thresholds.topStatementsLimit);
    }),
  };
}
