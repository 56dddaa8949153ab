/**
 * Wraparound: transaction ID and multixact age of databases and tables against the freeze
 * limits, and sequences (or the columns they feed) near their maximum.
 */
import type { SequenceInfo } from './catalog/sequences.js';
import { formatCount, formatPercent, qualifiedName, quoteIdent } from './format.js';
import type { InspectionCheck } from './inspection-check.js';
import type { InspectionContext } from './inspection-context.js';
import type { Finding, Severity } from './types.js';

interface AgeLimits {
  xidFreezeMaxAge: number;
  multixactFreezeMaxAge: number;
}

async function ageLimits(context: InspectionContext): Promise<AgeLimits> {
  const settings = await context.settings();
  return {
    xidFreezeMaxAge: settings.number('autovacuum_freeze_max_age') ?? 200_000_000,
    multixactFreezeMaxAge: settings.number('autovacuum_multixact_freeze_max_age') ?? 400_000_000,
  };
}

function reloption(options: string[], name: string): number | undefined {
  const found = options.find((o) => o.startsWith(`${name}=`));
  return found ? Number(found.split('=')[1]) : undefined;
}

function ageSeverity(age: number, limit: number, context: InspectionContext): Severity | undefined {
  if (age >= context.thresholds.wraparoundCriticalAge) return 'critical';
  if (age >= limit * context.thresholds.wraparoundWarningShare) return 'warning';
  return undefined;
}

function ageFinding(kind: 'xid' | 'multixact', object: string, age: number, limit: number, severity: Severity, vacuumSql: string): Finding {
  const label = kind === 'xid' ? 'transaction ID' : 'multixact ID';
  const setting = kind === 'xid' ? 'autovacuum_freeze_max_age' : 'autovacuum_multixact_freeze_max_age';
  return {
    check: kind === 'xid' ? 'xid_wraparound' : 'multixact_wraparound',
    severity,
    object,
    detail: `${object}: oldest unfrozen ${label} is ${formatCount(age)} old, ${formatPercent(age / limit, 0)} of ${setting} (${formatCount(limit)}); PostgreSQL stops accepting writes at about 2.1 billion.`,
    recommendation: 'Freeze it: find what blocks autovacuum (long transactions, idle-in-transaction sessions, abandoned replication slots or prepared transactions), then run VACUUM (FREEZE) on the oldest tables.',
    sql: vacuumSql,
  };
}

const oldestTablesSql = `SELECT c.oid::regclass, age(c.relfrozenxid), mxid_age(c.relminmxid) FROM pg_class c WHERE c.relkind IN ('r','m','t') ORDER BY age(c.relfrozenxid) DESC LIMIT 10;`;

export const xidWraparoundCheck: InspectionCheck = {
  name: 'xid_wraparound',
  family: 'wraparound',
  async run(context) {
    const limits = await ageLimits(context);
    const [databases, tables] = await Promise.all([context.databaseAges(), context.tables()]);
    const findings: Finding[] = [];
    for (const database of databases) {
      for (const [kind, age, limit] of [
        ['xid', database.xidAge, limits.xidFreezeMaxAge],
        ['multixact', database.multixactAge, limits.multixactFreezeMaxAge],
      ] as const) {
        const severity = ageSeverity(age, limit, context);
        if (severity) findings.push(ageFinding(kind, `database ${quoteIdent(database.name)}`, age, limit, severity, `-- connected to ${database.name}:\n${oldestTablesSql}`));
      }
    }
    for (const table of tables) {
      const name = qualifiedName(table.schema, table.name);
      const xidLimit = Math.min(reloption(table.options, 'autovacuum_freeze_max_age') ?? Infinity, limits.xidFreezeMaxAge);
      const mxidLimit = Math.min(reloption(table.options, 'autovacuum_multixact_freeze_max_age') ?? Infinity, limits.multixactFreezeMaxAge);
      for (const [kind, age, limit] of [['xid', table.xidAge, xidLimit], ['multixact', table.multixactAge, mxidLimit]] as const) {
        const severity = ageSeverity(age, limit, context);
        if (severity) findings.push(ageFinding(kind, name, age, limit, severity, `VACUUM (FREEZE, VERBOSE) ${name};`));
      }
    }
    return findings;
  },
};

const typeMaximum: Record<string, number> = {
  smallint: 32_767,
  integer: 2_147_483_647,
  bigint: Number.MAX_SAFE_INTEGER * 1024, // 2^63 - 1 as a float: precise enough for a share
};

/** Room used, 0..1, counting from the start value towards the limit in the direction of the increment. */
function usedShare(sequence: SequenceInfo, limit: number): number {
  const value = sequence.lastValue ?? 0;
  if (sequence.increment > 0) return (value - sequence.minValue) / Math.max(1, limit - sequence.minValue);
  return (sequence.maxValue - value) / Math.max(1, sequence.maxValue - sequence.minValue);
}

export const sequenceExhaustionCheck: InspectionCheck = {
  name: 'sequence_exhaustion',
  family: 'wraparound',
  async run(context) {
    const { thresholds } = context;
    const sequences = await context.sequences();
    const findings: Finding[] = [];
    const unreadable = sequences.filter((s) => !s.readable).length;
    for (const sequence of sequences) {
      if (sequence.lastValue === null || sequence.cycles) continue;
      const name = qualifiedName(sequence.schema, sequence.name);
      // The tightest limit wins: an int4 column fed by a bigint sequence fails at 2^31 - 1.
      const limits = [{ limit: sequence.maxValue, by: `the sequence's maximum (${sequence.dataType})`, column: undefined as string | undefined }];
      for (const column of sequence.columns) {
        const max = typeMaximum[column.type];
        if (max !== undefined && max < sequence.maxValue) {
          limits.push({ limit: max, by: `column ${column.table}.${quoteIdent(column.column)} (${column.type})`, column: `${column.table}.${column.column}` });
        }
      }
      const tightest = limits.reduce((a, b) => (b.limit < a.limit ? b : a));
      const share = sequence.increment > 0 ? usedShare(sequence, tightest.limit) : usedShare(sequence, sequence.maxValue);
      const severity: Severity | undefined = share >= thresholds.sequenceCriticalShare ? 'critical' : share >= thresholds.sequenceWarningShare ? 'warning' : undefined;
      if (!severity) continue;
      const column = tightest.column;
      findings.push({
        check: 'sequence_exhaustion',
        severity,
        object: column ? `${name} -> ${column}` : name,
        detail: `${name} is at ${formatCount(sequence.lastValue)}, ${formatPercent(share)} of the way to ${formatCount(tightest.limit)}, the limit set by ${tightest.by}.`,
        recommendation: column
          ? 'Widen the column to bigint before it overflows (inserts then fail with "integer out of range"); on a big table do it online with a new column and a backfill.'
          : 'Switch the sequence (and its columns) to bigint before nextval fails with "reached maximum value".',
        sql: column
          ? `ALTER TABLE ${column.slice(0, column.lastIndexOf('.'))} ALTER COLUMN ${quoteIdent(column.slice(column.lastIndexOf('.') + 1))} TYPE bigint; -- rewrites the table under ACCESS EXCLUSIVE lock`
          : `ALTER SEQUENCE ${name} AS bigint;`,
      });
    }
    for (const sequence of sequences) {
      for (const column of sequence.columns) {
        if (sequence.dataType === 'bigint' && (column.type === 'integer' || column.type === 'smallint')) {
          const already = findings.some((f) => f.object.endsWith(`${column.table}.${column.column}`));
          if (already) continue;
          findings.push({
            check: 'sequence_column_type',
            severity: 'info',
            object: `${column.table}.${quoteIdent(column.column)}`,
            detail: `${column.table}.${quoteIdent(column.column)} is ${column.type} but is fed by bigint sequence ${qualifiedName(sequence.schema, sequence.name)}: it will overflow at ${formatCount(typeMaximum[column.type] ?? 0)}, long before the sequence does.`,
            recommendation: 'Widen the column to bigint while the table is small, or declare the sequence AS integer so its limit is explicit.',
            sql: `ALTER TABLE ${column.table} ALTER COLUMN ${quoteIdent(column.column)} TYPE bigint;`,
          });
        }
      }
    }
    return unreadable > 0
      ? { findings, note: `${unreadable} sequence(s) skipped: the role needs USAGE or SELECT on them to read their value.` }
      : findings;
  },
};

export const wraparoundChecks: InspectionCheck[] = [xidWraparoundCheck, sequenceExhaustionCheck];
