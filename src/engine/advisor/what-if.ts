/**
 * What-if costing: the planner's cost of each workload query under a set of hypothetical indexes,
 * memoised by the indexes that can matter to the query (those on its tables), with the indexes
 * the plan actually used.
 */
import type { AnalysisSession } from '../db/target-database.js';
import type { IndexCandidate } from './index-candidates.js';
import { indexDefinition } from './index-candidates.js';
import { HypotheticalIndexes } from './hypopg.js';

export interface CostableQuery {
  /** EXPLAIN (FORMAT JSON …) text ready to run, and its parameter values. */
  explain: string;
  values: (string | null)[];
  /** "schema.table" keys of the tables it touches. */
  tables: Set<string>;
}

export interface WhatIfCost {
  cost: number;
  /** Candidate ids the plan used. */
  used: Set<string>;
  plan: unknown;
}

export class WhatIfCoster {
  private readonly cache = new Map<string, WhatIfCost>();
  private readonly hypothetical: HypotheticalIndexes;
  /** EXPLAINs actually run (cache misses), for the benchmark and the report. */
  explains = 0;

  constructor(
    private readonly session: AnalysisSession,
    private readonly queries: CostableQuery[],
    private readonly candidates: Map<string, IndexCandidate>,
  ) {
    this.hypothetical = new HypotheticalIndexes(session);
  }

  /** Cost of query `q` with the candidates `config` (those on other tables are ignored). */
  async cost(q: number, config: Iterable<string>): Promise<WhatIfCost> {
    const query = this.queries[q]!;
    const relevant = [...config].filter((id) => {
      const c = this.candidates.get(id);
      return c && query.tables.has(`${c.schema}.${c.table}`);
    }).sort();
    const key = `${q}|${relevant.join('|')}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const live = await this.hypothetical.ensure(new Map(relevant.map((id) => [id, indexDefinition(this.candidates.get(id)!)])));
    const byName = new Map([...live].map(([id, index]) => [index.name, id]));
    const { rows } = await this.session.query<{ 'QUERY PLAN': unknown }>(query.explain, query.values);
    this.explains += 1;
    const json = rows[0]?.['QUERY PLAN'];
    const plan = typeof json === 'string' ? JSON.parse(json) : json;
    const top = (Array.isArray(plan) ? plan[0] : plan) as { Plan: { 'Total Cost': number } };
    const used = new Set<string>();
    collectIndexNames(top.Plan, (name) => {
      const id = byName.get(name);
      if (id) used.add(id);
    });
    const result = { cost: top.Plan['Total Cost'], used, plan };
    this.cache.set(key, result);
    return result;
  }

  /** Estimated size of a candidate (hypopg_relation_size), creating it once if needed. */
  async sizeOf(id: string): Promise<number> {
    const known = this.hypothetical.sizeOf(id);
    if (known !== undefined) return known;
    const live = await this.hypothetical.ensure(new Map([[id, indexDefinition(this.candidates.get(id)!)]]));
    return live.get(id)?.sizeBytes ?? 0;
  }

  async reset(): Promise<void> {
    await this.hypothetical.reset();
  }
}

function collectIndexNames(node: unknown, found: (name: string) => void): void {
  const n = node as { 'Index Name'?: string; Plans?: unknown[] } | undefined;
  if (!n) return;
  if (n['Index Name']) found(n['Index Name']);
  for (const child of n.Plans ?? []) collectIndexNames(child, found);
}
