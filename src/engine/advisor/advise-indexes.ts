/**
 * The index advisor: candidates from the parse trees of a workload, verified with hypopg (a
 * candidate counts only when the planner uses it and a query's cost drops by the threshold),
 * then a greedy choice under a budget with write overhead. Without hypopg, heuristic candidates
 * come back clearly labelled as unverified, with how to enable verification.
 */
import type { TargetDatabase } from '../db/target-database.js';
import { sampleParameters } from '../plan/parameter-samples.js';
import { planFromExplainJson, type Plan } from '../plan/plan-model.js';
import { readRelationFacts, type RelationFacts } from '../plan/relation-facts.js';
import { tablesOf, type TableRef } from '../plan/query-tables.js';
import { ExplainInputError, loadSqlParser, parseExplainable, type ParsedStatement } from '../plan/sql-statement.js';
import { hypopgStatus, type HypopgStatus } from './hypopg.js';
import { candidatesFor, indexDefinition, indexName, mergeCandidates, type IndexCandidate } from './index-candidates.js';
import { indexDropSuggestions, type IndexDropSuggestion } from './index-drops.js';
import { greedySelection, type SelectionBudget, type SelectionProblem } from './index-selection.js';
import { queryPredicates } from './query-predicates.js';
import { WhatIfCoster, type CostableQuery } from './what-if.js';

export interface WorkloadQuery {
  sql: string;
  /** Relative importance: calls, total time, or 1 (default). */
  weight?: number;
  label?: string;
}

export interface AdviseOptions extends SelectionBudget {
  /** Cost units charged per row written to the table, per extra index (default 1). */
  writeCostPerRow?: number;
  /** At most this many candidates are verified (the most often proposed first; default 60). */
  maxCandidates?: number;
  /** Attach before/after plans for up to this many helped queries (default 3). */
  plansFor?: number;
  signal?: AbortSignal;
  /**
   * Called with the selection problem (verified candidates, what-if costs) while the hypothetical
   * indexes still exist: lets checks and benchmarks compare other selection strategies on it.
   */
  inspectSelection?: (problem: SelectionProblem, budget: SelectionBudget) => Promise<void>;
}

export interface AdvisedQuery {
  index: number;
  sql: string;
  label?: string;
  weight: number;
  baselineCost?: number;
  finalCost?: number;
  usesIndexes: string[];
  skipped?: string;
}

export interface IndexRecommendation {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  include: string[];
  where?: string;
  /** CREATE INDEX CONCURRENTLY … */
  sql: string;
  rollback: string;
  verified: boolean;
  sizeBytes?: number;
  /** Weighted planner-cost saving this index added when picked (after write overhead). */
  saving?: number;
  writeOverhead?: number;
  queriesHelped: { index: number; before: number; after: number }[];
  reasons: string[];
}

export interface IndexAdvice {
  hypopg: HypopgStatus;
  verified: boolean;
  queries: AdvisedQuery[];
  recommendations: IndexRecommendation[];
  drops: IndexDropSuggestion[];
  /** Before/after plans of the most helped queries (verified mode). */
  plans: { index: number; before: Plan; after: Plan }[];
  totals: {
    baselineCost: number;
    finalCost: number;
    savingPercent: number;
    candidates: number;
    verifiedCandidates: number;
    explains: number;
    elapsedMs: number;
  };
}

interface PreparedQuery {
  statement: ParsedStatement;
  tables: TableRef[];
  input: WorkloadQuery;
  index: number;
}

/** Advises indexes for one query or a workload. */
export async function adviseIndexes(target: TargetDatabase, workload: WorkloadQuery[], options: AdviseOptions = {}): Promise<IndexAdvice> {
  const started = performance.now();
  await loadSqlParser();
  const minImprovement = options.minImprovement ?? 0.1;
  const queries: AdvisedQuery[] = [];
  const prepared: PreparedQuery[] = [];
  workload.forEach((input, index) => {
    const weight = input.weight ?? 1;
    const advised: AdvisedQuery = { index, sql: input.sql, ...(input.label ? { label: input.label } : {}), weight, usesIndexes: [] };
    queries.push(advised);
  });
  for (const advised of queries) {
    try {
      const statement = await parseExplainable(advised.sql);
      prepared.push({ statement, tables: tablesOf(statement.tree), input: workload[advised.index]!, index: advised.index });
    } catch (error) {
      advised.skipped = error instanceof ExplainInputError ? error.message : String(error);
    }
  }

  const tableRefs = new Map<string, TableRef>();
  for (const p of prepared) for (const t of p.tables) tableRefs.set(`${t.schema ?? ''}.${t.name}`, t);
  const facts = await readRelationFacts(target, [...tableRefs.values()], options.signal);
  const factsOf = (t: TableRef) => facts.find((f) => f.name === t.name && (!t.schema || f.schema === t.schema));
  const distinct = await readDistinct(target, facts, options.signal);
  const distinctOf = (schema: string, table: string, column: string) => distinct.get(`${schema}.${table}.${column}`);

  const proposals: IndexCandidate[] = [];
  const proposedBy = new Map<string, number>();
  for (const p of prepared) {
    if (p.statement.kind === 'insert') continue;
    const predicates = queryPredicates(p.statement.tree, (t) => factsOf(t)?.columns.map((c) => c.name));
    for (const c of candidatesFor(predicates, facts, distinctOf)) {
      proposals.push(c);
      proposedBy.set(c.id, (proposedBy.get(c.id) ?? 0) + (p.input.weight ?? 1));
    }
  }
  const candidates = mergeCandidates(proposals, facts)
    .sort((a, b) => (proposedBy.get(b.id) ?? 0) - (proposedBy.get(a.id) ?? 0))
    .slice(0, options.maxCandidates ?? 60);

  const hypopg = await hypopgStatus(target, options.signal);
  if (hypopg.state !== 'ready') {
    return {
      hypopg,
      verified: false,
      queries,
      recommendations: ((taken) => candidates.map((c) => recommendationOf(c, false, taken)))(takenNames(facts)),
      drops: indexDropSuggestions(facts, new Set()),
      plans: [],
      totals: { baselineCost: 0, finalCost: 0, savingPercent: 0, candidates: candidates.length, verifiedCandidates: 0, explains: 0, elapsedMs: performance.now() - started },
    };
  }

  const version = await target.serverVersionNum();
  const costable: CostableQuery[] = [];
  const costableIndex: number[] = [];
  for (const p of prepared) {
    let values: (string | null)[] = [];
    let generic = false;
    if (p.statement.parameterCount > 0) {
      if (version >= 160000) generic = true;
      else {
        try {
          values = (await sampleParameters(target, p.statement.tree, p.statement.parameterCount, options.signal)).map((s) => s.value);
        } catch (error) {
          queries[p.index]!.skipped = (error as Error).message;
          continue;
        }
      }
    }
    const keys = new Set(p.tables.map((t) => factsOf(t)).filter((f): f is RelationFacts => f !== undefined).map((f) => `${f.schema}.${f.name}`));
    costable.push({ explain: `EXPLAIN (FORMAT JSON${generic ? ', GENERIC_PLAN' : ''}) ${p.statement.sql}`, values, tables: keys });
    costableIndex.push(p.index);
  }

  const byId = new Map(candidates.map((c) => [c.id, c]));
  return target.withSession(async (session) => {
    const coster = new WhatIfCoster(session, costable, byId);
    try {
      await coster.reset();
      // Baselines; a query the server rejects is reported and left out.
      const live: number[] = [];
      const baseline = new Map<number, number>();
      for (let q = 0; q < costable.length; q += 1) {
        try {
          baseline.set(q, (await coster.cost(q, [])).cost);
          live.push(q);
        } catch (error) {
          queries[costableIndex[q]!]!.skipped = `PostgreSQL rejected it: ${(error as Error).message}`;
        }
      }
      const weightOf = (q: number) => workload[costableIndex[q]!]!.weight ?? 1;
      const liveSet = new Set(live);
      // Verification: a candidate survives only if, alone, the planner uses it for some query and
      // that query's cost drops by at least the threshold.
      const verified: IndexCandidate[] = [];
      for (const c of candidates) {
        for (const q of live) {
          if (!costable[q]!.tables.has(`${c.schema}.${c.table}`)) continue;
          const { cost, used } = await coster.cost(q, [c.id]);
          if (used.has(c.id) && baseline.get(q)! - cost >= minImprovement * baseline.get(q)!) {
            verified.push(c);
            break;
          }
        }
      }
      const writesOf = await writeVolume(prepared, costable, costableIndex, baseline, coster, weightOf);
      const selectionCandidates: SelectionProblem['candidates'] = [];
      for (const c of verified) {
        selectionCandidates.push({ id: c.id, sizeBytes: await coster.sizeOf(c.id), writeOverhead: writesOf(c) * (options.writeCostPerRow ?? 1) });
      }
      const problem: SelectionProblem = {
        candidates: selectionCandidates,
        queries: costable.map((_, q) => ({ weight: liveSet.has(q) ? weightOf(q) : 0, baselineCost: baseline.get(q) ?? 0 })),
        cost: (q, config) => coster.cost(q, config),
      };
      const budget: SelectionBudget = { maxIndexes: options.maxIndexes ?? 5, ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}), minImprovement };
      const selection = await greedySelection(problem, budget);
      await options.inspectSelection?.(problem, budget);

      const recommendations: IndexRecommendation[] = [];
      const taken = takenNames(facts);
      const chosenRecommendation = new Map(selection.chosen.map((id) => [id, recommendationOf(byId.get(id)!, true, taken)]));
      const plans: IndexAdvice['plans'] = [];
      const usedExisting = new Set<string>();
      let baselineTotal = 0;
      let finalTotal = 0;
      for (const q of live) {
        const before = await coster.cost(q, []);
        const after = await coster.cost(q, selection.chosen);
        const advised = queries[costableIndex[q]!]!;
        advised.baselineCost = before.cost;
        advised.finalCost = after.cost;
        advised.usesIndexes = [...after.used].map((id) => chosenRecommendation.get(id)?.name ?? indexName(byId.get(id)!));
        collectExistingIndexes(before.plan, usedExisting);
        collectExistingIndexes(after.plan, usedExisting);
        baselineTotal += weightOf(q) * before.cost;
        finalTotal += weightOf(q) * after.cost;
        if (after.used.size > 0 && before.cost - after.cost >= minImprovement * before.cost && plans.length < (options.plansFor ?? 3)) {
          plans.push({ index: costableIndex[q]!, before: planFromExplainJson(before.plan), after: planFromExplainJson(after.plan) });
        }
      }
      for (const step of selection.steps) {
        const c = byId.get(step.id)!;
        const helped: IndexRecommendation['queriesHelped'] = [];
        for (const q of live) {
          const before = baseline.get(q)!;
          const after = await coster.cost(q, selection.chosen);
          if (after.used.has(c.id) && before - after.cost >= minImprovement * before) helped.push({ index: costableIndex[q]!, before, after: after.cost });
        }
        const candidate = problem.candidates.find((x) => x.id === c.id)!;
        recommendations.push({
          ...chosenRecommendation.get(c.id)!,
          sizeBytes: candidate.sizeBytes,
          saving: step.marginalBenefit,
          writeOverhead: candidate.writeOverhead,
          queriesHelped: helped,
        });
      }
      return {
        hypopg,
        verified: true,
        queries,
        recommendations,
        drops: indexDropSuggestions(facts, usedExisting),
        plans,
        totals: {
          baselineCost: baselineTotal,
          finalCost: finalTotal,
          savingPercent: baselineTotal > 0 ? ((baselineTotal - finalTotal) / baselineTotal) * 100 : 0,
          candidates: candidates.length,
          verifiedCandidates: verified.length,
          explains: coster.explains,
          elapsedMs: performance.now() - started,
        },
      };
    } finally {
      await coster.reset().catch(() => undefined);
    }
  });
}

function recommendationOf(c: IndexCandidate, verified: boolean, taken: Set<string>): IndexRecommendation {
  // Index names are unique per schema: never propose one that already exists.
  let name = indexName(c);
  for (let n = 2; taken.has(`${c.schema}.${name}`); n += 1) name = `${indexName(c).replace(/_idx$/, '')}_${n}_idx`;
  taken.add(`${c.schema}.${name}`);
  return {
    name,
    schema: c.schema,
    table: c.table,
    columns: c.keys.map((k) => `${k.column}${k.descending ? ' DESC' : ''}`),
    include: c.include,
    ...(c.where ? { where: c.where } : {}),
    sql: `${indexDefinition(c, name, true)};`,
    rollback: `DROP INDEX CONCURRENTLY IF EXISTS ${c.schema === 'public' ? '' : `${c.schema}.`}${name};`,
    verified,
    queriesHelped: [],
    reasons: c.reasons,
  };
}

// Rows written per table by the workload's writes (weight × planned rows), so each extra index
// on a write-heavy table is charged for its maintenance. UPDATEs count only when they set an
// indexed column (otherwise they can stay HOT).
async function writeVolume(
  prepared: PreparedQuery[],
  costable: CostableQuery[],
  costableIndex: number[],
  baseline: Map<number, number>,
  coster: WhatIfCoster,
  weightOf: (q: number) => number,
): Promise<(c: IndexCandidate) => number> {
  const writes: { table: string; rows: number; setColumns?: Set<string> }[] = [];
  for (let q = 0; q < costable.length; q += 1) {
    if (!baseline.has(q)) continue;
    const p = prepared.find((x) => x.index === costableIndex[q]);
    if (!p || !['insert', 'update', 'delete', 'merge'].includes(p.statement.kind)) continue;
    const plan = (await coster.cost(q, [])).plan as { Plan: { 'Plan Rows': number; Plans?: { 'Plan Rows': number }[] } }[];
    const top = plan[0]!.Plan;
    const rows = top.Plans?.[0]?.['Plan Rows'] ?? top['Plan Rows'] ?? 1;
    const table = [...costable[q]!.tables][0];
    if (!table) continue;
    const setColumns = p.statement.kind === 'update'
      ? new Set(((p.statement.tree.UpdateStmt as { targetList?: { ResTarget?: { name?: string } }[] }).targetList ?? []).map((t) => t.ResTarget?.name ?? ''))
      : undefined;
    writes.push({ table, rows: Math.max(rows, 1) * weightOf(q), ...(setColumns ? { setColumns } : {}) });
  }
  return (c) =>
    writes
      .filter((w) => w.table === `${c.schema}.${c.table}`)
      .filter((w) => !w.setColumns || [...c.keys.map((k) => k.column), ...c.include].some((col) => w.setColumns!.has(col)))
      .reduce((sum, w) => sum + w.rows, 0);
}

async function readDistinct(target: TargetDatabase, facts: RelationFacts[], signal?: AbortSignal): Promise<Map<string, number>> {
  if (facts.length === 0) return new Map();
  const { rows } = await target.query<{ schemaname: string; tablename: string; attname: string; n_distinct: number }>(
    `select schemaname, tablename, attname, n_distinct::float8 as n_distinct from pg_stats
      where (schemaname, tablename) in (select * from unnest($1::text[], $2::text[]))`,
    [facts.map((f) => f.schema), facts.map((f) => f.name)],
    { signal },
  );
  return new Map(rows.map((r) => [`${r.schemaname}.${r.tablename}.${r.attname}`, Number(r.n_distinct)]));
}

function takenNames(facts: RelationFacts[]): Set<string> {
  return new Set(facts.flatMap((f) => f.indexes.map((i) => `${f.schema}.${i.name}`)));
}

function collectExistingIndexes(plan: unknown, into: Set<string>): void {
  const visit = (node: unknown) => {
    const n = node as { 'Index Name'?: string; Plans?: unknown[] } | undefined;
    if (!n) return;
    if (n['Index Name'] && !n['Index Name'].startsWith('<')) into.add(n['Index Name']);
    (n.Plans ?? []).forEach(visit);
  };
  visit((Array.isArray(plan) ? plan[0] : plan as { Plan?: unknown })?.Plan);
}
