/**
 * The embedded demo's own thread. PGlite runs PostgreSQL (WASM) on the thread that calls it, so
 * here every demo query, and the image load at start, runs beside the thread that serves the
 * chat instead of blocking it: the two use both cores. The main thread reaches the demo as any
 * server, through pglite-socket on a loopback port.
 *
 * Messages: to the parent `DemoWorkerMessage`s; from the parent, 'stop'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { loadDemoImage } from './demo-image.js';
import { demoWorkloadSql } from './demo-schema.js';

export interface DemoWorkerData {
  demoDir: string;
}

export type DemoWorkerMessage =
  | { type: 'log'; line: string }
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string };

const parent = parentPort;
if (!parent) throw new Error('demo-worker runs as a worker thread (see startEmbeddedDemo).');
const send = (message: DemoWorkerMessage) => parent.postMessage(message);

try {
  const { demoDir } = workerData as DemoWorkerData;
  const db = await loadDemoImage(demoDir, (line) => send({ type: 'log', line }));
  // Statistics counters do not survive the image: replay the workload, then publish the counters.
  for (const statement of demoWorkloadSql) await db.query(statement);
  await db.query('select pg_stat_force_next_flush()');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  parent.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    // Closing the port ends the thread once the server and PGlite have let go of their handles.
    void server
      .stop()
      .then(() => db.close())
      .finally(() => parent.close());
  });
  send({ type: 'ready', url: `postgres://postgres@${server.getServerConn()}/postgres` });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  parent.close();
}
