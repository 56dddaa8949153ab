/**
 * Classifier: the message of a stitched entry -> what happened, with its numbers. Only
 * `startsWith` checks on the hot path; regular expressions run on the rarer messages.
 */
import type { LogEntry } from './types.js';

export type StatementStep = 'statement' | 'execute' | 'parse' | 'bind';

export type LogEvent =
  /** `duration: N ms  statement|execute|parse|bind <name>: SQL` (log_min_duration_statement). */
  | {
      kind: 'query';
      durationMs: number;
      step: StatementStep;
      name?: string;
      query: string;
      /** statementKeyHash(query), when the line scanner computed it (sql-normalizer.ts). */
      keyHash?: number | undefined;
    }
  /** `statement: SQL` / `execute <name>: SQL` (log_statement), no duration. */
  | { kind: 'logged-statement'; step: StatementStep; name?: string; query: string }
  /** `duration: N ms` alone (log_duration), to pair with the session's logged statement. */
  | { kind: 'duration'; durationMs: number }
  /** auto_explain: `duration: N ms  plan:` followed by the plan (text or JSON). */
  | { kind: 'plan'; durationMs: number; query: string; plan: string }
  | { kind: 'connection-received'; host: string }
  | { kind: 'connection-authorized'; user: string; database: string; application?: string }
  | { kind: 'disconnection'; sessionMs: number; user: string; database: string; host: string }
  | { kind: 'checkpoint-start'; reason: string; restartpoint: boolean }
  | { kind: 'checkpoint-complete'; buffers: number; writeS: number; syncS: number; totalS: number; restartpoint: boolean }
  | { kind: 'checkpoint-warning'; secondsApart: number }
  | { kind: 'autovacuum'; table: string; tuplesRemoved: number; pagesRemoved: number; elapsedS: number }
  | { kind: 'autoanalyze'; table: string; elapsedS: number }
  | { kind: 'temp-file'; bytes: number; path: string }
  | { kind: 'lock-wait'; state: 'waiting' | 'acquired' | 'deadlock-detected' | 'avoided-deadlock'; lockMode: string; object: string; waitMs: number }
  | { kind: 'deadlock' }
  | { kind: 'server'; action: 'starting' | 'ready' | 'shutdown-requested' | 'shut-down' | 'crash' | 'recovery' | 'terminated-process' }
  | { kind: 'other' };


function parseStep(text: string): { step: StatementStep; name?: string; query: string } | undefined {
  if (text.startsWith('statement: ')) return { step: 'statement', query: text.slice(11) };
  for (const step of ['execute', 'parse', 'bind'] as const) {
    if (text.startsWith(step) && text.charCodeAt(step.length) === 32) {
      const colon = text.indexOf(': ', step.length + 1);
      if (colon < 0) return undefined;
      return { step, name: text.slice(step.length + 1, colon), query: text.slice(colon + 2) };
    }
  }
  return undefined;
}

function number(text: string | undefined): number {
  return text === undefined ? 0 : Number(text);
}

/** "H:MM:SS.mmm" (disconnection session time) -> ms. */
function isDigitAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}

/** The regular expression of sessionTimeMs, by hand for the usual "H:MM:SS.mmm" (same result). */
function sessionTimeFast(text: string): number | undefined {
  const colon = text.indexOf(':');
  if (colon < 1 || text.charCodeAt(colon + 3) !== 58 || !isDigitAt(text, colon + 1) || !isDigitAt(text, colon + 2) || !isDigitAt(text, colon + 4) || !isDigitAt(text, colon + 5)) return undefined;
  let hours = 0;
  for (let i = 0; i < colon; i += 1) {
    if (!isDigitAt(text, i)) return undefined;
    hours = hours * 10 + text.charCodeAt(i) - 48;
  }
  const seconds = colon + 4;
  if (text.length > seconds + 2) {
    if (text.charCodeAt(seconds + 2) !== 46 || text.length === seconds + 3) return undefined;
    for (let i = seconds + 3; i < text.length; i += 1) if (!isDigitAt(text, i)) return undefined;
  }
  const minutes = (text.charCodeAt(colon + 1) - 48) * 10 + text.charCodeAt(colon + 2) - 48;
  return (hours * 3600 + minutes * 60 + Number(text.slice(seconds))) * 1000;
}

function sessionTimeMs(text: string): number {
  if (text.length <= 16) {
    const fast = sessionTimeFast(text);
    if (fast !== undefined) return fast;
  }
  const m = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(text);
  return m ? (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 : NaN;
}

function planQuery(plan: string): string {
  const at = plan.indexOf('Query Text: ');
  if (at >= 0) {
    // The query runs until the first line of the plan itself (a node with cost/actual figures).
    const lines = plan.slice(at + 12).split('\n');
    const query: string[] = [];
    for (const line of lines) {
      if (query.length > 0 && /\((?:cost|actual)[= ]|^\s*(?:Output|Buffers|Planning|Execution|Settings|Query Identifier):/.test(line)) break;
      query.push(line);
    }
    return query.join('\n').trim();
  }
  const json = /"Query Text": "((?:[^"\\]|\\.)*)"/.exec(plan);
  if (json) {
    try {
      return JSON.parse(`"${json[1]}"`) as string;
    } catch {
      return json[1]!;
    }
  }
  return '';
}

// Hand-written fast paths for the connection messages, which dominate busy logs with
// log_connections/log_disconnections on. Each returns exactly what the regular expression after
// it would, or undefined (then the regular expression decides) when the text is unusual.

/** ASCII whitespace; undefined for non-ASCII (\S also excludes Unicode spaces: let the regex decide). */
function isAsciiSpace(c: number): boolean | undefined {
  if (c > 127) return undefined;
  return c === 32 || (c >= 9 && c <= 13);
}

/** End of the run of non-space characters from `at`, or -1 when a non-ASCII character is met. */
function nonSpaceEnd(text: string, at: number): number {
  let i = at;
  for (; i < text.length; i += 1) {
    const space = isAsciiSpace(text.charCodeAt(i));
    if (space === undefined) return -1;
    if (space) break;
  }
  return i;
}

/** What `.` in a regular expression does not match. */
function hasLineTerminator(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** `host=(\S+)` of "connection received: host=... port=...". */
function receivedHostFast(message: string): string | undefined {
  const at = message.indexOf('host=', 21);
  if (at < 0) return undefined;
  const end = nonSpaceEnd(message, at + 5);
  return end > at + 5 ? message.slice(at + 5, end) : undefined;
}

/** "connection authorized: user=U database=D application_name=A" with plain values. */
function authorizedFast(message: string, entry: LogEntry): LogEvent | undefined {
  if (!message.startsWith('user=', 23)) return undefined;
  const userEnd = nonSpaceEnd(message, 28);
  if (userEnd < 0) return undefined;
  const user = message.slice(28, userEnd);
  if (userEnd === message.length) return { kind: 'connection-authorized', user, database: entry.database ?? '' };
  if (!message.startsWith(' database=', userEnd)) return undefined;
  const databaseEnd = nonSpaceEnd(message, userEnd + 10);
  if (databaseEnd < 0) return undefined;
  const database = message.slice(userEnd + 10, databaseEnd);
  if (databaseEnd === message.length) return { kind: 'connection-authorized', user, database };
  if (!message.startsWith(' application_name=', databaseEnd)) return undefined;
  const application = message.slice(databaseEnd + 18);
  if (application.includes(' (') || application.includes(' SSL') || application.includes(' GSS') || hasLineTerminator(application)) return undefined;
  return { kind: 'connection-authorized', user, database, application };
}

/** "disconnection: session time: T user=U database=D host=H ...". */
function disconnectionFast(message: string): LogEvent | undefined {
  const timeEnd = nonSpaceEnd(message, 29);
  if (timeEnd <= 29 || !message.startsWith(' user=', timeEnd)) return undefined;
  const userAt = timeEnd + 6;
  const databaseAt = message.indexOf(' database=', userAt);
  if (databaseAt < 0) return undefined;
  const hostAt = message.indexOf(' host=', databaseAt + 10);
  if (hostAt < 0) return undefined;
  const between = message.slice(userAt, hostAt);
  if (hasLineTerminator(between)) return undefined;
  const hostEnd = nonSpaceEnd(message, hostAt + 6);
  if (hostEnd < 0) return undefined;
  return {
    kind: 'disconnection',
    sessionMs: sessionTimeMs(message.slice(29, timeEnd)),
    user: message.slice(userAt, databaseAt),
    database: message.slice(databaseAt + 10, hostAt),
    host: message.slice(hostAt + 6, hostEnd),
  };
}

/** Most messages are of no interest: one shared, frozen event for them (no allocation per line). */
export const OTHER: LogEvent = Object.freeze({ kind: 'other' });

/** The entry's event: the one its reader already knew (the line scanner's), else classified now. */
export function eventOf(entry: LogEntry): LogEvent {
  return entry.event ?? classify(entry);
}

/**
 * What a message means. One small function per first letter: V8 optimises each by itself, and
 * only those a log has many messages of (compiling them all as one function, with every fast
 * path inlined, cost more than a busy log's whole classification).
 */
export function classify(entry: LogEntry): LogEvent {
  const message = entry.message;
  switch (message.charCodeAt(0)) {
    case 100 /* d */:
      return classifyD(message);
    case 115 /* s */:
      return classifyS(message);
    case 101 /* e */:
      return classifyE(message);
    case 99 /* c */:
      return classifyC(message, entry);
    case 114 /* r */:
      return classifyR(message);
    case 97 /* a */:
      return classifyA(message);
    case 116 /* t */:
      return classifyT(message);
    case 112 /* p */:
      return classifyP(message);
    default:
      return OTHER;
  }
}

/** duration (hand-parsed: the most frequent message of a busy log), disconnection, database system, deadlock. */
function classifyD(message: string): LogEvent {
  if (message.startsWith('duration: ')) {
    const ms = message.indexOf(' ms', 10);
    if (ms < 0) return OTHER;
    const durationMs = Number(message.slice(10, ms));
    if (Number.isNaN(durationMs)) return OTHER;
    let restAt = ms + 3;
    while (message.charCodeAt(restAt) === 32) restAt += 1;
    if (restAt >= message.length) return { kind: 'duration', durationMs };
    const rest = message.slice(restAt);
    if (rest.startsWith('plan:')) {
      const plan = rest.slice(5).replace(/^\s*\n/, '');
      return { kind: 'plan', durationMs, plan, query: planQuery(plan) };
    }
    const step = parseStep(rest);
    if (step === undefined) return OTHER;
    return { kind: 'query', durationMs, ...step };
  }
  if (message.startsWith('disconnection: session time: ')) {
    const fast = disconnectionFast(message);
    if (fast !== undefined) return fast;
    const m = /^disconnection: session time: (\S+) user=(.*?) database=(.*?) host=(\S*)/.exec(message);
    if (m) return { kind: 'disconnection', sessionMs: sessionTimeMs(m[1]!), user: m[2]!, database: m[3]!, host: m[4]! };
    return OTHER;
  }
  if (message.startsWith('database system is ready to accept')) return { kind: 'server', action: 'ready' };
  if (message.startsWith('database system is shut down')) return { kind: 'server', action: 'shut-down' };
  if (message.startsWith('database system was interrupted') || message.startsWith('database system was not properly shut down')) {
    return { kind: 'server', action: 'recovery' };
  }
  if (message.startsWith('deadlock detected')) return { kind: 'deadlock' };
  return OTHER;
}

/** statement (log_statement), starting PostgreSQL, a server process crash. */
function classifyS(message: string): LogEvent {
  if (message.startsWith('statement: ')) return { kind: 'logged-statement', step: 'statement', query: message.slice(11) };
  if (message.startsWith('starting PostgreSQL')) return { kind: 'server', action: 'starting' };
  if (message.startsWith('server process (PID')) return { kind: 'server', action: 'crash' };
  return OTHER;
}

/** execute (log_statement of the extended protocol). */
function classifyE(message: string): LogEvent {
  if (message.startsWith('execute ')) {
    const step = parseStep(message);
    if (step) return { kind: 'logged-statement', ...step };
  }
  return OTHER;
}

/** connection received/authorized/authenticated (most lines of a log with log_connections), checkpoints. */
function classifyC(message: string, entry: LogEntry): LogEvent {
  const connection = message.startsWith('connection ');
  const next = connection ? message.charCodeAt(11) : 0;
  if (next === 114 /* r */ && message.startsWith('received: ', 11)) {
    const host = receivedHostFast(message);
    if (host !== undefined) return { kind: 'connection-received', host };
    const m = /host=(\S+)/.exec(message);
    return { kind: 'connection-received', host: m ? m[1]! : '' };
  }
  if (next === 97 /* a */ && message.startsWith('authorized: ', 11)) {
    const fast = authorizedFast(message, entry);
    if (fast !== undefined) return fast;
    const m = /user=(\S*)(?: database=(\S*))?(?: application_name=(.*?))?(?: \(|$| SSL| GSS|$)/.exec(message);
    const event: LogEvent = { kind: 'connection-authorized', user: m?.[1] ?? '', database: m?.[2] ?? entry.database ?? '' };
    if (m?.[3] !== undefined) event.application = m[3];
    return event;
  }
  if (connection) return OTHER;
  if (message.startsWith('checkpoint starting: ')) return { kind: 'checkpoint-start', reason: message.slice(21), restartpoint: false };
  if (message.startsWith('checkpoint complete: ')) return checkpointComplete(message, false);
  if (message.startsWith('checkpoints are occurring too frequently')) {
    const m = /\((\d+) seconds? apart\)/.exec(message);
    return { kind: 'checkpoint-warning', secondsApart: number(m?.[1]) };
  }
  return OTHER;
}

/** restartpoints (standbys), a shutdown request. */
function classifyR(message: string): LogEvent {
  if (message.startsWith('restartpoint starting: ')) return { kind: 'checkpoint-start', reason: message.slice(23), restartpoint: true };
  if (message.startsWith('restartpoint complete: ')) return checkpointComplete(message, true);
  if (message.startsWith('received ') && message.includes('shutdown request')) return { kind: 'server', action: 'shutdown-requested' };
  return OTHER;
}

/** automatic vacuum and analyze, all server processes terminated. */
function classifyA(message: string): LogEvent {
  if (message.startsWith('automatic vacuum of table ')) {
    const table = /^automatic vacuum of table "([^"]*)"/.exec(message)?.[1] ?? '';
    const tuples = /tuples: (\d+) removed/.exec(message);
    const pages = /pages: (\d+) removed/.exec(message);
    const elapsed = /elapsed: (\d+(?:\.\d+)?) s/.exec(message);
    return { kind: 'autovacuum', table, tuplesRemoved: number(tuples?.[1]), pagesRemoved: number(pages?.[1]), elapsedS: number(elapsed?.[1]) };
  }
  if (message.startsWith('automatic analyze of table ')) {
    const table = /^automatic analyze of table "([^"]*)"/.exec(message)?.[1] ?? '';
    const elapsed = /elapsed: (\d+(?:\.\d+)?) s/.exec(message);
    return { kind: 'autoanalyze', table, elapsedS: number(elapsed?.[1]) };
  }
  if (message.startsWith('all server processes terminated')) return { kind: 'server', action: 'crash' };
  return OTHER;
}

/** temporary files, terminating other server processes. */
function classifyT(message: string): LogEvent {
  if (message.startsWith('temporary file: ')) {
    const m = /^temporary file: path "([^"]*)", size (\d+)/.exec(message);
    if (m) return { kind: 'temp-file', path: m[1]!, bytes: Number(m[2]) };
  }
  if (message.startsWith('terminating any other active server processes')) return { kind: 'server', action: 'terminated-process' };
  return OTHER;
}

/** lock waits (log_lock_waits) and deadlocks of a process. */
function classifyP(message: string): LogEvent {
  if (message.startsWith('process ')) {
    const m = /^process \d+ (still waiting for|acquired|detected deadlock while waiting for|avoided deadlock for) (\S+) on (.*?) after (\d+(?:\.\d+)?) ms/.exec(message);
    if (m) {
      const state = m[1] === 'acquired' ? 'acquired' : m[1] === 'still waiting for' ? 'waiting' : m[1]!.startsWith('detected') ? 'deadlock-detected' : 'avoided-deadlock';
      return { kind: 'lock-wait', state, lockMode: m[2]!, object: m[3]!, waitMs: Number(m[4]) };
    }
  }
  return OTHER;
}

function checkpointComplete(message: string, restartpoint: boolean): LogEvent {
  const buffers = /wrote (\d+) buffers/.exec(message);
  const times = /write=(\d+(?:\.\d+)?) s, sync=(\d+(?:\.\d+)?) s, total=(\d+(?:\.\d+)?) s/.exec(message);
  return {
    kind: 'checkpoint-complete',
    restartpoint,
    buffers: number(buffers?.[1]),
    writeS: number(times?.[1]),
    syncS: number(times?.[2]),
    totalS: number(times?.[3]),
  };
}
