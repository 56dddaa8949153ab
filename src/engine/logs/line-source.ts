/**
 * Turns an input (file path, bytes, stream; gzip or plain) into batches of text lines.
 * Invalid UTF-8 becomes U+FFFD instead of an error; a missing final newline still ends the
 * last line; a line longer than MAX_LINE is cut (and reported by the caller as unparsed).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isAscii } from 'node:buffer';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { LogInput, LogInputObject } from './types.js';

export const MAX_LINE = 16 * 1024 * 1024;
/** Bytes of a file read at once. */
export const CHUNK = 256 * 1024;

/**
 * Where the chunks of a plain file are read to, when the consumer gives a place (the line
 * scanner's own memory, so that it scans them where they land instead of copying them): `buffer`
 * holds CHUNK bytes, and a chunk's bytes, and the pieces cut from them, are valid until the next
 * chunk is asked for. Unset: each chunk is a new buffer.
 */
export interface ChunkTarget {
  buffer?: Buffer;
}

export interface OpenedInput {
  name: string;
  /** Bytes as stored (compressed size for .gz); used for progress. */
  size: number;
  /** The file, when the input is one. */
  path?: string;
  gzip: boolean;
  /** First bytes of the decompressed text, for format detection. */
  head: string;
  /** `target`: where a plain file's chunks are read to (see ChunkTarget; ignored for other inputs). */
  lines(onBytes: (bytes: number) => void, target?: ChunkTarget): AsyncGenerator<LinePiece>;
}

/**
 * Lines as bytes: `bytes[start..end)` holds one or more lines separated by '\n' (the last one
 * without its newline). Readers that work on bytes take the piece as it is; the others decode it
 * with `pieceLines`.
 */
export interface LinePiece {
  bytes: Buffer;
  start: number;
  end: number;
}

/** The lines of a piece as text: a plain copy when ASCII (most logs), UTF-8 with U+FFFD for invalid bytes otherwise. */
export function pieceLines(piece: LinePiece): string[] {
  return decode(piece.bytes, piece.start, piece.end).split('\n');
}

/** One line of a piece as text, decoded as pieceLines decodes it. */
export function lineText(bytes: Buffer, start: number, end: number): string {
  return decode(bytes, start, end);
}

/** Raised when an input cannot be read at all (missing file, permission, not gzip...). */
export class LogInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogInputError';
  }
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Chunks read between two turns of the event loop (a chat server keeps answering meanwhile). */
const CHUNKS_PER_TURN = 16;

/** Resolves on the event loop's next turn, after pending I/O callbacks. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The CHUNK bytes of the file at `position` (fewer at its end), read into the target's buffer
 * when it gives one, else into a new one.
 */
function readChunk(fd: number, position: number, target: ChunkTarget | undefined): Buffer {
  const buffer = target?.buffer ?? Buffer.allocUnsafe(CHUNK);
  let filled = 0;
  while (filled < CHUNK) {
    const bytesRead = readSync(fd, buffer, filled, CHUNK - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * The bytes of a file, in chunks of CHUNK from its start (as rangeLines reads them, so a line
 * over MAX_LINE is cut at the same place), read synchronously: the analysis has nothing to do
 * while a chunk is read, and a read from the thread pool costs a thread hand-off per chunk
 * (on one core, ~0.1 ms of idle time each). Every CHUNKS_PER_TURN chunks (4 MiB, a few tens of
 * ms of analysis) it lets the event loop run.
 */
export async function* fileChunks(path: string, target?: ChunkTarget): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (let position = 0, chunks = 1; ; position += CHUNK, chunks += 1) {
      const chunk = readChunk(fd, position, target);
      if (chunk.length > 0) yield chunk;
      if (chunk.length < CHUNK) break;
      if (chunks % CHUNKS_PER_TURN === 0) await nextTurn();
    }
  } finally {
    closeSync(fd);
  }
}

async function* bytesOf(input: LogInputObject, target?: ChunkTarget): AsyncGenerator<Buffer> {
  if (input.path !== undefined) {
    yield* fileChunks(input.path, target);
  } else if (input.data !== undefined) {
    const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
    for (let i = 0, chunks = 1; i < data.length; i += CHUNK, chunks += 1) {
      yield data.subarray(i, i + CHUNK);
      // An upload is analysed on the chat server's thread: let it answer meanwhile.
      if (chunks % CHUNKS_PER_TURN === 0) await nextTurn();
    }
  } else if (input.stream !== undefined) {
    for await (const chunk of input.stream) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
  }
}

async function readHeadBytes(input: LogInputObject): Promise<Buffer> {
  if (input.path !== undefined) {
    const handle = await open(input.path, 'r');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  if (input.data !== undefined) {
    const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
    return data.subarray(0, 64 * 1024);
  }
  return Buffer.alloc(0);
}

async function gunzipHead(bytes: Buffer): Promise<Buffer> {
  const gunzip = createGunzip();
  const out: Buffer[] = [];
  let total = 0;
  return new Promise((resolve) => {
    gunzip.on('data', (chunk: Buffer) => {
      out.push(chunk);
      total += chunk.length;
      if (total > 64 * 1024) gunzip.destroy();
    });
    const finish = () => resolve(Buffer.concat(out));
    gunzip.on('close', finish);
    gunzip.on('error', finish);
    gunzip.end(bytes);
  });
}

/** Opens an input and reads its head; throws LogInputError when it cannot be read. */
export async function openInput(input: LogInput): Promise<OpenedInput> {
  const object: LogInputObject = typeof input === 'string' ? { name: input, path: input } : input;
  let size = object.size ?? 0;
  if (object.path !== undefined) {
    try {
      const info = await stat(object.path);
      if (!info.isFile()) throw new LogInputError(`${object.path} is not a file: give the path of a PostgreSQL log file.`);
      size = info.size;
    } catch (error) {
      if (error instanceof LogInputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
      throw new LogInputError(`Cannot read ${object.path}: ${why}. Check the path and that this user may read it.`);
    }
  } else if (object.data !== undefined) {
    size = typeof object.data === 'string' ? Buffer.byteLength(object.data) : object.data.byteLength;
  }
  let headBytes: Buffer;
  try {
    headBytes = await readHeadBytes(object);
  } catch (error) {
    throw new LogInputError(`Cannot read ${object.name}: ${(error as Error).message}.`);
  }
  const gzip = isGzip(headBytes);
  const head = (gzip ? await gunzipHead(headBytes) : headBytes).toString('utf8');
  const name = object.path !== undefined ? basename(object.path) : object.name;
  return {
    name,
    size,
    ...(object.path !== undefined ? { path: object.path } : {}),
    gzip,
    head,
    lines: (onBytes, target) => splitLines(object, gzip, onBytes, target),
  };
}

/**
 * Lines of bytes `start`..`end` of a plain file, read synchronously (a worker thread has nothing
 * else to do meanwhile); `start` and `end` must be line starts (or EOF).
 */
export function* rangeLines(path: string, start: number, end: number, onBytes: (bytes: number) => void, target?: ChunkTarget): Generator<LinePiece> {
  const cutter = new LineCutter();
  const fd = openSync(path, 'r');
  try {
    for (let position = start - (start % CHUNK); position < end; position += CHUNK) {
      const chunk = readChunk(fd, position, target);
      const from = Math.max(start, position) - position;
      const to = Math.min(end, position + chunk.length) - position;
      if (to > from) {
        onBytes(to - from);
        yield* cutter.push(chunk.subarray(from, to));
      }
      if (chunk.length < CHUNK) break;
    }
  } finally {
    closeSync(fd);
  }
  const last = cutter.end();
  if (last !== undefined) yield last;
}

function splitLines(input: LogInputObject, gzip: boolean, onBytes: (bytes: number) => void, target?: ChunkTarget): AsyncGenerator<LinePiece> {
  let source: AsyncIterable<Buffer>;
  if (gzip) {
    // zlib keeps compressed chunks while it works on them: each one gets its own buffer.
    const raw = Readable.from(countingBytes(bytesOf(input), onBytes));
    const gunzip = createGunzip({ chunkSize: CHUNK });
    raw.on('error', (error) => gunzip.destroy(error));
    source = raw.pipe(gunzip);
  } else {
    source = countingBytes(bytesOf(input, target), onBytes);
  }
  return linesOf(source, input.name, gzip);
}

/** Lines decoded per piece of at most this many bytes: a longer string goes to V8's large-object space, freed only by a full GC. */
const PIECE = 64 * 1024;

/** Text of bytes start..end: a plain copy when they are ASCII (most logs), UTF-8 decoding otherwise. */
function decode(bytes: Buffer, start: number, end: number): string {
  return isAscii(bytes.subarray(start, end)) ? bytes.toString('latin1', start, end) : bytes.toString('utf8', start, end);
}

/** Whether the line at `at` continues a record (stderr indents continuation lines with a tab, some collectors with spaces). */
function continuesRecord(bytes: Buffer, at: number): boolean {
  const c = bytes[at];
  return c === 9 || c === 32;
}

/**
 * The last newline at or before `newline`, down to `floor`, after which a record starts rather
 * than a continuation line (or the bytes end); `newline` when there is none. Pieces are cut
 * there, so a multi-line record is read in one piece: the line scanner joins its lines itself.
 */
function lastRecordEnd(bytes: Buffer, newline: number, floor: number): number {
  for (let n = newline; n >= floor; n = bytes.lastIndexOf(10, n - 1)) {
    if (n + 1 >= bytes.length || !continuesRecord(bytes, n + 1)) return n;
    if (n === 0) break;
  }
  return newline;
}

/** The first newline from `from` after which a record starts (or the bytes end), no further than `limit`; else the first newline. */
function firstRecordEnd(bytes: Buffer, from: number, limit: number): number {
  const first = bytes.indexOf(10, from);
  for (let n = first; n >= 0 && n <= limit; n = bytes.indexOf(10, n + 1)) {
    if (n + 1 >= bytes.length || !continuesRecord(bytes, n + 1)) return n;
  }
  return first;
}

/**
 * The lines of bytes 0..end (end: a newline) in pieces cut at newlines before a record, of at
 * most PIECE bytes unless one line is longer: the lines of a piece stay alive while it is read,
 * so small pieces promote less to V8's old generation.
 */
function piecesOf(bytes: Buffer, end: number): LinePiece[] {
  if (end <= PIECE) return [{ bytes, start: 0, end }];
  const pieces: LinePiece[] = [];
  let start = 0;
  while (start <= end) {
    let cut = end;
    if (end - start > PIECE) {
      const newline = bytes.lastIndexOf(10, start + PIECE);
      cut = newline >= start ? lastRecordEnd(bytes, newline, start + PIECE / 2) : bytes.indexOf(10, start + PIECE);
    }
    pieces.push({ bytes, start, end: cut });
    start = cut + 1;
  }
  return pieces;
}

/**
 * Cuts chunks of bytes into pieces of whole lines at newline bytes (never inside a UTF-8
 * sequence). A line over MAX_LINE is cut.
 */
class LineCutter {
  private carry: Buffer | undefined;

  push(chunk: Buffer): LinePiece[] {
    const carry = this.carry;
    if (carry === undefined) return this.cut(chunk, []);
    // The record the last chunk ended in is joined with its end alone, not the whole chunk (which
    // would copy every chunk once more).
    const firstNewline = chunk.indexOf(10);
    if (firstNewline < 0) {
      this.carry = undefined;
      return this.cut(Buffer.concat([carry, chunk]), [], true);
    }
    const recordEnd = firstRecordEnd(chunk, firstNewline, firstNewline + PIECE);
    const line = Buffer.concat([carry, chunk.subarray(0, recordEnd)]);
    const pieces: LinePiece[] = [{ bytes: line, start: 0, end: line.length }];
    const rest = chunk.subarray(recordEnd + 1);
    this.carry = undefined;
    // After a newline the rest is kept whole, however long, until its own newline (as before).
    if (rest.indexOf(10) < 0) {
      if (rest.length > 0) this.carry = Buffer.from(rest);
      return pieces;
    }
    return this.cut(rest, pieces);
  }

  /**
   * Adds the pieces of `bytes` (no carry before them) to `pieces`, and keeps what follows the last
   * newline: a copy, unless `owned` (the chunk's buffer may be read into again, see ChunkTarget).
   */
  private cut(bytes: Buffer, pieces: LinePiece[], owned = false): LinePiece[] {
    const lastNewline = bytes.lastIndexOf(10);
    if (lastNewline < 0) {
      if (bytes.length <= MAX_LINE) {
        if (bytes.length > 0) this.carry = owned ? bytes : Buffer.from(bytes);
        return pieces;
      }
      pieces.push({ bytes, start: 0, end: MAX_LINE });
      return pieces;
    }
    // What follows the last record's start is kept, so that the record is read whole.
    const cut = lastRecordEnd(bytes, lastNewline, Math.max(0, lastNewline - PIECE));
    this.carry = cut + 1 < bytes.length ? Buffer.from(bytes.subarray(cut + 1)) : undefined;
    for (const piece of piecesOf(bytes, cut)) pieces.push(piece);
    return pieces;
  }

  end(): LinePiece | undefined {
    const carry = this.carry;
    this.carry = undefined;
    return carry !== undefined && carry.length > 0 ? { bytes: carry, start: 0, end: carry.length } : undefined;
  }
}

async function* linesOf(source: AsyncIterable<Buffer>, name: string, gzip: boolean): AsyncGenerator<LinePiece> {
  const cutter = new LineCutter();
  try {
    for await (const chunk of source) yield* cutter.push(chunk);
  } catch (error) {
    if (gzip) throw new LogInputError(`${name} looks gzip-compressed but cannot be decompressed: ${(error as Error).message}.`);
    throw error;
  }
  const last = cutter.end();
  if (last !== undefined) yield last;
}

async function* countingBytes(source: AsyncIterable<Buffer>, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    onBytes(chunk.length);
    yield chunk;
  }
}
