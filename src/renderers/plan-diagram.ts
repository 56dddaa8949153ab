/**
 * Plan diagrams: the plan tree drawn as SVG (one box per node with type, relation/index, rows
 * estimated/actual and a bar for its share of time or cost; hot nodes tinted; tips badged on
 * their node and listed underneath), rasterised to PNG with sharp like the charts.
 */
import type { Plan } from '../engine/plan/plan-model.js';
import type { PlanTip, TipSeverity } from '../engine/plan/plan-tips.js';
import sharp from 'sharp';
import { chartFont } from './chart.js';
import { layoutPlan, type LaidOutNode } from './plan/plan-layout.js';

export interface PlanDiagramOptions {
  tips?: PlanTip[];
  title?: string;
  /** Nodes drawn at most; cheaper subtrees collapse beyond it (default 30). */
  maxVisibleNodes?: number;
}

const box = { width: 232, height: 84, hGap: 20, vGap: 34 };
const margin = 24;
const headerHeight = 52;
const tipLineHeight = 18;
const severityColour: Record<TipSeverity, string> = { critical: '#c0392b', warning: '#e67e22', info: '#2e86c1' };
const severityRank: Record<TipSeverity, number> = { critical: 0, warning: 1, info: 2 };
// librsvg shapes text glyph by glyph (the bulk of the render time): the pixel budget and the
// node budget keep a big plan's PNG fast to draw and still readable when a chat client scales it.
const maxPixels = 2_500_000;

const n0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Renders the plan diagram as SVG text. */
export function renderPlanSvg(plan: Plan, options: PlanDiagramOptions = {}): string {
  const layout = layoutPlan(plan, options.maxVisibleNodes ?? 30);
  const tips = [...(options.tips ?? [])].sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
  const listedTips = tips.slice(0, 8);
  const tipNumber = new Map<PlanTip, number>(listedTips.map((t, i) => [t, i + 1]));
  const tipsByNode = new Map<number, PlanTip[]>();
  for (const tip of tips) if (tip.nodeId !== undefined) tipsByNode.set(tip.nodeId, [...(tipsByNode.get(tip.nodeId) ?? []), tip]);

  const treeWidth = layout.slots * (box.width + box.hGap) - box.hGap;
  const treeHeight = layout.depth * (box.height + box.vGap) - box.vGap;
  const footerHeight = listedTips.length > 0 ? 16 + listedTips.length * tipLineHeight + (tips.length > listedTips.length ? tipLineHeight : 0) : 0;
  const title = options.title ?? (plan.analyzed ? 'Query plan (EXPLAIN ANALYZE)' : 'Query plan (estimated)');
  const figures = [
    `total cost ${n0.format(plan.totalCost)}`,
    plan.executionMs !== undefined ? `execution ${formatMs(plan.executionMs)}` : undefined,
    plan.planningMs !== undefined ? `planning ${formatMs(plan.planningMs)}` : undefined,
    `${plan.nodeCount} nodes`,
    layout.collapsedCount > 0 ? `${layout.collapsedCount} nodes not drawn (cheap subtrees and wide fan-outs folded into +N)` : undefined,
    `bars: share of ${layout.measure === 'time' ? 'time' : 'estimated cost'} in the node itself`,
  ].filter(Boolean).join(' · ');
  // DejaVu Sans averages ~0.58 em per character: wide enough for the subtitle and tip lines.
  const textWidth = Math.max(figures.length * 13 * 0.58, ...listedTips.map((t) => 22 + Math.min(t.title.length, 140) * 13 * 0.58));
  const width = Math.ceil(Math.max(treeWidth + 2 * margin, 640, textWidth + 2 * margin));
  const height = headerHeight + treeHeight + footerHeight + 2 * margin;
  const offsetX = margin + (width - 2 * margin - treeWidth) / 2;
  const x = (n: LaidOutNode) => offsetX + n.slot * (box.width + box.hGap);
  const y = (n: LaidOutNode) => margin + headerHeight + n.depth * (box.height + box.vGap);

  const parts: string[] = [];
  const maxRows = Math.max(1, ...collect(layout.root).map((n) => rowsOf(n)));
  const edges = (n: LaidOutNode) => {
    for (const child of n.children) {
      const x1 = x(n) + box.width / 2;
      const y1 = y(n) + box.height;
      const x2 = x(child) + box.width / 2;
      const y2 = y(child);
      const stroke = 1.5 + 6 * (Math.log10(rowsOf(child) + 1) / Math.log10(maxRows + 1));
      const midY = (y1 + y2) / 2;
      parts.push(`<path d="M${x1},${y1} C${x1},${midY} ${x2},${midY} ${x2},${y2}" fill="none" stroke="#b0b7c3" stroke-width="${stroke.toFixed(1)}"/>`);
      edges(child);
    }
  };
  edges(layout.root);
  for (const n of collect(layout.root)) parts.push(nodeBox(n, x(n), y(n), layout.measure, tipsByNode.get(n.node.id) ?? [], tipNumber));

  const header = [
    `<text x="${margin}" y="${margin + 18}" font-size="18" font-weight="bold" fill="#1f2937">${escape(title)}</text>`,
    `<text x="${margin}" y="${margin + 40}" font-size="13" fill="#4b5563">${escape(figures)}</text>`,
  ];
  const footer: string[] = [];
  let footerY = margin + headerHeight + treeHeight + 30;
  for (const tip of listedTips) {
    footer.push(
      `<circle cx="${margin + 8}" cy="${footerY - 5}" r="8" fill="${severityColour[tip.severity]}"/>` +
        `<text x="${margin + 8}" y="${footerY - 1}" font-size="11" font-weight="bold" fill="white" text-anchor="middle">${tipNumber.get(tip)}</text>` +
        `<text x="${margin + 22}" y="${footerY}" font-size="13" fill="#1f2937">${escape(truncate(tip.title, Math.floor((width - 2 * margin - 22) / 7.4)))}</text>`,
    );
    footerY += tipLineHeight;
  }
  if (tips.length > listedTips.length) {
    footer.push(`<text x="${margin + 22}" y="${footerY}" font-size="13" fill="#6b7280">… and ${tips.length - listedTips.length} more tips</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${chartFont}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...header,
    ...parts,
    ...footer,
    '</svg>',
  ].join('\n');
}

/** Renders the plan diagram as PNG bytes (2× density for small plans; less for huge ones to stay light). */
export async function renderPlan(plan: Plan, options: PlanDiagramOptions = {}): Promise<Buffer> {
  const svg = renderPlanSvg(plan, options);
  const size = /width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg);
  const pixels = size ? Number(size[1]) * Number(size[2]) : 1;
  const scale = Math.max(0.5, Math.min(2, Math.sqrt(maxPixels / pixels)));
  return sharp(Buffer.from(svg), { density: Math.round(72 * scale) }).png({ compressionLevel: 4 }).toBuffer();
}

function nodeBox(
  n: LaidOutNode,
  left: number,
  top: number,
  measure: 'time' | 'cost',
  tips: PlanTip[],
  tipNumber: Map<PlanTip, number>,
): string {
  if (n.folded) return foldedBox(n, left, top);
  const node = n.node;
  const fill = heatFill(n.share);
  const border = n.share >= 0.3 ? '#c0392b' : n.share >= 0.1 ? '#e67e22' : '#9ca3af';
  const out: string[] = [];
  out.push(`<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="6" fill="rgb(${fill.map((c) => Math.round(c)).join(',')})" stroke="${border}" stroke-width="${n.share >= 0.1 ? 2 : 1}"/>`);
  const textX = left + 9;
  const maxChars = Math.floor((box.width - 18) / 7.2);
  const label = (node.subplanName ? `${node.subplanName}: ` : '') + node.label;
  out.push(`<text x="${textX}" y="${top + 18}" font-size="13" font-weight="bold" fill="#111827">${escape(truncate(label, maxChars - 2))}</text>`);
  const target = node.relation
    ? `${node.relation}${node.alias && node.alias !== node.relation ? ` ${node.alias}` : ''}${node.index ? ` · ${node.index}` : ''}`
    : node.index ?? node.details.cteName ?? node.details.functionName ?? (node.details.sortKey ? `by ${node.details.sortKey.join(', ')}` : node.details.hashCond ?? node.details.groupKey?.join(', ') ?? '');
  if (target) out.push(`<text x="${textX}" y="${top + 35}" font-size="12" fill="#374151">${escape(truncate(target, maxChars + 2))}</text>`);
  const rows = node.actual
    ? `rows ${compact.format(node.estimated.rows)} est / ${compact.format(node.actual.rows)} act${node.actual.loops > 1 ? ` × ${compact.format(node.actual.loops)}` : ''}`
    : node.neverExecuted
      ? `rows ${compact.format(node.estimated.rows)} est · never executed`
      : `rows ${compact.format(node.estimated.rows)} est · cost ${compact.format(node.estimated.totalCost)}`;
  const off = node.rowEstimateRatio !== undefined && Math.max(node.rowEstimateRatio, 1 / node.rowEstimateRatio) >= 10;
  out.push(`<text x="${textX}" y="${top + 52}" font-size="12" fill="${off ? '#b91c1c' : '#374151'}">${escape(truncate(rows, maxChars + 2))}</text>`);
  // Share bar: the node's own time or cost as a fraction of the whole plan.
  const barWidth = box.width - 18;
  const barY = top + 62;
  out.push(`<rect x="${textX}" y="${barY}" width="${barWidth}" height="12" rx="2" fill="#e5e7eb"/>`);
  out.push(`<rect x="${textX}" y="${barY}" width="${(barWidth * Math.min(1, n.share)).toFixed(1)}" height="12" rx="2" fill="${n.share >= 0.3 ? '#dc2626' : n.share >= 0.1 ? '#f59e0b' : '#60a5fa'}"/>`);
  const barText = measure === 'time' ? `${Math.round(n.share * 100)} % · ${formatMs(node.exclusiveMs ?? 0)}` : `${Math.round(n.share * 100)} % of cost`;
  out.push(`<text x="${textX + barWidth - 3}" y="${barY + 10}" font-size="10" fill="#111827" text-anchor="end">${escape(barText)}</text>`);
  if (n.collapsedCount > 0) {
    out.push(
      `<rect x="${left + box.width / 2 - 46}" y="${top + box.height + 4}" width="92" height="18" rx="9" fill="#f3f4f6" stroke="#9ca3af"/>` +
        `<text x="${left + box.width / 2}" y="${top + box.height + 17}" font-size="11" fill="#374151" text-anchor="middle">+${n.collapsedCount} node${n.collapsedCount === 1 ? '' : 's'} · ${Math.round(n.collapsedShare * 100)} %</text>`,
    );
  }
  const badged = tips.filter((t) => tipNumber.has(t)).slice(0, 3);
  badged
    .reverse()
    .forEach((tip, i) => {
      const cx = left + box.width - 12 - i * 22;
      out.push(
        `<circle cx="${cx}" cy="${top + 2}" r="10" fill="${severityColour[tip.severity]}" stroke="white" stroke-width="2"/>` +
          `<text x="${cx}" y="${top + 6}" font-size="11" font-weight="bold" fill="white" text-anchor="middle">${tipNumber.get(tip)}</text>`,
      );
    });
  return out.join('');
}

function foldedBox(n: LaidOutNode, left: number, top: number): string {
  const f = n.folded!;
  return (
    `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="6" fill="#f9fafb" stroke="#9ca3af" stroke-dasharray="5,4"/>` +
    `<text x="${left + box.width / 2}" y="${top + 36}" font-size="13" font-weight="bold" fill="#374151" text-anchor="middle">+${f.subtrees} more branch${f.subtrees === 1 ? '' : 'es'}</text>` +
    `<text x="${left + box.width / 2}" y="${top + 56}" font-size="12" fill="#4b5563" text-anchor="middle">${f.nodes} nodes · ${Math.round(f.share * 100)} % together</text>`
  );
}

function collect(n: LaidOutNode): LaidOutNode[] {
  return [n, ...n.children.flatMap(collect)];
}

function rowsOf(n: LaidOutNode): number {
  return n.node.actualTotalRows ?? n.node.estimated.rows;
}

// White for cold nodes, peach at a quarter of the plan, salmon from half the plan up.
function heatFill(share: number): number[] {
  const mix = (a: number[], b: number[], t: number) => a.map((v, i) => v + ((b[i] ?? v) - v) * Math.min(1, Math.max(0, t)));
  const white = [255, 255, 255];
  const peach = [253, 226, 196];
  const salmon = [248, 170, 160];
  return share <= 0.25 ? mix(white, peach, share / 0.25) : mix(peach, salmon, (share - 0.25) / 0.25);
}

function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
