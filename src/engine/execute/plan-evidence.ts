/**
 * Before/after evidence for a change: the plans of the queries it was meant for, with the
 * indexes each plan uses, so the result can show that a new index is actually used.
 */
import type pg from 'pg';

export interface PlanSnapshot {
  totalCost: number;
  indexes: string[];
  /** Top plan node, e.g. "Seq Scan", "Index Scan". */
  nodeTypes: string[];
}

export interface QueryEvidence {
  query: string;
  before?: PlanSnapshot;
  after?: PlanSnapshot;
  /** Set when the query could not be explained (parameters, errors). */
  note?: string;
}

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  'Total Cost'?: number;
  Plans?: PlanNode[];
}

function collect(node: PlanNode, indexes: Set<string>, types: string[]): void {
  if (node['Node Type']) types.push(node['Node Type']);
  if (node['Index Name']) indexes.add(node['Index Name']);
  for (const child of node.Plans ?? []) collect(child, indexes, types);
}

/** EXPLAIN (no ANALYZE) in a read-only transaction on the executor's session. */
export async function explainForEvidence(client: pg.Client, query: string): Promise<PlanSnapshot | string> {
  if (/\$\d/.test(query)) return 'has $n parameters; explain it with values to compare plans';
  try {
    await client.query('begin read only');
    const result = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (format json) ${query}`);
    const plan = result.rows[0]!['QUERY PLAN'][0]!.Plan;
    const indexes = new Set<string>();
    const types: string[] = [];
    collect(plan, indexes, types);
    return { totalCost: plan['Total Cost'] ?? 0, indexes: [...indexes], nodeTypes: types };
  } catch (error) {
    return `could not be explained: ${(error as Error).message}`;
  } finally {
    await client.query('rollback').catch(() => undefined);
  }
}
