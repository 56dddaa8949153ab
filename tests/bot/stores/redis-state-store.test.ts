/**
 * The Redis state store on a real throw-away redis-server: two stores opened separately are
 * two replicas (two connections) sharing one state; claims and indexes are atomic across them;
 * a Redis that is down, hung, password-protected or mute gives a clear error, never a hang.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore, StoreConfigurationError, StoreUnavailableError, type StateStore } from '../../../src/bot/stores/keyv-store.js';
import { coordinationFor } from '../../../src/bot/stores/store-coordination.js';
import { ConversationStore, type ConversationTurn } from '../../../src/bot/conversations/conversation-store.js';
import { redactSecrets } from '../../../src/bot/logger.js';
import { redisTestUrl } from '../../helpers/redis.js';
import { freePort } from '../../setup/free-port.js';
import { startRedisServer } from '../../setup/redis-server.js';

const claim = { ttlMs: 60_000, settleMs: 0 };
let url: string;
const opened: StateStore[] = [];

async function replica(storeUrl = url, options: Parameters<typeof openStateStore>[1] = {}): Promise<StateStore> {
  const store = await openStateStore(storeUrl, { log: () => undefined, ...options });
  opened.push(store);
  return store;
}

beforeAll(async () => {
  url = await redisTestUrl();
});

afterAll(async () => {
  for (const store of opened) await store.close();
});

describe('Redis state store shared by replicas', () => {
  it('shows a value written by one replica to another, and says it is shared without naming credentials', async () => {
    const a = await replica();
    const b = await replica();
    await a.keyv('approvals').set('request:chg-1', { sql: 'create index concurrently i on t (a)', status: 'pending' });
    expect(await b.keyv('approvals').get('request:chg-1')).toEqual({ sql: 'create index concurrently i on t (a)', status: 'pending' });
    expect(await b.keyv('audit').get('request:chg-1')).toBeUndefined();
    expect(a.keyv('approvals')).toBe(a.keyv('approvals'));
    expect(a.shared).toBe(true);
    expect(a.description).toBe(url);
  });

  it('lets Redis expire values with a TTL (conversation history)', async () => {
    const a = await replica();
    await a.keyv('conversations').set('thread-ttl', [{ role: 'user', content: 'hi' }], 50);
    await expect.poll(() => a.keyv('conversations').get('thread-ttl'), { interval: 20 }).toBeUndefined();
  });

  it('gives a claim to exactly one of many owners racing on two replicas, and to the holder again', async () => {
    const a = coordinationFor((await replica()).keyv('approvals'));
    const b = coordinationFor((await replica()).keyv('approvals'));
    expect(a.atomicAcrossProcesses).toBe(true);
    const attempts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).claim('execution-claim:chg-race', `owner-${i}`, claim).then((won) => ({ owner: `owner-${i}`, won })));
    const winners = (await Promise.all(attempts)).filter((attempt) => attempt.won);
    expect(winners).toHaveLength(1);
    expect(await b.claim('execution-claim:chg-race', winners[0]!.owner, claim)).toBe(true);
    expect(await a.claim('execution-claim:chg-race', 'latecomer', claim)).toBe(false);
  });

  it('frees a claim when its TTL runs out (an owner that died)', async () => {
    const a = coordinationFor((await replica()).keyv('approvals'));
    expect(await a.claim('execution-claim:chg-ttl', 'died', { ttlMs: 50, settleMs: 0 })).toBe(true);
    await expect.poll(() => a.claim('execution-claim:chg-ttl', 'successor', claim), { interval: 20 }).toBe(true);
  });

  it('keeps every id added at once from two replicas, once each however often it is added, first added first', async () => {
    const a = coordinationFor((await replica()).keyv('approvals'));
    const b = coordinationFor((await replica()).keyv('approvals'));
    await a.addToIndex('request-ids', 'chg-first');
    const ids = Array.from({ length: 200 }, (_, i) => `chg-${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 === 0 ? a : b).addToIndex('request-ids', id)));
    await Promise.all(ids.slice(0, 10).map((id) => a.addToIndex('request-ids', id)));
    const index = await b.readIndex('request-ids');
    expect(index[0]).toBe('chg-first');
    expect(index).toHaveLength(201);
    expect(new Set(index)).toEqual(new Set(['chg-first', ...ids]));
  });
});

describe('Redis that cannot be used at start-up', () => {
  it('says the connection was refused when nothing listens', async () => {
    const port = await freePort();
    const opening = openStateStore(`redis://:s3cret-pass@127.0.0.1:${port}`, { log: () => undefined });
    await expect(opening).rejects.toBeInstanceOf(StoreConfigurationError);
    const message = await opening.catch((error: Error) => error.message);
    expect(message).toContain(`Redis at redis://127.0.0.1:${port}`);
    expect(message).toContain('connection refused');
    expect(message).not.toContain('s3cret-pass');
  });

  describe('with a password', () => {
    let server: Awaited<ReturnType<typeof startRedisServer>>;
    beforeAll(async () => {
      server = await startRedisServer({ password: 'right-password' });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('says the password was refused, without repeating it', async () => {
      const message = await openStateStore(`redis://:wrong-password@127.0.0.1:${server.port}`, { log: () => undefined }).then(
        () => 'opened',
        (error: Error) => error.message,
      );
      expect(message).toContain('refused the user name or password in PGDBA_STORE_URL (WRONGPASS)');
      expect(message).not.toContain('wrong-password');
    });

    it('says a password is needed when none is given', async () => {
      await expect(openStateStore(`redis://127.0.0.1:${server.port}`, { log: () => undefined })).rejects.toThrow(/requires a password: put it in PGDBA_STORE_URL/);
    });

    it('connects with the right one', async () => {
      const store = await replica(server.url);
      await store.keyv('audit').set('k', 1);
      expect(await store.keyv('audit').get('k')).toBe(1);
    });
  });

  describe('that accepts connections but never answers', () => {
    let mute: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      mute = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => mute.close(resolve));
    });

    it('gives up after the timeout with a clear error', async () => {
      const port = (mute.address() as { port: number }).port;
      await expect(openStateStore(`redis://127.0.0.1:${port}`, { timeoutMs: 300, log: () => undefined })).rejects.toThrow(
        `PGDBA_STORE_URL: cannot use Redis at redis://127.0.0.1:${port}: no answer within 0.3 s`,
      );
    });
  });

  it('refuses a URL that is not a store URL, saying which ones are', async () => {
    await expect(openStateStore('mysql://localhost/state')).rejects.toThrow('PGDBA_STORE_URL must be a file:///path/store.jsonl, redis://host:port or memory: URL.');
  });
});

describe('Redis outage while pgdba runs', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let store: StateStore;
  const log: string[] = [];
  let logged: (pattern: RegExp) => Promise<void>;

  beforeAll(async () => {
    server = await startRedisServer();
    const waiters: { pattern: RegExp; resolve: () => void }[] = [];
    logged = (pattern) => (log.some((line) => pattern.test(line)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pattern, resolve })));
    store = await replica(server.url, {
      timeoutMs: 500,
      log: (line) => {
        log.push(line);
        waiters.filter((waiter) => waiter.pattern.test(line)).forEach((waiter) => waiter.resolve());
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('fails an operation at once with a clear error while Redis is down, then works again once it is back', async () => {
    const approvals = store.keyv('approvals');
    await approvals.set('request:chg-outage', { status: 'pending' });
    await server.stop();
    const failure = await approvals.get('request:chg-outage').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toMatch(new RegExp(`^The shared state store redis://127\\.0\\.0\\.1:${server.port} is unavailable \\(.+\\), so this action was not completed\\. pgdba reconnects by itself`));
    await expect(coordinationFor(approvals).claim('execution-claim:chg-outage', 'a', claim)).rejects.toBeInstanceOf(StoreUnavailableError);
    await logged(/lost the connection to the state store/);

    server = await startRedisServer({ port: server.port });
    await logged(/reconnected to the state store/);
    await approvals.set('request:chg-outage', { status: 'pending', again: true });
    expect(await approvals.get('request:chg-outage')).toEqual({ status: 'pending', again: true });
    expect(log.filter((line) => /lost the connection/.test(line))).toHaveLength(1);
  });

  it('fails an operation after the deadline when Redis stops answering', async () => {
    const audit = store.keyv('audit');
    server.freeze();
    try {
      await expect(audit.get('anything')).rejects.toThrow(/is unavailable \(no answer within 0\.5 s: check the host, the port and any firewall/);
    } finally {
      server.thaw();
    }
  });

  it('answers without conversation history while Redis stops answering, and never overwrites it', async () => {
    const errors: unknown[] = [];
    const conversations = new ConversationStore(store.keyv<ConversationTurn[]>('conversations'), { maxTokens: 1000, ttlMs: 60_000 }, (_, error) => errors.push(error));
    await conversations.append('thread-1', { role: 'user', content: 'I care about orders' });
    server.freeze();
    try {
      expect(await conversations.history('thread-1')).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
      await expect(conversations.append('thread-1', { role: 'user', content: 'and its indexes?' })).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      server.thaw();
    }
    expect(await conversations.history('thread-1')).toEqual([{ role: 'user', content: 'I care about orders' }]);
  });

  it('refuses operations after close instead of reconnecting', async () => {
    const closing = await replica(server.url);
    await closing.close();
    await expect(closing.keyv('audit').get('x')).rejects.toThrow(/this pgdba is shutting down/);
  });
});

describe('log redaction', () => {
  it('masks the password of a redis:// URL', () => {
    expect(redactSecrets('cannot reach redis://:hunter22@10.0.0.5:6379/0 and rediss://pgdba:hunter33@cache:6380')).toBe('cannot reach redis://:*****@10.0.0.5:6379/0 and rediss://pgdba:*****@cache:6380');
  });
});
