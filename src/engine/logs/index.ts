/** PostgreSQL log analysis engine (see docs/logs.md). */
export { analyzeLogs, LogInputError } from './analyze-logs.js';
export type * from './analysis-types.js';
export type { LogAnalysisOptions, LogInput, LogInputObject, LogProgress, LogFormat } from './types.js';
export { compilePrefix, commonPrefixes } from './prefix-compiler.js';
export { normalizeStatement } from './sql-normalizer.js';
export { StatementGrouper, loadSqlParser } from './statement-grouper.js';
export { LatencySketch } from './latency-sketch.js';
