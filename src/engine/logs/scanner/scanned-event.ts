/**
 * The events of the messages the line scanner recognised, built from its slots: the same objects
 * `classify` returns for those messages (classifier.ts, the fast paths the scanner mirrors).
 */
import { OTHER, type LogEvent } from '../classifier.js';
import type { LogRecord } from '../types.js';
import { KIND_AUTHORIZED, KIND_DISCONNECTION, KIND_DURATION, KIND_OTHER_CONNECTION, KIND_QUERY, KIND_RECEIVED, S_K1, S_K2, S_K3, S_K4, S_KIND, S_MESSAGE } from './wasm-line-scanner.js';

/** The database of a scanned 'connection authorized': its `database=`, else the prefix's %d (as classify reads it). */
export function authorizedDatabase(slots: Int32Array, at: number, values: string[], prefixDatabase: string | undefined): string {
  const database = slots[at + S_K2]!;
  return database < 0 ? (prefixDatabase ?? '') : values[database]!;
}

/** Its `application_name=`, or undefined when the message has none (the prefix's %a counts then). */
export function authorizedApplication(slots: Int32Array, at: number, values: string[]): string | undefined {
  const application = slots[at + S_K3]!;
  return application < 0 ? undefined : values[application];
}

/** `keyHash`: the scanner's statement key hash of a statement's SQL (read for statements only). */
export function scannedEvent(slots: Int32Array, numbers: Float64Array, at: number, line: number, values: string[], record: LogRecord, keyHash: number): LogEvent {
  switch (slots[at + S_KIND]) {
    case KIND_RECEIVED:
      return { kind: 'connection-received', host: values[slots[at + S_K1]!]! };
    case KIND_AUTHORIZED: {
      const user = values[slots[at + S_K1]!]!;
      const database = authorizedDatabase(slots, at, values, record.database);
      const application = authorizedApplication(slots, at, values);
      return application === undefined ? { kind: 'connection-authorized', user, database } : { kind: 'connection-authorized', user, database, application };
    }
    case KIND_DISCONNECTION:
      return { kind: 'disconnection', sessionMs: numbers[line]!, user: values[slots[at + S_K1]!]!, database: values[slots[at + S_K2]!]!, host: values[slots[at + S_K3]!]! };
    case KIND_DURATION:
      return { kind: 'duration', durationMs: numbers[line]! };
    case KIND_QUERY: {
      // Offsets in the piece; the record's message starts at S_MESSAGE.
      const message = record.message;
      const from = slots[at + S_MESSAGE]!;
      const query = message.slice(slots[at + S_K4]! - from);
      const step = slots[at + S_K1]!;
      if (step === 0) return { kind: 'query', durationMs: numbers[line]!, step: 'statement', query, keyHash };
      const name = message.slice(slots[at + S_K2]! - from, slots[at + S_K3]! - from);
      return { kind: 'query', durationMs: numbers[line]!, step: steps[step]!, name, query, keyHash };
    }
    case KIND_OTHER_CONNECTION:
      return OTHER;
    default:
      throw new Error(`unknown scanned message kind ${slots[at + S_KIND]}`);
  }
}

const steps = ['statement', 'execute', 'parse', 'bind'] as const;

/** Whether an entry of this kind is whole on its line (no text of its own is needed to aggregate it). */
export function wholeOnItsLine(kind: number): boolean {
  return kind >= KIND_RECEIVED && kind <= KIND_OTHER_CONNECTION;
}

