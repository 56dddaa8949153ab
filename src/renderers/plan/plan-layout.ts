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
  /** Set on a placeholder that stands for cheap sibling subtrees folded together ("+N more"). */
  folded?: { subtrees: number; nodes: number; share: number };
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
export function layoutPlan(plan: Plan, maxVisible: number, maxFanOut = 6): PlanLayout {
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

  // One greedy pass, cheapest subtree first: a child of a wide node (Append over many partitions)
  // is folded into a "+N more" placeholder with its siblings; any other subtree collapses into its
  // root, which stays drawn with a "+N" badge.
  const collapsed = new Set<PlanNode>();
  const folded = new Set<PlanNode>();
  const withPlaceholder = new Set<PlanNode>();
  let visible = size.get(plan.root)!;
  // A row of more than maxFanOut boxes is unreadable at chat sizes: keep the costliest children.
  const foldWide = (n: PlanNode): void => {
    if (n.children.length > maxFanOut) {
      const cheapest = [...n.children].sort((a, b) => weight.get(a)! - weight.get(b)!).slice(0, n.children.length - (maxFanOut - 1));
      for (const child of cheapest) {
        folded.add(child);
        visible -= size.get(child)!;
      }
      withPlaceholder.add(n);
      visible += 1;
    }
    n.children.filter((c) => !folded.has(c)).forEach(foldWide);
  };
  foldWide(plan.root);
  if (visible > maxVisible) {
    const parentOf = new Map<PlanNode, PlanNode>();
    const link = (n: PlanNode) => n.children.forEach((c) => (parentOf.set(c, n), link(c)));
    link(plan.root);
    const hidden = (n: PlanNode): boolean => {
      for (let p = parentOf.get(n); p; p = parentOf.get(p)) if (collapsed.has(p) || folded.has(p)) return true;
      return false;
    };
    const visibleSize = (n: PlanNode): number =>
      collapsed.has(n) ? 1 : 1 + n.children.reduce((s, c) => s + (folded.has(c) ? 0 : visibleSize(c)), 0) + (withPlaceholder.has(n) ? 1 : 0);
    const candidates = [...size.keys()]
      .filter((n) => n !== plan.root)
      .sort((a, b) => weight.get(a)! - weight.get(b)! || size.get(b)! - size.get(a)!);
    for (const candidate of candidates) {
      if (visible <= maxVisible) break;
      // Never hide where the time goes: a diagram a bit larger beats one without its hot spot.
      if (weight.get(candidate)! > 0.05) break;
      if (hidden(candidate)) continue;
      const parent = parentOf.get(candidate)!;
      if (parent.children.filter((c) => !folded.has(c)).length > 3) {
        visible -= visibleSize(candidate);
        folded.add(candidate);
        if (!withPlaceholder.has(parent)) {
          withPlaceholder.add(parent);
          visible += 1;
        }
      } else if (candidate.children.length > 0 && !collapsed.has(candidate)) {
        visible -= visibleSize(candidate) - 1;
        collapsed.add(candidate);
      }
    }
  }

  let nextSlot = 0;
  let maxDepth = 0;
  const place = (n: PlanNode, depth: number): LaidOutNode => {
    maxDepth = Math.max(maxDepth, depth);
    const isCollapsed = collapsed.has(n);
    const children = isCollapsed ? [] : n.children.filter((c) => !folded.has(c)).map((c) => place(c, depth + 1));
    if (withPlaceholder.has(n)) {
      const foldedChildren = n.children.filter((c) => folded.has(c));
      maxDepth = Math.max(maxDepth, depth + 1);
      children.push({
        node: foldedChildren[0]!,
        depth: depth + 1,
        slot: nextSlot++,
        share: 0,
        collapsedCount: 0,
        collapsedShare: 0,
        folded: {
          subtrees: foldedChildren.length,
          nodes: foldedChildren.reduce((s, c) => s + size.get(c)!, 0),
          share: foldedChildren.reduce((s, c) => s + weight.get(c)!, 0),
        },
        children: [],
      });
    }
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
  const drawnPlans = (n: LaidOutNode): number => (n.folded ? 0 : 1) + n.children.reduce((s, c) => s + drawnPlans(c), 0);
  const drawn = drawnPlans(root);
  return {
    root,
    slots: Math.max(nextSlot, 1),
    depth: maxDepth + 1,
    visibleCount: drawn,
    collapsedCount: size.get(plan.root)! - drawn,
    measure,
  };
}
