/**
 * The one HTTP server of `pgdba serve`: `GET /healthz` plus the routes of every adapter
 * (Slack events now; Discord interactions, Teams messages and the web chat later).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../../bot/logger.js';
import type { Adapter } from '../adapter.js';

export interface ChatServer {
  server: Server;
  /** The port actually listened on (useful with port 0). */
  port: number;
  /** Starts the adapters; /healthz answers 200 once all of them are running. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChatServerOptions {
  port: number;
  host?: string;
  adapters: readonly Adapter[];
  /**
   * Run before /healthz reports ready (open the target, warm caches): the first questions then
   * find everything loaded. A failure is logged and does not keep the server from serving.
   */
  warmUp?: () => Promise<void>;
}

export async function listenChatServer(options: ChatServerOptions): Promise<ChatServer> {
  let ready = false;
  const routes = options.adapters.flatMap((adapter) => adapter.routes.map((route) => ({ ...route, adapter: adapter.name })));
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      const body = JSON.stringify({ status: ready ? 'ok' : 'starting', adapters: options.adapters.map((a) => ({ name: a.name, transport: a.transport })) });
      response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(body);
      return;
    }
    const route = routes.find((candidate) => candidate.path === path);
    if (!route) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    if (route.method !== request.method) {
      response.writeHead(405, { allow: route.method, 'content-type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    Promise.resolve(route.handle(request, response)).catch((error: unknown) => {
      logger.error(`${route.adapter}: request to ${path} failed`, error);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async start() {
      for (const adapter of options.adapters) {
        await adapter.start();
        logger.info(`pgdba serve: ${adapter.name} ready (${adapter.transport})`);
      }
      await options.warmUp?.().catch((error: unknown) => logger.error('pgdba serve: warming up failed; questions will open the database when they need it', error));
      ready = true;
    },
    async stop() {
      ready = false;
      for (const adapter of options.adapters) await adapter.stop().catch((error: unknown) => logger.error(`${adapter.name}: stop failed`, error));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
