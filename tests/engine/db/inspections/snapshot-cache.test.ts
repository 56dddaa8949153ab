/** Short-lived catalog snapshots: shared by questions that arrive together, never kept past their TTL. */
import { describe, expect, it } from 'vitest';
import { sharedSnapshotNote, SnapshotCache } from '../../../../src/engine/db/inspections/snapshot-cache.js';

/** A clock the test moves by hand: no waiting. */
function manualClock(start = Date.UTC(2026, 10, 25, 14, 2, 11)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** A load that counts its calls and resolves with the call number once released. */
function countingLoad() {
  let calls = 0;
  const releases: (() => void)[] = [];
  const load = () => {
    calls += 1;
    const call = calls;
    return new Promise<number>((resolve) => releases.push(() => resolve(call)));
  };
  return { load, calls: () => calls, releaseAll: () => releases.splice(0).forEach((release) => release()) };
}

describe('SnapshotCache', () => {
  it('lets concurrent callers share one read; only the first read it for itself', async () => {
    const clock = manualClock();
    const cache = new SnapshotCache(5_000, clock.now);
    const { load, calls, releaseAll } = countingLoad();
    const first = cache.read('tables', load);
    const second = cache.read('tables', load);
    releaseAll();
    expect(await first).toEqual({ value: 1, readAt: new Date(clock.now()), shared: false });
    expect(await second).toEqual({ value: 1, readAt: new Date(clock.now()), shared: true });
    expect(calls()).toBe(1);
  });

  it('serves a snapshot younger than the TTL with its read time, and reads again once it is older', async () => {
    const clock = manualClock();
    const cache = new SnapshotCache(5_000, clock.now);
    const readAt = new Date(clock.now());
    expect(await cache.read('tables', async () => 'first')).toEqual({ value: 'first', readAt, shared: false });
    clock.advance(4_999);
    expect(await cache.read('tables', async () => 'second')).toEqual({ value: 'first', readAt, shared: true });
    clock.advance(1);
    expect(await cache.read('tables', async () => 'third')).toEqual({ value: 'third', readAt: new Date(clock.now()), shared: false });
  });

  it('keeps each key apart', async () => {
    const cache = new SnapshotCache(5_000, manualClock().now);
    await cache.read('largest-tables:10', async () => 10);
    expect((await cache.read('largest-tables:20', async () => 20)).value).toBe(20);
  });

  it('does not keep a failed read: the next caller reads again', async () => {
    const cache = new SnapshotCache(5_000, manualClock().now);
    await expect(cache.read('tables', () => Promise.reject(new Error('statement timeout')))).rejects.toThrow('statement timeout');
    expect(await cache.read('tables', async () => 'recovered')).toMatchObject({ value: 'recovered', shared: false });
  });

  it('never shares a read that can be cancelled', async () => {
    const cache = new SnapshotCache(5_000, manualClock().now);
    const { signal } = new AbortController();
    await cache.read('tables', async () => 'cancellable', { signal });
    expect(await cache.read('tables', async () => 'own read')).toMatchObject({ value: 'own read', shared: false });
    expect(await cache.read('tables', async () => 'cancellable again', { signal })).toMatchObject({ value: 'cancellable again', shared: false });
  });

  it('forgets everything on clear()', async () => {
    const cache = new SnapshotCache(5_000, manualClock().now);
    await cache.read('tables', async () => 'before');
    cache.clear();
    expect((await cache.read('tables', async () => 'after')).value).toBe('after');
  });

  it('says in the reply when a shared snapshot was read', () => {
    expect(sharedSnapshotNote(new Date(Date.UTC(2026, 10, 25, 14, 2, 11)))).toBe(
      'As of 14:02:11 UTC: read for a question asked just before (readings are reused for 5 s).',
    );
  });
});
