import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeProgress, ProgressCard } from '../../../src/adapters/teams/progress-card.js';
import type { AdaptiveCard } from '../../../src/adapters/teams/adaptive-card.js';

const stageOf = (card: AdaptiveCard) => String(card.body[1]!.text);

describe('progress card edits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are throttled to one per interval, send the newest progress when the interval ends, and stop at settle', async () => {
    vi.useFakeTimers({ now: 0 });
    const edits: string[] = [];
    const progress = new ProgressCard(async (card) => void edits.push(stageOf(card)), 'Dba', 1000);
    progress.report({ stage: 'running statement 1', done: 0 });
    progress.report({ stage: 'building index: scanning table', done: 10, total: 100, unit: 'blocks' });
    expect(edits).toEqual([]);
    expect(stageOf(progress.card)).toBe('building index: scanning table, 10 of 100 blocks…');
    await vi.advanceTimersByTimeAsync(1000);
    expect(edits).toEqual(['building index: scanning table, 10 of 100 blocks…']);
    progress.report({ stage: 'lock not granted within lock_timeout (attempt 1 of 4)', done: 1, total: 4, unit: 'attempts' });
    await vi.advanceTimersByTimeAsync(500);
    progress.report({ stage: 'retrying in 1 s', done: 1 });
    await vi.advanceTimersByTimeAsync(500);
    expect(edits).toEqual(['building index: scanning table, 10 of 100 blocks…', 'retrying in 1 s…']);
    progress.report({ stage: 'running statement 1 (attempt 2)', done: 0 });
    await progress.settle();
    await vi.advanceTimersByTimeAsync(5000);
    expect(edits).toHaveLength(2);
    expect(progress.edited).toBe(true);
  });

  it('send nothing when the work ends within the first interval', async () => {
    vi.useFakeTimers({ now: 0 });
    const edits: AdaptiveCard[] = [];
    const progress = new ProgressCard(async (card) => void edits.push(card), 'Dba', 1000);
    progress.report({ stage: 'running statement 1', done: 0 });
    await vi.advanceTimersByTimeAsync(999);
    await progress.settle();
    await vi.advanceTimersByTimeAsync(5000);
    expect(edits).toEqual([]);
    expect(progress.edited).toBe(false);
  });

  it('describes byte progress as a percentage', () => {
    expect(describeProgress({ stage: 'downloading', done: 512 * 1024, total: 2 * 1024 * 1024, unit: 'bytes' })).toMatch(/^downloading, 25 % \(512(\.0)? kB of 2(\.0)? MB\)$/);
  });
});
