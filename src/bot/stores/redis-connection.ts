/**
 * The one Redis connection behind a state store, set up to fail clearly rather than wait:
 * - at start-up the first failure is final, reported with its cause (refused, wrong password,
 *   no answer within the timeout) instead of a silent retry loop;
 * - once running, a command issued while Redis is away fails at once (no offline queue), every
 *   operation has a deadline (a hung server cannot hang a click), and the client reconnects in
 *   the background with backoff, logging the outage once and the recovery once.
 * Credentials in the URL never appear in a message: places are described by `describeStoreUrl`.
 */
import { createClient } from '@keyv/redis';
import { StoreConfigurationError, StoreUnavailableError } from './store-errors.js';
import { describeStoreUrl } from './store-url.js';

export type RedisClient = ReturnType<typeof newClient>;

export interface RedisConnectionOptions {
  /** How long connecting and each operation may take (ms). */
  timeoutMs: number;
  /** Operational log: losing and regaining the connection. */
  log: (line: string) => void;
}

/** An operation Redis did not answer within its deadline. */
class NoAnswerError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'NoAnswerError';
  }
}

export class RedisConnection {
  /** Where the store is, without credentials. */
  readonly where: string;
  private closed = false;

  private constructor(
    readonly client: RedisClient,
    url: string,
    private readonly timeoutMs: number,
  ) {
    this.where = describeStoreUrl(url);
  }

  static async open(url: string, options: RedisConnectionOptions): Promise<RedisConnection> {
    const where = describeStoreUrl(url);
    let running = false;
    let outage = false;
    const client = newClient(url, options.timeoutMs, () => running);
    // Without a listener an 'error' event would crash the process; the outage is logged once.
    client.on('error', (error: unknown) => {
      if (!running || outage) return;
      outage = true;
      options.log(`pgdba: lost the connection to the state store ${where} (${explainRedisFailure(error)}); reconnecting in the background.`);
    });
    client.on('ready', () => {
      if (outage) options.log(`pgdba: reconnected to the state store ${where}.`);
      outage = false;
    });
    try {
      await withDeadline(client.connect(), options.timeoutMs);
      // Connecting needs no password; a PING shows whether this client may actually work.
      await withDeadline(client.ping(), options.timeoutMs);
    } catch (error) {
      try {
        client.destroy();
      } catch {
        // Already closed by the failed connection attempt.
      }
      throw new StoreConfigurationError(
        `PGDBA_STORE_URL: cannot use Redis at ${where}: ${sentence(explainRedisFailure(error))} Start Redis there or correct PGDBA_STORE_URL (unset it to keep state in a local file, one process only).`,
        { cause: error },
      );
    }
    running = true;
    return new RedisConnection(client, url, options.timeoutMs);
  }

  /**
   * Runs one operation against Redis within the deadline; any failure becomes a
   * StoreUnavailableError that says where and why.
   */
  async run<T>(operation: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(this.where, 'this pgdba is shutting down');
    try {
      return await withDeadline(operation(this.client), this.timeoutMs);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(this.where, explainRedisFailure(error), { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.client.isOpen) return;
    // QUIT waits for replies in flight; when Redis is down that would wait forever, so destroy.
    if (this.client.isReady) await withDeadline(this.client.close(), this.timeoutMs).catch(() => this.client.destroy());
    else this.client.destroy();
  }
}

function newClient(url: string, timeoutMs: number, running: () => boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => (running() ? Math.min(100 * 2 ** retries, 2_000) : cause),
    },
  });
}

/** Rejects with NoAnswerError after `ms`; the late result, if any, is ignored. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswerError(ms)), ms);
  });
  work.catch(() => undefined); // a failure after the deadline must not become an unhandled rejection
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}

/** A Redis failure in a DBA's words, with what to check. Never includes credentials. */
export function explainRedisFailure(error: unknown): string {
  if (error instanceof NoAnswerError) return `no answer within ${Math.round(error.timeoutMs / 100) / 10} s: check the host, the port and any firewall between pgdba and Redis`;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const has = (pattern: RegExp) => pattern.test(message) || (typeof code === 'string' && pattern.test(code));
  if (has(/ECONNREFUSED/)) return 'connection refused: is Redis running on that host and port?';
  if (has(/ENOTFOUND|EAI_AGAIN/)) return 'the host name does not resolve';
  if (has(/WRONGPASS/)) return 'Redis refused the user name or password in PGDBA_STORE_URL (WRONGPASS)';
  if (has(/NOAUTH/)) return 'Redis requires a password: put it in PGDBA_STORE_URL as redis://:PASSWORD@host:port';
  if (has(/DB index is out of range/i)) return 'the database number in PGDBA_STORE_URL does not exist on this Redis';
  if (has(/ETIMEDOUT|timeout/i)) return 'the connection timed out: check the host, the port and any firewall';
  if (has(/LOADING/)) return 'Redis is still loading its data set';
  if (has(/ECONNRESET|EPIPE|Socket closed|client is offline|client is closed/i)) return 'the connection to Redis is down';
  return message.replace(/\/\/[^@\s/]*@/g, '//');
}
