/**
 * Charts: vega-lite spec -> vega SVG (renderer 'none', no canvas) -> PNG with sharp.
 * Text is set in DejaVu Sans (Debian's fonts-dejavu-core), which librsvg finds through fontconfig.
 *
 * Compiling and laying out a spec costs tens of milliseconds of the event loop (sharp's part runs
 * on libuv's threads), so the PNGs of recent specs are kept: the same data asked for again, or
 * by several people at once, is drawn once.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { horizontalBarSpec } from './chart-specs.js';
import { indexUsageSpec } from './insight-charts.js';

export const chartFont = 'DejaVu Sans';

export interface ChartOptions {
  /** Pixel density multiplier: 2 keeps text crisp on high-DPI chat clients. */
  scale?: number;
}

const baseConfig = {
  font: chartFont,
  background: 'white',
  padding: 12,
  axis: { labelFont: chartFont, titleFont: chartFont, labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFont: chartFont, titleFont: chartFont },
  title: { font: chartFont, fontSize: 15, anchor: 'start' as const },
  header: { labelFont: chartFont, titleFont: chartFont },
  mark: { font: chartFont },
};

/** Renders a vega-lite spec to SVG text. */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const withFonts = { ...spec, config: { ...baseConfig, ...(spec.config ?? {}) } } as TopLevelSpec;
  const { spec: vegaSpec } = compile(withFonts);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** How many recently rendered charts are kept (a few MB of PNG at most). */
export const recentChartLimit = 32;
const recentCharts = new Map<string, Promise<Buffer>>();

/**
 * Renders a vega-lite spec to PNG bytes. A spec rendered recently (same data, same scale) gets
 * the same Buffer back, which callers must treat as read-only; concurrent calls share one render.
 */
export async function renderChart(spec: TopLevelSpec, options: ChartOptions = {}): Promise<Buffer> {
  const scale = options.scale ?? 2;
  const key = createHash('sha256').update(`${scale}\u0000${JSON.stringify(spec)}`).digest('hex');
  const recent = recentCharts.get(key);
  if (recent) {
    // Most recently used last, so the least recently used chart is the one dropped.
    recentCharts.delete(key);
    recentCharts.set(key, recent);
    return recent;
  }
  const png = renderChartSvg(spec).then((svg) => svgToPng(svg, scale));
  recentCharts.set(key, png);
  // A failed render is not kept: the next call tries again.
  png.catch(() => {
    if (recentCharts.get(key) === png) recentCharts.delete(key);
  });
  for (const oldest of recentCharts.keys()) {
    if (recentCharts.size <= recentChartLimit) break;
    recentCharts.delete(oldest);
  }
  return png;
}

/**
 * Draws the two chart shapes the chat posts most (stacked size bars, index usage) once with
 * sample data, so the first answer with a chart does not pay for loading the fonts (fontconfig)
 * and for vega's first, unoptimised pass through those code paths (~70 ms of the event loop).
 */
export async function warmUpCharts(): Promise<void> {
  const sample = [
    { label: 'public.sample_a', value: 3_000_000, group: 'table + TOAST' },
    { label: 'public.sample_a', value: 1_000_000, group: 'indexes' },
    { label: 'public.sample_b', value: 2_000_000, group: 'table + TOAST' },
  ];
  await renderChart(horizontalBarSpec(sample, { title: 'Warm-up', valueTitle: 'bytes', valueFormat: '.2~s' }));
  await renderChart(indexUsageSpec([{ index: 'public.sample_idx', bytes: 1_000_000, scans: 0 }, { index: 'public.sample_pkey', bytes: 2_000_000, scans: 5 }]));
}

export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png({ compressionLevel: 6 }).toBuffer();
}
