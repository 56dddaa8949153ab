/**
 * Rollback scripts where the inverse is mechanical: what was created can be dropped, what was
 * renamed can be renamed back. Where it is not (a dropped index without its definition, a
 * changed type), the statement is listed as not mechanically reversible rather than guessed.
 */
import { nameParts, quoteIdent, type ScriptStatement } from './sql-script.js';

export interface RollbackPlan {
  /** Statements that undo the change, in the order to run them (reverse of the change). */
  statements: string[];
  /** Changes that have no mechanical inverse, with why. */
  irreversible: { statementIndex: number; reason: string }[];
}

export interface RollbackContext {
  /** Index definitions (pg_get_indexdef) by index name as written, so a DROP INDEX can be undone. */
  indexDefinitions?: ReadonlyMap<string, string>;
}

function qualified(rangeVar: unknown): string {
  const { schemaname, relname } = (rangeVar ?? {}) as { schemaname?: string; relname?: string };
  return [schemaname, relname].filter((p): p is string => Boolean(p)).map(quoteIdent).join('.');
}

function withConcurrently(definition: string): string {
  return definition.replace(/^CREATE (UNIQUE )?INDEX /i, (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX CONCURRENTLY `);
}

function inverse(s: ScriptStatement, context: RollbackContext): string[] | string {
  const node = s.node;
  const schema = (node.relation as { schemaname?: string } | undefined)?.schemaname;
  switch (s.nodeType) {
    case 'IndexStmt': {
      if (!node.idxname) return 'the index has no name, so its generated name is not known before it exists';
      const name = [schema, String(node.idxname)].filter((p): p is string => Boolean(p)).map(quoteIdent).join('.');
      return [`DROP INDEX CONCURRENTLY IF EXISTS ${name}`];
    }
    case 'CreateStmt':
      return [`DROP TABLE ${qualified(node.relation)}`];
    case 'DropStmt': {
      if (node.removeType !== 'OBJECT_INDEX') return 'dropped tables, views and other objects come back only from a backup';
      const names = ((node.objects as unknown[] | undefined) ?? []).map((o) => nameParts((o as { List?: { items?: unknown } }).List?.items).join('.'));
      const definitions = names.map((n) => context.indexDefinitions?.get(n));
      if (definitions.some((d) => !d)) return 'the index definition was not looked up; recreate it from pg_get_indexdef taken before the drop';
      return definitions.map((d) => withConcurrently(d!));
    }
    case 'RenameStmt': {
      const from = String(node.subname ?? '');
      const to = String(node.newname ?? '');
      if (node.renameType === 'OBJECT_COLUMN') return [`ALTER TABLE ${qualified(node.relation)} RENAME COLUMN ${quoteIdent(to)} TO ${quoteIdent(from)}`];
      if (node.renameType === 'OBJECT_TABLE') {
        const renamed = [schema, to].filter((p): p is string => Boolean(p)).map(quoteIdent).join('.');
        return [`ALTER TABLE ${renamed} RENAME TO ${quoteIdent(String((node.relation as { relname?: string }).relname ?? ''))}`];
      }
      if (node.renameType === 'OBJECT_INDEX') {
        const renamed = [schema, to].filter((p): p is string => Boolean(p)).map(quoteIdent).join('.');
        return [`ALTER INDEX ${renamed} RENAME TO ${quoteIdent(String((node.relation as { relname?: string }).relname ?? ''))}`];
      }
      return 'only table, column and index renames are reversed mechanically';
    }
    case 'AlterTableStmt': {
      const table = qualified(node.relation);
      const undo: string[] = [];
      for (const { AlterTableCmd: cmd } of (node.cmds as { AlterTableCmd: { subtype: string; name?: string; def?: Record<string, unknown> } }[] | undefined) ?? []) {
        const constraint = cmd.def?.Constraint as { conname?: string } | undefined;
        const column = cmd.def?.ColumnDef as { colname?: string } | undefined;
        switch (cmd.subtype) {
          case 'AT_AddColumn':
            undo.push(`ALTER TABLE ${table} DROP COLUMN IF EXISTS ${quoteIdent(column?.colname ?? '')}`);
            break;
          case 'AT_AddConstraint':
            if (!constraint?.conname) return 'the constraint has no name, so its generated name is not known before it exists';
            undo.push(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(constraint.conname)}`);
            break;
          case 'AT_SetNotNull':
            undo.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(cmd.name ?? '')} DROP NOT NULL`);
            break;
          case 'AT_DropNotNull':
            undo.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(cmd.name ?? '')} SET NOT NULL`);
            break;
          case 'AT_ValidateConstraint':
            break; // validation changes no data; nothing to undo
          default:
            return `${cmd.subtype.replace(/^AT_/, '')} has no mechanical inverse (the previous state is not in the statement)`;
        }
      }
      return undo.reverse();
    }
    case 'VacuumStmt':
    case 'ReindexStmt':
    case 'VariableSetStmt':
    case 'SelectStmt':
    case 'ExplainStmt':
      return [];
    default:
      return `${s.nodeType.replace(/Stmt$/, '')} has no mechanical inverse`;
  }
}

/** Derives the rollback script of a change; statements without a mechanical inverse are listed. */
export function deriveRollback(statements: ScriptStatement[], context: RollbackContext = {}): RollbackPlan {
  const plan: RollbackPlan = { statements: [], irreversible: [] };
  for (const statement of [...statements].reverse()) {
    const result = inverse(statement, context);
    if (typeof result === 'string') plan.irreversible.push({ statementIndex: statement.index, reason: result });
    else plan.statements.push(...result);
  }
  plan.irreversible.reverse();
  return plan;
}
