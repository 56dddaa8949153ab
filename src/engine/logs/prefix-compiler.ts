/**
 * `log_line_prefix` compiler: turns the escapes (%m, %p, %u, ...) into one anchored regular
 * expression that also captures the severity, so a stderr line is split with a single exec.
 */
import type { LogEvent } from './classifier.js';
import { parseLogTimestamp } from './timestamp.js';
import type { Severity } from './types.js';

export const severityPattern = '(LOG|ERROR|WARNING|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION|INFO|NOTICE|DEBUG[1-5]?)';

type Field = 'time' | 'epoch' | 'pid' | 'user' | 'database' | 'application' | 'client' | 'sessionId' | 'sqlstate' | 'backendType';

const timeRe = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: ?[A-Za-z][A-Za-z0-9]*|[+-]\d\d(?::?\d\d)?| [+-]\d\d(?::?\d\d)?)?`;
const msTimeRe = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}(?: ?[A-Za-z][A-Za-z0-9]*|[+-]\d\d(?::?\d\d)?| [+-]\d\d(?::?\d\d)?)?`;

/** What each escape matches and which field it fills (undefined: matched but not kept). */
const escapes: Record<string, { re: string; field?: Field }> = {
  a: { re: '(.*?)', field: 'application' },
  u: { re: '(.*?)', field: 'user' },
  d: { re: '(.*?)', field: 'database' },
  r: { re: '(.*?)', field: 'client' },
  h: { re: '(.*?)', field: 'client' },
  b: { re: '(.*?)', field: 'backendType' },
  i: { re: '.*?' },
  p: { re: String.raw`(\d+)`, field: 'pid' },
  P: { re: String.raw`\d*` },
  t: { re: `(${timeRe})`, field: 'time' },
  m: { re: `(${msTimeRe})`, field: 'time' },
  n: { re: String.raw`(\d+\.\d+)`, field: 'epoch' },
  s: { re: timeRe },
  c: { re: String.raw`([0-9a-f]+\.[0-9a-f]+)`, field: 'sessionId' },
  l: { re: String.raw`\d+` },
  v: { re: String.raw`[-\d/]*?` },
  x: { re: String.raw`\d*` },
  e: { re: '([0-9A-Z]{5})', field: 'sqlstate' },
  Q: { re: String.raw`-?\d+` },
};

/** Escapes a prefix needs for a full analysis, with why (reported when a prefix lacks them). */
const importantEscapes: { escapes: string[]; why: string }[] = [
  { escapes: ['t', 'm', 'n'], why: 'without a timestamp (%t or %m) there is no time range nor time series' },
  { escapes: ['p', 'c'], why: 'without %p statements and their DETAIL/STATEMENT lines of concurrent sessions cannot be stitched' },
  { escapes: ['d'], why: 'without %d statements cannot be broken down by database' },
  { escapes: ['u'], why: 'without %u statements cannot be broken down by user' },
];

export interface PrefixFields {
  time: number;
  pid: number;
  user?: string;
  database?: string;
  application?: string;
  client?: string;
  sessionId?: string;
  sqlstate?: string;
  backendType?: string;
}

export interface PrefixMatch extends PrefixFields {
  severity: Severity;
  /** Index in the line where the message starts (after "SEVERITY:  "). */
  messageStart: number;
  /** Filled by the reader, so the match object itself becomes the record (one allocation per line). */
  message: string;
  line: number;
  /** Filled by the stitcher: present from the start so that every record keeps one object shape. */
  source: number;
  /** Set by the line scanner for the messages it recognises. */
  event: LogEvent | undefined;
  /** Filled by the stitcher with the DETAIL, HINT, CONTEXT, STATEMENT and QUERY lines. */
  detail: string | undefined;
  hint: string | undefined;
  context: string | undefined;
  statement: string | undefined;
  internalQuery: string | undefined;
}

/**
 * A match with every field present, so all records share one object shape: a field added later
 * (an attachment) would give entries several shapes, and every property read of the aggregation
 * that sees them all would take V8's slowest (megamorphic) path.
 */
export function emptyMatch(severity: Severity, messageStart: number): PrefixMatch {
  return {
    time: NaN, pid: 0, user: undefined, database: undefined, application: undefined, client: undefined, sessionId: undefined,
    sqlstate: undefined, backendType: undefined, severity, messageStart, message: '', line: 0, source: 0, event: undefined,
    detail: undefined, hint: undefined, context: undefined, statement: undefined, internalQuery: undefined,
  };
}

export interface LinePrefixMatcher {
  prefix: string;
  /** Returns undefined when the line does not start with this prefix and a severity. */
  match(line: string): PrefixMatch | undefined;
  /** Escapes that matter and are missing, each with its consequence. */
  missing: string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a `log_line_prefix` value; throws on an escape PostgreSQL does not know. */
export function compilePrefix(prefix: string): LinePrefixMatcher {
  let pattern = '^';
  const fields: Field[] = [];
  const used = new Set<string>();
  let optionalFrom = -1;
  for (let i = 0; i < prefix.length; i += 1) {
    const char = prefix[i]!;
    if (char !== '%') {
      pattern += escapeRegExp(char);
      continue;
    }
    i += 1;
    // Padding such as %-10u or %10u: the value may be surrounded by spaces.
    let padded = false;
    while (i < prefix.length && /[-\d]/.test(prefix[i]!)) {
      padded = true;
      i += 1;
    }
    const code = prefix[i];
    if (code === undefined) break;
    if (code === '%') {
      pattern += '%';
      continue;
    }
    if (code === 'q') {
      optionalFrom = pattern.length;
      continue;
    }
    const escape = escapes[code];
    if (!escape) throw new Error(`Unknown escape %${code} in log_line_prefix '${prefix}'.`);
    used.add(code);
    if (escape.field) fields.push(escape.field);
    pattern += padded ? ` *${escape.re} *` : escape.re;
  }
  if (optionalFrom >= 0) pattern = `${pattern.slice(0, optionalFrom)}(?:${pattern.slice(optionalFrom)})?`;
  // PostgreSQL writes two spaces after "SEVERITY:"; accept one for hand-edited logs.
  pattern += `${severityPattern}:  ?`;
  const regex = new RegExp(pattern);
  const missing = importantEscapes
    .filter((rule) => !rule.escapes.some((e) => used.has(e)))
    .map((rule) => rule.why);

  return {
    prefix,
    missing,
    match(line) {
      const m = regex.exec(line);
      if (!m) return undefined;
      const result = emptyMatch(m[fields.length + 1] as Severity, m[0].length);
      for (let f = 0; f < fields.length; f += 1) {
        const value = m[f + 1];
        if (value === undefined || value === '') continue;
        switch (fields[f]) {
          case 'time':
            result.time = parseLogTimestamp(value);
            break;
          case 'epoch':
            result.time = Math.round(Number(value) * 1000);
            break;
          case 'pid':
            result.pid = Number(value);
            break;
          case 'client':
            result.client = stripPort(value);
            break;
          // One named store per field: a computed property name here was a megamorphic store per line.
          case 'user':
            result.user = value;
            break;
          case 'database':
            result.database = value;
            break;
          case 'application':
            result.application = value;
            break;
          case 'sessionId':
            result.sessionId = value;
            break;
          case 'sqlstate':
            result.sqlstate = value;
            break;
          case 'backendType':
            result.backendType = value;
            break;
          default:
            break;
        }
      }
      return result;
    },
  };
}

/** %r is `host(port)`; breakdowns are per host. */
function stripPort(client: string): string {
  const paren = client.indexOf('(');
  return paren > 0 ? client.slice(0, paren) : client;
}

/** Common prefixes tried, in order, when none is given (Debian, RDS, Azure, Cloud SQL, pgBadger docs...). */
export const commonPrefixes = [
  '%m [%p] %q%u@%d ',
  '%t [%p] %q%u@%d ',
  '%m [%p-%l] %q%u@%d ',
  '%t [%p-%l] %q%u@%d ',
  '%m [%p] ',
  '%t [%p] ',
  '%m [%p] %e: db=%d,user=%u,app=%a,client=%h ',
  '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
  '%t [%p]: user=%u,db=%d,app=%a,client=%h ',
  '%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ',
  '%t [%p]: [%l-1] user=%u,db=%d ',
  '%t [%p]: [%l-1] db=%d,user=%u ',
  '%m [%p]: [%l-1] db=%d,user=%u ',
  '%t [%p]: db=%d,user=%u,app=%a,client=%h ',
  '%m [%p] user=%u,db=%d ',
  '%m [%p] [queryid=%Q] %q%u@%d ',
  '%m [%p] %q[user=%u,db=%d,app=%a] ',
  '%m [%p][%b][%v][%x] %q[user=%u,db=%d,app=%a] ',
  '%t:%r:%u@%d:[%p]:',
  '%m:%r:%u@%d:[%p]:',
  '%t-%c-',
  '[%p]: [%l-1] db=%d,user=%u ',
  '%m %r %u %a [%c] [%p] ',
  'pid=%p,user=%u,db=%d,app=%a,client=%h ',
  '%p-%s-%c-%l-%h-%u-%d-%m ',
  '%m|%u|%d|%c|',
  'db=%d,user=%u,app=%a,client=%h ',
  'user=%u,db=%d,app=%a,client=%h ',
  '[%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ',
  '[%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
  '%m ',
  '%t ',
  '',
];
