/**
 * The line source cuts an input into pieces of whole lines: every byte arrives once, in order,
 * and a multi-line record is kept in one piece (the line scanner joins its lines itself).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK, openInput, type LinePiece } from '../../../src/engine/logs/line-source.js';
import type { LogInput } from '../../../src/engine/logs/types.js';
import { corpus } from './corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'pgdba-line-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function piecesOf(input: LogInput): Promise<LinePiece[]> {
  const pieces: LinePiece[] = [];
  // Copies: a file's chunk buffer may be read into again once its pieces are read.
  for await (const piece of (await openInput(input)).lines(() => undefined)) pieces.push({ bytes: Buffer.from(piece.bytes.subarray(piece.start, piece.end)), start: 0, end: piece.end - piece.start });
  return pieces;
}

/** Chunk starts where a continuation line begins right after a newline: a record is cut there (the line before it was whole). */
function unavoidableCuts(log: Buffer): number {
  let cuts = 0;
  for (let at = CHUNK; at < log.length; at += CHUNK) if (log[at - 1] === 10 && log[at] === 9) cuts += 1;
  return cuts;
}

describe('line source', () => {
  // ~12 MB of real log with multi-line statements, a line longer than a chunk, no final newline.
  const corpusLog = readFileSync(join(corpus, 'quellog', 'stderr.log'));
  const long = `2024-05-01 11:00:00.000 UTC [4242] LOG:  duration: 1.000 ms  statement: SELECT '${'x'.repeat(CHUNK + 1000)}'\n\tFROM t\n`;
  const log = Buffer.concat([...Array.from({ length: 4 }, () => corpusLog), Buffer.from(long), ...Array.from({ length: 4 }, () => corpusLog), Buffer.from('2024-05-01 11:00:00.000 UTC [1] LOG:  last line')]);
  const path = join(dir, 'multi-line.log');
  writeFileSync(path, log);

  it.each<[string, LogInput]>([
    ['a file', path],
    ['an upload', { name: 'upload.log', data: log }],
  ])('gives every byte of %s once, in order, and cuts pieces before records', async (_, input) => {
    const pieces = await piecesOf(input);
    const joined = Buffer.concat(pieces.flatMap((piece, i) => (i === 0 ? [piece.bytes] : [Buffer.from('\n'), piece.bytes])));
    expect(joined.length).toBe(log.length);
    expect(joined.equals(log)).toBe(true);
    const cutInRecord = pieces.filter((piece, i) => i > 0 && piece.bytes[0] === 9).length;
    expect(cutInRecord).toBe(unavoidableCuts(log));
    expect(pieces.length).toBeGreaterThan(log.length / CHUNK);
  });
});
