/** Small HTTP helpers for the web chat: bounded JSON bodies, streamed uploads, NDJSON answers. */
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readBoundedBody, RequestBodyTooLargeError } from '../request-body.js';

export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export async function readJsonBody(request: IncomingMessage, limitBytes = 1_000_000): Promise<Record<string, unknown>> {
  let raw: Buffer;
  try {
    raw = await readBoundedBody(request, limitBytes);
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError) throw new RequestError(413, error.message);
    throw error;
  }
  try {
    const body = JSON.parse(raw.toString('utf8')) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch {
    throw new RequestError(400, 'The request body must be a JSON object.');
  }
}

/** Streams the request body to a temp file named like the upload, refusing more than `limitBytes`. */
export async function saveUpload(request: IncomingMessage, fileName: string, limitBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new RequestError(413, tooLarge(fileName, limitBytes));
  const safeName = basename(fileName).replace(/[^\w.-]/g, '_') || 'upload.log';
  const path = join(await mkdtemp(join(tmpdir(), 'pgdba-upload-')), safeName);
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > limitBytes) done(new RequestError(413, tooLarge(fileName, limitBytes)));
      else done(null, chunk);
    },
  });
  await pipeline(request, limiter, createWriteStream(path));
  return path;
}

function tooLarge(fileName: string, limitBytes: number): string {
  return `${fileName} is larger than the upload limit of ${Math.round(limitBytes / 1_048_576)} MB (PGDBA_UPLOAD_MAX_BYTES). Analyse it with \`pgdba logs analyze\` on the server, or split it.`;
}

/** An answer streamed as JSON lines: progress updates first, the reply last. */
export function startNdjson(response: ServerResponse): (line: unknown) => void {
  response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  return (line) => response.write(`${JSON.stringify(line)}\n`);
}

export function sendError(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.end(`${JSON.stringify({ error: message })}\n`);
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify({ error: message }));
}
