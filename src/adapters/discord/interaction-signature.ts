/**
 * Verifies Discord's Ed25519 signature of an HTTP interaction (X-Signature-Ed25519 over
 * timestamp + raw body) with node:crypto and the application's hex public key. Discord itself
 * does not bound the timestamp; pgdba refuses ones older than five minutes so a captured request
 * cannot be replayed later.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
const maxAgeSeconds = 5 * 60;

export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('DISCORD_PUBLIC_KEY must be the 64 hexadecimal characters shown in the Discord developer portal.');
  return createPublicKey({ key: Buffer.concat([ed25519SpkiPrefix, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

export function isValidInteractionSignature(
  key: KeyObject,
  signatureHex: string | undefined,
  timestamp: string | undefined,
  rawBody: Buffer,
  nowSeconds = Date.now() / 1000,
): boolean {
  if (!signatureHex || !timestamp || !/^[0-9a-fA-F]{128}$/.test(signatureHex) || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > maxAgeSeconds) return false;
  return verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]), key, Buffer.from(signatureHex, 'hex'));
}
