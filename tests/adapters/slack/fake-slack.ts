/**
 * A local stand-in for Slack's Web API on 127.0.0.1 that records every call: the real Bolt App
 * and WebClient talk to it through `slackApiUrl`. It also serves shared files (checking the bot
 * token), receives file uploads and slash-command responses, and hands out a local WebSocket
 * URL for Socket Mode.
 */
import { createHmac } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  /** Decoded arguments (form fields, JSON-encoded ones such as blocks parsed). */
  args: Record<string, unknown>;
  authorization?: string | undefined;
  /** The ts the fake gave a posted message. */
  ts?: string;
  /** performance.now() when the call arrived (benchmarks). */
  at: number;
}

export interface FakeFile {
  id: string;
  name: string;
  content: Buffer;
  /** Serve this file from disk instead of `content` (large uploads in benchmarks). */
  path?: string;
  /** Size reported by files.info (defaults to the content's length). */
  reportedSize?: number;
  channel: string;
  ts: string;
  user?: string;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  calls: RecordedCall[];
  uploads: { fileId: string; body: Buffer }[];
  responses: { id: string; body: Record<string, unknown> }[];
  downloads: { fileId: string; authorization: string | undefined }[];
  files: Map<string, FakeFile>;
  /** Set by tests that need Socket Mode: returned by apps.connections.open. */
  socketUrl?: string;
  /** Next calls of a method answered 429 with Retry-After: 1 (how many). */
  rateLimited: Map<string, number>;
  /** Channels where chat.postMessage fails with channel_not_found. */
  unreachableChannels: Set<string>;
  /** Members of each Slack user group, served by usergroups.users.list. */
  userGroups: Map<string, string[]>;
  /** Methods answered `{ ok: false, error }` with this error code (e.g. missing_scope). */
  failing: Map<string, string>;
  callsTo(method: string): RecordedCall[];
  close(): Promise<void>;
}

export const botToken = 'xoxb-111-222-faketoken';
export const botUserId = 'UPGDBA';

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function decodeArgs(body: Buffer, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startFakeSlack(): Promise<FakeSlack> {
  let tsCounter = 1000;
  let uploadCounter = 0;
  const fake = {
    calls: [] as RecordedCall[],
    uploads: [] as { fileId: string; body: Buffer }[],
    responses: [] as { id: string; body: Record<string, unknown> }[],
    downloads: [] as { fileId: string; authorization: string | undefined }[],
    files: new Map<string, FakeFile>(),
    socketUrl: undefined as string | undefined,
    rateLimited: new Map<string, number>(),
    unreachableChannels: new Set<string>(),
    userGroups: new Map<string, string[]>(),
    failing: new Map<string, string>(),
  };
  let base = '';
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '/').split('?')[0]!;
      const body = await readBody(request);
      const json = (value: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (path.startsWith('/files/')) {
        const id = path.slice('/files/'.length);
        fake.downloads.push({ fileId: id, authorization: request.headers.authorization });
        const file = fake.files.get(id);
        if (!file || request.headers.authorization !== `Bearer ${botToken}`) {
          response.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        if (file.path) createReadStream(file.path).pipe(response);
        else response.end(file.content);
        return;
      }
      if (path.startsWith('/upload/')) {
        fake.uploads.push({ fileId: path.slice('/upload/'.length), body });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
        return;
      }
      if (path.startsWith('/response/')) {
        fake.responses.push({ id: path.slice('/response/'.length), body: JSON.parse(body.toString('utf8')) as Record<string, unknown> });
        json({ ok: true });
        return;
      }
      if (!path.startsWith('/api/')) {
        response.writeHead(404).end();
        return;
      }
      const method = path.slice('/api/'.length);
      const args = decodeArgs(body, request.headers['content-type'] ?? '');
      fake.calls.push({ method, args, authorization: request.headers.authorization, at: performance.now() });
      const limited = fake.rateLimited.get(method) ?? 0;
      if (limited > 0) {
        fake.rateLimited.set(method, limited - 1);
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      if (method === 'chat.postMessage' && fake.unreachableChannels.has(String(args.channel))) return json({ ok: false, error: 'channel_not_found' });
      const failure = fake.failing.get(method);
      if (failure) return json({ ok: false, error: failure, ...(failure === 'missing_scope' ? { needed: 'usergroups:read', provided: 'chat:write' } : {}) });
      switch (method) {
        case 'auth.test':
          return json({ ok: true, user_id: botUserId, bot_id: 'BPGDBA', team_id: 'T1', user: 'pgdba' });
        case 'chat.postMessage': {
          const ts = `${++tsCounter}.000100`;
          fake.calls.at(-1)!.ts = ts;
          return json({ ok: true, channel: args.channel, ts, message: { text: args.text } });
        }
        case 'chat.update':
          return json({ ok: true, channel: args.channel, ts: args.ts });
        case 'files.getUploadURLExternal': {
          const fileId = `FUP${++uploadCounter}`;
          return json({ ok: true, upload_url: `${base}/upload/${fileId}`, file_id: fileId });
        }
        case 'files.completeUploadExternal':
          return json({ ok: true, files: (args.files as { id: string }[]).map((file) => ({ id: file.id })) });
        case 'files.info': {
          const file = fake.files.get(String(args.file));
          if (!file) return json({ ok: false, error: 'file_not_found' });
          return json({
            ok: true,
            file: {
              id: file.id,
              name: file.name,
              size: file.reportedSize ?? (file.path ? statSync(file.path).size : file.content.length),
              user: file.user ?? 'UALICE',
              url_private: `${base}/files/${file.id}`,
              url_private_download: `${base}/files/${file.id}`,
              shares: { public: { [file.channel]: [{ ts: file.ts }] } },
            },
          });
        }
        case 'usergroups.users.list': {
          const members = fake.userGroups.get(String(args.usergroup));
          return json(members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' });
        }
        case 'apps.connections.open':
          return json({ ok: true, url: fake.socketUrl });
        default:
          return json({ ok: false, error: 'unknown_method' });
      }
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url: base,
    apiUrl: `${base}/api/`,
    callsTo: (method: string) => fake.calls.filter((call) => call.method === method),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Slack's request signature: v0=HMAC_SHA256(secret, "v0:" + timestamp + ":" + body). */
export function signedHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

/** Every text of a Block Kit message (sections, fields, context), joined, for assertions. */
export function blocksText(blocks: unknown): string {
  return JSON.stringify(blocks ?? [])
    .replace(/\\n/g, '\n')
    .replace(/\\"/g, '"');
}

export function eventEnvelope(event: Record<string, unknown>): Record<string, unknown> {
  return { token: 'legacy', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${Math.random().toString(36).slice(2, 10)}`, event_time: Math.floor(Date.now() / 1000), event };
}
