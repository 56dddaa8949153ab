/**
 * The plan diagram as a list of simple shapes, drawn either as SVG text (renderPlanSvg) or
 * straight into pixels (the fast PNG path), so both show exactly the same picture.
 */
import sharp from 'sharp';
import { glyphAtlas, type GlyphAtlas } from './glyph-atlas.js';

export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill?: string; stroke?: string; strokeWidth?: number; rx?: number; dash?: boolean }
  | { kind: 'text'; x: number; y: number; text: string; size: number; bold?: boolean; color: string; anchor?: 'start' | 'middle' | 'end' }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string; stroke?: string; strokeWidth?: number }
  | { kind: 'curve'; x1: number; y1: number; x2: number; y2: number; width: number; color: string };

export interface Drawing {
  width: number;
  height: number;
  font: string;
  shapes: Shape[];
}

export function drawingToSvg(drawing: Drawing): string {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width}" height="${drawing.height}" viewBox="0 0 ${drawing.width} ${drawing.height}" font-family="${drawing.font}">`,
    '<rect width="100%" height="100%" fill="white"/>',
  ];
  for (const s of drawing.shapes) {
    if (s.kind === 'rect') {
      out.push(
        `<rect x="${r(s.x)}" y="${r(s.y)}" width="${r(s.w)}" height="${r(s.h)}"${s.rx ? ` rx="${s.rx}"` : ''} fill="${s.fill ?? 'none'}"${s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.strokeWidth ?? 1}"` : ''}${s.dash ? ' stroke-dasharray="5,4"' : ''}/>`,
      );
    } else if (s.kind === 'text') {
      out.push(
        `<text x="${r(s.x)}" y="${r(s.y)}" font-size="${s.size}"${s.bold ? ' font-weight="bold"' : ''} fill="${s.color}"${s.anchor && s.anchor !== 'start' ? ` text-anchor="${s.anchor}"` : ''}>${escapeXml(s.text)}</text>`,
      );
    } else if (s.kind === 'circle') {
      out.push(`<circle cx="${r(s.cx)}" cy="${r(s.cy)}" r="${s.r}" fill="${s.fill}"${s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.strokeWidth ?? 1}"` : ''}/>`);
    } else {
      const midY = (s.y1 + s.y2) / 2;
      out.push(`<path d="M${r(s.x1)},${r(s.y1)} C${r(s.x1)},${r(midY)} ${r(s.x2)},${r(midY)} ${r(s.x2)},${r(s.y2)}" fill="none" stroke="${s.color}" stroke-width="${s.width.toFixed(1)}"/>`);
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Draws the shapes into an RGB buffer at `scale` and encodes PNG. Text uses the glyph atlas (one
 * librsvg render per font size per process); everything else is plain pixel filling.
 */
export async function drawingToPng(drawing: Drawing, scale: number): Promise<Buffer> {
  const width = Math.max(1, Math.round(drawing.width * scale));
  const height = Math.max(1, Math.round(drawing.height * scale));
  const canvas = new Canvas(width, height);
  const fonts = new Map<string, GlyphAtlas>();
  for (const s of drawing.shapes) {
    if (s.kind !== 'text') continue;
    const key = `${Math.round(s.size * scale)}|${Boolean(s.bold)}`;
    if (!fonts.has(key)) fonts.set(key, await glyphAtlas(Math.round(s.size * scale), Boolean(s.bold)));
  }
  for (const s of drawing.shapes) {
    if (s.kind === 'rect') {
      const [x, y, w, h] = [s.x * scale, s.y * scale, s.w * scale, s.h * scale];
      if (s.fill && s.fill !== 'none') canvas.fillRect(x, y, w, h, colour(s.fill), s.rx ? s.rx * scale : 0);
      if (s.stroke) canvas.strokeRect(x, y, w, h, colour(s.stroke), Math.max(1, (s.strokeWidth ?? 1) * scale), s.rx ? s.rx * scale : 0, s.dash ? 5 * scale : 0);
    } else if (s.kind === 'circle') {
      if (s.stroke) canvas.fillCircle(s.cx * scale, s.cy * scale, (s.r + (s.strokeWidth ?? 1)) * scale, colour(s.stroke));
      canvas.fillCircle(s.cx * scale, s.cy * scale, s.r * scale, colour(s.fill));
    } else if (s.kind === 'curve') {
      canvas.curve(s.x1 * scale, s.y1 * scale, s.x2 * scale, s.y2 * scale, Math.max(1, s.width * scale), colour(s.color));
    } else {
      const atlas = fonts.get(`${Math.round(s.size * scale)}|${Boolean(s.bold)}`)!;
      canvas.text(s.x * scale, s.y * scale, s.text, atlas, colour(s.color), s.anchor ?? 'start');
    }
  }
  return sharp(canvas.pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 4 }).toBuffer();
}

type Rgb = [number, number, number];

class Canvas {
  readonly pixels: Buffer;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    this.pixels = Buffer.alloc(width * height * 3, 255);
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb, radius = 0): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    if (x1 <= x0 || y1 <= y0) return;
    const rad = Math.min(radius, (x1 - x0) / 2, (y1 - y0) / 2);
    // One row of the colour, copied into place row by row (much faster than pixel writes).
    const row = Buffer.allocUnsafe((x1 - x0) * 3);
    for (let i = 0; i < row.length; i += 3) {
      row[i] = c[0];
      row[i + 1] = c[1];
      row[i + 2] = c[2];
    }
    for (let py = y0; py < y1; py += 1) {
      let inset = 0;
      if (rad > 0) {
        const dy = py < y0 + rad ? y0 + rad - py - 0.5 : py >= y1 - rad ? py - (y1 - rad) + 0.5 : 0;
        if (dy > 0) inset = Math.round(rad - Math.sqrt(Math.max(0, rad * rad - dy * dy)));
      }
      if (x1 - x0 - 2 * inset <= 0) continue;
      row.copy(this.pixels, (py * this.width + x0 + inset) * 3, 0, (x1 - x0 - 2 * inset) * 3);
    }
  }

  strokeRect(x: number, y: number, w: number, h: number, c: Rgb, line: number, radius: number, dash: number): void {
    const lw = Math.max(1, Math.round(line));
    const edges: [number, number, number, number][] = [
      [x + radius, y, w - 2 * radius, lw],
      [x + radius, y + h - lw, w - 2 * radius, lw],
      [x, y + radius, lw, h - 2 * radius],
      [x + w - lw, y + radius, lw, h - 2 * radius],
    ];
    for (const [ex, ey, ew, eh] of edges) {
      if (!dash) this.fillRect(ex, ey, ew, eh, c);
      else if (ew > eh) for (let d = 0; d < ew; d += 2 * dash) this.fillRect(ex + d, ey, Math.min(dash, ew - d), eh, c);
      else for (let d = 0; d < eh; d += 2 * dash) this.fillRect(ex, ey + d, ew, Math.min(dash, eh - d), c);
    }
    // Rounded corners as quarter rings.
    if (radius > 0) {
      const corners: [number, number][] = [
        [x + radius, y + radius],
        [x + w - radius, y + radius],
        [x + radius, y + h - radius],
        [x + w - radius, y + h - radius],
      ];
      corners.forEach(([cx, cy], k) => {
        for (let py = Math.floor(cy - radius); py <= Math.ceil(cy + radius); py += 1) {
          for (let px = Math.floor(cx - radius); px <= Math.ceil(cx + radius); px += 1) {
            const inQuadrant = (k % 2 === 0 ? px <= cx : px >= cx) && (k < 2 ? py <= cy : py >= cy);
            const d = Math.hypot(px + 0.5 - cx, py + 0.5 - cy);
            if (inQuadrant && d <= radius && d >= radius - lw) this.blend(px, py, c, 1);
          }
        }
      });
    }
  }

  fillCircle(cx: number, cy: number, radius: number, c: Rgb): void {
    for (let py = Math.floor(cy - radius - 1); py <= Math.ceil(cy + radius + 1); py += 1) {
      for (let px = Math.floor(cx - radius - 1); px <= Math.ceil(cx + radius + 1); px += 1) {
        const coverage = Math.max(0, Math.min(1, radius + 0.5 - Math.hypot(px + 0.5 - cx, py + 0.5 - cy)));
        if (coverage > 0) this.blend(px, py, c, coverage);
      }
    }
  }

  /** The same S-curve as the SVG edge, stamped as small squares along its length. */
  curve(x1: number, y1: number, x2: number, y2: number, width: number, c: Rgb): void {
    const midY = (y1 + y2) / 2;
    // Squares overlap enough at a third of their width apart to leave no gaps.
    const steps = Math.max(8, Math.ceil((Math.abs(x2 - x1) + Math.abs(y2 - y1)) / Math.max(1, width / 3)));
    const half = width / 2;
    for (let i = 0; i <= steps; i += 1) {
      const t = i / steps;
      const u = 1 - t;
      const px = u * u * u * x1 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x2;
      const py = u * u * u * y1 + 3 * u * u * t * midY + 3 * u * t * t * midY + t * t * t * y2;
      this.fillRect(px - half, py - half, width, width, c);
    }
  }

  text(x: number, baseline: number, text: string, atlas: GlyphAtlas, c: Rgb, anchor: 'start' | 'middle' | 'end'): void {
    const chars = [...text].map((ch) => atlas.glyphs.get(ch) ?? atlas.glyphs.get('?')!);
    const width = chars.reduce((sum, g) => sum + g.advance, 0);
    let pen = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
    const top = Math.round(baseline) - atlas.ascent;
    const pixels = this.pixels;
    for (const glyph of chars) {
      const left = Math.round(pen) - atlas.pad;
      const ink = glyph.ink;
      // Only the glyph's inked pixels, blended inline: this loop is most of the drawing time.
      for (let k = 0; k < ink.length; k += 3) {
        const px = left + ink[k]!;
        const py = top + ink[k + 1]!;
        if (px < 0 || py < 0 || px >= this.width || py >= this.height) continue;
        const a = ink[k + 2]! / 255;
        const i = (py * this.width + px) * 3;
        pixels[i] = pixels[i]! + (c[0] - pixels[i]!) * a;
        pixels[i + 1] = pixels[i + 1]! + (c[1] - pixels[i + 1]!) * a;
        pixels[i + 2] = pixels[i + 2]! + (c[2] - pixels[i + 2]!) * a;
      }
      pen += glyph.advance;
    }
  }

  private blend(px: number, py: number, c: Rgb, alpha: number): void {
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const i = (py * this.width + px) * 3;
    this.pixels[i] = this.pixels[i]! + (c[0] - this.pixels[i]!) * alpha;
    this.pixels[i + 1] = this.pixels[i + 1]! + (c[1] - this.pixels[i + 1]!) * alpha;
    this.pixels[i + 2] = this.pixels[i + 2]! + (c[2] - this.pixels[i + 2]!) * alpha;
  }
}

function colour(value: string): Rgb {
  if (value === 'white') return [255, 255, 255];
  const hex = /^#([0-9a-f]{6})$/i.exec(value);
  if (hex) {
    const n = parseInt(hex[1]!, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const rgb = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(value.replace(/\s/g, ''));
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return [0, 0, 0];
}

const r = (n: number) => Math.round(n * 10) / 10;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
