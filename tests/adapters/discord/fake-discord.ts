/**
 * A local stand-in for Discord at the HTTP/WebSocket boundary: a REST server that records every
 * request (JSON or multipart with files) and serves /gateway/bot pointing at a local WebSocket
 * gateway that speaks HELLO/IDENTIFY/READY and can dispatch events.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** JSON body, or payload_json of a multipart body. */
  json: Record<string, unknown> | undefined;
  files: { field: string; name: string; type: string; bytes: Buffer }[];
  /** performance.now() when the request had fully arrived (benchmarks). */
  at: number;
}

export const botUser = { id: '900000000000000001', username: 'pgdba', discriminator: '0', bot: true, avatar: null, global_name: null };

export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  /** Files served under /files/<name> (attachment downloads). */
  readonly files = new Map<string, string>();
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private socket: WebSocket | undefined;
  private sequence = 0;
  identify: Record<string, unknown> | undefined;

  private constructor() {
    this.http = createServer((request, response) => {
      void this.record(request).then((recorded) => {
        const file = /^\/files\/(.+)$/.exec(recorded.path);
        if (file) {
          const content = this.files.get(file[1]!);
          response.writeHead(content === undefined ? 404 : 200, { 'content-type': 'text/plain' });
          return response.end(content ?? 'not found');
        }
        if (recorded.path.endsWith('/gateway/bot')) {
          return json(response, { url: `ws://127.0.0.1:${this.wsPort}`, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } });
        }
        if (recorded.method === 'POST' && /\/channels\/\d+\/messages$/.test(recorded.path)) {
          return json(response, messageObject(recorded.json));
        }
        if (recorded.method === 'PATCH' && /\/channels\/\d+\/messages\/\d+$/.test(recorded.path)) {
          return json(response, messageObject(recorded.json));
        }
        if (recorded.method === 'PATCH' && /\/webhooks\/\d+\/[^/]+\/messages\/@original$/.test(recorded.path)) {
          return json(response, messageObject(recorded.json));
        }
        if (recorded.method === 'PUT' && /\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(recorded.path)) {
          return json(response, recorded.json ?? []);
        }
        if (recorded.method === 'POST' && /\/interactions\/\d+\/[^/]+\/callback$/.test(recorded.path)) {
          // A 204 must not carry a JSON content type (discord.js would try to parse it).
          response.writeHead(204);
          return response.end();
        }
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Unknown route', code: 0 }));
      });
    });
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (socket) => {
      this.socket = socket;
      socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null }));
      socket.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
        if (frame.op === 1) socket.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
        if (frame.op === 2) {
          this.identify = frame.d;
          this.dispatch('READY', {
            v: 10,
            user: botUser,
            guilds: [],
            session_id: 'fake-session',
            resume_gateway_url: `ws://127.0.0.1:${this.wsPort}`,
            application: { id: '900000000000000002', flags: 0 },
            shard: [0, 1],
          });
        }
      });
    });
  }

  static async start(): Promise<FakeDiscord> {
    const fake = new FakeDiscord();
    fake.http.listen(0, '127.0.0.1');
    await Promise.all([once(fake.http, 'listening'), once(fake.wss, 'listening')]);
    return fake;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}/api`;
  }

  get fileUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}/files`;
  }

  private get wsPort(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  dispatch(type: string, data: unknown): void {
    this.sequence += 1;
    this.socket?.send(JSON.stringify({ op: 0, t: type, s: this.sequence, d: data }));
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async record(request: IncomingMessage): Promise<RecordedRequest> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const type = request.headers['content-type'] ?? '';
    const recorded: RecordedRequest = { method: request.method ?? 'GET', path: decodeURIComponent((request.url ?? '/').split('?')[0]!), headers: request.headers, json: undefined, files: [], at: 0 };
    if (type.startsWith('application/json') && body.length > 0) recorded.json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
      for (const [field, value] of form.entries()) {
        if (field === 'payload_json') recorded.json = JSON.parse(String(value)) as Record<string, unknown>;
        else if (typeof value !== 'string') recorded.files.push({ field, name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
      }
    }
    recorded.at = performance.now();
    this.requests.push(recorded);
    return recorded;
  }
}

function json(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function messageObject(body: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    id: '910000000000000001',
    channel_id: '920000000000000001',
    type: 0,
    content: body?.content ?? '',
    embeds: body?.embeds ?? [],
    components: body?.components ?? [],
    attachments: [],
    author: botUser,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    pinned: false,
  };
}
