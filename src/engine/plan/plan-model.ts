/**
 * The typed plan tree built from `EXPLAIN (FORMAT JSON)`: one node per plan step with its
 * estimates, actuals (when analysed), buffers and the derived numbers a DBA reads first —
 * exclusive time and cost, and how far the row estimate was off.
 */

export interface PlanBuffers {
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  localHit: number;
  localRead: number;
  tempRead: number;
  tempWritten: number;
}

export interface PlanNodeActual {
  /** Per loop, as EXPLAIN prints them. */
  startupMs: number;
  totalMs: number;
  rows: number;
  loops: number;
}

export interface PlanNodeDetails {
  output?: string[];
  filter?: string;
  indexCond?: string;
  recheckCond?: string;
  hashCond?: string;
  mergeCond?: string;
  joinFilter?: string;
  sortKey?: string[];
  groupKey?: string[];
  rowsRemovedByFilter?: number;
  rowsRemovedByIndexRecheck?: number;
  rowsRemovedByJoinFilter?: number;
  heapFetches?: number;
  sortMethod?: string;
  sortSpaceUsedKb?: number;
  sortSpaceType?: string;
  hashBatches?: number;
  originalHashBatches?: number;
  peakMemoryKb?: number;
  workersPlanned?: number;
  workersLaunched?: number;
  exactHeapBlocks?: number;
  lossyHeapBlocks?: number;
  scanDirection?: string;
  cteName?: string;
  functionName?: string;
}

export interface PlanNode {
  /** Position in a depth-first walk, 0 = root; tips and diagrams point at nodes by id. */
  id: number;
  nodeType: string;
  /** Node type plus its variant, e.g. "Hash Join (Left)", "Aggregate (Hashed)". */
  label: string;
  relation?: string;
  schema?: string;
  alias?: string;
  index?: string;
  parentRelationship?: string;
  subplanName?: string;
  joinType?: string;
  strategy?: string;
  parallelAware: boolean;
  estimated: { startupCost: number; totalCost: number; rows: number; width: number };
  actual?: PlanNodeActual;
  /** Set by EXPLAIN ANALYZE on nodes that never ran (e.g. the inner side of an empty join). */
  neverExecuted: boolean;
  buffers?: PlanBuffers;
  wal?: { records: number; fullPageImages: number; bytes: number };
  details: PlanNodeDetails;
  /** Total cost minus the children's: the planner's idea of the work done in this node itself. */
  exclusiveCost: number;
  /** Actual time spent across all loops, children included. */
  inclusiveMs?: number;
  /** Actual time spent in this node alone across all loops. */
  exclusiveMs?: number;
  /** Rows over all loops (actual rows × loops). */
  actualTotalRows?: number;
  /**
   * How far the estimate missed: >1 means more rows than estimated (underestimate), <1 fewer.
   * Compares per-loop rows, as the planner estimates per loop.
   */
  rowEstimateRatio?: number;
  children: PlanNode[];
}

export interface PlanJit {
  functions: number;
  generationMs: number;
  inliningMs: number;
  optimizationMs: number;
  emissionMs: number;
  totalMs: number;
}

export interface Plan {
  root: PlanNode;
  analyzed: boolean;
  /** Root total cost (the planner's arbitrary units). */
  totalCost: number;
  planningMs?: number;
  executionMs?: number;
  jit?: PlanJit;
  /** Settings that differ from the defaults and affect planning (EXPLAIN SETTINGS). */
  settings: Record<string, string>;
  triggers: { name: string; relation?: string; timeMs: number; calls: number }[];
  nodeCount: number;
}

type Json = Record<string, unknown>;

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : undefined;

/** Builds the typed plan from the JSON EXPLAIN returns (the whole array or its first element). */
export function planFromExplainJson(json: unknown): Plan {
  const top = (Array.isArray(json) ? json[0] : json) as Json | undefined;
  if (!top || typeof top !== 'object' || !top.Plan) throw new Error('EXPLAIN output has no "Plan" element.');
  let nextId = 0;
  // Below a Gather, loops count every process and times are per-process averages that ran side
  // by side: dividing by the processes keeps inclusive times in wall-clock terms.
  const build = (raw: Json, processes: number): PlanNode => {
    const node = nodeFromJson(raw, nextId++);
    const children = Array.isArray(raw.Plans) ? (raw.Plans as Json[]) : [];
    const launched = node.details.workersLaunched;
    const childProcesses = (node.nodeType === 'Gather' || node.nodeType === 'Gather Merge') && launched !== undefined ? launched + 1 : processes;
    node.children = children.map((child) => build(child, childProcesses));
    deriveMetrics(node, processes);
    return node;
  };
  const root = build(top.Plan as Json, 1);
  const analyzed = root.actual !== undefined || root.neverExecuted;
  const jitRaw = top.JIT as Json | undefined;
  const timing = (jitRaw?.Timing ?? {}) as Json;
  const part = (value: unknown) => num(value) ?? num((value as Json | undefined)?.Total) ?? 0;
  const jit: PlanJit | undefined = jitRaw
    ? {
        functions: num(jitRaw.Functions) ?? 0,
        generationMs: part(timing.Generation),
        inliningMs: part(timing.Inlining),
        optimizationMs: part(timing.Optimization),
        emissionMs: part(timing.Emission),
        totalMs: part(timing.Total),
      }
    : undefined;
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries((top.Settings ?? {}) as Json)) settings[key] = String(value);
  const triggers = Array.isArray(top.Triggers)
    ? (top.Triggers as Json[]).map((t) => ({
        name: str(t['Trigger Name']) ?? '?',
        ...(str(t.Relation) ? { relation: str(t.Relation) } : {}),
        timeMs: num(t.Time) ?? 0,
        calls: num(t.Calls) ?? 0,
      }))
    : [];
  return {
    root,
    analyzed,
    totalCost: root.estimated.totalCost,
    ...(num(top['Planning Time']) !== undefined ? { planningMs: num(top['Planning Time']) } : {}),
    ...(num(top['Execution Time']) !== undefined ? { executionMs: num(top['Execution Time']) } : {}),
    ...(jit ? { jit } : {}),
    settings,
    triggers,
    nodeCount: nextId,
  };
}

function nodeFromJson(raw: Json, id: number): PlanNode {
  const nodeType = str(raw['Node Type']) ?? 'Unknown';
  const details: PlanNodeDetails = {};
  const set = <K extends keyof PlanNodeDetails>(key: K, value: PlanNodeDetails[K] | undefined) => {
    if (value !== undefined) details[key] = value;
  };
  set('output', strList(raw.Output));
  set('filter', str(raw.Filter));
  set('indexCond', str(raw['Index Cond']));
  set('recheckCond', str(raw['Recheck Cond']));
  set('hashCond', str(raw['Hash Cond']));
  set('mergeCond', str(raw['Merge Cond']));
  set('joinFilter', str(raw['Join Filter']));
  set('sortKey', strList(raw['Sort Key']));
  set('groupKey', strList(raw['Group Key']));
  set('rowsRemovedByFilter', num(raw['Rows Removed by Filter']));
  set('rowsRemovedByIndexRecheck', num(raw['Rows Removed by Index Recheck']));
  set('rowsRemovedByJoinFilter', num(raw['Rows Removed by Join Filter']));
  set('heapFetches', num(raw['Heap Fetches']));
  set('sortMethod', str(raw['Sort Method']));
  set('sortSpaceUsedKb', num(raw['Sort Space Used']));
  set('sortSpaceType', str(raw['Sort Space Type']));
  set('hashBatches', num(raw['Hash Batches']));
  set('originalHashBatches', num(raw['Original Hash Batches']));
  set('peakMemoryKb', num(raw['Peak Memory Usage']));
  set('workersPlanned', num(raw['Workers Planned']));
  set('workersLaunched', num(raw['Workers Launched']));
  set('exactHeapBlocks', num(raw['Exact Heap Blocks']));
  set('lossyHeapBlocks', num(raw['Lossy Heap Blocks']));
  set('scanDirection', str(raw['Scan Direction']));
  set('cteName', str(raw['CTE Name']));
  set('functionName', str(raw['Function Name']));

  const loops = num(raw['Actual Loops']);
  const neverExecuted = loops === 0;
  const actual: PlanNodeActual | undefined =
    loops !== undefined && loops > 0
      ? {
          startupMs: num(raw['Actual Startup Time']) ?? 0,
          totalMs: num(raw['Actual Total Time']) ?? 0,
          rows: num(raw['Actual Rows']) ?? 0,
          loops,
        }
      : undefined;
  const hasBuffers = raw['Shared Hit Blocks'] !== undefined;
  const buffers: PlanBuffers | undefined = hasBuffers
    ? {
        sharedHit: num(raw['Shared Hit Blocks']) ?? 0,
        sharedRead: num(raw['Shared Read Blocks']) ?? 0,
        sharedDirtied: num(raw['Shared Dirtied Blocks']) ?? 0,
        sharedWritten: num(raw['Shared Written Blocks']) ?? 0,
        localHit: num(raw['Local Hit Blocks']) ?? 0,
        localRead: num(raw['Local Read Blocks']) ?? 0,
        tempRead: num(raw['Temp Read Blocks']) ?? 0,
        tempWritten: num(raw['Temp Written Blocks']) ?? 0,
      }
    : undefined;
  const wal =
    raw['WAL Records'] !== undefined
      ? { records: num(raw['WAL Records']) ?? 0, fullPageImages: num(raw['WAL FPI']) ?? 0, bytes: num(raw['WAL Bytes']) ?? 0 }
      : undefined;
  const joinType = str(raw['Join Type']);
  const strategy = str(raw.Strategy);
  const variant = joinType && joinType !== 'Inner' ? joinType : strategy && strategy !== 'Plain' ? strategy : undefined;
  const partial = str(raw['Partial Mode']);
  const label = [partial && partial !== 'Simple' ? partial : undefined, raw['Parallel Aware'] ? 'Parallel' : undefined, nodeType]
    .filter(Boolean)
    .join(' ') + (variant ? ` (${variant})` : '');
  const optional = {
    relation: str(raw['Relation Name']),
    schema: str(raw.Schema),
    alias: str(raw.Alias),
    index: str(raw['Index Name']),
    parentRelationship: str(raw['Parent Relationship']),
    subplanName: str(raw['Subplan Name']),
    joinType,
    strategy,
  };
  return {
    id,
    nodeType,
    label,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    parallelAware: raw['Parallel Aware'] === true,
    estimated: {
      startupCost: num(raw['Startup Cost']) ?? 0,
      totalCost: num(raw['Total Cost']) ?? 0,
      rows: num(raw['Plan Rows']) ?? 0,
      width: num(raw['Plan Width']) ?? 0,
    },
    ...(actual ? { actual } : {}),
    neverExecuted,
    ...(buffers ? { buffers } : {}),
    ...(wal ? { wal } : {}),
    details,
    exclusiveCost: 0,
    children: [],
  };
}

// Exclusive figures subtract the children, clamped at zero: InitPlans and CTE scans can make the
// raw difference negative, and a negative share would only confuse.
function deriveMetrics(node: PlanNode, processes: number): void {
  const childCost = node.children.reduce((sum, child) => sum + child.estimated.totalCost, 0);
  node.exclusiveCost = Math.max(0, node.estimated.totalCost - childCost);
  if (node.actual) {
    node.inclusiveMs = (node.actual.totalMs * node.actual.loops) / Math.max(1, Math.min(processes, node.actual.loops));
    node.actualTotalRows = node.actual.rows * node.actual.loops;
    const childMs = node.children.reduce((sum, child) => sum + (child.inclusiveMs ?? 0), 0);
    node.exclusiveMs = Math.max(0, node.inclusiveMs - childMs);
    const estimated = Math.max(node.estimated.rows, 1);
    const actualRows = Math.max(node.actual.rows, 1);
    node.rowEstimateRatio = actualRows / estimated;
  } else if (node.neverExecuted) {
    node.inclusiveMs = 0;
    node.exclusiveMs = 0;
    node.actualTotalRows = 0;
  }
}

/** Every node of the tree, depth first (root first). */
export function planNodes(plan: Plan | PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const visit = (node: PlanNode) => {
    out.push(node);
    node.children.forEach(visit);
  };
  visit('root' in plan ? plan.root : plan);
  return out;
}

/** Node name as people read it: "Index Scan using orders_pkey on orders o". */
export function describeNode(node: PlanNode): string {
  let text = node.label;
  if (node.index) text += ` using ${node.index}`;
  if (node.relation) text += ` on ${node.relation}${node.alias && node.alias !== node.relation ? ` ${node.alias}` : ''}`;
  else if (node.details.cteName) text += ` on ${node.details.cteName}`;
  else if (node.details.functionName) text += ` on ${node.details.functionName}()`;
  return text;
}
