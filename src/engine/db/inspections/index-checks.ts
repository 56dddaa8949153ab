/**
 * Index checks: invalid, duplicate, redundant (prefix), unused, bloated, foreign keys without an
 * index, and tables read mostly by sequential scans (a missing index).
 */
import type { IndexInfo } from './catalog/indexes.js';
import { tableRowCount } from './catalog/tables.js';
import { formatBytes, formatCount, formatDuration, formatPercent, qualifiedName, quoteIdent } from './format.js';
import type { InspectionCheck } from './inspection-check.js';
import type { Finding } from './types.js';

const indexName = (index: IndexInfo) => qualifiedName(index.schema, index.name);
const tableName = (index: IndexInfo) => qualifiedName(index.schema, index.table);

/** Dropping one that backs a constraint needs ALTER TABLE; the rest DROP INDEX CONCURRENTLY (no long lock). */
function dropSql(index: IndexInfo): string {
  return index.backsConstraint
    ? `ALTER TABLE ${tableName(index)} DROP CONSTRAINT ${quoteIdent(index.name)};`
    : `DROP INDEX CONCURRENTLY ${indexName(index)};`;
}

function keyColumns(index: IndexInfo): number[] {
  return index.columns.slice(0, index.keyColumnCount);
}

/** Everything that must match for two indexes to serve exactly the same lookups. */
function sameShapeKey(index: IndexInfo): string {
  return [index.tableOid, index.method, index.columns.join(' '), index.keyColumnCount, index.operatorClasses,
    index.collations, index.options, index.expressions ?? '', index.predicate ?? ''].join('|');
}

/** Which of two equivalent indexes to keep: the one a constraint needs, then unique, then the older. */
function keepOrder(a: IndexInfo, b: IndexInfo): number {
  const rank = (i: IndexInfo) => (i.primary ? 0 : i.backsConstraint ? 1 : i.unique ? 2 : 3);
  return rank(a) - rank(b) || a.oid - b.oid;
}

export const invalidIndexCheck: InspectionCheck = {
  name: 'invalid_index',
  family: 'indexes',
  async run(context) {
    return (await context.indexes()).filter((i) => !i.valid).map((index) => ({
      check: 'invalid_index',
      severity: 'warning',
      object: indexName(index),
      detail: `Index ${indexName(index)} on ${tableName(index)} is INVALID (${formatBytes(index.bytes)}): a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY failed. Queries never use it but every write still maintains it.`,
      recommendation: index.unique
        ? 'Fix the duplicate values that made the unique build fail, then rebuild it; or drop it if it is not needed.'
        : 'Rebuild it (REINDEX CONCURRENTLY) or drop it if it is not needed.',
      sql: `REINDEX INDEX CONCURRENTLY ${indexName(index)};\n-- or: DROP INDEX CONCURRENTLY ${indexName(index)};`,
    }));
  },
};

export const duplicateIndexCheck: InspectionCheck = {
  name: 'duplicate_index',
  family: 'indexes',
  async run(context) {
    const groups = new Map<string, IndexInfo[]>();
    for (const index of await context.indexes()) {
      if (!index.valid) continue;
      const key = sameShapeKey(index);
      groups.set(key, [...(groups.get(key) ?? []), index]);
    }
    const findings: Finding[] = [];
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const [kept, ...extra] = [...group].sort(keepOrder);
      if (!kept) continue;
      for (const index of extra) {
        findings.push({
          check: 'duplicate_index',
          severity: 'warning',
          object: indexName(index),
          detail: `${indexName(index)} (${formatBytes(index.bytes)}) has the same definition as ${indexName(kept)}: ${index.shape} on ${tableName(index)}`,
          recommendation: `Drop ${indexName(index)}; ${indexName(kept)} serves the same queries. Every write maintains both.`,
          sql: dropSql(index),
        });
      }
    }
    return findings;
  },
};

export const redundantIndexCheck: InspectionCheck = {
  name: 'redundant_index',
  family: 'indexes',
  async run(context) {
    const byTable = new Map<number, IndexInfo[]>();
    for (const index of await context.indexes()) {
      if (!index.valid || index.method !== 'btree') continue;
      byTable.set(index.tableOid, [...(byTable.get(index.tableOid) ?? []), index]);
    }
    const findings: Finding[] = [];
    for (const indexes of byTable.values()) {
      if (indexes.length < 2) continue;
      for (const candidate of indexes) {
        if (candidate.unique || candidate.backsConstraint || candidate.expressions) continue;
        const columns = keyColumns(candidate);
        const classes = candidate.operatorClasses.split(' ');
        const cover = indexes.find((other) => {
          if (other === candidate || other.expressions) return false;
          const otherColumns = keyColumns(other);
          if (otherColumns.length <= columns.length) return false;
          if ((other.predicate ?? '') !== (candidate.predicate ?? '')) return false;
          const otherClasses = other.operatorClasses.split(' ');
          return columns.every((c, i) => c === otherColumns[i] && classes[i] === otherClasses[i]);
        });
        if (!cover) continue;
        findings.push({
          check: 'redundant_index',
          severity: 'warning',
          object: indexName(candidate),
          detail: `${indexName(candidate)} (${formatBytes(candidate.bytes)}) indexes a leading prefix of ${indexName(cover)}: ${candidate.shape} is covered by ${cover.shape} on ${tableName(candidate)}`,
          recommendation: `Drop ${indexName(candidate)}: lookups on its columns can use ${indexName(cover)}. Check first that no query relies on its smaller size for index-only scans.`,
          sql: dropSql(candidate),
        });
      }
    }
    return findings;
  },
};

export const unusedIndexCheck: InspectionCheck = {
  name: 'unused_index',
  family: 'indexes',
  async run(context) {
    const { thresholds } = context;
    const server = await context.server();
    const statsDays = server.statsAgeSeconds / 86_400;
    const matured = statsDays >= thresholds.unusedIndexMinStatsAgeDays;
    const since = server.statsResetAt ? `since statistics were reset ${formatDuration(server.statsAgeSeconds)} ago` : `in the ${formatDuration(server.statsAgeSeconds)} the statistics cover (no reset recorded; measured from server start)`;
    return (await context.indexes())
      .filter((i) => i.valid && i.scans === 0 && !i.unique && !i.primary && !i.backsConstraint && i.bytes >= thresholds.unusedIndexMinBytes)
      .map((index) => ({
        check: 'unused_index',
        severity: matured ? 'warning' : 'info',
        object: indexName(index),
        detail: `${indexName(index)} on ${tableName(index)} (${formatBytes(index.bytes)}) was never scanned ${since}.${matured ? '' : ` Statistics are younger than ${thresholds.unusedIndexMinStatsAgeDays} days, so this is only a hint.`} Scans on replicas are not counted here.`,
        recommendation: 'Drop it if no replica and no monthly job uses it: every write maintains it and it takes space in cache.',
        sql: dropSql(index),
      }));
  },
};

export const indexBloatCheck: InspectionCheck = {
  name: 'index_bloat',
  family: 'indexes',
  async run(context) {
    const { thresholds } = context;
    const [indexes, estimates] = await Promise.all([context.indexes(), context.indexBloat()]);
    const findings: Finding[] = [];
    for (const index of indexes) {
      const estimate = estimates.get(index.oid);
      if (!estimate?.applicable || !index.valid) continue;
      if (estimate.bloatRatio < thresholds.bloatMinRatio || estimate.bloatBytes < thresholds.bloatMinBytes) continue;
      findings.push({
        check: 'index_bloat',
        severity: 'warning',
        object: indexName(index),
        detail: `${indexName(index)} is ${formatBytes(estimate.realBytes)}, of which about ${formatBytes(estimate.bloatBytes)} (${formatPercent(estimate.bloatRatio, 0)}) is estimated free space (ioguix B-tree estimate from pg_stats).`,
        recommendation: 'Rebuild it without blocking writes; a bloated index wastes cache and I/O.',
        sql: `REINDEX INDEX CONCURRENTLY ${indexName(index)};`,
      });
    }
    return findings;
  },
};

export const foreignKeyWithoutIndexCheck: InspectionCheck = {
  name: 'foreign_key_without_index',
  family: 'indexes',
  async run(context) {
    const [foreignKeys, indexes] = await Promise.all([context.foreignKeys(), context.indexes()]);
    const byTable = new Map<number, IndexInfo[]>();
    for (const index of indexes) {
      if (!index.valid || index.predicate !== null || index.method !== 'btree') continue;
      byTable.set(index.tableOid, [...(byTable.get(index.tableOid) ?? []), index]);
    }
    const findings: Finding[] = [];
    for (const fk of foreignKeys) {
      // Any index whose leading key columns are the FK columns (in any order) serves the lookup.
      const served = (byTable.get(fk.tableOid) ?? []).some((index) => {
        const leading = keyColumns(index).slice(0, fk.columns.length);
        return leading.length === fk.columns.length && fk.columns.every((c) => leading.includes(c));
      });
      if (served) continue;
      const table = qualifiedName(fk.schema, fk.table);
      const rows = fk.tableRowEstimate ?? 0;
      const columnList = fk.columnNames.map(quoteIdent).join(', ');
      findings.push({
        check: 'foreign_key_without_index',
        severity: rows >= context.thresholds.foreignKeyWarningMinRows ? 'warning' : 'info',
        object: `${table} (${fk.columnNames.join(', ')})`,
        detail: `Foreign key ${quoteIdent(fk.name)} on ${table} (${fk.columnNames.join(', ')}) referencing ${fk.referencedTable} has no index starting with its columns (${formatCount(rows)} rows).`,
        recommendation: `Index the referencing columns: each DELETE or key UPDATE on ${fk.referencedTable} otherwise scans all of ${table}, holding locks meanwhile, and joins on the key cannot use an index.`,
        sql: `CREATE INDEX CONCURRENTLY ON ${table} (${columnList});`,
      });
    }
    return findings;
  },
};

export const sequentialScanCheck: InspectionCheck = {
  name: 'high_sequential_scans',
  family: 'indexes',
  async run(context) {
    const { thresholds } = context;
    return (await context.tables())
      .filter((table) => {
        const scans = table.seqScans + table.indexScans;
        return scans > 0 && table.seqScans / scans >= thresholds.seqScanMinShare &&
          tableRowCount(table) >= thresholds.seqScanMinRows && table.seqRowsRead >= thresholds.seqScanMinRowsRead;
      })
      .map((table) => {
        const name = qualifiedName(table.schema, table.name);
        const share = table.seqScans / (table.seqScans + table.indexScans);
        return {
          check: 'high_sequential_scans',
          severity: 'warning' as const,
          object: name,
          detail: `${name} (${formatCount(tableRowCount(table))} rows) was read by ${formatCount(table.seqScans)} sequential scans (${formatPercent(share)} of its scans), ${formatCount(table.seqRowsRead)} rows read in total.`,
          recommendation: 'Queries filter this table without a usable index: find them in pg_stat_statements (or `pgdba advise`) and index their predicates.',
          sql: `SELECT query, calls, mean_exec_time FROM pg_stat_statements WHERE query ILIKE '%${table.name.replace(/'/g, "''")}%' ORDER BY total_exec_time DESC LIMIT 10;`,
        };
      });
  },
};

export const indexChecks: InspectionCheck[] = [
  invalidIndexCheck,
  duplicateIndexCheck,
  redundantIndexCheck,
  unusedIndexCheck,
  indexBloatCheck,
  foreignKeyWithoutIndexCheck,
  sequentialScanCheck,
];
