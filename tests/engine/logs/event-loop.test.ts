/**
 * A log is analysed on the chat server's thread (uploads) or read synchronously (files): either
 * way the analysis must let the event loop run now and then, so the server keeps answering.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeLogs } from '../../../src/engine/logs/index.js';
import type { LogInput } from '../../../src/engine/logs/types.js';
import { loadSqlParser } from '../../../src/engine/logs/statement-grouper.js';
import { corpus } from './corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'pgdba-event-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Counts the turns of the event loop (setImmediate callbacks run) until stopped. */
function turnCounter(): { turns: () => number; stop: () => void } {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return { turns: () => turns, stop: () => (running = false) };
}

describe('the event loop during an analysis', () => {
  // ~12 MB of real log: 46 chunks of 256 kB, a turn every 16.
  const log = Buffer.concat(Array.from({ length: 8 }, () => readFileSync(join(corpus, 'quellog', 'stderr.log'))));
  const path = join(dir, 'big.log');
  writeFileSync(path, log);

  it.each<[string, LogInput]>([
    ['an upload', { name: 'upload.log', data: log }],
    ['a file', path],
  ])('turns every 4 MiB of %s', async (_, input) => {
    await loadSqlParser(); // loading the parser has turns of its own
    const counter = turnCounter();
    // Counted from the first lines read: opening a file has turns of its own.
    let atFirstLines: number | undefined;
    const analysis = await analyzeLogs([input], { jobs: 1, onProgress: () => (atFirstLines ??= counter.turns()) });
    counter.stop();
    expect(analysis.summary.query_calls).toBeGreaterThan(8000);
    expect(counter.turns() - atFirstLines!).toBeGreaterThanOrEqual(2);
  });
});
