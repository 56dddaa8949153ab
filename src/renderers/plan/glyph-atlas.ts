/**
 * Text for the fast plan-diagram rasteriser: each glyph of DejaVu Sans is drawn once per size by
 * librsvg (through sharp) into an atlas, and its advance width is read from the font's hmtx
 * table, so a diagram's text costs memory copies instead of librsvg's per-glyph shaping.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import sharp from 'sharp';

export interface Glyph {
  /** Coverage 0–255, `width` × `height`, top-left at (pen x − pad, baseline − ascent). */
  alpha: Uint8Array;
  width: number;
  height: number;
  advance: number;
  /** Inked pixels only, as (x, y, coverage) triples. */
  ink: Int16Array;
}

export interface GlyphAtlas {
  size: number;
  bold: boolean;
  ascent: number;
  pad: number;
  glyphs: Map<string, Glyph>;
}

const charset = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '·', '…', '→', '×', '−', '–', '—', '≥', '≤', 'µ', '★'];
const atlases = new Map<string, Promise<GlyphAtlas>>();
const metrics = new Map<boolean, ((char: string) => number | undefined) | null>();

/** Atlas for a pixel size; built once per process. Rejects when the font file is not on the machine. */
export function glyphAtlas(size: number, bold: boolean): Promise<GlyphAtlas> {
  const key = `${size}|${bold}`;
  let atlas = atlases.get(key);
  if (!atlas) {
    atlas = buildAtlas(size, bold);
    atlases.set(key, atlas);
    atlas.catch(() => atlases.delete(key));
  }
  return atlas;
}

async function buildAtlas(size: number, bold: boolean): Promise<GlyphAtlas> {
  const advanceOf = fontAdvances(bold);
  if (!advanceOf) throw new Error('DejaVu Sans font file not found');
  const pad = Math.ceil(size * 0.15);
  const ascent = Math.ceil(size * 1.0);
  const cellW = Math.ceil(size * 1.3) + 2 * pad;
  const cellH = Math.ceil(size * 1.3) + pad;
  const perRow = 16;
  const rows = Math.ceil(charset.length / perRow);
  const width = perRow * cellW;
  const height = rows * cellH;
  const escape = (c: string) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : c);
  const texts = charset
    .map((c, i) => `<text x="${(i % perRow) * cellW + pad}" y="${Math.floor(i / perRow) * cellH + ascent}" xml:space="preserve">${escape(c)}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/><g font-family="DejaVu Sans" font-size="${size}px"${bold ? ' font-weight="bold"' : ''} fill="black">${texts}</g></svg>`;
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const glyphs = new Map<string, Glyph>();
  charset.forEach((c, i) => {
    const x0 = (i % perRow) * cellW;
    const y0 = Math.floor(i / perRow) * cellH;
    const alpha = new Uint8Array(cellW * cellH);
    for (let y = 0; y < cellH; y += 1) {
      for (let x = 0; x < cellW; x += 1) alpha[y * cellW + x] = 255 - data[((y0 + y) * info.width + x0 + x) * info.channels]!;
    }
    const ink: number[] = [];
    for (let y = 0; y < cellH; y += 1) for (let x = 0; x < cellW; x += 1) if (alpha[y * cellW + x]! > 0) ink.push(x, y, alpha[y * cellW + x]!);
    glyphs.set(c, { alpha, width: cellW, height: cellH, advance: (advanceOf(c) ?? 0.6) * size, ink: Int16Array.from(ink) });
  });
  return { size, bold, ascent, pad, glyphs };
}

/** Advance widths in em from the TrueType hmtx table, via the format-4 cmap. */
function fontAdvances(bold: boolean): ((char: string) => number | undefined) | null {
  if (metrics.has(bold)) return metrics.get(bold)!;
  let file: string | undefined;
  try {
    file = execFileSync('fc-match', ['-f', '%{file}', `DejaVu Sans${bold ? ':bold' : ''}`], { encoding: 'utf8', timeout: 3000 }).trim();
  } catch {
    file = `/usr/share/fonts/truetype/dejavu/DejaVuSans${bold ? '-Bold' : ''}.ttf`;
  }
  if (!file || !existsSync(file) || !/\.ttf$/i.test(file)) {
    metrics.set(bold, null);
    return null;
  }
  const font = readFileSync(file);
  const tables = new Map<string, number>();
  for (let i = 0; i < font.readUInt16BE(4); i += 1) tables.set(font.toString('latin1', 12 + i * 16, 16 + i * 16), font.readUInt32BE(12 + i * 16 + 8));
  const head = tables.get('head');
  const hhea = tables.get('hhea');
  const hmtx = tables.get('hmtx');
  const cmap = tables.get('cmap');
  if (head === undefined || hhea === undefined || hmtx === undefined || cmap === undefined) {
    metrics.set(bold, null);
    return null;
  }
  const unitsPerEm = font.readUInt16BE(head + 18);
  const hMetrics = font.readUInt16BE(hhea + 34);
  let sub: number | undefined;
  for (let i = 0; i < font.readUInt16BE(cmap + 2); i += 1) {
    const rec = cmap + 4 + i * 8;
    const platform = font.readUInt16BE(rec);
    const encoding = font.readUInt16BE(rec + 2);
    const offset = cmap + font.readUInt32BE(rec + 4);
    if (font.readUInt16BE(offset) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) sub = offset;
  }
  if (sub === undefined) {
    metrics.set(bold, null);
    return null;
  }
  const segments = font.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  const glyphId = (code: number): number => {
    for (let s = 0; s < segments; s += 1) {
      if (code > font.readUInt16BE(ends + s * 2)) continue;
      const start = font.readUInt16BE(starts + s * 2);
      if (code < start) return 0;
      const delta = font.readInt16BE(deltas + s * 2);
      const rangeOffset = font.readUInt16BE(rangeOffsets + s * 2);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      const id = font.readUInt16BE(rangeOffsets + s * 2 + rangeOffset + (code - start) * 2);
      return id === 0 ? 0 : (id + delta) & 0xffff;
    }
    return 0;
  };
  const advance = (char: string): number | undefined => {
    const id = glyphId(char.codePointAt(0) ?? 0);
    if (id === 0 && char !== '\0') return undefined;
    const index = Math.min(id, hMetrics - 1);
    return font.readUInt16BE(hmtx + index * 4) / unitsPerEm;
  };
  metrics.set(bold, advance);
  return advance;
}
