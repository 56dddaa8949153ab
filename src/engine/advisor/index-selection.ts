/**
 * Choosing a set of indexes for a workload: maximise the weighted planner-cost saving minus the
 * write overhead, within a budget (number of indexes and/or total size). Greedy with re-costing
 * after each pick (interactions between indexes are seen, because every step costs the queries
 * with everything chosen so far); an exhaustive search over the same candidates exists to check it.
 */

export interface SelectionCandidate {
  id: string;
  sizeBytes: number;
  /** Write overhead in the same units as the saving (weighted cost per workload period). */
  writeOverhead: number;
}

export interface SelectionQuery {
  weight: number;
  baselineCost: number;
}

export interface SelectionBudget {
  maxIndexes?: number;
  maxBytes?: number;
  /**
   * A query's saving counts only when its cost drops by at least this fraction and the plan uses
   * one of the chosen indexes (default 0.1).
   */
  minImprovement?: number;
}

export interface SelectionProblem {
  candidates: SelectionCandidate[];
  queries: SelectionQuery[];
  /** Planner cost of query q with `config`, and which config ids the plan used. */
  cost: (q: number, config: string[]) => Promise<{ cost: number; used: Set<string> }>;
}

export interface SelectionStep {
  id: string;
  /** Net benefit this pick added given the earlier picks. */
  marginalBenefit: number;
}

export interface Selection {
  chosen: string[];
  /** Weighted saving minus write overhead of the chosen set. */
  benefit: number;
  steps: SelectionStep[];
  evaluations: number;
}

/** Net benefit of a configuration: Σ weight × (baseline − cost) over queries that improve enough, minus write overhead. */
export async function configurationBenefit(problem: SelectionProblem, config: string[], minImprovement = 0.1): Promise<number> {
  let saving = 0;
  for (let q = 0; q < problem.queries.length; q += 1) {
    const query = problem.queries[q]!;
    if (config.length === 0 || query.baselineCost <= 0) continue;
    const { cost, used } = await problem.cost(q, config);
    const drop = query.baselineCost - cost;
    if (used.size > 0 && drop >= minImprovement * query.baselineCost) saving += query.weight * drop;
  }
  const overhead = config.reduce((sum, id) => sum + (problem.candidates.find((c) => c.id === id)?.writeOverhead ?? 0), 0);
  return saving - overhead;
}

const fits = (problem: SelectionProblem, config: string[], budget: SelectionBudget) =>
  (budget.maxIndexes === undefined || config.length <= budget.maxIndexes) &&
  (budget.maxBytes === undefined || config.reduce((s, id) => s + (problem.candidates.find((c) => c.id === id)?.sizeBytes ?? 0), 0) <= budget.maxBytes);

/** Greedy: repeatedly add the candidate with the largest positive marginal benefit that fits the budget. */
export async function greedySelection(problem: SelectionProblem, budget: SelectionBudget = {}): Promise<Selection> {
  const minImprovement = budget.minImprovement ?? 0.1;
  const chosen: string[] = [];
  const steps: SelectionStep[] = [];
  let current = 0;
  let evaluations = 0;
  for (;;) {
    let best: { id: string; benefit: number; sizeBytes: number } | undefined;
    for (const candidate of problem.candidates) {
      if (chosen.includes(candidate.id)) continue;
      const config = [...chosen, candidate.id];
      if (!fits(problem, config, budget)) continue;
      const benefit = await configurationBenefit(problem, config, minImprovement);
      evaluations += 1;
      // Near-ties go to the smaller index (a partial index over its full twin).
      const better = !best || benefit > best.benefit * (1 + 1e-6) || (benefit >= best.benefit * (1 - 1e-6) && candidate.sizeBytes < best.sizeBytes);
      if (benefit > current && better) best = { id: candidate.id, benefit, sizeBytes: candidate.sizeBytes };
    }
    if (!best) break;
    chosen.push(best.id);
    steps.push({ id: best.id, marginalBenefit: best.benefit - current });
    current = best.benefit;
  }
  return { chosen, benefit: current, steps, evaluations };
}

/** Exhaustive: the best subset within the budget (exponential; for checking greedy on small candidate sets). */
export async function exhaustiveSelection(problem: SelectionProblem, budget: SelectionBudget = {}): Promise<Selection> {
  const minImprovement = budget.minImprovement ?? 0.1;
  const ids = problem.candidates.map((c) => c.id);
  if (ids.length > 20) throw new Error(`Exhaustive search over ${ids.length} candidates is too large (at most 20).`);
  let best: Selection = { chosen: [], benefit: 0, steps: [], evaluations: 0 };
  let evaluations = 0;
  const limit = budget.maxIndexes ?? ids.length;
  const visit = async (start: number, config: string[]): Promise<void> => {
    if (config.length > 0) {
      const benefit = await configurationBenefit(problem, config, minImprovement);
      evaluations += 1;
      if (benefit > best.benefit) best = { chosen: [...config], benefit, steps: [], evaluations: 0 };
    }
    if (config.length >= limit) return;
    for (let i = start; i < ids.length; i += 1) {
      const next = [...config, ids[i]!];
      if (fits(problem, next, budget)) await visit(i + 1, next);
    }
  };
  await visit(0, []);
  return { ...best, evaluations };
}
