/**
 * Safe EXPLAIN over an analysis session. The statement is parsed first (one explainable
 * statement, or a clear refusal); EXPLAIN runs inside a transaction that is always rolled back,
 * with its own statement timeout; ANALYZE, which executes the statement, is allowed only for
 * plain reads until the guarded (approved) path exists.
 */
import { analyzeChange } from '../sql/analyze-change.js';
import type { AnalysisSession, TargetDatabase } from '../db/target-database.js';
import { sampleParameters, type ParameterSample } from './parameter-samples.js';
import { planFromExplainJson, planNodes, type Plan } from './plan-model.js';
import { planTips, type PlanTip } from './plan-tips.js';
import { readRelationFacts, type RelationFacts } from './relation-facts.js';
import { ExplainInputError, parseExplainable, type StatementKind } from './sql-statement.js';
import { tablesOf } from './query-tables.js';

export interface ExplainOptions {
  /** Execute the statement to get actual rows, times, buffers and WAL (plain reads only). */
  analyze?: boolean;
  /** Values for $1, $2, …, as text; the server casts them to the parameter types. */
  params?: string[];
  /** Statement timeout for the EXPLAIN itself; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type ParameterMode = 'none' | 'generic' | 'given' | 'sampled';

export interface ExplainResult {
  sql: string;
  statementKind: StatementKind;
  analyzed: boolean;
  parameterMode: ParameterMode;
  /** Values bound to $n (given or sampled); empty for generic plans and queries without parameters. */
  parameters: ParameterSample[];
  plan: Plan;
  tips: PlanTip[];
  /** Catalog facts about the tables in the plan (indexes, statistics freshness). */
  relations: RelationFacts[];
  serverVersionNum: number;
}

/**
 * A read-only session does not stop every side effect: a SELECT can call pg_terminate_backend,
 * nextval or a volatile user function, and ANALYZE really runs it. Only statements whose every
 * function is known read-only (from pgdba's list or the target's pg_proc) are run.
 */
async function refuseSideEffects(target: TargetDatabase, sql: string): Promise<void> {
  const change = await analyzeChange(sql, { target });
  if (change.class === 'read-only') return;
  const reasons = change.statements.flatMap((s) => s.reasons);
  throw new ExplainInputError(
    `EXPLAIN ANALYZE executes the statement, and this one is not known to be free of side effects (${reasons.join('; ') || change.class}). ` +
      'Ask for the plan without analyze, or request the change for approval.',
  );
}

/** Runs EXPLAIN on one statement and returns the typed plan with its tips. */
export async function explainQuery(target: TargetDatabase, sql: string, options: ExplainOptions = {}): Promise<ExplainResult> {
  const statement = await parseExplainable(sql);
  const analyze = options.analyze === true;
  if (analyze && !statement.plainRead) {
    throw new ExplainInputError(
      `EXPLAIN ANALYZE executes the statement, and this is ${statement.kind === 'select' ? 'a SELECT that can lock or write (FOR UPDATE, SELECT INTO or a data-modifying WITH)' : `a ${statement.kind.toUpperCase()}`}. ` +
        'Running it needs the guarded path with an approval, which is not available yet; ask for the plan without analyze to see the estimated plan.',
    );
  }
  if (analyze) await refuseSideEffects(target, statement.sql);
  const version = await target.serverVersionNum();
  const { mode, values, samples } = await chooseParameters(target, statement.tree, statement.parameterCount, version, options);
  if (analyze && mode === 'generic') {
    throw new ExplainInputError('EXPLAIN ANALYZE needs values for the query parameters ($1, …): give them with params.');
  }
  const explainOptions = ['FORMAT JSON', 'VERBOSE', 'SETTINGS'];
  if (analyze) explainOptions.push('ANALYZE', 'BUFFERS', 'WAL');
  if (mode === 'generic') explainOptions.push('GENERIC_PLAN');
  const text = `EXPLAIN (${explainOptions.join(', ')}) ${statement.sql}`;
  const json = await target.withSession((session) =>
    inRolledBackTransaction(session, options.timeoutMs ?? 30_000, async () => {
      const { rows } = await session.query<{ 'QUERY PLAN': unknown }>(text, values, { signal: options.signal });
      return rows[0]?.['QUERY PLAN'];
    }),
  ).catch((error: unknown) => {
    throw explainServerError(error);
  });
  const plan = planFromExplainJson(typeof json === 'string' ? JSON.parse(json) : json);
  const relationRefs = uniqueRelations(plan, statement.tree);
  const relations = await readRelationFacts(target, relationRefs, options.signal);
  const tips = planTips(plan, { relations, statement: statement.tree });
  return {
    sql: statement.sql,
    statementKind: statement.kind,
    analyzed: analyze,
    parameterMode: mode,
    parameters: samples,
    plan,
    tips,
    relations,
    serverVersionNum: version,
  };
}

async function chooseParameters(
  target: TargetDatabase,
  tree: unknown,
  count: number,
  version: number,
  options: ExplainOptions,
): Promise<{ mode: ParameterMode; values: (string | null)[]; samples: ParameterSample[] }> {
  const given = options.params ?? [];
  if (count === 0) {
    if (given.length > 0) throw new ExplainInputError(`The query has no $n parameters but ${given.length} values were given; drop params.`);
    return { mode: 'none', values: [], samples: [] };
  }
  if (given.length > 0) {
    if (given.length !== count) {
      throw new ExplainInputError(`The query uses parameters $1..$${count} but ${given.length} value${given.length === 1 ? ' was' : 's were'} given.`);
    }
    return { mode: 'given', values: given, samples: given.map((value, i) => ({ position: i + 1, value, source: 'given' })) };
  }
  if (version >= 160000 && !options.analyze) return { mode: 'generic', values: [], samples: [] };
  const samples = await sampleParameters(target, tree, count, options.signal);
  return { mode: 'sampled', values: samples.map((s) => s.value), samples };
}

// The analysis session is read-only; the explicit transaction adds a local timeout and makes
// sure nothing an ANALYZE did (e.g. a volatile function's side effect) outlives the EXPLAIN.
async function inRolledBackTransaction<T>(session: AnalysisSession, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  await session.query('BEGIN');
  try {
    await session.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(timeoutMs))}`);
    return await work();
  } finally {
    await session.query('ROLLBACK').catch(() => undefined);
  }
}

function uniqueRelations(plan: Plan, tree: unknown): { schema?: string; name: string }[] {
  const seen = new Map<string, { schema?: string; name: string }>();
  for (const node of planNodes(plan)) {
    if (node.relation) seen.set(`${node.schema ?? ''}.${node.relation}`, { ...(node.schema ? { schema: node.schema } : {}), name: node.relation });
  }
  if (seen.size === 0) for (const t of tablesOf(tree)) seen.set(`${t.schema ?? ''}.${t.name}`, t);
  return [...seen.values()];
}

// Server errors that are the person's to fix (unknown table, type mismatch) become input errors
// carrying PostgreSQL's own message; connection and timeout problems stay as they are.
function explainServerError(error: unknown): unknown {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  const message = (error as Error | undefined)?.message ?? String(error);
  if (code === '57014') {
    return new ExplainInputError(`EXPLAIN was stopped by the statement timeout (${message}). With analyze the query itself runs: try without analyze, or a narrower query.`);
  }
  if (/^(42|22)/.test(code)) return new ExplainInputError(`PostgreSQL rejected the query: ${message}.`);
  if (code === '25006') return new ExplainInputError(`The statement tried to write, which analysis sessions refuse: ${message}.`);
  return error;
}
