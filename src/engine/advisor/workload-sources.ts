/**
 * Where a workload comes from: pg_stat_statements (weighted by calls or total time), or a file of
 * SQL statements (split by the real parser) or JSON ([{ "sql": …, "weight": … }]).
 */
import type { TargetDatabase } from '../db/target-database.js';
import { parseSync } from 'libpg-query';
import { ExplainInputError, loadSqlParser } from '../plan/sql-statement.js';
import type { WorkloadQuery } from './advise-indexes.js';

export interface StatStatementsOptions {
  /** Most expensive statements to take (default 50). */
  limit?: number;
  weightBy?: 'calls' | 'total_time';
  signal?: AbortSignal;
}

/** The heaviest statements of the current database from pg_stat_statements. */
export async function workloadFromStatStatements(target: TargetDatabase, options: StatStatementsOptions = {}): Promise<WorkloadQuery[]> {
  const { rows: ext } = await target.query<{ ok: boolean }>("select exists (select 1 from pg_extension where extname = 'pg_stat_statements') as ok", [], { signal: options.signal });
  if (!ext[0]?.ok) {
    throw new ExplainInputError(
      'pg_stat_statements is not available in this database: add it to shared_preload_libraries, restart, and run CREATE EXTENSION pg_stat_statements; or give the workload as a file.',
    );
  }
  const { rows } = await target.query<{ query: string; calls: string; total_ms: number }>(
    `select query, calls::text, total_exec_time::float8 as total_ms from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
        and query ~* '^\\s*(select|with|update|delete|insert)\\y' and query !~* 'pg_stat_statements|pg_catalog\\.|hypopg'
      order by total_exec_time desc limit $1`,
    [options.limit ?? 50],
    { signal: options.signal },
  );
  return rows.map((r) => ({ sql: r.query, weight: options.weightBy === 'total_time' ? Number(r.total_ms) : Number(r.calls), label: `${r.calls} calls, ${Math.round(r.total_ms)} ms total` }));
}

/** A workload file: JSON array of { sql, weight? } or plain SQL statements separated by semicolons. */
export async function workloadFromText(text: string): Promise<WorkloadQuery[]> {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new ExplainInputError(`The workload file looks like JSON but does not parse: ${(error as Error).message}.`);
    }
    if (!Array.isArray(parsed) || parsed.some((q) => typeof (q as { sql?: unknown })?.sql !== 'string')) {
      throw new ExplainInputError('A JSON workload is an array of objects with "sql" (and optionally "weight").');
    }
    return (parsed as { sql: string; weight?: number }[]).map((q) => ({ sql: q.sql, ...(typeof q.weight === 'number' ? { weight: q.weight } : {}) }));
  }
  await loadSqlParser();
  let statements: { stmt_location?: number; stmt_len?: number }[];
  try {
    statements = (parseSync(trimmed) as { stmts?: { stmt_location?: number; stmt_len?: number }[] }).stmts ?? [];
  } catch (error) {
    throw new ExplainInputError(`The workload file does not parse as SQL: ${(error as Error).message}.`);
  }
  // Locations are byte offsets: slice the UTF-8 bytes, not the JS string.
  const bytes = Buffer.from(trimmed, 'utf8');
  return statements
    .map((s) => bytes.subarray(s.stmt_location ?? 0, s.stmt_len ? (s.stmt_location ?? 0) + s.stmt_len : bytes.length).toString('utf8').trim())
    .filter((sql) => sql.length > 0)
    .map((sql) => ({ sql }));
}
