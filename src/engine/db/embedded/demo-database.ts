/**
 * The embedded demo target: an in-memory PostgreSQL (PGlite, PostgreSQL in WASM) served on a
 * loopback port through pglite-socket, so pgdba talks to it with the same `pg` code path as to a
 * real server.
 *
 * The demo runs in a worker thread (demo-worker.ts): PGlite executes on the thread that calls it,
 * and on the main thread every demo query would stall the chat server, Bolt and chart rendering.
 * Each process loads its own in-memory copy of the saved image (demo-image.ts): two pgdba
 * processes never share files.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DemoWorkerData, DemoWorkerMessage } from './demo-worker.js';

export interface EmbeddedDemo {
  /** postgres:// URL of the demo on 127.0.0.1 (no password: it only listens on loopback). */
  url: string;
  /** False once the demo's thread has ended, whether stopped or failed. */
  readonly running: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedDemoOptions {
  demoDir?: string;
  log?: (line: string) => void;
}

/** How long a stop may take before the demo's thread is terminated outright. */
const stopGraceMs = 10_000;

export function defaultDemoDir(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'pgdba');
}

export async function startEmbeddedDemo(options: EmbeddedDemoOptions = {}): Promise<EmbeddedDemo> {
  const log = options.log ?? (() => undefined);
  const worker = spawnDemoWorker({ demoDir: options.demoDir ?? defaultDemoDir() });
  let running = true;
  let started = false;
  let stopping = false;
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      running = false;
      if (started && !stopping) log(`The embedded demo database stopped unexpectedly (exit code ${code}).`);
      resolve(code);
    }),
  );
  // Without a listener a worker error would be thrown in this thread and end the process.
  worker.on('error', (error) => {
    if (started) log(`The embedded demo database failed: ${error.message}`);
  });
  const ready = new Promise<string>((resolve, reject) => {
    worker.on('message', (message: DemoWorkerMessage) => {
      if (message.type === 'log') log(message.line);
      else if (message.type === 'ready') resolve(message.url);
      else reject(new Error(`The embedded demo database could not start: ${message.message}`));
    });
    worker.once('error', (error) => reject(new Error(`The embedded demo database could not start: ${error.message}`)));
    void exited.then((code) => reject(new Error(`The embedded demo database stopped while starting (exit code ${code}).`)));
  });
  let url: string;
  try {
    url = await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  started = true;
  // A forgotten stop() must not keep a finished command alive.
  worker.unref();

  return {
    url,
    get running() {
      return running;
    },
    async stop() {
      if (!running) return;
      stopping = true;
      worker.postMessage('stop');
      const grace = setTimeout(() => void worker.terminate(), stopGraceMs);
      await exited;
      clearTimeout(grace);
    },
  };
}

function spawnDemoWorker(workerData: DemoWorkerData): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./demo-worker.js', import.meta.url), { workerData });
  // Run from the TypeScript sources (tests, benchmarks): Node 20 cannot start a worker from a
  // .ts file, so the worker loads it through tsx, the dev dependency these runs already use.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = new URL('./demo-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { eval: true, workerData });
}
