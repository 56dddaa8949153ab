/**
 * Progress edits are paced for the platforms' rate limits: the first goes out at once, later
 * ones at most once per interval with the latest value, never two at a time, and none after
 * close(), so the final answer is never overwritten. Fake timers stand in for the clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EditThrottle } from '../../../src/adapters/edit-throttle.js';

describe('EditThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first value at once and then the latest value once per interval', async () => {
    const sent: { value: string; at: number }[] = [];
    const throttle = new EditThrottle<string>(async (value) => void sent.push({ value, at: Date.now() }), 1500);
    const start = Date.now();
    throttle.push('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.value)).toEqual(['a']);
    throttle.push('b');
    throttle.push('c');
    await vi.advanceTimersByTimeAsync(1499);
    expect(sent.map((s) => s.value)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((s) => s.value)).toEqual(['a', 'c']);
    expect(sent[1]!.at - start).toBe(1500);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(2);
  });

  it('never runs two edits at once: a slow edit delays the next one', async () => {
    let inFlight = 0;
    let most = 0;
    const finishers: (() => void)[] = [];
    const throttle = new EditThrottle<number>(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => finishers.push(resolve));
      inFlight -= 1;
    }, 100);
    throttle.push(1);
    await vi.advanceTimersByTimeAsync(0);
    throttle.push(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(finishers).toHaveLength(1);
    finishers[0]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(finishers).toHaveLength(2);
    finishers[1]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(most).toBe(1);
  });

  it('drops what is pending at close and waits for the edit in flight', async () => {
    const sent: number[] = [];
    let release: () => void = () => undefined;
    const throttle = new EditThrottle<number>(async (value) => {
      await new Promise<void>((resolve) => (release = resolve));
      sent.push(value);
    }, 1000);
    throttle.push(1);
    await vi.advanceTimersByTimeAsync(0);
    throttle.push(2);
    let closed = false;
    const closing = throttle.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    release();
    await closing;
    throttle.push(3);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual([1]);
  });

  it('keeps going after a failed edit', async () => {
    const sent: number[] = [];
    const throttle = new EditThrottle<number>(async (value) => {
      if (value === 1) throw new Error('rate limited');
      sent.push(value);
    }, 10);
    throttle.push(1);
    await vi.advanceTimersByTimeAsync(0);
    throttle.push(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([2]);
  });
});
