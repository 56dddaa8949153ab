/**
 * A local Bot Framework connector (the activity's serviceUrl): records the activities the bot
 * posts (POST /v3/conversations/{id}/activities[/{replyToId}]) and updates (PUT
 * .../activities/{id}), and serves files under /files/ for attachment downloads.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  authorization: string | undefined;
  activity: Record<string, unknown>;
  /** performance.now() when the call arrived (benchmarks). */
  at: number;
}

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  readonly files = new Map<string, string>();
  readonly fileRequests: { path: string; authorization: string | undefined }[] = [];
  private readonly server: Server;
  private readonly recorded = new EventEmitter();
  private nextId = 1;

  private constructor() {
    this.server = createServer((request, response) => {
      void readJson(request).then((activity) => {
        const path = decodeURIComponent((request.url ?? '/').split('?')[0]!);
        const file = /^\/files\/(.+)$/.exec(path);
        if (file) {
          this.fileRequests.push({ path, authorization: request.headers.authorization });
          const content = this.files.get(file[1]!);
          response.writeHead(content === undefined ? 404 : 200, { 'content-type': 'application/octet-stream' });
          return response.end(content ?? '');
        }
        if (path.startsWith('/v3/conversations/')) {
          const call = { method: request.method ?? '', path, authorization: request.headers.authorization, activity, at: performance.now() };
          this.calls.push(call);
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ id: `activity-${this.nextId++}` }));
          this.recorded.emit('call', call);
          return;
        }
        response.writeHead(404).end();
      });
    });
  }

  static async start(): Promise<FakeConnector> {
    const fake = new FakeConnector();
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** The first call (already recorded or still to come) that matches: waits on the event, never polls. */
  waitFor(matches: (call: ConnectorCall) => boolean): Promise<ConnectorCall> {
    const seen = this.calls.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (call: ConnectorCall) => {
        if (!matches(call)) return;
        this.recorded.off('call', listener);
        resolve(call);
      };
      this.recorded.on('call', listener);
    });
  }

  /** Activities carrying an Adaptive Card, in the order they were sent. */
  cards(): { call: ConnectorCall; card: { body: Record<string, unknown>[] } }[] {
    return this.calls.flatMap((call) => {
      const attachments = (call.activity.attachments ?? []) as { contentType: string; content: { body: Record<string, unknown>[] } }[];
      return attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => ({ call, card: a.content }));
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
