/**
 * Charts: vega-lite spec -> vega SVG (renderer 'none', no canvas) -> PNG with sharp.
 * Text is set in DejaVu Sans (Debian's fonts-dejavu-core), which librsvg finds through fontconfig.
 */
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

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

/** Renders a vega-lite spec to PNG bytes. */
export async function renderChart(spec: TopLevelSpec, options: ChartOptions = {}): Promise<Buffer> {
  const svg = await renderChartSvg(spec);
  return svgToPng(svg, options.scale ?? 2);
}

export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png({ compressionLevel: 6 }).toBuffer();
}
