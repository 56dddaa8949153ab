/**
 * Plan diagrams: the plan tree (one box per node with type, relation/index, rows estimated/actual
 * and a bar for its share of time or cost; hot nodes tinted; tips badged on their node and listed
 * underneath). The picture is a list of shapes: `renderPlanSvg` writes it as SVG; `renderPlan`
 * draws the same shapes straight into pixels with glyphs rasterised once per font size by
 * librsvg, because letting librsvg shape every label of a large plan costs hundreds of ms.
 * When the font file cannot be read, the PNG comes from the SVG through sharp instead.
 */
import sharp from 'sharp';
import type { Plan } from '../engine/plan/plan-model.js';
import type { PlanTip, TipSeverity } from '../engine/plan/plan-tips.js';
import { chartFont } from './chart.js';
import { drawingToPng, drawingToSvg, type Drawing, type Shape } from './plan/diagram-shapes.js';
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
// Pixel budget: big plans are drawn at lower density so the PNG stays light to make and send.
const maxPixels = 3_000_000;

const n0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** The diagram as shapes (shared by the SVG and PNG renderings). */
export function planDrawing(plan: Plan, options: PlanDiagramOptions = {}): Drawing {
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

  const shapes: Shape[] = [
    { kind: 'text', x: margin, y: margin + 18, text: title, size: 18, bold: true, color: '#1f2937' },
    { kind: 'text', x: margin, y: margin + 40, text: figures, size: 13, color: '#4b5563' },
  ];
  const maxRows = Math.max(1, ...collect(layout.root).map((n) => rowsOf(n)));
  const edges = (n: LaidOutNode) => {
    for (const child of n.children) {
      const stroke = 1.5 + 6 * (Math.log10(rowsOf(child) + 1) / Math.log10(maxRows + 1));
      shapes.push({ kind: 'curve', x1: x(n) + box.width / 2, y1: y(n) + box.height, x2: x(child) + box.width / 2, y2: y(child), width: stroke, color: '#b0b7c3' });
      edges(child);
    }
  };
  edges(layout.root);
  for (const n of collect(layout.root)) shapes.push(...nodeBox(n, x(n), y(n), layout.measure, tipsByNode.get(n.node.id) ?? [], tipNumber));

  let footerY = margin + headerHeight + treeHeight + 30;
  for (const tip of listedTips) {
    shapes.push(
      { kind: 'circle', cx: margin + 8, cy: footerY - 5, r: 8, fill: severityColour[tip.severity] },
      { kind: 'text', x: margin + 8, y: footerY - 1, text: String(tipNumber.get(tip)), size: 11, bold: true, color: '#ffffff', anchor: 'middle' },
      { kind: 'text', x: margin + 22, y: footerY, text: truncate(tip.title, Math.floor((width - 2 * margin - 22) / 7.4)), size: 13, color: '#1f2937' },
    );
    footerY += tipLineHeight;
  }
  if (tips.length > listedTips.length) {
    shapes.push({ kind: 'text', x: margin + 22, y: footerY, text: `… and ${tips.length - listedTips.length} more tips`, size: 13, color: '#6b7280' });
  }
  return { width, height, font: chartFont, shapes };
}

/** Renders the plan diagram as SVG text. */
export function renderPlanSvg(plan: Plan, options: PlanDiagramOptions = {}): string {
  return drawingToSvg(planDrawing(plan, options));
}

/** Renders the plan diagram as PNG bytes (2× density for small plans; less for huge ones to stay light). */
export async function renderPlan(plan: Plan, options: PlanDiagramOptions = {}): Promise<Buffer> {
  const drawing = planDrawing(plan, options);
  const scale = Math.round(Math.max(0.5, Math.min(2, Math.sqrt(maxPixels / (drawing.width * drawing.height)))) * 100) / 100;
  try {
    return await drawingToPng(drawing, scale);
  } catch {
    // No readable font file: let librsvg draw the SVG (slower, same picture).
    return sharp(Buffer.from(drawingToSvg(drawing)), { density: Math.round(72 * scale) }).png({ compressionLevel: 4 }).toBuffer();
  }
}

function nodeBox(n: LaidOutNode, left: number, top: number, measure: 'time' | 'cost', tips: PlanTip[], tipNumber: Map<PlanTip, number>): Shape[] {
  if (n.folded) return foldedBox(n, left, top);
  const node = n.node;
  const out: Shape[] = [];
  const border = n.share >= 0.3 ? '#c0392b' : n.share >= 0.1 ? '#e67e22' : '#9ca3af';
  out.push({ kind: 'rect', x: left, y: top, w: box.width, h: box.height, rx: 6, fill: heatFill(n.share), stroke: border, strokeWidth: n.share >= 0.1 ? 2 : 1 });
  const textX = left + 9;
  const maxChars = Math.floor((box.width - 18) / 7.2);
  const label = (node.subplanName ? `${node.subplanName}: ` : '') + node.label;
  out.push({ kind: 'text', x: textX, y: top + 18, text: truncate(label, maxChars - 2), size: 13, bold: true, color: '#111827' });
  const target = node.relation
    ? `${node.relation}${node.alias && node.alias !== node.relation ? ` ${node.alias}` : ''}${node.index ? ` · ${node.index}` : ''}`
    : node.index ?? node.details.cteName ?? node.details.functionName ?? (node.details.sortKey ? `by ${node.details.sortKey.join(', ')}` : node.details.hashCond ?? node.details.groupKey?.join(', ') ?? '');
  if (target) out.push({ kind: 'text', x: textX, y: top + 35, text: truncate(target, maxChars + 2), size: 12, color: '#374151' });
  const rows = node.actual
    ? `rows ${compact.format(node.estimated.rows)} est / ${compact.format(node.actual.rows)} act${node.actual.loops > 1 ? ` × ${compact.format(node.actual.loops)}` : ''}`
    : node.neverExecuted
      ? `rows ${compact.format(node.estimated.rows)} est · never executed`
      : `rows ${compact.format(node.estimated.rows)} est · cost ${compact.format(node.estimated.totalCost)}`;
  const off = node.rowEstimateRatio !== undefined && Math.max(node.rowEstimateRatio, 1 / node.rowEstimateRatio) >= 10;
  out.push({ kind: 'text', x: textX, y: top + 52, text: truncate(rows, maxChars + 2), size: 12, color: off ? '#b91c1c' : '#374151' });
  // Share bar: the node's own time or cost as a fraction of the whole plan.
  const barWidth = box.width - 18;
  const barY = top + 62;
  out.push({ kind: 'rect', x: textX, y: barY, w: barWidth, h: 12, rx: 2, fill: '#e5e7eb' });
  if (n.share > 0) out.push({ kind: 'rect', x: textX, y: barY, w: Math.max(1, barWidth * Math.min(1, n.share)), h: 12, rx: 2, fill: n.share >= 0.3 ? '#dc2626' : n.share >= 0.1 ? '#f59e0b' : '#60a5fa' });
  const barText = measure === 'time' ? `${Math.round(n.share * 100)} % · ${formatMs(node.exclusiveMs ?? 0)}` : `${Math.round(n.share * 100)} % of cost`;
  out.push({ kind: 'text', x: textX + barWidth - 3, y: barY + 10, text: barText, size: 10, color: '#111827', anchor: 'end' });
  if (n.collapsedCount > 0) {
    out.push(
      { kind: 'rect', x: left + box.width / 2 - 46, y: top + box.height + 4, w: 92, h: 18, rx: 9, fill: '#f3f4f6', stroke: '#9ca3af' },
      { kind: 'text', x: left + box.width / 2, y: top + box.height + 17, text: `+${n.collapsedCount} node${n.collapsedCount === 1 ? '' : 's'} · ${Math.round(n.collapsedShare * 100)} %`, size: 11, color: '#374151', anchor: 'middle' },
    );
  }
  const badged = tips.filter((t) => tipNumber.has(t)).slice(0, 3).reverse();
  badged.forEach((tip, i) => {
    const cx = left + box.width - 12 - i * 22;
    out.push(
      { kind: 'circle', cx, cy: top + 2, r: 10, fill: severityColour[tip.severity], stroke: '#ffffff', strokeWidth: 2 },
      { kind: 'text', x: cx, y: top + 6, text: String(tipNumber.get(tip)), size: 11, bold: true, color: '#ffffff', anchor: 'middle' },
    );
  });
  return out;
}

function foldedBox(n: LaidOutNode, left: number, top: number): Shape[] {
  const f = n.folded!;
  return [
    { kind: 'rect', x: left, y: top, w: box.width, h: box.height, rx: 6, fill: '#f9fafb', stroke: '#9ca3af', dash: true },
    { kind: 'text', x: left + box.width / 2, y: top + 36, text: `+${f.subtrees} more branch${f.subtrees === 1 ? '' : 'es'}`, size: 13, bold: true, color: '#374151', anchor: 'middle' },
    { kind: 'text', x: left + box.width / 2, y: top + 56, text: `${f.nodes} nodes · ${Math.round(f.share * 100)} % together`, size: 12, color: '#4b5563', anchor: 'middle' },
  ];
}

function collect(n: LaidOutNode): LaidOutNode[] {
  return [n, ...n.children.flatMap(collect)];
}

function rowsOf(n: LaidOutNode): number {
  return n.node.actualTotalRows ?? n.node.estimated.rows;
}

// White for cold nodes, peach at a quarter of the plan, salmon from half the plan up.
function heatFill(share: number): string {
  const mix = (a: number[], b: number[], t: number) => a.map((v, i) => v + ((b[i] ?? v) - v) * Math.min(1, Math.max(0, t)));
  const white = [255, 255, 255];
  const peach = [253, 226, 196];
  const salmon = [248, 170, 160];
  const rgb = share <= 0.25 ? mix(white, peach, share / 0.25) : mix(peach, salmon, (share - 0.25) / 0.25);
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
