/** Table checks: bloat estimate, dead tuples, vacuum/analyze staleness, per-table autovacuum settings, TOAST, no primary key. */
import { tableRowCount, type TableInfo } from './catalog/tables.js';
import { formatBytes, formatCount, formatDuration, formatPercent, qualifiedName } from './format.js';
import type { InspectionCheck } from './inspection-check.js';
import type { Finding } from './types.js';

const tableName = (table: TableInfo) => qualifiedName(table.schema, table.name);

export const tableBloatCheck: InspectionCheck = {
  name: 'table_bloat',
  family: 'tables',
  async run(context) {
    const { thresholds } = context;
    const [tables, estimates] = await Promise.all([context.tables(), context.tableBloat()]);
    const findings: Finding[] = [];
    for (const table of tables) {
      const estimate = estimates.get(table.oid);
      if (!estimate?.applicable) continue;
      if (estimate.bloatRatio < thresholds.bloatMinRatio || estimate.bloatBytes < thresholds.bloatMinBytes) continue;
      findings.push({
        check: 'table_bloat',
        severity: 'warning',
        object: tableName(table),
        detail: `${tableName(table)} is ${formatBytes(estimate.realBytes)} (heap + TOAST), of which about ${formatBytes(estimate.bloatBytes)} (${formatPercent(estimate.bloatRatio, 0)}) is estimated free space (ioguix estimate from pg_stats at fillfactor).`,
        recommendation: 'Free space is reused by later inserts; to give it back rebuild the table: pg_repack (online) or VACUUM FULL (takes an ACCESS EXCLUSIVE lock for the duration). Then check autovacuum keeps up.',
        sql: `VACUUM (FULL, ANALYZE, VERBOSE) ${tableName(table)}; -- blocks reads and writes; prefer pg_repack online`,
      });
    }
    return findings;
  },
};

export const deadTuplesCheck: InspectionCheck = {
  name: 'dead_tuples',
  family: 'tables',
  async run(context) {
    const { thresholds } = context;
    return (await context.tables())
      .filter((table) => {
        const total = table.liveTuples + table.deadTuples;
        return table.deadTuples >= thresholds.deadTupleMinCount && total > 0 && table.deadTuples / total >= thresholds.deadTupleMinRatio;
      })
      .map((table) => {
        const ratio = table.deadTuples / (table.liveTuples + table.deadTuples);
        const lastVacuum = table.lastVacuumAgeSeconds === null ? 'never vacuumed' : `last vacuumed ${formatDuration(table.lastVacuumAgeSeconds)} ago`;
        return {
          check: 'dead_tuples',
          severity: 'warning' as const,
          object: tableName(table),
          detail: `${tableName(table)} has ${formatCount(table.deadTuples)} dead tuples (${formatPercent(ratio)} of its rows), ${lastVacuum}.`,
          recommendation: 'Vacuum it now, then find why autovacuum does not keep up: a long transaction or replication slot holding the xmin horizon, or thresholds too high for this table.',
          sql: `VACUUM (ANALYZE, VERBOSE) ${tableName(table)};`,
        };
      });
  },
};

export const analyzeStalenessCheck: InspectionCheck = {
  name: 'stale_statistics',
  family: 'tables',
  async run(context) {
    const { thresholds } = context;
    const findings: Finding[] = [];
    for (const table of await context.tables()) {
      const rows = tableRowCount(table);
      if (rows < thresholds.staleMinRows) continue;
      const neverAnalyzed = table.lastAnalyzeAgeSeconds === null;
      const stale = !neverAnalyzed && (table.lastAnalyzeAgeSeconds ?? 0) > thresholds.analyzeStaleDays * 86_400 &&
        table.modifiedSinceAnalyze > rows * 0.1;
      if (!neverAnalyzed && !stale) continue;
      findings.push({
        check: 'stale_statistics',
        severity: 'warning',
        object: tableName(table),
        detail: neverAnalyzed
          ? `${tableName(table)} (${formatCount(rows)} rows) has never been analysed: the planner guesses its row counts.`
          : `${tableName(table)} was last analysed ${formatDuration(table.lastAnalyzeAgeSeconds ?? 0)} ago and ${formatCount(table.modifiedSinceAnalyze)} rows changed since.`,
        recommendation: 'Analyse it so plans use current row counts and value distributions; if autovacuum is on, lower autovacuum_analyze_scale_factor for this table.',
        sql: `ANALYZE VERBOSE ${tableName(table)};`,
      });
    }
    return findings;
  },
};

export const vacuumStalenessCheck: InspectionCheck = {
  name: 'stale_vacuum',
  family: 'tables',
  async run(context) {
    const { thresholds } = context;
    return (await context.tables())
      .filter((table) => tableRowCount(table) >= thresholds.staleMinRows && table.deadTuples > 0 &&
        (table.lastVacuumAgeSeconds === null || table.lastVacuumAgeSeconds > thresholds.vacuumStaleDays * 86_400))
      .map((table) => ({
        check: 'stale_vacuum',
        severity: 'info' as const,
        object: tableName(table),
        detail: table.lastVacuumAgeSeconds === null
          ? `${tableName(table)} has ${formatCount(table.deadTuples)} dead tuples and no recorded vacuum.`
          : `${tableName(table)} was last vacuumed ${formatDuration(table.lastVacuumAgeSeconds)} ago and has ${formatCount(table.deadTuples)} dead tuples.`,
        recommendation: 'Vacuum keeps the visibility map current (index-only scans) and frees space for reuse; check autovacuum reaches this table.',
        sql: `VACUUM (ANALYZE) ${tableName(table)};`,
      }));
  },
};

export const autovacuumSettingsCheck: InspectionCheck = {
  name: 'table_autovacuum_settings',
  family: 'tables',
  async run(context) {
    const findings: Finding[] = [];
    for (const table of await context.tables()) {
      const settings = table.options.filter((o) => /^(toast\.)?autovacuum_/.test(o));
      if (settings.length === 0) continue;
      const disabled = settings.filter((o) => /^(toast\.)?autovacuum_enabled=(false|off|no|0)$/i.test(o));
      findings.push({
        check: 'table_autovacuum_settings',
        severity: disabled.length > 0 ? 'warning' : 'info',
        object: tableName(table),
        detail: `${tableName(table)} overrides autovacuum: ${settings.join(', ')}.`,
        recommendation: disabled.length > 0
          ? 'Autovacuum is disabled for this table: dead tuples pile up and statistics go stale (anti-wraparound vacuums still run). Re-enable it unless a job vacuums it explicitly.'
          : 'Per-table settings are fine when deliberate; review them when the table\'s size or write rate changed.',
        ...(disabled.length > 0 ? { sql: `ALTER TABLE ${tableName(table)} RESET (${disabled.map((o) => o.split('=')[0]).join(', ')});` } : {}),
      });
    }
    return findings;
  },
};

export const toastSizeCheck: InspectionCheck = {
  name: 'toast_size',
  family: 'tables',
  async run(context) {
    const { thresholds } = context;
    return (await context.tables())
      .filter((t) => t.toastBytes >= thresholds.toastMinBytes && t.totalBytes > 0 && t.toastBytes / t.totalBytes >= thresholds.toastMinShare)
      .map((table) => ({
        check: 'toast_size',
        severity: 'info' as const,
        object: tableName(table),
        detail: `${formatBytes(table.toastBytes)} of ${tableName(table)}'s ${formatBytes(table.totalBytes)} is TOAST (out-of-line large values).`,
        recommendation: 'Large values are read and decompressed whenever selected: avoid SELECT * on this table, and consider lz4 compression (PostgreSQL 14+) or moving large documents out.',
      }));
  },
};

export const missingPrimaryKeyCheck: InspectionCheck = {
  name: 'no_primary_key',
  family: 'tables',
  async run(context) {
    return (await context.tables())
      .filter((table) => table.kind === 'table' && !table.hasPrimaryKey)
      .map((table) => ({
        check: 'no_primary_key',
        severity: table.hasUniqueIndex ? 'info' as const : 'warning' as const,
        object: tableName(table),
        detail: `${tableName(table)} (${formatCount(tableRowCount(table))} rows) has no primary key${table.hasUniqueIndex ? ', though it has a unique index' : ''}.`,
        recommendation: 'Add a primary key: without one, duplicate rows cannot be told apart, logical replication cannot replicate UPDATE/DELETE, and tools such as pg_repack refuse the table.',
        sql: `ALTER TABLE ${tableName(table)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; -- or ADD PRIMARY KEY (existing unique columns)`,
      }));
  },
};

export const tableChecks: InspectionCheck[] = [
  tableBloatCheck,
  deadTuplesCheck,
  analyzeStalenessCheck,
  vacuumStalenessCheck,
  autovacuumSettingsCheck,
  toastSizeCheck,
  missingPrimaryKeyCheck,
];
