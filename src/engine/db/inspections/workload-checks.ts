/** Workload: top statements from pg_stat_statements, or exactly how to enable it. */
import { formatCount, formatDuration } from './format.js';
import type { InspectionCheck } from './inspection-check.js';
import type { InspectionContext } from './inspection-context.js';
import type { Finding } from './types.js';

/** The exact steps to enable pg_stat_statements on this server, as SQL. */
export function enableStatStatementsSql(sharedPreloadLibraries: string): string {
  const loaded = sharedPreloadLibraries.split(',').map((s) => s.trim().replace(/^"|"$/g, '')).filter(Boolean);
  if (loaded.includes('pg_stat_statements')) return 'CREATE EXTENSION pg_stat_statements;';
  const libraries = [...loaded, 'pg_stat_statements'].join(',');
  return [
    `ALTER SYSTEM SET shared_preload_libraries = '${libraries}';`,
    '-- restart PostgreSQL (shared_preload_libraries is read at start only), then in this database:',
    'CREATE EXTENSION pg_stat_statements;',
    '-- managed services (RDS, Cloud SQL, Azure): set shared_preload_libraries in the parameter group / flags instead of ALTER SYSTEM.',
  ].join('\n');
}

async function enableFinding(context: InspectionContext, why: string): Promise<Finding> {
  const settings = await context.settings();
  return {
    check: 'pg_stat_statements_missing',
    severity: 'info',
    object: 'pg_stat_statements',
    detail: why,
    recommendation: 'Enable pg_stat_statements: it records every statement\'s calls, time and I/O, which top statements, slow-query advice and index advice rely on. Its overhead is a few percent at most.',
    sql: enableStatStatementsSql(settings.text('shared_preload_libraries') ?? ''),
  };
}

export const topStatementsCheck: InspectionCheck = {
  name: 'top_statements',
  family: 'workload',
  async run(context) {
    const server = await context.server();
    if (!server.statStatementsSchema) {
      return [await enableFinding(context, `The pg_stat_statements extension is not installed in database ${server.database}.`)];
    }
    let statements;
    try {
      statements = await context.topStatements();
    } catch (error) {
      // The extension exists but the library is not preloaded: its view raises an error.
      if (/shared_preload_libraries/i.test((error as Error).message)) {
        return [await enableFinding(context, 'The pg_stat_statements extension is installed but its library is not loaded (shared_preload_libraries).')];
      }
      throw error;
    }
    const { slowStatementMeanMs, slowStatementMinCalls } = context.thresholds;
    const findings: Finding[] = statements
      .filter((s) => s.meanMs >= slowStatementMeanMs && s.calls >= slowStatementMinCalls)
      .map((s) => ({
        check: 'slow_statement',
        severity: 'warning' as const,
        object: `queryid ${s.queryId ?? '?'}`,
        detail: `${formatCount(s.calls)} calls averaging ${s.meanMs.toFixed(1)} ms (total ${formatDuration(s.totalMs / 1000)}, ${(s.shareOfTotal * 100).toFixed(1)} % of all statement time): ${s.query.replace(/\s+/g, ' ').slice(0, 200)}`,
        recommendation: 'Look at its plan (`pgdba explain`) and index advice (`pgdba advise --from-stat-statements`).',
        sql: `EXPLAIN (ANALYZE, BUFFERS) ${s.query.trim()};`,
      }));
    return server.readAllStats
      ? findings
      : { findings, note: "other roles' statement texts are hidden: needs pg_read_all_stats (GRANT pg_read_all_stats TO " + server.role + ')' };
  },
};

export const workloadChecks: InspectionCheck[] = [topStatementsCheck];
