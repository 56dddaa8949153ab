/**
 * Layout of a plan diagram: which nodes are drawn (cheap subtrees of large plans collapse into
 * their root) and where (a tidy top-down tree: leaves take consecutive slots, parents centre over
 * their children).
 */
import type { Plan, PlanNode } from '../../engine/plan/plan-model.js';

export interface LaidOutNode {
  node: PlanNode;
  depth: number;
  /** Slot index from the left (fractional for parents). */
  slot: number;
  /** Share of the plan's time (analysed) or cost (estimated) spent in this node alone. */
  share: number;
  /** Nodes hidden under this one when its subtree was collapsed. */
  collapsedCount: number;
  collapsedShare: number;
  children: LaidOutNode[];
}

export interface PlanLayout {
  root: LaidOutNode;
  slots: number;
  depth: number;
  visibleCount: number;
  collapsedCount: number;
  measure: 'time' | 'cost';
}

/** Lays out `plan`, collapsing the cheapest subtrees until at most `maxVisible` nodes remain. */
export function layoutPlan(plan: Plan, maxVisible: number): PlanLayout {
  const measure = plan.analyzed && (plan.root.inclusiveMs ?? 0) > 0 ? 'time' : 'cost';
  const total = measure === 'time' ? (plan.root.inclusiveMs ?? 0) : Math.max(plan.totalCost, 0);
  const shareOf = (n: PlanNode) => (total > 0 ? (measure === 'time' ? (n.exclusiveMs ?? 0) : n.exclusiveCost) / total : 0);

  // Subtree size and share, for choosing what to collapse.
  const size = new Map<PlanNode, number>();
  const weight = new Map<PlanNode, number>();
  const measureTree = (n: PlanNode): void => {
    n.children.forEach(measureTree);
    size.set(n, 1 + n.children.reduce((s, c) => s + size.get(c)!, 0));
    weight.set(n, shareOf(n) + n.children.reduce((s, c) => s + weight.get(c)!, 0));
  };
  measureTree(plan.root);

  const collapsed = new Set<PlanNode>();
  let visible = size.get(plan.root)!;
  if (visible > maxVisible) {
    const candidates = [...size.keys()]
      .filter((n) => n !== plan.root && size.get(n)! > 1)
      .sort((a, b) => weight.get(a)! - weight.get(b)! || size.get(b)! - size.get(a)!);
    const hiddenBy = (n: PlanNode, ancestors: PlanNode[]) => ancestors.some((a) => collapsed.has(a)) || collapsed.has(n);
    const ancestorsOf = new Map<PlanNode, PlanNode[]>();
    const record = (n: PlanNode, path: PlanNode[]) => {
      ancestorsOf.set(n, path);
      n.children.forEach((c) => record(c, [...path, n]));
    };
    record(plan.root, []);
    for (const candidate of candidates) {
      if (visible <= maxVisible) break;
      if (hiddenBy(candidate, ancestorsOf.get(candidate)!)) continue;
      // Collapsing a node inside its subtree first would double count; drop those.
      for (const inner of [...collapsed]) if (ancestorsOf.get(inner)!.includes(candidate)) {
        collapsed.delete(inner);
        visible += size.get(inner)! - 1;
      }
      collapsed.add(candidate);
      visible -= size.get(candidate)! - 1;
    }
  }

  let nextSlot = 0;
  let maxDepth = 0;
  const place = (n: PlanNode, depth: number): LaidOutNode => {
    maxDepth = Math.max(maxDepth, depth);
    const isCollapsed = collapsed.has(n);
    const children = isCollapsed ? [] : n.children.map((c) => place(c, depth + 1));
    const slot = children.length === 0 ? nextSlot++ : (children[0]!.slot + children[children.length - 1]!.slot) / 2;
    return {
      node: n,
      depth,
      slot,
      share: shareOf(n),
      collapsedCount: isCollapsed ? size.get(n)! - 1 : 0,
      collapsedShare: isCollapsed ? weight.get(n)! - shareOf(n) : 0,
      children,
    };
  };
  const root = place(plan.root, 0);
  return {
    root,
    slots: Math.max(nextSlot, 1),
    depth: maxDepth + 1,
    visibleCount: visible,
    collapsedCount: size.get(plan.root)! - visible,
    measure,
  };
}
