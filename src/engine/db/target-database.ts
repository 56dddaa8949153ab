/**
 * The database pgdba analyses. Every connection it opens is an *analysis session*: read-only by
 * default, with statement and lock timeouts, and named `pgdba` in pg_stat_activity, so nothing
 * pgdba runs for analysis can write, wait on locks for long or run away.
 */
import pg from 'pg';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { explainConnectionError, isConnectionLoss, TargetConnectionError } from './connection-errors.js';
import { parseTargetUrl, redactUrl, type ParsedTarget } from './connection-url.js';

export interface AnalysisSessionSettings {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  poolSize: number;
  /** Seconds an analysis session may sit idle inside a transaction before the server ends it. */
  idleInTransactionTimeoutMs?: number;
}

export const defaultSessionSettings: AnalysisSessionSettings = {
  statementTimeoutMs: 15_000,
  lockTimeoutMs: 2_000,
  connectTimeoutMs: 5_000,
  poolSize: 4,
};

export interface QueryOptions {
  /** Aborting cancels the statement on the server (pg_cancel_backend) and rejects the call. */
  signal?: AbortSignal;
}

export class QueryCancelledError extends Error {
  constructor() {
    super('The query was cancelled before it finished.');
    this.name = 'QueryCancelledError';
  }
}

/** What this target is, for people: never carries the password. */
export interface TargetDescription {
  label: string;
  url: string;
  embedded: boolean;
}

export class TargetDatabase {
  private readonly pool: pg.Pool;
  private readonly prepared = new WeakSet<PoolClient>();
  private readonly sessionSetup: string;
  private versionNum: number | undefined;

  private constructor(
    private readonly target: ParsedTarget,
    readonly description: TargetDescription,
    settings: AnalysisSessionSettings,
  ) {
    this.pool = new pg.Pool({
      ...target.clientConfig,
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'pgdba',
    });
    // A broken idle connection must not crash the process; the pool drops it and reconnects.
    this.pool.on('error', () => undefined);
    this.sessionSetup = [
      'SET default_transaction_read_only = on',
      `SET statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`,
      `SET lock_timeout = ${Math.trunc(settings.lockTimeoutMs)}`,
      `SET idle_in_transaction_session_timeout = ${Math.trunc(settings.idleInTransactionTimeoutMs ?? 60_000)}`,
      "SET application_name = 'pgdba'",
    ].join('; ');
  }

  /** Opens a pool to `url` and checks that a session can be established; explains failures. */
  static async connect(
    url: string,
    settings: AnalysisSessionSettings = defaultSessionSettings,
    description?: Partial<TargetDescription>,
  ): Promise<TargetDatabase> {
    let target: ParsedTarget;
    try {
      target = parseTargetUrl(url);
    } catch (error) {
      throw new TargetConnectionError(`DATABASE_URL cannot be used: ${(error as Error).message}.`, 'other');
    }
    const database = new TargetDatabase(target, {
      label: description?.label ?? `${target.database} on ${target.host}:${target.port}`,
      url: redactUrl(url),
      embedded: description?.embedded ?? false,
    }, settings);
    try {
      await database.query('select 1');
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  }

  /** Runs one statement in an analysis session. */
  async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params: unknown[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult<R>> {
    return this.withSession((session) => session.query<R>(text, params, options));
  }

  /**
   * Runs `work` with one analysis session held for its duration (for statements that must share
   * a session or a transaction, such as EXPLAIN ANALYZE inside a rolled-back transaction).
   */
  async withSession<T>(work: (session: AnalysisSession) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    let broken: Error | undefined;
    try {
      return await work(new AnalysisSession(client, () => this.cancelBackend(client)));
    } catch (error) {
      if (isConnectionLoss(error)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** server_version_num of the target, e.g. 150004; cached. */
  async serverVersionNum(): Promise<number> {
    if (this.versionNum === undefined) {
      const result = await this.query<{ v: string }>("select current_setting('server_version_num') as v");
      this.versionNum = Number(result.rows[0]?.v);
    }
    return this.versionNum;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async acquire(): Promise<PoolClient> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw explainConnectionError(error, this.target);
    }
    // The embedded demo serves every connection from ONE PGlite session, so settings another
    // connection made (the executor turning read-only off) would leak in: re-assert them each time.
    if (this.description.embedded || !this.prepared.has(client)) {
      try {
        await client.query(this.sessionSetup);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      this.prepared.add(client);
    }
    return client;
  }

  // Cancels through a separate short-lived connection, as psql's Ctrl-C does.
  private async cancelBackend(client: PoolClient): Promise<void> {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (!pid) return;
    const canceller = new pg.Client({ ...this.target.clientConfig, application_name: 'pgdba-cancel', connectionTimeoutMillis: 3_000 });
    try {
      await canceller.connect();
      await canceller.query('select pg_cancel_backend($1)', [pid]);
    } catch {
      // Best effort: the statement timeout still bounds the query.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }
}

/** One connection in analysis mode; exposed only inside `withSession`. */
export class AnalysisSession {
  constructor(
    private readonly client: PoolClient,
    private readonly cancel: () => Promise<void>,
  ) {}

  async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params: unknown[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult<R>> {
    const { signal } = options;
    if (signal?.aborted) throw new QueryCancelledError();
    if (!signal) return this.client.query<R>(text, params);
    const onAbort = () => void this.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.client.query<R>(text, params);
    } catch (error) {
      if (signal.aborted) throw new QueryCancelledError();
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
