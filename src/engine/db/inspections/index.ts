/** Database insights: health checks, schema browser and snapshots. */
export * from './types.js';
export * from './thresholds.js';
export { runHealthReport, hasWarnings, allChecks, checkFamilies, describeCheckError, type HealthReportOptions } from './health-report.js';
export { nonDefaultSettings, configurationRecommendations, type NonDefaultSetting } from './configuration-checks.js';
export { enableStatStatementsSql } from './workload-checks.js';
export * from './schema-browser.js';
export * from './snapshots.js';
export * from './review.js';
