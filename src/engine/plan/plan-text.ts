/**
 * Compact text rendering of a plan for terminals and chat code blocks: one line per node with
 * cost, rows (estimated / actual) and time, conditions underneath, tip markers on their nodes.
 */
import { describeNode, type Plan, type PlanNode } from './plan-model.js';
import type { PlanTip } from './plan-tips.js';

export interface PlanTextOptions {
  tips?: PlanTip[];
  /** Show filters and conditions under each node (default true). */
  conditions?: boolean;
  /** Stop after this many nodes and say how many were left out (default 400). */
  maxNodes?: number;
}

const n0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const n2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const ms = (value: number) => (value < 10 ? `${value.toFixed(3)} ms` : `${n2.format(value)} ms`);

/** One-line summary: total cost, timings, node count. */
export function planSummary(plan: Plan): string {
  const parts = [`total cost ${n2.format(plan.totalCost)}`, `${plan.nodeCount} node${plan.nodeCount === 1 ? '' : 's'}`];
  if (plan.planningMs !== undefined) parts.push(`planning ${ms(plan.planningMs)}`);
  if (plan.executionMs !== undefined) parts.push(`execution ${ms(plan.executionMs)}`);
  if (plan.jit) parts.push(`JIT ${ms(plan.jit.totalMs)}`);
  return parts.join(' · ');
}

/** The plan as an indented tree. */
export function renderPlanText(plan: Plan, options: PlanTextOptions = {}): string {
  const tipsByNode = new Map<number, PlanTip[]>();
  for (const tip of options.tips ?? []) {
    if (tip.nodeId === undefined) continue;
    tipsByNode.set(tip.nodeId, [...(tipsByNode.get(tip.nodeId) ?? []), tip]);
  }
  const maxNodes = options.maxNodes ?? 400;
  const lines: string[] = [planSummary(plan)];
  let shown = 0;
  let hidden = 0;
  const visit = (node: PlanNode, prefix: string, last: boolean, root: boolean) => {
    if (shown >= maxNodes) {
      hidden += 1;
      node.children.forEach((child) => visit(child, prefix, true, false));
      return;
    }
    shown += 1;
    const branch = root ? '' : last ? '└─ ' : '├─ ';
    const marks = (tipsByNode.get(node.id) ?? []).map((t) => (t.severity === 'critical' ? '!!' : t.severity === 'warning' ? '!' : '·'));
    const role = node.subplanName ? `[${node.subplanName}] ` : '';
    lines.push(`${prefix}${branch}${marks.length ? `${marks[0]} ` : ''}${role}${describeNode(node)}  ${nodeFigures(node)}`);
    const childPrefix = root ? '' : prefix + (last ? '   ' : '│  ');
    if (options.conditions !== false) {
      const pad = childPrefix + (node.children.length > 0 ? '│  ' : '   ');
      for (const line of conditionLines(node)) lines.push(`${pad}${line}`);
    }
    node.children.forEach((child, i) => visit(child, childPrefix, i === node.children.length - 1, false));
  };
  visit(plan.root, '', true, true);
  if (hidden > 0) lines.push(`… ${hidden} more node${hidden === 1 ? '' : 's'} not shown`);
  return lines.join('\n');
}

function nodeFigures(node: PlanNode): string {
  const parts = [`cost ${n2.format(node.estimated.startupCost)}..${n2.format(node.estimated.totalCost)}`];
  if (node.actual) {
    parts.push(`rows ${n0.format(node.estimated.rows)} est / ${n0.format(node.actual.rows)} act`);
    if (node.actual.loops > 1) parts.push(`loops ${n0.format(node.actual.loops)}`);
    parts.push(`time ${ms(node.inclusiveMs ?? 0)} (self ${ms(node.exclusiveMs ?? 0)})`);
  } else if (node.neverExecuted) {
    parts.push(`rows ${n0.format(node.estimated.rows)} est`, 'never executed');
  } else {
    parts.push(`rows ${n0.format(node.estimated.rows)}`);
  }
  if (node.buffers && node.buffers.sharedRead + node.buffers.sharedHit > 0) {
    parts.push(`buffers hit ${n0.format(node.buffers.sharedHit)} read ${n0.format(node.buffers.sharedRead)}`);
  }
  return `(${parts.join(', ')})`;
}

function conditionLines(node: PlanNode): string[] {
  const d = node.details;
  const lines: string[] = [];
  const add = (label: string, value: string | string[] | undefined) => {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return;
    lines.push(`${label}: ${Array.isArray(value) ? value.join(', ') : value}`);
  };
  add('Index Cond', d.indexCond);
  add('Recheck Cond', d.recheckCond);
  add('Hash Cond', d.hashCond);
  add('Merge Cond', d.mergeCond);
  add('Join Filter', d.joinFilter);
  add('Filter', d.filter);
  if (d.rowsRemovedByFilter) lines.push(`Rows Removed by Filter: ${n0.format(d.rowsRemovedByFilter)}`);
  add('Sort Key', d.sortKey);
  if (d.sortMethod) lines.push(`Sort Method: ${d.sortMethod}${d.sortSpaceUsedKb !== undefined ? ` ${n0.format(d.sortSpaceUsedKb)} kB (${d.sortSpaceType ?? ''})` : ''}`);
  add('Group Key', d.groupKey);
  if (d.hashBatches !== undefined && d.hashBatches > 1) lines.push(`Hash Batches: ${d.hashBatches}`);
  if (d.heapFetches !== undefined) lines.push(`Heap Fetches: ${n0.format(d.heapFetches)}`);
  if (d.workersPlanned !== undefined) {
    lines.push(d.workersLaunched !== undefined ? `Workers: ${d.workersLaunched} launched of ${d.workersPlanned} planned` : `Workers Planned: ${d.workersPlanned}`);
  }
  return lines;
}
