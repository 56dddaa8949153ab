/**
 * Runs catalog queries for the inspections: counts them (the benchmark checks that a report on
 * 10,000 tables stays at a handful of queries) and bounds each with its own statement timeout,
 * so one slow query fails one check instead of the whole report.
 */
import type { QueryResultRow } from 'pg';
import type { TargetDatabase } from '../../target-database.js';

export interface CatalogReaderOptions {
  /** statement_timeout of each catalog query, in ms; unset = the analysis session's own timeout. */
  queryTimeoutMs?: number;
  signal?: AbortSignal;
}

export class CatalogReader {
  private issued = 0;

  constructor(
    readonly target: TargetDatabase,
    private readonly options: CatalogReaderOptions = {},
  ) {}

  /** Catalog queries issued so far. */
  get queryCount(): number {
    return this.issued;
  }

  async rows<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    this.issued += 1;
    const { queryTimeoutMs, signal } = this.options;
    const queryOptions = signal ? { signal } : {};
    if (queryTimeoutMs === undefined) {
      return (await this.target.query<R>(sql, params, queryOptions)).rows;
    }
    // SET LOCAL keeps the shorter timeout inside this transaction only; the pooled session keeps its own.
    return this.target.withSession(async (session) => {
      await session.query('begin');
      try {
        await session.query(`set local statement_timeout = ${Math.max(1, Math.trunc(queryTimeoutMs))}`);
        const result = await session.query<R>(sql, params, queryOptions);
        await session.query('commit');
        return result.rows;
      } catch (error) {
        await session.query('rollback').catch(() => undefined);
        throw error;
      }
    });
  }
}

/** Memoises one dataset per report: several checks read the same catalog rows. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= load());
}
