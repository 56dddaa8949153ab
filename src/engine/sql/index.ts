/** SQL classification, lock impact, lint and rollback derivation over PostgreSQL's own parser. */
export { analyzeChange, type AnalysedStatement, type AnalyzeOptions, type ChangeAnalysis, type RelationImpact } from './analyze-change.js';
export { lookupCatalogFacts, type CatalogFacts } from './catalog-facts.js';
export { classifyScript, classifyStatement, classOrder, type ClassifiedStatement, type ClassifyOptions, type ScriptClassification, type StatementClass } from './classify.js';
export { backendSignal, droppedIndexNames, statementEffect, vacuumedTables, type BackendSignal, type BackendSignalFunction } from './effects.js';
export { functionEffect, type FunctionEffect } from './function-safety.js';
export { lintScript, type LintContext, type LintFinding, type LintSeverity, type RelationFacts } from './lint.js';
export { lockBlocks, lockImpact, lockOrder, strongestLock, type LockImpact, type LockLevel } from './locks.js';
export { deriveRollback, type RollbackContext, type RollbackPlan } from './rollback.js';
export { loadSqlParser, parseScript, quoteIdent, type ParsedScript, type ScriptStatement } from './sql-script.js';
