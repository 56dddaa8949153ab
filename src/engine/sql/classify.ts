/**
 * Classifies every statement of a script: read-only, write (DML), DDL, maintenance, session,
 * administrative, or unsafe. The script's class is the riskiest of its statements, so
 * `select 1; drop table t` is DDL, and a SELECT that calls a writing or unknown function is
 * not read-only.
 */
import { functionEffect, type FunctionEffect } from './function-safety.js';
import { nameParts, parseScript, walkTree, type ScriptStatement } from './sql-script.js';

export type StatementClass = 'read-only' | 'session' | 'maintenance' | 'write' | 'ddl' | 'administrative' | 'unsafe';

/** Riskiest last: the order used to combine statements into the script's class. */
export const classOrder: readonly StatementClass[] = ['read-only', 'session', 'maintenance', 'write', 'ddl', 'administrative', 'unsafe'];

export interface ClassifiedStatement extends ScriptStatement {
  class: StatementClass;
  /** Why, in a DBA's words. */
  reasons: string[];
  /** Functions called (as written, lower case). */
  functions: string[];
}

export interface ScriptClassification {
  class: StatementClass;
  statements: ClassifiedStatement[];
  /** Set when the script did not parse (class is then "unsafe"). */
  parseError?: string;
  readOnly: boolean;
}

export interface ClassifyOptions {
  /** Volatility from the target's pg_proc by function name ("i", "s", "v"); vouches for user functions. */
  functionVolatility?: ReadonlyMap<string, string>;
}

const dml = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const ddl = new Set([
  'CreateStmt', 'AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt', 'CreateTableAsStmt', 'ViewStmt', 'CreateSeqStmt',
  'AlterSeqStmt', 'CreateFunctionStmt', 'AlterFunctionStmt', 'CommentStmt', 'GrantStmt', 'CreateSchemaStmt', 'CreateTrigStmt',
  'CreateEnumStmt', 'AlterEnumStmt', 'CompositeTypeStmt', 'CreateDomainStmt', 'AlterDomainStmt', 'CreateExtensionStmt',
  'AlterExtensionStmt', 'TruncateStmt', 'RuleStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'CreateStatsStmt', 'AlterObjectSchemaStmt',
  'AlterOwnerStmt', 'CreatePublicationStmt', 'AlterPublicationStmt', 'SecLabelStmt', 'AlterDefaultPrivilegesStmt', 'DefineStmt',
  'CreateCastStmt', 'CreateOpClassStmt', 'AlterCollationStmt', 'CreateForeignTableStmt', 'ImportForeignSchemaStmt',
]);
const maintenance = new Set(['VacuumStmt', 'ReindexStmt', 'ClusterStmt', 'RefreshMatViewStmt']);
const sessionUtility = new Set([
  'VariableSetStmt', 'VariableShowStmt', 'TransactionStmt', 'DiscardStmt', 'PrepareStmt', 'DeallocateStmt', 'ListenStmt',
  'UnlistenStmt', 'ClosePortalStmt', 'FetchStmt', 'DeclareCursorStmt', 'ConstraintsSetStmt', 'LockStmt', 'NotifyStmt',
]);
const administrative = new Set([
  'AlterSystemStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'DropRoleStmt', 'GrantRoleStmt', 'CreatedbStmt', 'DropdbStmt',
  'AlterDatabaseStmt', 'AlterDatabaseSetStmt', 'CheckPointStmt', 'LoadStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt',
  'AlterRoleSetStmt', 'CreateSubscriptionStmt', 'AlterSubscriptionStmt', 'DropSubscriptionStmt', 'ReassignOwnedStmt', 'DropOwnedStmt',
]);
/** Statements that run arbitrary code or whose effect cannot be read from the text. */
const opaque = new Set(['DoStmt', 'CallStmt', 'ExecuteStmt']);

const effectClass: Record<Exclude<FunctionEffect, 'read-only'>, StatementClass> = {
  write: 'write',
  session: 'session',
  administrative: 'administrative',
  unknown: 'unsafe',
};

function riskier(a: StatementClass, b: StatementClass): StatementClass {
  return classOrder.indexOf(a) >= classOrder.indexOf(b) ? a : b;
}

function calledFunctions(tree: unknown): string[][] {
  const calls: string[][] = [];
  walkTree(tree, (key, value) => {
    if (key === 'FuncCall') calls.push(nameParts((value as { funcname?: unknown }).funcname));
  });
  return calls;
}

function nestedDml(tree: unknown): boolean {
  let found = false;
  walkTree(tree, (key) => {
    if (dml.has(key)) found = true;
  });
  return found;
}

/** Class of one statement from its parse tree. */
export function classifyStatement(statement: ScriptStatement, options: ClassifyOptions = {}): ClassifiedStatement {
  const { nodeType, node } = statement;
  const reasons: string[] = [];
  let cls: StatementClass;
  if (nodeType === 'SelectStmt') {
    cls = 'read-only';
    if (node.lockingClause) {
      cls = 'write';
      reasons.push('SELECT … FOR UPDATE/SHARE locks rows');
    }
    if (node.intoClause) {
      cls = 'ddl';
      reasons.push('SELECT INTO creates a table');
    }
    if (nestedDml(node)) {
      cls = riskier(cls, 'write');
      reasons.push('a WITH clause modifies data');
    }
  } else if (nodeType === 'ExplainStmt') {
    const analyze = JSON.stringify(node.options ?? []).includes('"defname":"analyze"');
    if (analyze) {
      const inner = node.query as Record<string, unknown>;
      const innerType = Object.keys(inner)[0] ?? 'Unknown';
      const innerClass = classifyStatement({ ...statement, nodeType: innerType, node: inner[innerType] as Record<string, unknown> }, options);
      cls = innerClass.class;
      reasons.push('EXPLAIN ANALYZE runs the statement', ...innerClass.reasons);
    } else {
      cls = 'read-only';
      reasons.push('EXPLAIN without ANALYZE only plans');
      return { ...statement, class: cls, reasons, functions: [] };
    }
  } else if (nodeType === 'CopyStmt') {
    cls = node.is_from ? 'write' : 'read-only';
    if (node.filename || node.is_program) {
      cls = 'administrative';
      reasons.push('COPY to or from a server file or program');
    } else reasons.push(node.is_from ? 'COPY FROM loads rows' : 'COPY TO reads rows');
  } else if (dml.has(nodeType)) {
    cls = 'write';
    reasons.push(`${nodeType.replace(/Stmt$/, '').toUpperCase()} changes rows`);
  } else if (ddl.has(nodeType)) {
    cls = 'ddl';
    reasons.push('changes the schema');
  } else if (maintenance.has(nodeType)) {
    cls = 'maintenance';
    reasons.push('maintenance command');
  } else if (sessionUtility.has(nodeType)) {
    cls = 'session';
    reasons.push('session or transaction control');
  } else if (administrative.has(nodeType)) {
    cls = 'administrative';
    reasons.push(nodeType === 'AlterSystemStmt' ? 'ALTER SYSTEM changes the server configuration' : 'acts on roles, databases or the server');
  } else if (opaque.has(nodeType)) {
    cls = 'unsafe';
    reasons.push(`${nodeType.replace(/Stmt$/, '').toUpperCase()} runs code whose effect cannot be read from the text`);
  } else {
    cls = 'unsafe';
    reasons.push(`${nodeType} is not a statement pgdba knows how to judge`);
  }

  const functions: string[] = [];
  for (const parts of calledFunctions(node)) {
    const name = parts.join('.').toLowerCase();
    functions.push(name);
    const effect = functionEffect(parts, options.functionVolatility);
    if (effect === 'read-only') continue;
    cls = riskier(cls, effectClass[effect]);
    reasons.push(effect === 'unknown' ? `calls ${name}(), which is not known to be read-only` : `calls ${name}(), which is ${effect === 'write' ? 'writing' : effect}`);
  }
  return { ...statement, class: cls, reasons, functions };
}

/** Splits and classifies a script; anything that does not parse is unsafe. */
export function classifyScript(sql: string, options: ClassifyOptions = {}): ScriptClassification {
  const parsed = parseScript(sql);
  if (!parsed.ok) return { class: 'unsafe', statements: [], parseError: parsed.error, readOnly: false };
  if (parsed.statements.length === 0) {
    return { class: 'unsafe', statements: [], parseError: 'no SQL statement was found', readOnly: false };
  }
  const statements = parsed.statements.map((s) => classifyStatement(s, options));
  const cls = statements.reduce<StatementClass>((worst, s) => riskier(worst, s.class), 'read-only');
  return { class: cls, statements, readOnly: cls === 'read-only' };
}
