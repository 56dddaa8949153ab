/**
 * Everything an approver needs to judge a change, from its SQL: the class of each statement,
 * the locks and rewrites, the table sizes, lint findings with safer alternatives, a rough
 * duration and the rollback script. With a target, facts come from its catalog; without,
 * the analysis still works from the SQL alone.
 */
import type { TargetDatabase } from '../db/target-database.js';
import { lookupCatalogFacts, type CatalogFacts } from './catalog-facts.js';
import { classifyScript, type ClassifiedStatement, type StatementClass } from './classify.js';
import { droppedIndexNames, statementEffect } from './effects.js';
import { lintScript, type LintFinding } from './lint.js';
import { lockBlocks, lockImpact, strongestLock, type LockImpact, type LockLevel } from './locks.js';
import { deriveRollback, type RollbackPlan } from './rollback.js';
import { loadSqlParser } from './sql-script.js';

export interface AnalysedStatement extends ClassifiedStatement {
  lock: LockImpact;
}

export interface RelationImpact {
  name: string;
  table: string;
  bytes: number;
  rows: number;
}

export interface ChangeAnalysis {
  sql: string;
  class: StatementClass;
  parseError?: string;
  statements: AnalysedStatement[];
  lint: LintFinding[];
  rollback: RollbackPlan;
  impact: {
    strongestLock: LockLevel | null;
    blocks: string | null;
    rewritesTable: boolean;
    relations: RelationImpact[];
    /** Rough, from table size and a sequential throughput assumption; null when unknown. */
    estimatedSeconds: number | null;
    /** What guarded actions do beyond their lock (a terminated backend loses its transaction…). */
    effects?: string[];
    summary: string;
  };
}

export interface AnalyzeOptions {
  target?: TargetDatabase;
  /** Assumed sequential read rate of the server, for the duration estimate (default 100 MB/s). */
  scanBytesPerSecond?: number;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} kB`;
}

/** How many passes over the table the statement makes (for the estimate). */
function passes(statement: AnalysedStatement): number {
  if (statement.lock.rewritesTable) return 3;
  if (statement.nodeType === 'IndexStmt') return statement.node.concurrent ? 3 : 2;
  return statement.lock.scansTable ? 1 : 0;
}

/** Analyses a change script. Catalog lookups failing (no target, no rights) leave facts empty, not the analysis. */
export async function analyzeChange(sql: string, options: AnalyzeOptions = {}): Promise<ChangeAnalysis> {
  await loadSqlParser();
  let classification = classifyScript(sql);
  let facts: CatalogFacts | undefined;
  if (options.target && !classification.parseError) {
    const relations = classification.statements.flatMap((s) => lockImpact(s).relations);
    const functions = classification.statements.flatMap((s) => s.functions);
    facts = await lookupCatalogFacts(options.target, { relations, functions, droppedIndexes: classification.statements.flatMap(droppedIndexNames) });
    classification = classifyScript(sql, { functionVolatility: facts.functionVolatility });
  }
  const statements: AnalysedStatement[] = classification.statements.map((s) => ({ ...s, lock: lockImpact(s) }));
  const lint = lintScript(statements, facts ? { relations: facts.relations } : {});
  const rollback = deriveRollback(statements, facts ? { indexDefinitions: facts.indexDefinitions } : {});
  const relationNames = [...new Set(statements.flatMap((s) => s.lock.relations))];
  const relations: RelationImpact[] = relationNames.flatMap((name) => {
    const f = facts?.relations.get(name);
    return f ? [{ name, table: f.table, bytes: f.bytes, rows: f.rows }] : [];
  });
  const level = strongestLock(statements.map((s) => s.lock));
  const rewritesTable = statements.some((s) => s.lock.rewritesTable);
  const rate = options.scanBytesPerSecond ?? 100 * 1024 * 1024;
  let estimatedSeconds: number | null = null;
  if (facts) {
    estimatedSeconds = statements.reduce((sum, s) => {
      const bytes = s.lock.relations.map((r) => facts!.relations.get(r)?.bytes ?? 0).reduce((a, b) => a + b, 0);
      return sum + (passes(s) * bytes) / rate;
    }, 0);
  }
  const effects = statements.map(statementEffect).filter((e): e is string => e !== undefined);
  const sizeText = relations.length > 0 ? ` on ${relations.map((r) => `${r.table} (${formatBytes(r.bytes)}, ~${Math.round(r.rows).toLocaleString('en-US')} rows)`).join(', ')}` : '';
  const summary = classification.parseError
    ? `Unsafe: ${classification.parseError}.`
    : [
        level ? `Takes ${level}${sizeText}: ${lockBlocks[level]}.` : 'Takes no table lock.',
        rewritesTable ? 'Rewrites the table.' : '',
        ...effects,
        estimatedSeconds !== null ? `Estimated duration: ${estimatedSeconds < 1 ? 'under a second' : `about ${Math.ceil(estimatedSeconds)} s`} (rough, at ${formatBytes(rate)}/s).` : '',
      ].filter(Boolean).join(' ');
  return {
    sql,
    class: classification.class,
    ...(classification.parseError ? { parseError: classification.parseError } : {}),
    statements,
    lint,
    rollback,
    impact: { strongestLock: level, blocks: level ? lockBlocks[level] : null, rewritesTable, relations, estimatedSeconds, ...(effects.length > 0 ? { effects } : {}), summary },
  };
}
