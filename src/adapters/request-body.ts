/** Reads a webhook request body into memory, refusing more than `maxBytes` (a chat event is small). */
import type { IncomingMessage } from 'node:http';

export class RequestBodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The request is larger than ${maxBytes} bytes.`);
    this.name = 'RequestBodyTooLargeError';
  }
}

export async function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new RequestBodyTooLargeError(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
