/** PostgreSQL log analysis engine (see docs/logs.md). */
export { analyzeLogs, LogInputError, readLogRecords } from './analyze-logs.js';
export { renderTextReport } from './text-report.js';
export { registerLogsCommand } from './cli.js';
export type * from './analysis-types.js';
export type { LogRecord, LogAnalysisOptions, LogInput, LogInputObject, LogProgress, LogFormat } from './types.js';
export { compilePrefix, commonPrefixes } from './prefix-compiler.js';
export { normalizeStatement } from './sql-normalizer.js';
export { StatementGrouper, loadSqlParser } from './statement-grouper.js';
export { LatencySketch } from './latency-sketch.js';
