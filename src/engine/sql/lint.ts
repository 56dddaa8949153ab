/**
 * Migration lint in the spirit of Squawk's rules, written over the libpg-query parse tree. Each
 * finding names the statement, says why it hurts on a live database, and gives the safer way.
 */
import { functionEffect } from './function-safety.js';
import { lockImpact } from './locks.js';
import { nameParts, relationName, type ScriptStatement } from './sql-script.js';

export type LintSeverity = 'error' | 'warning' | 'info';

export interface LintFinding {
  rule: string;
  severity: LintSeverity;
  /** Index of the statement in the script. */
  statementIndex: number;
  message: string;
  saferAlternative: string;
}

export interface RelationFacts {
  /** pg_total_relation_size in bytes. */
  bytes: number;
  /** Estimated rows (pg_class.reltuples). */
  rows: number;
  /** seq_scan + idx_scan since statistics were reset: is the table in use? */
  scans?: number;
}

export interface LintContext {
  /** Facts by relation name as written in the SQL (e.g. "orders" or "app.orders"). */
  relations?: ReadonlyMap<string, RelationFacts>;
  /** Above this size a table counts as big (default 100 MB). */
  bigTableBytes?: number;
}

const defaultBigTableBytes = 100 * 1024 * 1024;

/** Defaults evaluated once per statement (PostgreSQL 11+ stores them without a rewrite). */
const stableDefaults = new Set(['now', 'transaction_timestamp', 'statement_timestamp']);
/** Read-only but volatile: evaluated per row, so the table is rewritten. */
const volatileDefaults = new Set(['random', 'clock_timestamp', 'gen_random_uuid', 'uuid_generate_v4', 'timeofday', 'nextval']);

type Rule = (statement: ScriptStatement, state: ScriptState, context: LintContext) => Omit<LintFinding, 'statementIndex'>[];

interface ScriptState {
  inTransactionBlock: boolean;
  lockTimeoutSet: boolean;
  /** Tables created earlier in the same script: empty, so their locks do not matter. */
  createdTables: Set<string>;
}

interface AlterCmd {
  subtype: string;
  name?: string;
  def?: Record<string, unknown>;
}

function alterCommands(statement: ScriptStatement): AlterCmd[] {
  if (statement.nodeType !== 'AlterTableStmt') return [];
  return ((statement.node.cmds as { AlterTableCmd: AlterCmd }[] | undefined) ?? []).map((c) => c.AlterTableCmd);
}

function tableOf(statement: ScriptStatement): string | undefined {
  return relationName(statement.node.relation);
}

function sizeText(facts: RelationFacts | undefined): string {
  if (!facts) return '';
  const mb = facts.bytes / (1024 * 1024);
  return ` (${mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(mb < 10 ? 1 : 0)} MB`}, ~${Math.round(facts.rows).toLocaleString('en-US')} rows)`;
}

function typeName(typeNode: unknown): { name: string; typmods: number } {
  const t = typeNode as { names?: unknown; typmods?: unknown[] } | undefined;
  const parts = nameParts(t?.names);
  return { name: (parts.at(-1) ?? '').toLowerCase(), typmods: t?.typmods?.length ?? 0 };
}

interface ColumnDef {
  colname?: string;
  typeName?: unknown;
  constraints?: { Constraint: Record<string, unknown> }[];
}

function columnDefs(statement: ScriptStatement): ColumnDef[] {
  if (statement.nodeType === 'CreateStmt') {
    return ((statement.node.tableElts as Record<string, unknown>[] | undefined) ?? [])
      .filter((e) => 'ColumnDef' in e)
      .map((e) => e.ColumnDef as ColumnDef);
  }
  return alterCommands(statement).filter((c) => c.subtype === 'AT_AddColumn').map((c) => (c.def?.ColumnDef ?? {}) as ColumnDef);
}

function primaryKeyColumns(statement: ScriptStatement): Set<string> {
  const keys = new Set<string>();
  for (const column of columnDefs(statement)) {
    if ((column.constraints ?? []).some((c) => c.Constraint.contype === 'CONSTR_PRIMARY') && column.colname) keys.add(column.colname);
  }
  const tableConstraints = statement.nodeType === 'CreateStmt'
    ? ((statement.node.tableElts as Record<string, unknown>[] | undefined) ?? []).filter((e) => 'Constraint' in e).map((e) => e.Constraint as Record<string, unknown>)
    : alterCommands(statement).filter((c) => c.subtype === 'AT_AddConstraint').map((c) => (c.def?.Constraint ?? {}) as Record<string, unknown>);
  for (const constraint of tableConstraints) {
    if (constraint.contype === 'CONSTR_PRIMARY') for (const key of nameParts(constraint.keys)) keys.add(key);
  }
  return keys;
}

const rules: Rule[] = [
  // require-concurrent-index-creation
  (s, state) => {
    if (s.nodeType !== 'IndexStmt' || s.node.concurrent) return [];
    const table = tableOf(s);
    if (table && state.createdTables.has(table)) return [];
    return [{
      rule: 'require-concurrent-index-creation',
      severity: 'error',
      message: `CREATE INDEX without CONCURRENTLY locks ${table ?? 'the table'} against writes (SHARE) for the whole build.`,
      saferAlternative: 'Use CREATE INDEX CONCURRENTLY (outside a transaction block); it lets reads and writes continue.',
    }];
  },
  // require-concurrent-index-deletion
  (s) => {
    if (s.nodeType !== 'DropStmt' || s.node.removeType !== 'OBJECT_INDEX' || s.node.concurrent) return [];
    return [{
      rule: 'require-concurrent-index-deletion',
      severity: 'warning',
      message: 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table: every query on it waits.',
      saferAlternative: 'Use DROP INDEX CONCURRENTLY (outside a transaction block).',
    }];
  },
  // transaction-nesting: concurrently in a transaction block fails
  (s, state) => {
    if (!state.inTransactionBlock || !lockImpact(s).runsOutsideTransaction) return [];
    return [{
      rule: 'concurrently-in-transaction',
      severity: 'error',
      message: `${s.nodeType === 'VacuumStmt' ? 'VACUUM' : 'This CONCURRENTLY statement'} cannot run inside a transaction block (BEGIN … COMMIT); it fails with "cannot run inside a transaction block".`,
      saferAlternative: 'Run it on its own, outside BEGIN/COMMIT (pgdba\'s executor does this for you).',
    }];
  },
  // changing-column-type
  (s, _state, context) => alterCommands(s).filter((c) => c.subtype === 'AT_AlterColumnType').map((c) => ({
    rule: 'changing-column-type',
    severity: 'error' as const,
    message: `Changing the type of ${c.name ?? 'a column'} usually rewrites ${tableOf(s) ?? 'the table'}${sizeText(context.relations?.get(tableOf(s) ?? ''))} and all its indexes under ACCESS EXCLUSIVE.`,
    saferAlternative: 'Add a new column of the new type, backfill it in batches, switch readers and writers, then drop the old column.',
  })),
  // adding-not-nullable-field / set-not-null
  (s, _state, context) => alterCommands(s).filter((c) => c.subtype === 'AT_SetNotNull').map((c) => {
    const facts = context.relations?.get(tableOf(s) ?? '');
    const big = facts ? facts.bytes >= (context.bigTableBytes ?? defaultBigTableBytes) : false;
    return {
      rule: 'set-not-null',
      severity: big ? 'error' as const : 'warning' as const,
      message: `SET NOT NULL on ${c.name ?? 'a column'} scans ${tableOf(s) ?? 'the table'}${sizeText(facts)} under ACCESS EXCLUSIVE${big ? '; on a table this big that blocks every query for the scan' : ''}.`,
      saferAlternative: `Add CHECK (${c.name ?? 'col'} IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE), then SET NOT NULL (PostgreSQL 12+ uses the valid check and skips the scan), then drop the check.`,
    };
  }),
  // constraint-missing-not-valid (FK and CHECK)
  (s, state) => {
    const table = tableOf(s);
    if (table && state.createdTables.has(table)) return [];
    return alterCommands(s)
      .filter((c) => c.subtype === 'AT_AddConstraint')
      .map((c) => (c.def?.Constraint ?? {}) as Record<string, unknown>)
      .filter((c) => (c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') && !c.skip_validation)
      .map((c) => ({
        rule: 'constraint-missing-not-valid',
        severity: 'error' as const,
        message: `Adding ${c.contype === 'CONSTR_FOREIGN' ? 'a FOREIGN KEY' : 'a CHECK constraint'}${c.conname ? ` ${String(c.conname)}` : ''} validates every existing row while holding ${c.contype === 'CONSTR_FOREIGN' ? 'SHARE ROW EXCLUSIVE (writes wait)' : 'ACCESS EXCLUSIVE (everything waits)'}.`,
        saferAlternative: 'Add it with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a separate step (only SHARE UPDATE EXCLUSIVE).',
      }));
  },
  // adding-field-with-volatile-default
  (s) => {
    if (s.nodeType !== 'AlterTableStmt') return [];
    const findings: Omit<LintFinding, 'statementIndex'>[] = [];
    for (const column of columnDefs(s)) {
      for (const { Constraint: c } of column.constraints ?? []) {
        if (c.contype !== 'CONSTR_DEFAULT') continue;
        const calls: string[] = [];
        JSON.stringify(c.raw_expr ?? {}, (key, value: unknown) => {
          if (key === 'FuncCall') calls.push(nameParts((value as { funcname?: unknown }).funcname).join('.'));
          return value;
        });
        const volatile = calls.filter((name) => {
          const bare = (name.split('.').at(-1) ?? '').toLowerCase();
          return !stableDefaults.has(bare) && (volatileDefaults.has(bare) || functionEffect([bare]) !== 'read-only');
        });
        if (volatile.length === 0) continue;
        findings.push({
          rule: 'adding-field-with-volatile-default',
          severity: 'error',
          message: `Adding ${column.colname ?? 'a column'} with the volatile default ${volatile[0]}() rewrites the whole table under ACCESS EXCLUSIVE.`,
          saferAlternative: 'Add the column without a default (or with a constant), set the default afterwards, and backfill existing rows in batches.',
        });
      }
    }
    return findings;
  },
  // renaming / dropping columns and tables in use
  (s, _state, context) => {
    const table = tableOf(s);
    const facts = context.relations?.get(table ?? '');
    const inUse = facts?.scans !== undefined && facts.scans > 0 ? ` The table was read ${facts.scans.toLocaleString('en-US')} times since statistics were reset.` : '';
    if (s.nodeType === 'RenameStmt' && (s.node.renameType === 'OBJECT_COLUMN' || s.node.renameType === 'OBJECT_TABLE')) {
      const what = s.node.renameType === 'OBJECT_COLUMN' ? `column ${String(s.node.subname)}` : `table ${table ?? ''}`;
      return [{
        rule: s.node.renameType === 'OBJECT_COLUMN' ? 'renaming-column' : 'renaming-table',
        severity: 'warning',
        message: `Renaming ${what} breaks every client still using the old name.${inUse}`,
        saferAlternative: 'Add the new name alongside (new column kept in sync, or a view with the old name), move clients over, then remove the old name.',
      }];
    }
    const drops = alterCommands(s).filter((c) => c.subtype === 'AT_DropColumn').map((c) => ({
      rule: 'dropping-column',
      severity: 'warning' as const,
      message: `Dropping column ${c.name ?? ''} of ${table ?? 'the table'} breaks clients that still read or write it.${inUse}`,
      saferAlternative: 'Stop using the column in the application first (and check pg_stat_statements), then drop it.',
    }));
    if (s.nodeType === 'DropStmt' && s.node.removeType === 'OBJECT_TABLE') {
      const names = ((s.node.objects as unknown[] | undefined) ?? []).map((o) => nameParts((o as { List?: { items?: unknown } }).List?.items).join('.'));
      const used = names.map((n) => context.relations?.get(n)?.scans ?? 0).reduce((a, b) => a + b, 0);
      drops.push({
        rule: 'dropping-table',
        severity: 'warning',
        message: `Dropping ${names.join(', ')} cannot be undone without a backup.${used > 0 ? ` It was read ${used.toLocaleString('en-US')} times since statistics were reset.` : ''}`,
        saferAlternative: 'Rename it (or revoke access) first and drop it after a quiet period; take a dump of the table before dropping.',
      });
    }
    return drops;
  },
  // disallowed-unique-constraint
  (s, state) => {
    const table = tableOf(s);
    if (table && state.createdTables.has(table)) return [];
    return alterCommands(s)
      .filter((c) => c.subtype === 'AT_AddConstraint')
      .map((c) => (c.def?.Constraint ?? {}) as Record<string, unknown>)
      .filter((c) => (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && !c.indexname)
      .map((c) => ({
        rule: 'disallowed-unique-constraint',
        severity: 'error' as const,
        message: `Adding a ${c.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY'} constraint builds its index while holding ACCESS EXCLUSIVE on ${table ?? 'the table'}.`,
        saferAlternative: `CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE … ADD CONSTRAINT … ${c.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY'} USING INDEX.`,
      }));
  },
  // prefer-bigint for primary keys
  (s) => {
    const keys = primaryKeyColumns(s);
    return columnDefs(s)
      .filter((c) => c.colname && keys.has(c.colname) && ['int4', 'int2', 'serial', 'serial4', 'smallserial', 'serial2', 'int', 'integer', 'smallint'].includes(typeName(c.typeName).name))
      .map((c) => ({
        rule: 'prefer-bigint-primary-key',
        severity: 'warning' as const,
        message: `Primary key ${c.colname} is a 4-byte (or smaller) integer: it runs out at 2,147,483,647 and changing it later rewrites the table.`,
        saferAlternative: 'Use bigint (bigserial, or bigint GENERATED ALWAYS AS IDENTITY).',
      }));
  },
  // prefer-text-field and prefer-timestamptz
  (s) => columnDefs(s).flatMap((c) => {
    const type = typeName(c.typeName);
    const found: Omit<LintFinding, 'statementIndex'>[] = [];
    if (type.name === 'varchar' && type.typmods > 0) {
      found.push({
        rule: 'prefer-text-field',
        severity: 'info',
        message: `${c.colname ?? 'A column'} is varchar(n): raising the limit later is easy, but lowering it or adding one rewrites or scans the table.`,
        saferAlternative: 'Use text with a CHECK (char_length(col) <= n) constraint, which can be changed without a rewrite (add NOT VALID, then validate).',
      });
    }
    if (type.name === 'timestamp') {
      found.push({
        rule: 'prefer-timestamptz',
        severity: 'warning',
        message: `${c.colname ?? 'A column'} is timestamp without time zone: the value's meaning depends on each client's TimeZone.`,
        saferAlternative: 'Use timestamptz (timestamp with time zone).',
      });
    }
    return found;
  }),
  // require-timeout-settings (lock_timeout)
  (s, state) => {
    if (state.lockTimeoutSet) return [];
    const impact = lockImpact(s);
    const table = tableOf(s);
    if (!impact.level || ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE'].includes(impact.level)) return [];
    if (table && state.createdTables.has(table)) return [];
    if (!['AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt', 'CreateTrigStmt', 'TruncateStmt', 'CreateStmt', 'ReindexStmt', 'ClusterStmt'].includes(s.nodeType)) return [];
    return [{
      rule: 'missing-lock-timeout',
      severity: 'info',
      message: `No SET lock_timeout before this ${impact.level} lock: if a long query holds the table, the statement queues behind it and every later query queues behind the statement.`,
      saferAlternative: "Start with SET lock_timeout = '3s' and retry on timeout. pgdba's executor always sets it (default 3 s) and retries.",
    }];
  },
];

function advance(state: ScriptState, s: ScriptStatement): void {
  if (s.nodeType === 'TransactionStmt') {
    const kind = String(s.node.kind ?? '');
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') state.inTransactionBlock = true;
    if (['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE', 'TRANS_STMT_COMMIT_PREPARED'].includes(kind)) state.inTransactionBlock = false;
  }
  if (s.nodeType === 'VariableSetStmt' && s.node.name === 'lock_timeout') state.lockTimeoutSet = true;
  if (s.nodeType === 'CreateStmt') {
    const table = tableOf(s);
    if (table) state.createdTables.add(table);
  }
}

/** Lints a parsed script in order (a SET lock_timeout or BEGIN affects what follows it). */
export function lintScript(statements: ScriptStatement[], context: LintContext = {}): LintFinding[] {
  const state: ScriptState = { inTransactionBlock: false, lockTimeoutSet: false, createdTables: new Set() };
  const findings: LintFinding[] = [];
  for (const statement of statements) {
    for (const rule of rules) {
      for (const finding of rule(statement, state, context)) findings.push({ ...finding, statementIndex: statement.index });
    }
    advance(state, statement);
  }
  return findings;
}
