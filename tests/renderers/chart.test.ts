import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { recentChartLimit, renderChart, renderChartSvg } from '../../src/renderers/chart.js';
import { horizontalBarSpec } from '../../src/renderers/chart-specs.js';

const tables = [
  { label: 'public.orders', value: 37_000_000 },
  { label: 'public.audit_events', value: 21_000_000 },
  { label: 'public.customers', value: 5_600_000 },
];

/** Counts pixels darker than mid-grey in a rectangle: text and bars are dark, the background is white. */
async function darkPixels(png: Buffer, area: { left: number; top: number; width: number; height: number }): Promise<number> {
  const { data, info } = await sharp(png).extract(area).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (let i = 0; i < info.width * info.height; i += 1) if ((data[i] ?? 255) < 128) dark += 1;
  return dark;
}

describe('renderChart', () => {
  it('produces a valid PNG at twice the SVG size', async () => {
    const spec = horizontalBarSpec(tables, { title: 'Largest tables', valueTitle: 'bytes' });
    const svg = await renderChartSvg(spec);
    const png = await renderChart(spec);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const meta = await sharp(png).metadata();
    const svgWidth = Number(svg.match(/<svg[^>]*width="(\d+(?:\.\d+)?)"/)?.[1]);
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(Math.round(svgWidth * 2));
    expect(meta.height).toBeGreaterThan(150);
  });

  it('draws the axis labels as text in DejaVu Sans', async () => {
    const spec = horizontalBarSpec(tables, { title: 'Largest tables', valueTitle: 'bytes' });
    const svg = await renderChartSvg(spec);
    expect(svg).toContain('public.audit_events');
    expect(svg).toContain('DejaVu Sans');
    const png = await renderChart(spec);
    const { width = 0, height = 0 } = await sharp(png).metadata();
    // The y-axis labels sit in the left quarter, below the title; with no font they would be empty boxes or nothing.
    const labelArea = { left: 0, top: Math.round(height * 0.2), width: Math.round(width * 0.25), height: Math.round(height * 0.5) };
    expect(await darkPixels(png, labelArea)).toBeGreaterThan(200);
  });

  it('a chart without data still renders an empty frame rather than failing', async () => {
    const png = await renderChart(horizontalBarSpec([], { title: 'Nothing yet', valueTitle: 'bytes' }));
    expect((await sharp(png).metadata()).format).toBe('png');
  });

  it('draws a spec asked for again, or by several callers at once, only once', async () => {
    const spec = horizontalBarSpec(tables, { title: 'Asked twice', valueTitle: 'bytes' });
    const [a, b] = await Promise.all([renderChart(spec), renderChart(structuredClone(spec))]);
    expect(b).toBe(a);
    expect(await renderChart(structuredClone(spec))).toBe(a);
    expect(await renderChart(spec, { scale: 1 })).not.toBe(a);
    const other = await renderChart(horizontalBarSpec([...tables, { label: 'public.page_views', value: 1_000_000 }], { title: 'Asked twice', valueTitle: 'bytes' }));
    expect(other).not.toBe(a);
  });

  it('keeps only the most recent charts: an old spec is drawn again', async () => {
    const spec = horizontalBarSpec(tables, { title: 'Soon forgotten', valueTitle: 'bytes' });
    const first = await renderChart(spec);
    for (let i = 0; i < recentChartLimit; i += 1) await renderChart(horizontalBarSpec([{ label: `t${i}`, value: i + 1 }], { title: `Filler ${i}`, valueTitle: 'bytes' }));
    const again = await renderChart(spec);
    expect(again).not.toBe(first);
    expect(again.equals(first)).toBe(true);
  });
});
