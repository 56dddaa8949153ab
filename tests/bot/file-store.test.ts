import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../src/bot/stores/file-store.js';

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'pgdba-store-')), 'state', 'store.jsonl');
}

describe('file store', () => {
  it('keeps values across a restart (a new store over the same file)', async () => {
    const path = freshPath();
    const first = new Keyv({ store: new FileStore(path), namespace: 'approvals' });
    await first.set('req-1', { status: 'pending', sql: 'create index concurrently i on t (a)' });
    await first.set('req-2', { status: 'pending' });
    await first.delete('req-2');

    const afterRestart = new Keyv({ store: new FileStore(path), namespace: 'approvals' });
    expect(await afterRestart.get('req-1')).toEqual({ status: 'pending', sql: 'create index concurrently i on t (a)' });
    expect(await afterRestart.get('req-2')).toBeUndefined();
  });

  it('honours keyv expiry', async () => {
    const store = new Keyv({ store: new FileStore(freshPath()) });
    await store.set('old', 'value', 1);
    await expect.poll(() => store.get('old'), { interval: 5 }).toBeUndefined();
  });

  it('survives a line cut by a crash mid-write', async () => {
    const path = freshPath();
    const store = new Keyv({ store: new FileStore(path) });
    await store.set('kept', 42);
    appendFileSync(path, '{"k":"keyv:cut","v":');
    expect(await new Keyv({ store: new FileStore(path) }).get('kept')).toBe(42);
  });

  it('compacts a journal of mostly stale lines', async () => {
    const path = freshPath();
    const store = new Keyv({ store: new FileStore(path) });
    for (let i = 0; i < 1500; i += 1) await store.set('counter', i);
    expect(readFileSync(path, 'utf8').trim().split('\n').length).toBeLessThan(1000);
    expect(await new Keyv({ store: new FileStore(path) }).get('counter')).toBe(1499);
  });
});
