/**
 * Cuts a plain stderr log into byte ranges for worker threads. A range starts where a new entry
 * starts: a line with the prefix and a severity that is not an attachment (DETAIL, STATEMENT,
 * CONTEXT...), so continuation lines and attachments always stay with their message. Whether a
 * line starts an entry depends on that line alone, so a range read by a worker is cut into the
 * same entries as one pass.
 */
import { open } from 'node:fs/promises';
import type { LinePrefixMatcher } from './prefix-compiler.js';
import type { RecordSink } from './readers/record-sink.js';
import { StderrReader } from './readers/stderr-reader.js';
import type { Severity } from './types.js';

const attachments = new Set<Severity>(['DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION']);
const WINDOW = 64 * 1024;
/** How far past a nominal cut a new entry is looked for before giving up that cut. */
const MAX_SCAN = 8 * 1024 * 1024;

const ignore: RecordSink = { record: () => undefined, unparsed: () => undefined, skipped: () => undefined };

/** Whether this line (as one pass would read it) starts a new entry. */
export function startsEntry(reader: StderrReader, rawLine: string): boolean {
  const line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
  const first = line.charCodeAt(0);
  if (line.length === 0 || first === 9 || first === 32) return false;
  const record = reader.parse(line, 0);
  return record !== undefined && !attachments.has(record.severity);
}

/**
 * Byte offsets (0 < offset < size) where ranges of about `every` bytes begin: each is the first
 * entry start at or after a multiple of `every`. Cuts with no entry start nearby are skipped.
 */
export async function entryStarts(path: string, size: number, matcher: LinePrefixMatcher, every: number): Promise<number[]> {
  const reader = new StderrReader(matcher, ignore);
  const starts: number[] = [];
  const handle = await open(path, 'r');
  try {
    // A range is at least `every` bytes long, even when its entry start came late.
    for (let from = every; from < size; ) {
      const start = await firstEntryStart(handle, reader, from, Math.min(size, from + MAX_SCAN));
      if (start !== undefined && start < size) starts.push(start);
      from = Math.max(from, start ?? 0) + every;
    }
  } finally {
    await handle.close();
  }
  return starts;
}

type Handle = Awaited<ReturnType<typeof open>>;

/** The first line start in [from, limit) (a byte after a newline) that starts an entry. */
async function firstEntryStart(handle: Handle, reader: StderrReader, from: number, limit: number): Promise<number | undefined> {
  // Read from the byte before `from`: if it is a newline, `from` itself is a line start.
  let base = from - 1;
  let bytes = Buffer.alloc(0);
  let at = 0;
  for (;;) {
    const newline = bytes.indexOf(10, at);
    if (newline < 0 || bytes.indexOf(10, newline + 1) < 0) {
      // Need the whole next line in the buffer: read more (keep from the newline on).
      const keep = newline < 0 ? bytes.subarray(bytes.length) : bytes.subarray(newline);
      const keptAt = newline < 0 ? base + bytes.length : base + newline;
      if (keptAt >= limit || keep.length > MAX_SCAN) return undefined;
      const chunk = Buffer.alloc(Math.max(WINDOW, keep.length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, keptAt + keep.length);
      if (bytesRead === 0) {
        // Last line without a newline after it.
        if (newline < 0) return undefined;
        const start = keptAt + 1;
        return startsEntry(reader, keep.subarray(1).toString('utf8')) ? start : undefined;
      }
      bytes = Buffer.concat([keep, chunk.subarray(0, bytesRead)]);
      base = keptAt;
      at = 0;
      continue;
    }
    const start = base + newline + 1;
    if (start >= limit) return undefined;
    const end = bytes.indexOf(10, newline + 1);
    if (startsEntry(reader, bytes.toString('utf8', newline + 1, end))) return start;
    at = end;
  }
}
