/**
 * One input, or one byte range of it, through the per-line stages:
 *   lines -> format reader -> stitcher -> aggregator.
 * The one-pass analysis runs it once per input; a worker thread runs it per byte range.
 */
import type { LogAggregator } from './aggregator.js';
import { detach } from './detach.js';
import { eventOf, type LogEvent } from './classifier.js';
import { buildMatcher, createReader, stitchesAdjacent, type ReaderChoice } from './input-readers.js';
import { CHUNK, pieceLines, type ChunkTarget, type LinePiece } from './line-source.js';
import type { UnparsedExample } from './analysis-types.js';
import type { RecordSink } from './readers/record-sink.js';
import { StderrReader } from './readers/stderr-reader.js';
import { Stitcher } from './stitcher.js';
import type { LogEntry } from './types.js';

/** What the summary needs of an input or range (line numbers counted from the range's start). */
export interface RangeResult {
  lines: number;
  entries: number;
  unparsed: number;
  skipped: number;
  first: number;
  last: number;
  orphans: number;
  /** The first unparsed lines (at most the number asked for). */
  unparsedExamples: UnparsedExample[];
  /** stderr: lines read by the heuristic reader because the prefix did not fit. */
  fallbackLines: number;
  firstFallbackLine: { line: number; text: string } | undefined;
  /** The prefix (or envelope) the reader settled on. */
  prefix: string;
}

export interface RangeSource extends ReaderChoice {
  name: string;
  /** Index of the input among the inputs (in time order). */
  source: number;
}

export interface RangeRun {
  lines: AsyncIterable<LinePiece> | Iterable<LinePiece>;
  /** Where `lines` reads a plain file's chunks to, if it takes a place (the reader's scanner gives one). */
  chunkTarget?: ChunkTarget;
  /** Read plain stderr pieces with the WebAssembly line scanner (default true; false: text only). */
  scanBytes?: boolean;
  aggregator: LogAggregator;
  maxExamples: number;
  /** Called before each batch of lines (cancellation: may throw). */
  beforeBatch?: () => void;
  /** Called after each batch of lines (progress). */
  afterBatch?: () => void;
  /**
   * Worker threads: from the first entry with a statement text the resolver does not know yet,
   * entries are held (in order) while the batch's new texts are asked for without waiting; they
   * are aggregated as the answers come in, so the worker keeps reading while the main thread parses.
   */
  resolver?: AheadResolver;
}

export interface AheadResolver {
  knows(text: string): boolean;
  /** Asks for these texts (those not known nor already asked for), without waiting. */
  request(texts: string[]): void;
  /** Takes the answers that have come in; `wait`: first waits until every request is answered. */
  settle(wait: boolean): void;
}

/** Entries held at most before waiting for the answers (bounds memory if the main thread is slow). */
const MAX_HELD = 20_000;

/** Whether the resolver knows every statement text of this entry (statementTexts, without an array). */
function knowsTexts(resolver: AheadResolver, entry: LogEntry, event: LogEvent): boolean {
  if (event.kind === 'query' || event.kind === 'logged-statement' || event.kind === 'plan') return event.query === '' || resolver.knows(event.query);
  if (event.kind === 'temp-file' && entry.statement !== undefined) return resolver.knows(entry.statement);
  return true;
}

/** Statement texts the aggregator will resolve for this entry (and, later, for its session). */
function statementTexts(entry: LogEntry, event: LogEvent, into: string[]): void {
  if (event.kind === 'query' || event.kind === 'logged-statement' || event.kind === 'plan') {
    if (event.query !== '') into.push(event.query);
  } else if (event.kind === 'temp-file' && entry.statement !== undefined) into.push(entry.statement);
}

export async function readRange(input: RangeSource, run: RangeRun): Promise<RangeResult> {
  const result: RangeResult = {
    lines: 0, entries: 0, unparsed: 0, skipped: 0, first: Infinity, last: -Infinity, orphans: 0,
    unparsedExamples: [], fallbackLines: 0, firstFallbackLine: undefined, prefix: '',
  };
  const aggregator = run.aggregator;
  const resolver = run.resolver;
  const held: LogEntry[] = [];
  const heldEvents: LogEvent[] = [];
  const texts: string[] = [];
  const unfiltered = aggregator.unfiltered;
  const countEntry = (time: number) => {
    result.entries += 1;
    if (time < result.first) result.first = time;
    if (time > result.last) result.last = time;
  };
  const addEntry = (entry: LogEntry, known: LogEvent | undefined, reused: boolean) => {
    countEntry(entry.time);
    const event = known ?? eventOf(entry);
    if (resolver === undefined || (held.length === 0 && !aggregator.passes(entry))) return aggregator.add(entry, event);
    if (held.length === 0 && knowsTexts(resolver, entry, event)) return aggregator.add(entry, event);
    held.push(reused ? { ...entry } : entry);
    heldEvents.push(event);
  };
  const stitcher = new Stitcher((entry) => addEntry(entry, undefined, false), input.source, stitchesAdjacent(input.format));
  /**
   * Aggregates the held entries whose texts are known, in order. `final` (or too many held):
   * waits for the answers and aggregates them all (a text still unknown, e.g. a utility
   * statement grouped by its exact text, is then asked for synchronously by the grouper).
   */
  const releaseHeld = (final: boolean) => {
    if (held.length === 0) return;
    resolver!.settle(false);
    texts.length = 0;
    for (let i = 0; i < held.length; i += 1) if (aggregator.passes(held[i]!)) statementTexts(held[i]!, heldEvents[i]!, texts);
    resolver!.request(texts.filter((text) => !resolver!.knows(text)));
    const all = final || held.length > MAX_HELD;
    if (all) resolver!.settle(true);
    let released = 0;
    while (released < held.length && (all || !aggregator.passes(held[released]!) || knowsTexts(resolver!, held[released]!, heldEvents[released]!))) {
      aggregator.add(held[released]!, heldEvents[released]!);
      released += 1;
    }
    held.splice(0, released);
    heldEvents.splice(0, released);
  };
  /**
   * Whether a whole entry can be aggregated from its values alone (no filter, nothing held): if
   * so, it is counted here and follows the records before it. The records before it are flushed
   * first: a worker may hold the last of them (a new statement text), and then this entry must
   * be held after it (the reader gives it to `entry`).
   */
  const takesWhole = (time: number) => {
    stitcher.flush();
    if (held.length > 0 || !unfiltered) return false;
    countEntry(time);
    return true;
  };
  const sink: RecordSink = {
    record: (record) => stitcher.push(record),
    entry: (entry, event) => {
      stitcher.flush();
      entry.source = input.source;
      addEntry(entry, event, true);
    },
    uneventful: (time, received) => {
      if (!takesWhole(time)) return false;
      aggregator.addUneventful(time, received);
      return true;
    },
    authorized: (time, user, database, application, client) => {
      if (!takesWhole(time)) return false;
      aggregator.addAuthorized(time, user, database, application, client);
      return true;
    },
    disconnected: (time, pid, sessionMs, user, database, host) => {
      if (!takesWhole(time)) return false;
      aggregator.addDisconnection(time, pid, sessionMs, user, database, host);
      return true;
    },
    unparsed: (line, text, reason) => {
      result.unparsed += 1;
      if (result.unparsedExamples.length < run.maxExamples) result.unparsedExamples.push({ source: input.name, line, text: detach(text.slice(0, 300)), reason });
    },
    skipped: () => {
      result.skipped += 1;
    },
  };
  const reader = createReader(input.format, buildMatcher(input.matcher), sink, run.scanBytes !== false);
  const byteReader = reader instanceof StderrReader && reader.scansBytes ? reader : undefined;
  // The file is read straight into the scanner's memory: no copy of each piece.
  if (byteReader !== undefined && run.chunkTarget !== undefined) run.chunkTarget.buffer = byteReader.chunkBuffer(CHUNK);
  let lineNumber = 0;
  for await (const piece of run.lines) {
    run.beforeBatch?.();
    if (byteReader !== undefined) lineNumber = byteReader.pushPiece(piece, lineNumber);
    else {
      const lines = pieceLines(piece);
      for (let i = 0; i < lines.length; i += 1) {
        lineNumber += 1;
        reader.push(lines[i]!, lineNumber);
      }
    }
    releaseHeld(false);
    run.afterBatch?.();
  }
  reader.end();
  stitcher.end();
  releaseHeld(true);
  result.lines = lineNumber;
  result.orphans = stitcher.orphans;
  result.prefix = reader.describe();
  if (reader instanceof StderrReader) {
    result.fallbackLines = reader.fallbackLines;
    result.firstFallbackLine = reader.firstFallbackLine;
  }
  return result;
}
