/**
 * The memory and file state stores (one process): namespaces kept apart, file state surviving a
 * restart, and index updates made at once inside the process all kept.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/bot/stores/keyv-store.js';
import { coordinationFor } from '../../../src/bot/stores/store-coordination.js';

describe('local state stores', () => {
  it('keeps namespaces of the memory store apart and says it is not shared', async () => {
    const store = await openStateStore('memory:');
    await store.keyv('approvals').set('request:chg-1', 'pending');
    expect(await store.keyv('approvals').get('request:chg-1')).toBe('pending');
    expect(await store.keyv('audit').get('request:chg-1')).toBeUndefined();
    expect(store.shared).toBe(false);
  });

  it('keeps file state, indexes and claims across a restart', async () => {
    const url = pathToFileURL(join(mkdtempSync(join(tmpdir(), 'pgdba-state-')), 'store.jsonl')).href;
    const before = coordinationFor((await openStateStore(url)).keyv('approvals'));
    await before.addToIndex('request-ids', 'chg-1');
    expect(await before.claim('execution-claim:chg-1', 'replica-a', { ttlMs: 60_000, settleMs: 0 })).toBe(true);
    const after = coordinationFor((await openStateStore(url)).keyv('approvals'));
    expect(await after.readIndex('request-ids')).toEqual(['chg-1']);
    expect(await after.claim('execution-claim:chg-1', 'replica-b', { ttlMs: 60_000, settleMs: 0 })).toBe(false);
    expect(after.atomicAcrossProcesses).toBe(false);
  });

  it('keeps every id added at once inside one process, in order, once each', async () => {
    const store = await openStateStore('memory:');
    // Two keyv over one store are what two workflows in one process hold.
    const a = coordinationFor(store.keyv('audit'));
    const b = coordinationFor(store.keyv('audit'));
    const ids = Array.from({ length: 100 }, (_, i) => `record-${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 === 0 ? a : b).addToIndex('audit-request:chg-1', id)));
    await Promise.all(ids.slice(0, 5).map((id) => b.addToIndex('audit-request:chg-1', id)));
    expect(await a.readIndex('audit-request:chg-1')).toEqual(ids);
  });
});
