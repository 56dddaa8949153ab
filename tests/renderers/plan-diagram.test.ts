import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { planFromExplainJson, type PlanTip } from '../../src/engine/plan/index.js';
import { renderPlan, renderPlanSvg } from '../../src/renderers/plan-diagram.js';
import { layoutPlan } from '../../src/renderers/plan/plan-layout.js';

// EXPLAIN (ANALYZE, FORMAT JSON) shaped input: a hash join over two scans, the big scan hot.
const joinPlan = [
  {
    Plan: {
      'Node Type': 'Hash Join', 'Join Type': 'Inner', 'Startup Cost': 30, 'Total Cost': 2400, 'Plan Rows': 50, 'Plan Width': 8,
      'Actual Startup Time': 1, 'Actual Total Time': 90, 'Actual Rows': 4000, 'Actual Loops': 1, 'Hash Cond': '(o.customer_id = c.id)',
      Plans: [
        { 'Node Type': 'Seq Scan', 'Relation Name': 'orders', Alias: 'o', 'Startup Cost': 0, 'Total Cost': 2000, 'Plan Rows': 100000, 'Plan Width': 8,
          'Actual Startup Time': 0.01, 'Actual Total Time': 80, 'Actual Rows': 100000, 'Actual Loops': 1, 'Parent Relationship': 'Outer' },
        { 'Node Type': 'Hash', 'Startup Cost': 25, 'Total Cost': 25, 'Plan Rows': 10, 'Plan Width': 4,
          'Actual Startup Time': 2, 'Actual Total Time': 2, 'Actual Rows': 10, 'Actual Loops': 1, 'Parent Relationship': 'Inner',
          Plans: [{ 'Node Type': 'Index Scan', 'Relation Name': 'customers', Alias: 'c', 'Index Name': 'customers_pkey', 'Startup Cost': 0.3,
            'Total Cost': 25, 'Plan Rows': 10, 'Plan Width': 4, 'Actual Startup Time': 0.1, 'Actual Total Time': 1.9, 'Actual Rows': 10, 'Actual Loops': 1 }] },
      ],
    },
    'Planning Time': 0.4,
    'Execution Time': 91,
  },
];

/** An Append over `count` scans, each a little cheaper than the last: a wide plan of count + 1 nodes. */
function appendPlan(count: number) {
  return [{
    Plan: {
      'Node Type': 'Append', 'Startup Cost': 0, 'Total Cost': count * 100, 'Plan Rows': count * 10, 'Plan Width': 4,
      Plans: Array.from({ length: count / 2 }, (_, i) => ({
        'Node Type': 'Sort', 'Startup Cost': 10, 'Total Cost': (count - i) * 1.5 + 10, 'Plan Rows': 10, 'Plan Width': 4,
        Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': `part_${i}`, 'Startup Cost': 0, 'Total Cost': (count - i) * 1.5, 'Plan Rows': 10, 'Plan Width': 4 }],
      })),
    },
  }];
}

async function inkShare(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i]! < 200) dark += 1;
  return dark / (info.width * info.height);
}

describe('plan diagram', () => {
  it('renders a valid PNG with visible boxes and text', async () => {
    const plan = planFromExplainJson(joinPlan);
    const png = await renderPlan(plan);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThanOrEqual(640);
    const ink = await inkShare(png);
    expect(ink).toBeGreaterThan(0.01);
    expect(ink).toBeLessThan(0.5);
  });

  it('labels each node with type, relation/index and rows estimated vs actual, and colours the hot node', () => {
    const svg = renderPlanSvg(planFromExplainJson(joinPlan));
    expect(svg).toContain('>Seq Scan<');
    expect(svg).toContain('>orders o<');
    expect(svg).toContain('customers c · customers_pkey');
    expect(svg).toContain('rows 100K est / 100K act');
    expect(svg).toContain('rows 50 est / 4K act');
    // The seq scan holds 80 of 90 ms: its bar and border are red.
    expect(svg).toMatch(/89 % · 80 ms/);
    expect(svg).toContain('stroke="#c0392b"');
  });

  it('badges tips on their node and lists them', () => {
    const tips: PlanTip[] = [{ kind: 'seq-scan-filter', severity: 'critical', nodeId: 1, node: 'Seq Scan on orders o', title: 'Sequential scan discards most rows', explanation: '…' }];
    const svg = renderPlanSvg(planFromExplainJson(joinPlan), { tips });
    expect(svg).toContain('Sequential scan discards most rows');
    expect(svg.match(/fill="#c0392b" stroke="#ffffff"/g)).toHaveLength(1);
  });

  it('collapses cheap subtrees of a 250-node plan and says so', async () => {
    const plan = planFromExplainJson(appendPlan(250));
    expect(plan.nodeCount).toBe(251);
    const layout = layoutPlan(plan, 30);
    expect(layout.visibleCount).toBeLessThanOrEqual(30);
    expect(layout.visibleCount + layout.collapsedCount).toBe(251);
    const svg = renderPlanSvg(plan);
    expect(svg).toContain(`${layout.collapsedCount} nodes not drawn`);
    expect(svg).toMatch(/\+\d+ more branches/);
    // The most expensive branches stay expanded: part_0 is the costliest scan.
    expect(svg).toContain('part_0');
    const png = await renderPlan(plan);
    expect((await sharp(png).metadata()).format).toBe('png');
  });

  it('collapses cheap subtrees of a deep 201-node join tree into their roots', () => {
    // Nested loops 100 deep: each joins the previous result to an index scan; one scan is expensive.
    let node: Record<string, unknown> = { 'Node Type': 'Seq Scan', 'Relation Name': 't0', 'Startup Cost': 0, 'Total Cost': 10, 'Plan Rows': 1, 'Plan Width': 4 };
    for (let i = 1; i <= 100; i += 1) {
      const scanCost = i === 60 ? 5000 : 1;
      const childCost = (node['Total Cost'] as number) + scanCost;
      node = {
        'Node Type': 'Nested Loop', 'Join Type': 'Inner', 'Startup Cost': 0, 'Total Cost': childCost + 1, 'Plan Rows': 1, 'Plan Width': 4,
        Plans: [node, { 'Node Type': 'Index Scan', 'Relation Name': `t${i}`, 'Index Name': `t${i}_pkey`, 'Startup Cost': 0, 'Total Cost': scanCost, 'Plan Rows': 1, 'Plan Width': 4 }],
      };
    }
    const plan = planFromExplainJson([{ Plan: node }]);
    expect(plan.nodeCount).toBe(201);
    const svg = renderPlanSvg(plan);
    expect(svg).toMatch(/\+\d+ nodes · \d+ %/);
    expect(svg).toContain('t60 · t60_pkey');
  });

  it('draws estimated-only plans with cost shares', () => {
    const svg = renderPlanSvg(planFromExplainJson(appendPlan(4)));
    expect(svg).toContain('Query plan (estimated)');
    expect(svg).toContain('share of estimated cost');
    expect(svg).toContain('% of cost');
  });
});
