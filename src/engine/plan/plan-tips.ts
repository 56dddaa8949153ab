/**
 * Plan tips: what is wrong in a plan, in plain words, each pointing at the node it is about with
 * a severity and a one-paragraph explanation. Thresholds are deliberately conservative so a tip
 * is worth reading; estimated-only plans get the subset that can be told without actuals.
 */
import { describeNode, planNodes, type Plan, type PlanNode } from './plan-model.js';
import type { RelationFacts } from './relation-facts.js';
import { columnRefName, resolveColumn, tablesOf, unwrapCast } from './query-tables.js';
import { walk } from './sql-statement.js';

export type TipSeverity = 'info' | 'warning' | 'critical';

export type TipKind =
  | 'row-misestimate'
  | 'hot-node'
  | 'seq-scan-filter'
  | 'inefficient-index-scan'
  | 'sort-spill'
  | 'hash-spill'
  | 'nested-loop-many-loops'
  | 'index-only-heap-fetches'
  | 'lossy-bitmap'
  | 'large-offset'
  | 'function-on-indexed-column'
  | 'jit-time'
  | 'workers-not-launched'
  | 'stale-statistics';

export interface PlanTip {
  kind: TipKind;
  severity: TipSeverity;
  /** Id of the plan node the tip is about (absent for plan-wide tips such as JIT). */
  nodeId?: number;
  /** The node as people read it, e.g. "Seq Scan on orders". */
  node?: string;
  title: string;
  explanation: string;
}

export interface TipContext {
  relations?: RelationFacts[];
  /** The parsed statement, for tips that come from the SQL (OFFSET, functions on columns). */
  statement?: unknown;
}

const severityRank: Record<TipSeverity, number> = { critical: 0, warning: 1, info: 2 };
const fmt = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: n < 10 ? 1 : 0 }).format(n);
const pct = (share: number) => `${Math.round(share * 100)} %`;

/** All tips for a plan, most severe first. */
export function planTips(plan: Plan, context: TipContext = {}): PlanTip[] {
  const nodes = planNodes(plan);
  const tips: PlanTip[] = [
    ...misestimates(nodes),
    ...hotNodes(plan, nodes),
    ...nodes.flatMap((node) => nodeTips(node, context.relations ?? [])),
    ...nestedLoops(plan, nodes),
    ...planWide(plan, nodes),
    ...statementTips(plan, nodes, context),
    ...staleStatistics(nodes, context.relations ?? []),
  ];
  return tips.sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
}

const at = (node: PlanNode) => ({ nodeId: node.id, node: describeNode(node) });

function misestimates(nodes: PlanNode[]): PlanTip[] {
  // Under a LIMIT, nodes stop early and return fewer rows than estimated: not a misestimate.
  const underLimit = new Set<PlanNode>();
  const mark = (n: PlanNode, limited: boolean) => {
    if (limited) underLimit.add(n);
    n.children.forEach((c) => mark(c, limited || n.nodeType === 'Limit'));
  };
  if (nodes[0]) mark(nodes[0], false);
  // A node that merely passes on its child's misestimate (Sort, Aggregate over the same rows) adds nothing.
  const inherited = (n: PlanNode) => n.children.some((c) => c.actual && c.estimated.rows === n.estimated.rows && c.actual.rows === n.actual?.rows);
  const candidates = nodes
    .filter((n) => n.actual && n.rowEstimateRatio !== undefined && Math.max(n.estimated.rows, n.actual.rows) >= 100)
    .filter((n) => !(underLimit.has(n) && n.rowEstimateRatio! < 1) && !inherited(n))
    .map((n) => ({ node: n, factor: Math.max(n.rowEstimateRatio!, 1 / n.rowEstimateRatio!) }))
    .filter((c) => c.factor >= 10)
    .sort((a, b) => b.factor - a.factor)
    .slice(0, 5);
  return candidates.map(({ node, factor }) => {
    const under = node.rowEstimateRatio! > 1;
    const severity: TipSeverity = factor >= 1000 ? 'critical' : factor >= 100 ? 'warning' : 'info';
    return {
      kind: 'row-misestimate',
      severity,
      ...at(node),
      title: `Row estimate off by ${fmt(factor)}× at ${describeNode(node)} (${fmt(node.estimated.rows)} estimated, ${fmt(node.actual!.rows)} actual)`,
      explanation:
        `The planner expected ${fmt(node.estimated.rows)} rows per loop here but got ${fmt(node.actual!.rows)}: it ${under ? 'underestimated' : 'overestimated'} by ${fmt(factor)}×. ` +
        'Every choice above this node (join method, join order, memory for sorts and hashes) was made for the wrong row count. ' +
        'Run ANALYZE on the tables involved; if the estimate stays wrong, raise the column statistics target (ALTER TABLE … ALTER COLUMN … SET STATISTICS 1000) ' +
        'or create extended statistics (CREATE STATISTICS … (dependencies, ndistinct, mcv)) for correlated columns.',
    };
  });
}

function hotNodes(plan: Plan, nodes: PlanNode[]): PlanTip[] {
  if (nodes.length < 2) return [];
  const total = plan.analyzed ? (plan.root.inclusiveMs ?? 0) : plan.totalCost;
  if (total <= 0 || (plan.analyzed && total < 1) || (!plan.analyzed && total < 100)) return [];
  const share = (n: PlanNode) => (plan.analyzed ? (n.exclusiveMs ?? 0) : n.exclusiveCost) / total;
  return nodes
    .filter((n) => share(n) >= 0.3)
    .sort((a, b) => share(b) - share(a))
    .slice(0, 2)
    .map((node) => ({
      kind: 'hot-node' as const,
      severity: (share(node) >= 0.6 ? 'warning' : 'info') as TipSeverity,
      ...at(node),
      title: `${pct(share(node))} of the ${plan.analyzed ? 'time' : 'estimated cost'} is spent in ${describeNode(node)}`,
      explanation:
        `This node alone accounts for ${pct(share(node))} of the query's ${plan.analyzed ? 'execution time' : 'estimated cost'}, ` +
        `so this is where an improvement pays: ${hotNodeAdvice(node)}`,
    }));
}

function hotNodeAdvice(node: PlanNode): string {
  if (node.nodeType === 'Seq Scan') return 'an index on the filtered columns, or a narrower predicate, lets PostgreSQL read less of the table.';
  if (node.nodeType === 'Sort' || node.nodeType === 'Incremental Sort') return 'an index matching the ORDER BY can deliver rows already sorted, or more work_mem keeps the sort in memory.';
  if (node.nodeType.includes('Join') || node.nodeType === 'Nested Loop') return 'check the join order and the row estimates of its inputs, and that the join keys are indexed.';
  if (node.nodeType === 'Aggregate' || node.nodeType === 'HashAggregate') return 'aggregating fewer rows (filter earlier) or a pre-aggregated table helps.';
  return 'look at its inputs and at what it does per row.';
}

function nodeTips(node: PlanNode, relations: RelationFacts[]): PlanTip[] {
  const tips: PlanTip[] = [];
  const d = node.details;
  if (node.nodeType === 'Seq Scan' && d.filter) {
    if (node.actual && d.rowsRemovedByFilter !== undefined) {
      const read = d.rowsRemovedByFilter + node.actual.rows;
      const removed = read > 0 ? d.rowsRemovedByFilter / read : 0;
      if (removed >= 0.9 && d.rowsRemovedByFilter >= 1000) {
        tips.push({
          kind: 'seq-scan-filter',
          severity: removed >= 0.99 && d.rowsRemovedByFilter >= 100_000 ? 'critical' : 'warning',
          ...at(node),
          title: `Sequential scan discards ${pct(removed)} of the rows it reads (${fmt(d.rowsRemovedByFilter)} removed by filter)`,
          explanation:
            `PostgreSQL read the whole of ${node.relation ?? 'the table'} and threw away ${pct(removed)} of the rows with the filter ${d.filter}. ` +
            'An index on the filtered column(s) would let it read only the matching rows; ask the index advisor to verify one with hypothetical indexes.',
        });
      }
    } else if (!node.actual && !node.neverExecuted) {
      const facts = relations.find((r) => r.name === node.relation && (!node.schema || r.schema === node.schema));
      if (facts && facts.reltuples >= 10_000 && node.estimated.rows < facts.reltuples * 0.01) {
        tips.push({
          kind: 'seq-scan-filter',
          severity: 'warning',
          ...at(node),
          title: `Sequential scan expected to keep ${fmt(node.estimated.rows)} of ~${fmt(facts.reltuples)} rows`,
          explanation:
            `The planner expects to read all ~${fmt(facts.reltuples)} rows of ${node.relation} and keep under 1 % of them with ${d.filter}. ` +
            'An index on the filtered column(s) would avoid reading the rest; run with analyze to confirm, or ask the index advisor.',
        });
      }
    }
  }
  if ((node.nodeType === 'Index Scan' || node.nodeType === 'Index Only Scan' || node.nodeType === 'Bitmap Heap Scan') && node.actual) {
    const removed = d.rowsRemovedByFilter ?? 0;
    if (removed >= 1000 && removed >= 2 * node.actual.rows) {
      tips.push({
        kind: 'inefficient-index-scan',
        severity: removed >= 10 * Math.max(node.actual.rows, 1) ? 'warning' : 'info',
        ...at(node),
        title: `Index ${node.index ?? `scan on ${node.relation ?? '?'}`} finds rows that are then discarded (${fmt(removed)} removed by filter)`,
        explanation:
          `The index narrows the search only by ${d.indexCond ?? d.recheckCond ?? 'part of the condition'}; the rest (${d.filter ?? 'the filter'}) is checked row by row after fetching from the table, ` +
          `and ${fmt(removed)} rows per loop fail it. A multi-column index that also covers the filtered column(s), equality columns first, would avoid those fetches.`,
      });
    }
  }
  if (node.nodeType === 'Sort' && (d.sortSpaceType === 'Disk' || /external/i.test(d.sortMethod ?? ''))) {
    tips.push({
      kind: 'sort-spill',
      severity: 'warning',
      ...at(node),
      title: `Sort spilled to disk (${d.sortMethod ?? 'external'}, ${fmt(d.sortSpaceUsedKb ?? 0)} kB)`,
      explanation:
        `The rows to sort did not fit in work_mem, so PostgreSQL wrote them to temporary files (${fmt(d.sortSpaceUsedKb ?? 0)} kB). ` +
        'Raising work_mem for this query (SET LOCAL work_mem = …) keeps the sort in memory; an index that delivers rows in the ORDER BY order avoids the sort entirely.',
    });
  }
  if (node.nodeType === 'Hash' && (d.hashBatches ?? 1) > 1) {
    tips.push({
      kind: 'hash-spill',
      severity: 'warning',
      ...at(node),
      title: `Hash split into ${d.hashBatches} batches (spilled to disk)`,
      explanation:
        `The hash table for this join did not fit in work_mem × hash_mem_multiplier and was split into ${d.hashBatches} batches` +
        `${d.originalHashBatches && d.originalHashBatches !== d.hashBatches ? ` (planned ${d.originalHashBatches})` : ''}, written to temporary files. ` +
        'More memory for the query, or a smaller inner side (filter earlier, select fewer columns), keeps it in one batch.',
    });
  }
  if (node.nodeType === 'Index Only Scan' && node.actual && (d.heapFetches ?? 0) > 0) {
    const share = (d.heapFetches ?? 0) / Math.max(node.actualTotalRows ?? 1, 1);
    if (share >= 0.1 && (d.heapFetches ?? 0) >= 100) {
      tips.push({
        kind: 'index-only-heap-fetches',
        severity: share >= 0.5 ? 'warning' : 'info',
        ...at(node),
        title: `Index-only scan visited the table for ${fmt(d.heapFetches ?? 0)} rows (${pct(Math.min(share, 1))})`,
        explanation:
          `An index-only scan can skip the table only for pages marked all-visible in the visibility map. Here ${pct(Math.min(share, 1))} of the rows needed a heap fetch, ` +
          `so the scan is close to a normal index scan. VACUUM ${node.relation ?? 'the table'} (or tune autovacuum to run more often on it) to refresh the visibility map.`,
      });
    }
  }
  if (node.nodeType === 'Bitmap Heap Scan' && (d.lossyHeapBlocks ?? 0) > 0) {
    tips.push({
      kind: 'lossy-bitmap',
      severity: 'warning',
      ...at(node),
      title: `Lossy bitmap: ${fmt(d.lossyHeapBlocks ?? 0)} heap blocks rechecked row by row`,
      explanation:
        'The bitmap of matching rows outgrew work_mem and degraded to whole pages, so every row on those pages was rechecked against the condition' +
        `${d.rowsRemovedByIndexRecheck ? ` (${fmt(d.rowsRemovedByIndexRecheck)} rows removed by recheck)` : ''}. Raising work_mem keeps the bitmap exact.`,
    });
  }
  if (node.buffers && node.buffers.tempWritten > 0 && node.nodeType !== 'Sort' && node.nodeType !== 'Hash' && node.nodeType !== 'Hash Join') {
    tips.push({
      kind: node.nodeType.includes('Aggregate') ? 'hash-spill' : 'sort-spill',
      severity: 'info',
      ...at(node),
      title: `${describeNode(node)} wrote ${fmt(node.buffers.tempWritten)} temporary blocks`,
      explanation: 'This step did not fit in work_mem and spilled to temporary files; more work_mem for the query, or fewer/narrower rows reaching it, avoids the disk writes.',
    });
  }
  if ((node.nodeType === 'Gather' || node.nodeType === 'Gather Merge') && d.workersLaunched !== undefined && (d.workersPlanned ?? 0) > d.workersLaunched) {
    tips.push({
      kind: 'workers-not-launched',
      severity: 'warning',
      ...at(node),
      title: `Only ${d.workersLaunched} of ${d.workersPlanned} parallel workers started`,
      explanation:
        'The planner counted on parallel workers that the server could not start, so the leader did more of the work itself. ' +
        'The pool (max_worker_processes, max_parallel_workers) was exhausted by other queries at that moment; raise the limits or spread parallel queries out.',
    });
  }
  return tips;
}

function nestedLoops(plan: Plan, nodes: PlanNode[]): PlanTip[] {
  const total = plan.root.inclusiveMs ?? 0;
  const tips: PlanTip[] = [];
  for (const node of nodes) {
    if (node.nodeType !== 'Nested Loop' || node.children.length < 2) continue;
    const [outer, inner] = node.children as [PlanNode, PlanNode];
    if (inner.actual && outer.actual) {
      const share = total > 0 ? (inner.inclusiveMs ?? 0) / total : 0;
      if (inner.actual.loops >= 1000 && share >= 0.2) {
        tips.push({
          kind: 'nested-loop-many-loops',
          severity: share >= 0.5 ? 'warning' : 'info',
          ...at(node),
          title: `Nested loop runs its inner side ${fmt(inner.actual.loops)} times (${pct(share)} of the time)`,
          explanation:
            `For each of the ${fmt(outer.actualTotalRows ?? 0)} outer rows the inner side (${describeNode(inner)}) runs again. ` +
            'That is cheap only when the outer side is small and the inner side is an index lookup. If the outer row count was underestimated, fix the estimate (ANALYZE, statistics); ' +
            'otherwise an index on the inner join key, or a hash join (check enable_* settings and work_mem), fits better.',
        });
      }
    } else if (!plan.analyzed && outer.estimated.rows >= 10_000 && inner.estimated.totalCost >= 10) {
      tips.push({
        kind: 'nested-loop-many-loops',
        severity: 'info',
        ...at(node),
        title: `Nested loop expected to run its inner side ~${fmt(outer.estimated.rows)} times`,
        explanation:
          `The inner side (${describeNode(inner)}) costs ~${fmt(inner.estimated.totalCost)} per run and is expected to run once per outer row. ` +
          'Run with analyze to see whether the row estimate holds; an index on the inner join key keeps each run cheap.',
      });
    }
  }
  return tips;
}

function planWide(plan: Plan, nodes: PlanNode[]): PlanTip[] {
  const tips: PlanTip[] = [];
  if (plan.jit && plan.executionMs !== undefined) {
    const share = plan.executionMs > 0 ? plan.jit.totalMs / plan.executionMs : 0;
    if (plan.jit.totalMs >= 100 || (share >= 0.1 && plan.jit.totalMs >= 10)) {
      tips.push({
        kind: 'jit-time',
        severity: share >= 0.3 ? 'warning' : 'info',
        nodeId: nodes[0]!.id,
        title: `JIT compilation took ${fmt(plan.jit.totalMs)} ms (${pct(share)} of execution)`,
        explanation:
          `PostgreSQL compiled ${plan.jit.functions} functions to machine code because the estimated cost exceeded jit_above_cost, and the compilation cost more than it saved. ` +
          'For short queries like this, raise jit_above_cost (or set jit = off for the role or query); large cost estimates caused by misestimates also trigger it needlessly.',
      });
    }
  }
  return tips;
}

function statementTips(plan: Plan, nodes: PlanNode[], context: TipContext): PlanTip[] {
  if (!context.statement) return [];
  const tips: PlanTip[] = [];
  const limit = nodes.find((n) => n.nodeType === 'Limit');
  walk(context.statement, (key, value) => {
    if (key !== 'limitOffset') return;
    const offset = Number((unwrapCast(value) as { A_Const?: { ival?: { ival?: number } } } | undefined)?.A_Const?.ival?.ival ?? NaN);
    if (offset >= 1000) {
      tips.push({
        kind: 'large-offset',
        severity: offset >= 100_000 ? 'warning' : 'info',
        ...(limit ? at(limit) : {}),
        title: `OFFSET ${fmt(offset)} reads and throws away ${fmt(offset)} rows`,
        explanation:
          'OFFSET does not skip rows: PostgreSQL produces every earlier row and discards it, so deep pages get slower and slower. ' +
          'Keyset pagination (WHERE (sort_key, id) > (last seen values) ORDER BY sort_key, id LIMIT n) reads only the page it returns.',
      });
    }
  });
  tips.push(...functionsOnIndexedColumns(nodes, context));
  return tips;
}

function functionsOnIndexedColumns(nodes: PlanNode[], context: TipContext): PlanTip[] {
  const relations = context.relations ?? [];
  const tables = tablesOf(context.statement);
  const tips: PlanTip[] = [];
  const seen = new Set<string>();
  walk(context.statement, (key, value) => {
    if (key !== 'A_Expr') return;
    const expr = value as { lexpr?: unknown; rexpr?: unknown };
    for (const side of [expr.lexpr, expr.rexpr]) {
      const wrapped = wrappedColumn(side);
      if (!wrapped) continue;
      const table = resolveColumn(wrapped.column, tables, (t) => relations.find((r) => r.name === t.name)?.columns.map((c) => c.name));
      const facts = table ? relations.find((r) => r.name === table.name && (!table.schema || r.schema === table.schema)) : undefined;
      if (!facts) continue;
      const index = facts.indexes.find((i) => i.keyColumns[0] === wrapped.column.column);
      if (!index) continue;
      const columnType = facts.columns.find((c) => c.name === wrapped.column.column)?.type ?? '';
      // varchar -> text is binary-compatible: the index still applies.
      if (wrapped.how === 'cast' && /^(text|varchar|character varying)$/.test(wrapped.wrapper) && /^(character varying|text)/.test(columnType)) continue;
      const keyText = `${facts.name}.${wrapped.column.column}.${wrapped.wrapper}`;
      if (seen.has(keyText)) continue;
      seen.add(keyText);
      const scan = nodes.find((n) => n.relation === facts.name && n.nodeType === 'Seq Scan') ?? nodes.find((n) => n.relation === facts.name);
      tips.push({
        kind: 'function-on-indexed-column',
        severity: scan?.nodeType === 'Seq Scan' ? 'warning' : 'info',
        ...(scan ? at(scan) : {}),
        title: `${wrapped.how === 'cast' ? `Cast ::${wrapped.wrapper}` : `${wrapped.wrapper}()`} on indexed column ${facts.name}.${wrapped.column.column} hides index ${index.name}`,
        explanation:
          `Index ${index.name} stores ${wrapped.column.column} itself, not ${wrapped.how === 'cast' ? `${wrapped.column.column}::${wrapped.wrapper}` : `${wrapped.wrapper}(${wrapped.column.column})`}, so the condition cannot use it. ` +
          (wrapped.how === 'cast'
            ? 'Compare with a value of the column\'s own type (cast the other side instead), or create an expression index on the cast.'
            : `Rewrite the condition on the bare column (e.g. a range instead of date_trunc/date()), or create an expression index: CREATE INDEX ON ${facts.name} (${wrapped.wrapper}(${wrapped.column.column})).`),
      });
    }
  });
  return tips;
}

/** `lower(col)`, `col::date`, `date(col)`: a column wrapped in a function or cast. */
export function wrappedColumn(node: unknown): { column: { qualifier?: string; column: string }; how: 'function' | 'cast'; wrapper: string } | undefined {
  const n = node as Record<string, unknown> | undefined;
  if (!n || typeof n !== 'object') return undefined;
  if ('TypeCast' in n) {
    const cast = n.TypeCast as { arg?: unknown; typeName?: { names?: { String?: { sval?: string } }[] } };
    const column = columnRefName(cast.arg);
    const names = cast.typeName?.names ?? [];
    const type = names[names.length - 1]?.String?.sval ?? '?';
    return column ? { column, how: 'cast', wrapper: type } : undefined;
  }
  if ('FuncCall' in n) {
    const call = n.FuncCall as { funcname?: { String?: { sval?: string } }[]; args?: unknown[] };
    const name = call.funcname?.[call.funcname.length - 1]?.String?.sval ?? '?';
    for (const arg of call.args ?? []) {
      const column = columnRefName(unwrapCast(arg));
      if (column) return { column, how: 'function', wrapper: name };
    }
  }
  return undefined;
}

function staleStatistics(nodes: PlanNode[], relations: RelationFacts[]): PlanTip[] {
  const tips: PlanTip[] = [];
  for (const facts of relations) {
    const never = facts.lastAnalyzed === null && (facts.liveTuples > 0 || facts.reltuples < 0);
    const churn = facts.liveTuples > 0 ? facts.modifiedSinceAnalyze / facts.liveTuples : 0;
    if (!never && !(churn >= 0.1 && facts.modifiedSinceAnalyze >= 1000)) continue;
    const scans = nodes.filter((n) => n.relation === facts.name && (!n.schema || n.schema === facts.schema));
    if (scans.length === 0) continue;
    const misestimated = scans.find((n) => n.rowEstimateRatio !== undefined && Math.max(n.rowEstimateRatio, 1 / n.rowEstimateRatio) >= 10);
    const node = misestimated ?? scans[0]!;
    tips.push({
      kind: 'stale-statistics',
      severity: misestimated ? 'warning' : 'info',
      ...at(node),
      title: never
        ? `${facts.schema}.${facts.name} has never been analysed`
        : `${facts.schema}.${facts.name} changed by ${pct(Math.min(churn, 9.99))} since its last ANALYZE`,
      explanation:
        `The planner's row estimates for ${facts.name} come from statistics that ${never ? 'do not exist yet' : `are out of date (${fmt(facts.modifiedSinceAnalyze)} rows modified since ${facts.lastAnalyzed})`}. ` +
        `Run ANALYZE ${facts.schema}.${facts.name}; if this keeps happening, lower autovacuum_analyze_scale_factor for the table.`,
    });
  }
  return tips;
}
