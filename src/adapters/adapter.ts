/**
 * What every chat platform implements to be served by `pgdba serve`: a name, the HTTP routes it
 * needs on the one shared server (webhooks; none for socket transports) and a start/stop life
 * cycle. Adding a platform touches only its own folder under src/adapters/.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface AdapterRoute {
  method: 'GET' | 'POST';
  /** Exact path, e.g. "/slack/events" (the query string is ignored when matching). */
  path: string;
  handle: RouteHandler;
}

export interface Adapter {
  /** Short platform name shown in /healthz and logs, e.g. "slack". */
  readonly name: string;
  /** How events arrive, for /healthz and logs, e.g. "http" or "socket-mode". */
  readonly transport: string;
  readonly routes: readonly AdapterRoute[];
  /** Connects outgoing transports (Socket Mode, gateways); resolves when events can be received. */
  start(): Promise<void>;
  stop(): Promise<void>;
}
