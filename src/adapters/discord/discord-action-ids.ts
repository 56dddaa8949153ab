/**
 * Discord button custom ids are limited to 100 characters, so a neutral action (id + opaque
 * payload) is packed as "pgdba:<id>:<payload>" when it fits, and otherwise kept in a bounded
 * in-memory table and referred to by a short key ("pgdba~<key>"). Approval payloads carry only
 * a request id and always fit, so they survive restarts; only unusually long payloads rely on
 * the table.
 */
import { randomBytes } from 'node:crypto';

const inlinePrefix = 'pgdba:';
const keyedPrefix = 'pgdba~';
const customIdChars = 100;
const rememberedPayloads = 5000;

const longActions = new Map<string, { id: string; payload: string }>();

export function encodeActionId(id: string, payload: string): string {
  const inline = `${inlinePrefix}${id}:${payload}`;
  if (inline.length <= customIdChars) return inline;
  const key = randomBytes(9).toString('base64url');
  longActions.set(key, { id, payload });
  if (longActions.size > rememberedPayloads) {
    const oldest = longActions.keys().next().value;
    if (oldest !== undefined) longActions.delete(oldest);
  }
  return `${keyedPrefix}${key}`;
}

/** The neutral action behind a custom id, or undefined when it is not pgdba's or was forgotten. */
export function decodeActionId(customId: string): { id: string; payload: string } | undefined {
  if (customId.startsWith(inlinePrefix)) {
    const rest = customId.slice(inlinePrefix.length);
    const colon = rest.indexOf(':');
    if (colon <= 0) return undefined;
    return { id: rest.slice(0, colon), payload: rest.slice(colon + 1) };
  }
  if (customId.startsWith(keyedPrefix)) return longActions.get(customId.slice(keyedPrefix.length));
  return undefined;
}
