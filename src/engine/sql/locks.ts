/**
 * The lock each change takes, whether it rewrites the table, and whether it must run outside a
 * transaction block, following the PostgreSQL documentation ("Explicit Locking" and each
 * command's reference page). Used for the approval card's impact line and by the executor.
 */
import { nameParts, relationName, type ScriptStatement } from './sql-script.js';

export type LockLevel =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

export const lockOrder: readonly LockLevel[] = [
  'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE',
];

/** What a lock level stops other sessions from doing, for people. */
export const lockBlocks: Record<LockLevel, string> = {
  'ACCESS SHARE': 'blocks only ACCESS EXCLUSIVE (DROP, most ALTER TABLE)',
  'ROW SHARE': 'blocks EXCLUSIVE and ACCESS EXCLUSIVE',
  'ROW EXCLUSIVE': 'blocks SHARE and stronger (CREATE INDEX without CONCURRENTLY)',
  'SHARE UPDATE EXCLUSIVE': 'reads and writes continue; blocks other schema changes, VACUUM and ANALYZE on the table',
  SHARE: 'reads continue; INSERT, UPDATE and DELETE wait',
  'SHARE ROW EXCLUSIVE': 'reads continue; writes wait',
  EXCLUSIVE: 'only plain reads continue; writes wait',
  'ACCESS EXCLUSIVE': 'everything waits, reads included',
};

export interface LockImpact {
  /** Strongest lock taken on an existing relation; null when none (e.g. SET, pg_cancel_backend). */
  level: LockLevel | null;
  /** Relations the lock is taken on, as written. */
  relations: string[];
  /** True when the table is rewritten (time and disk proportional to its size). */
  rewritesTable: boolean;
  /** True when the whole table is scanned under the lock (validation, SET NOT NULL). */
  scansTable: boolean;
  /** CREATE INDEX CONCURRENTLY, VACUUM, … cannot run inside a transaction block. */
  runsOutsideTransaction: boolean;
  note?: string;
}

function stronger(a: LockLevel | null, b: LockLevel | null): LockLevel | null {
  if (a === null) return b;
  if (b === null) return a;
  return lockOrder.indexOf(a) >= lockOrder.indexOf(b) ? a : b;
}

function hasOption(options: unknown, name: string): boolean {
  return Array.isArray(options) && options.some((o) => (o as { DefElem?: { defname?: string } }).DefElem?.defname === name);
}

interface AlterCmd {
  subtype: string;
  name?: string;
  def?: Record<string, unknown>;
}

/** Lock per ALTER TABLE subcommand: the documented exceptions to ACCESS EXCLUSIVE. */
function alterCommandImpact(cmd: AlterCmd): Pick<LockImpact, 'level' | 'rewritesTable' | 'scansTable'> & { extraRelations: string[] } {
  const constraint = (cmd.def?.Constraint ?? undefined) as Record<string, unknown> | undefined;
  switch (cmd.subtype) {
    case 'AT_AddConstraint':
      if (constraint?.contype === 'CONSTR_FOREIGN') {
        const referenced = relationName(constraint.pktable);
        return { level: 'SHARE ROW EXCLUSIVE', rewritesTable: false, scansTable: !constraint.skip_validation, extraRelations: referenced ? [referenced] : [] };
      }
      if (constraint?.contype === 'CONSTR_CHECK') {
        return { level: 'ACCESS EXCLUSIVE', rewritesTable: false, scansTable: !constraint.skip_validation, extraRelations: [] };
      }
      // UNIQUE / PRIMARY KEY without USING INDEX builds an index under ACCESS EXCLUSIVE.
      return { level: 'ACCESS EXCLUSIVE', rewritesTable: false, scansTable: !constraint?.indexname, extraRelations: [] };
    case 'AT_ValidateConstraint':
    case 'AT_SetStatistics':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
    case 'AT_AttachPartition':
      return { level: 'SHARE UPDATE EXCLUSIVE', rewritesTable: false, scansTable: cmd.subtype === 'AT_ValidateConstraint', extraRelations: [] };
    case 'AT_EnableTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
      return { level: 'SHARE ROW EXCLUSIVE', rewritesTable: false, scansTable: false, extraRelations: [] };
    case 'AT_AlterColumnType':
      return { level: 'ACCESS EXCLUSIVE', rewritesTable: true, scansTable: true, extraRelations: [] };
    case 'AT_SetNotNull':
      return { level: 'ACCESS EXCLUSIVE', rewritesTable: false, scansTable: true, extraRelations: [] };
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
    case 'AT_SetAccessMethod':
      return { level: 'ACCESS EXCLUSIVE', rewritesTable: true, scansTable: true, extraRelations: [] };
    case 'AT_AddColumn': {
      const column = (cmd.def?.ColumnDef ?? {}) as { constraints?: { Constraint: Record<string, unknown> }[] };
      const constraints = (column.constraints ?? []).map((c) => c.Constraint);
      const volatileDefault = constraints.some((c) => c.contype === 'CONSTR_DEFAULT' && JSON.stringify(c.raw_expr ?? {}).includes('FuncCall'));
      const generatedOrIdentity = constraints.some((c) => c.contype === 'CONSTR_GENERATED' || c.contype === 'CONSTR_IDENTITY');
      return { level: 'ACCESS EXCLUSIVE', rewritesTable: volatileDefault || generatedOrIdentity, scansTable: volatileDefault || generatedOrIdentity, extraRelations: [] };
    }
    default:
      return { level: 'ACCESS EXCLUSIVE', rewritesTable: false, scansTable: false, extraRelations: [] };
  }
}

const none: LockImpact = { level: null, relations: [], rewritesTable: false, scansTable: false, runsOutsideTransaction: false };

/** Lock, rewrite and transaction needs of one statement. */
export function lockImpact(statement: ScriptStatement): LockImpact {
  const { nodeType, node } = statement;
  const relation = relationName(node.relation);
  const on = relation ? [relation] : [];
  switch (nodeType) {
    case 'SelectStmt':
      return { ...none, level: node.lockingClause ? 'ROW SHARE' : 'ACCESS SHARE' };
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return { ...none, level: 'ROW EXCLUSIVE', relations: on };
    case 'IndexStmt':
      return node.concurrent
        ? { ...none, level: 'SHARE UPDATE EXCLUSIVE', relations: on, scansTable: true, runsOutsideTransaction: true, note: 'builds the index while reads and writes continue (two table scans)' }
        : { ...none, level: 'SHARE', relations: on, scansTable: true, note: 'writes to the table wait for the whole build' };
    case 'DropStmt': {
      const objects = (node.objects as unknown[] | undefined ?? []).map((o) => nameParts((o as { List?: { items?: unknown } }).List?.items).join('.'));
      if (node.removeType === 'OBJECT_INDEX' && node.concurrent) {
        return { ...none, level: 'SHARE UPDATE EXCLUSIVE', relations: objects, runsOutsideTransaction: true };
      }
      return { ...none, level: 'ACCESS EXCLUSIVE', relations: objects };
    }
    case 'AlterTableStmt': {
      const cmds = (node.cmds as { AlterTableCmd: AlterCmd }[] | undefined ?? []).map((c) => c.AlterTableCmd);
      let impact: LockImpact = { ...none, relations: on };
      for (const cmd of cmds) {
        const one = alterCommandImpact(cmd);
        impact = {
          ...impact,
          level: stronger(impact.level, one.level),
          rewritesTable: impact.rewritesTable || one.rewritesTable,
          scansTable: impact.scansTable || one.scansTable,
          relations: [...new Set([...impact.relations, ...one.extraRelations])],
        };
        if (cmd.subtype === 'AT_DetachPartition' && JSON.stringify(cmd.def ?? {}).includes('"concurrent":true')) {
          impact = { ...impact, level: 'SHARE UPDATE EXCLUSIVE', runsOutsideTransaction: true };
        }
      }
      return impact;
    }
    case 'VacuumStmt': {
      const relations = (node.rels as { VacuumRelation: { relation?: unknown } }[] | undefined ?? [])
        .map((r) => relationName(r.VacuumRelation.relation))
        .filter((r): r is string => r !== undefined);
      if (hasOption(node.options, 'full')) {
        return { ...none, level: 'ACCESS EXCLUSIVE', relations, rewritesTable: true, scansTable: true, runsOutsideTransaction: true };
      }
      return { ...none, level: 'SHARE UPDATE EXCLUSIVE', relations, scansTable: true, runsOutsideTransaction: Boolean(node.is_vacuumcmd) };
    }
    case 'ReindexStmt':
      return hasOption(node.params, 'concurrently')
        ? { ...none, level: 'SHARE UPDATE EXCLUSIVE', relations: on, scansTable: true, runsOutsideTransaction: true }
        : { ...none, level: 'ACCESS EXCLUSIVE', relations: on, scansTable: true, runsOutsideTransaction: node.kind === 'REINDEX_OBJECT_SCHEMA' || node.kind === 'REINDEX_OBJECT_DATABASE' || node.kind === 'REINDEX_OBJECT_SYSTEM', note: 'the table is locked SHARE and the index ACCESS EXCLUSIVE: queries that would use the index wait' };
    case 'ClusterStmt':
      return { ...none, level: 'ACCESS EXCLUSIVE', relations: on, rewritesTable: true, scansTable: true };
    case 'RefreshMatViewStmt':
      return { ...none, level: node.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE', relations: on, rewritesTable: true, scansTable: true };
    case 'TruncateStmt': {
      const relations = (node.relations as { RangeVar: unknown }[] | undefined ?? []).map((r) => relationName(r.RangeVar)).filter((r): r is string => r !== undefined);
      return { ...none, level: 'ACCESS EXCLUSIVE', relations };
    }
    case 'RenameStmt':
      return { ...none, level: node.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', relations: on };
    case 'CreateTrigStmt':
      return { ...none, level: 'SHARE ROW EXCLUSIVE', relations: on };
    case 'CreateStmt': {
      const referenced: string[] = [];
      for (const element of (node.tableElts as Record<string, unknown>[] | undefined) ?? []) {
        const text = JSON.stringify(element);
        if (text.includes('CONSTR_FOREIGN')) {
          const match = /"pktable":\{[^}]*?"relname":"([^"]+)"/.exec(text);
          if (match) referenced.push(match[1]!);
        }
      }
      return referenced.length > 0 ? { ...none, level: 'SHARE ROW EXCLUSIVE', relations: referenced, note: 'new table; the referenced tables are locked for the foreign keys' } : none;
    }
    case 'LockStmt': {
      const mode = Number(node.mode ?? 8);
      const relations = (node.relations as { RangeVar: unknown }[] | undefined ?? []).map((r) => relationName(r.RangeVar)).filter((r): r is string => r !== undefined);
      return { ...none, level: lockOrder[Math.min(Math.max(mode, 1), 8) - 1]!, relations };
    }
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
      return { ...none, runsOutsideTransaction: true };
    case 'CommentStmt':
      return { ...none, level: 'SHARE UPDATE EXCLUSIVE' };
    default:
      return none;
  }
}

/** Strongest lock level of several impacts. */
export function strongestLock(impacts: LockImpact[]): LockLevel | null {
  return impacts.reduce<LockLevel | null>((max, i) => stronger(max, i.level), null);
}
