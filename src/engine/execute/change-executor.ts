/**
 * Runs an approved change on the target, carefully: in its own writable session with
 * lock_timeout, retrying lock timeouts a bounded number of times with backoff, running
 * CONCURRENTLY/VACUUM statements outside a transaction, reporting index-build progress,
 * dropping an INVALID index left by a failed build, checking new indexes are valid, and
 * re-explaining the queries the change was for.
 */
import type pg from 'pg';
import { classifyScript } from '../sql/classify.js';
import { backendSignal } from '../sql/effects.js';
import { lockImpact, type LockImpact } from '../sql/locks.js';
import { loadSqlParser, relationName, type ScriptStatement } from '../sql/sql-script.js';
import { ApprovalRequiredError, isApprovedChange, type ApprovedChange } from './approved-change.js';
import { observeBefore, verifyEffect, type Observation } from './effect-checks.js';
import type { ExecutionEvent, ExecutionResult, ExecutorSettings, IndexCheck, StatementRun } from './execution-types.js';
import { IndexProgressMonitor } from './index-progress.js';
import { explainForEvidence, type QueryEvidence } from './plan-evidence.js';
import { closeWritableSession, isLockFailure, openWritableSession, runWritable, sqlState } from './writable-session.js';

export interface ExecutionHooks {
  /** Progress, retries and clean-up as they happen (awaited, so a slow handler slows the run). */
  onEvent?: (event: ExecutionEvent) => void | Promise<void>;
  /**
   * Called while this process holds the request's execution lock on the target (an advisory
   * lock). The approval workflow re-reads its store here and records the start, so two replicas
   * never both run the change. Return a reason to skip.
   */
  beforeExecute?: () => Promise<{ skip: string } | undefined>;
}

interface PlannedStatement extends ScriptStatement {
  lock: LockImpact;
}

/** Advisory lock namespace of pgdba executions ('pgdb' in ASCII). */
const advisoryNamespace = 0x70676462;

const defaults = {
  lockTimeoutMs: 3_000,
  statementTimeoutMs: 30 * 60_000,
  maxAttempts: 4,
  progressIntervalMs: 1_000,
  signalCheckMs: 5_000,
  backoffMs: (attempt: number) => Math.min(30_000, 1_000 * 2 ** (attempt - 1)),
};

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Consecutive transactional statements run as one transaction; the others run alone. */
function batches(statements: PlannedStatement[]): PlannedStatement[][] {
  const result: PlannedStatement[][] = [];
  for (const statement of statements) {
    const last = result.at(-1);
    if (!statement.lock.runsOutsideTransaction && last && !last[0]!.lock.runsOutsideTransaction) last.push(statement);
    else result.push([statement]);
  }
  return result;
}

async function indexesOn(client: pg.Client, table: string): Promise<IndexCheck[]> {
  const result = await client.query<{ name: string; valid: boolean }>(
    'select i.indexrelid::regclass::text as name, i.indisvalid as valid from pg_index i where i.indrelid = to_regclass($1)',
    [table],
  );
  return result.rows;
}

export class ChangeExecutor {
  private readonly settings: Required<ExecutorSettings>;

  private async targetUrl(): Promise<string> {
    const { databaseUrl } = this.settings;
    return typeof databaseUrl === 'string' ? databaseUrl : databaseUrl();
  }

  constructor(settings: ExecutorSettings) {
    this.settings = { ...defaults, ...settings } as Required<ExecutorSettings>;
  }

  /** Executes an approved change; anything but a sealed ApprovedChange is refused. */
  async execute(change: ApprovedChange, hooks: ExecutionHooks = {}): Promise<ExecutionResult> {
    if (!isApprovedChange(change)) {
      throw new ApprovalRequiredError('The executor runs only changes approved through the approval workflow; create a request and have an allowed approver approve it.');
    }
    const started = Date.now();
    const result: ExecutionResult = {
      requestId: change.requestId,
      status: 'failed',
      startedAt: new Date(started).toISOString(),
      finishedAt: '',
      durationMs: 0,
      statements: [],
      indexes: [],
      cleanup: [],
      evidence: [],
    };
    const finish = (): ExecutionResult => {
      result.finishedAt = new Date().toISOString();
      result.durationMs = Date.now() - started;
      return result;
    };

    await loadSqlParser();
    const classification = classifyScript(change.sql);
    if (classification.parseError) {
      result.error = `Not executed: ${classification.parseError}.`;
      return finish();
    }
    if (classification.statements.some((s) => s.nodeType === 'TransactionStmt')) {
      result.error = 'Not executed: the change contains BEGIN/COMMIT/ROLLBACK; the executor manages transactions itself (statements that must run outside a transaction are run so). Remove them and request again.';
      return finish();
    }
    const planned: PlannedStatement[] = classification.statements.map((s) => ({ ...s, lock: lockImpact(s) }));
    result.statements = planned.map((s) => ({ index: s.index, sql: s.sql, status: 'not-run', attempts: 0, durationMs: 0 }));

    let client: pg.Client;
    try {
      client = await openWritableSession(await this.targetUrl(), {
        lockTimeoutMs: this.settings.lockTimeoutMs,
        statementTimeoutMs: this.settings.statementTimeoutMs,
        applicationName: 'pgdba-executor',
      });
    } catch (error) {
      result.error = `Not executed: could not open the executor's session: ${(error as Error).message}.`;
      return finish();
    }
    try {
      const locked = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::int, hashtext($2)) as ok', [advisoryNamespace | 0, change.requestId]);
      if (!locked.rows[0]?.ok) {
        result.status = 'skipped';
        result.skippedReason = 'another pgdba process is executing this request right now';
        return finish();
      }
      try {
        const decision = await hooks.beforeExecute?.();
        if (decision) {
          result.status = 'skipped';
          result.skippedReason = decision.skip;
          return finish();
        }
        const evidence: QueryEvidence[] = [];
        for (const query of change.verifyQueries) evidence.push(await this.explainBefore(client, query));
        let failed = false;
        for (const batch of batches(planned)) {
          if (!(await this.runBatch(client, batch, result, hooks))) {
            failed = true;
            break;
          }
        }
        result.status = failed ? 'failed' : 'succeeded';
        if (!failed) {
          for (const item of evidence) {
            if (item.note) continue;
            const after = await explainForEvidence(client, item.query);
            if (typeof after === 'string') item.note = after;
            else item.after = after;
          }
        }
        result.evidence = evidence;
      } finally {
        await client.query('select pg_advisory_unlock($1::int, hashtext($2))', [advisoryNamespace | 0, change.requestId]).catch(() => undefined);
      }
    } catch (error) {
      result.status = 'failed';
      result.error ??= `Execution stopped: ${(error as Error).message}.`;
    } finally {
      await closeWritableSession(client);
    }
    return finish();
  }

  private async explainBefore(client: pg.Client, query: string): Promise<QueryEvidence> {
    const check = classifyScript(query);
    if (check.statements.length !== 1 || !check.readOnly) {
      return { query, note: 'not explained: only a single read-only query can be re-explained' };
    }
    const before = await explainForEvidence(client, query);
    return typeof before === 'string' ? { query, note: before } : { query, before };
  }

  /** Runs one batch with retries; returns false when the change failed (result.error is set). */
  private async runBatch(client: pg.Client, batch: PlannedStatement[], result: ExecutionResult, hooks: ExecutionHooks): Promise<boolean> {
    const { maxAttempts, backoffMs } = this.settings;
    const outside = batch[0]!.lock.runsOutsideTransaction;
    const first = batch[0]!;
    const buildsIndex = outside && first.nodeType === 'IndexStmt';
    const table = buildsIndex ? relationName(first.node.relation) : undefined;
    const observed = new Map<number, Observation>();
    for (const statement of batch) {
      const observation = await observeBefore(client, statement);
      if (observation) observed.set(statement.index, observation);
    }
    for (let attempt = 1; ; attempt += 1) {
      const existing = table ? new Set((await indexesOn(client, table)).map((i) => i.name)) : new Set<string>();
      const failure = outside ? await this.runAlone(client, first, attempt, result, hooks) : await this.runInTransaction(client, batch, attempt, result, hooks);
      if (!failure) {
        if (table && !(await this.checkNewIndexes(client, table, existing, first, result, hooks))) return false;
        return this.checkEffects(client, observed, result);
      }
      const lockFailure = isLockFailure(failure.error);
      if (lockFailure) {
        await hooks.onEvent?.({ kind: 'lock-timeout', statementIndex: failure.statement.index, attempt, maxAttempts, message: (failure.error as Error).message });
      }
      if (table) await this.dropLeftoverIndexes(client, table, existing, first.index, result, hooks);
      if (lockFailure && attempt < maxAttempts) {
        const wait = backoffMs(attempt);
        await hooks.onEvent?.({ kind: 'retry', statementIndex: failure.statement.index, attempt: attempt + 1, maxAttempts, delayMs: wait });
        await delay(wait);
        continue;
      }
      result.error = this.describeFailure(failure.statement, failure.error, attempt, outside, result);
      return false;
    }
  }

  private async runAlone(client: pg.Client, statement: PlannedStatement, attempt: number, result: ExecutionResult, hooks: ExecutionHooks) {
    const run = result.statements[statement.index]!;
    await hooks.onEvent?.({ kind: 'statement-started', statementIndex: statement.index, sql: statement.sql, attempt });
    const monitor = statement.nodeType === 'IndexStmt'
      ? new IndexProgressMonitor(await this.targetUrl(), (client as unknown as { processID: number }).processID, this.settings.progressIntervalMs, (p) => hooks.onEvent?.({ kind: 'index-progress', statementIndex: statement.index, ...p }))
      : undefined;
    const t0 = Date.now();
    try {
      monitor?.start();
      this.keepReturned(run, statement, await runWritable(client, statement.sql));
      this.record(run, 'succeeded', attempt, Date.now() - t0);
      await hooks.onEvent?.({ kind: 'statement-finished', statementIndex: statement.index, durationMs: run.durationMs });
      return undefined;
    } catch (error) {
      this.record(run, 'failed', attempt, Date.now() - t0, error);
      return { statement, error };
    } finally {
      await monitor?.stop();
    }
  }

  private async runInTransaction(client: pg.Client, batch: PlannedStatement[], attempt: number, result: ExecutionResult, hooks: ExecutionHooks) {
    // An explicit READ WRITE: the session default may have been reset by a shared (demo) session.
    await client.query('begin read write');
    for (const statement of batch) {
      const run = result.statements[statement.index]!;
      await hooks.onEvent?.({ kind: 'statement-started', statementIndex: statement.index, sql: statement.sql, attempt });
      const t0 = Date.now();
      try {
        this.keepReturned(run, statement, await client.query(statement.sql));
        this.record(run, 'succeeded', attempt, Date.now() - t0);
        await hooks.onEvent?.({ kind: 'statement-finished', statementIndex: statement.index, durationMs: run.durationMs });
      } catch (error) {
        this.record(run, 'failed', attempt, Date.now() - t0, error);
        await client.query('rollback').catch(() => undefined);
        // Rolled back: statements that had succeeded in this transaction did not take effect.
        for (const other of batch) if (other !== statement && result.statements[other.index]!.status === 'succeeded') result.statements[other.index]!.status = 'not-run';
        return { statement, error };
      }
    }
    await client.query('commit');
    return undefined;
  }

  /** A cancel/terminate call's answer (true/false per backend) is part of the result; other rows are not kept. */
  private keepReturned(run: StatementRun, statement: PlannedStatement, queryResult: pg.QueryResult): void {
    if (!backendSignal(statement)) return;
    run.returned = queryResult.rows.slice(0, 20).map((row: Record<string, unknown>) => Object.values(row)[0]);
  }

  /** Checks each guarded action took effect; a visible non-effect (backend still there) fails the run. */
  private async checkEffects(client: pg.Client, observed: Map<number, Observation>, result: ExecutionResult): Promise<boolean> {
    const settings = { timeoutMs: this.settings.signalCheckMs, pollMs: 50 };
    for (const [index, observation] of observed) {
      const check = await verifyEffect(client, index, observation, result.statements[index]!.returned ?? [], settings);
      (result.checks ??= []).push(check);
      if (!check.ok) {
        result.error = `Statement ${index + 1} ran but did not take effect: ${check.detail}`;
        return false;
      }
    }
    return true;
  }

  private record(run: StatementRun, status: StatementRun['status'], attempt: number, durationMs: number, error?: unknown): void {
    run.status = status;
    run.attempts = attempt;
    run.durationMs = durationMs;
    if (error) {
      run.error = (error as Error).message;
      const code = sqlState(error);
      if (code) run.sqlstate = code;
    } else {
      delete run.error;
      delete run.sqlstate;
    }
  }

  private async checkNewIndexes(client: pg.Client, table: string, existing: Set<string>, statement: PlannedStatement, result: ExecutionResult, hooks: ExecutionHooks): Promise<boolean> {
    const created = (await indexesOn(client, table)).filter((i) => !existing.has(i.name));
    result.indexes.push(...created);
    const invalid = created.filter((i) => !i.valid);
    if (invalid.length === 0) return true;
    await this.dropLeftoverIndexes(client, table, existing, statement.index, result, hooks);
    result.error = `The index build finished but ${invalid.map((i) => i.name).join(', ')} is INVALID (a constraint violation or a cancelled build); it was dropped. Check the data and request again.`;
    result.statements[statement.index]!.status = 'failed';
    return false;
  }

  /** Drops INVALID indexes that appeared on `table` during a failed build; never touches indexes that existed before. */
  private async dropLeftoverIndexes(client: pg.Client, table: string, existing: Set<string>, statementIndex: number, result: ExecutionResult, hooks: ExecutionHooks): Promise<void> {
    const leftovers = (await indexesOn(client, table)).filter((i) => !existing.has(i.name) && !i.valid);
    for (const index of leftovers) {
      let outcome: { index: string; dropped: boolean; error?: string } = { index: index.name, dropped: false };
      for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt += 1) {
        try {
          await runWritable(client, `drop index concurrently if exists ${index.name}`);
          outcome = { index: index.name, dropped: true };
          break;
        } catch (error) {
          outcome = { index: index.name, dropped: false, error: (error as Error).message };
          if (!isLockFailure(error) || attempt === this.settings.maxAttempts) break;
          await delay(this.settings.backoffMs(attempt));
        }
      }
      result.cleanup.push(outcome);
      await hooks.onEvent?.({ kind: 'cleanup', statementIndex, ...outcome });
    }
  }

  private describeFailure(statement: PlannedStatement, error: unknown, attempts: number, outside: boolean, result: ExecutionResult): string {
    const message = (error as Error).message;
    const left = result.cleanup.filter((c) => !c.dropped);
    const cleanupText = left.length > 0
      ? ` The INVALID index ${left.map((c) => c.index).join(', ')} could not be dropped (${left[0]!.error ?? 'unknown error'}); drop it with DROP INDEX CONCURRENTLY.`
      : result.cleanup.length > 0
        ? ` The INVALID index left by the failed build (${result.cleanup.map((c) => c.index).join(', ')}) was dropped.`
        : '';
    const undone = outside ? '' : ' The transaction was rolled back, so none of its statements took effect.';
    if (isLockFailure(error)) {
      const on = statement.lock.relations.length > 0 ? ` on ${statement.lock.relations.join(', ')}` : '';
      return `Statement ${statement.index + 1} could not get its ${statement.lock.level ?? ''} lock${on} within ${this.settings.lockTimeoutMs} ms (lock_timeout), ${attempts} attempt${attempts === 1 ? '' : 's'}: another session holds a conflicting lock; look at the activity view for the blocker and try again later.${undone}${cleanupText}`;
    }
    return `Statement ${statement.index + 1} failed: ${message}.${undone}${cleanupText}`;
  }
}
