/**
 * Fallback for stderr lines whose `log_line_prefix` is unknown and not among the common ones:
 * find "SEVERITY:  " and read what it can from the text before it (timestamp, [pid], user=,
 * db=, app=, client=, user@db). Slower than a compiled prefix; used only when detection fails.
 */
import { emptyMatch, type LinePrefixMatcher } from './prefix-compiler.js';
import { parseLogTimestamp } from './timestamp.js';
import type { Severity } from './types.js';

const severities = new Set([
  'LOG', 'ERROR', 'WARNING', 'FATAL', 'PANIC', 'DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION',
  'INFO', 'NOTICE', 'DEBUG', 'DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5',
]);

const leadingTime = /^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?[A-Za-z][A-Za-z0-9]*|Z|[+-]\d\d(?::?\d\d)?| [+-]\d\d(?::?\d\d)?)?)/;
const pidBracket = /\[(\d+)(?:-\d+)?\]/;
const keyValue = /\b(user|usr|db|database|dbname|app|appli|application|client|host|remote|pid)=(\[[^\]]*\]|[^,\s\]]*)/g;

/** Finds "SEVERITY:  " and returns the index of the severity word, or -1. */
export function findSeverity(line: string): { at: number; severity: Severity } | undefined {
  let colon = line.indexOf(': ');
  while (colon > 0) {
    let start = colon;
    while (start > 0) {
      const c = line.charCodeAt(start - 1);
      if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57)) start -= 1;
      else break;
    }
    const word = line.slice(start, colon);
    if ((start === 0 || line.charCodeAt(start - 1) <= 32 || line.charCodeAt(start - 1) === 58 /* : */ || line.charCodeAt(start - 1) === 93 /* ] */ || line.charCodeAt(start - 1) === 124 /* | */) && severities.has(word)) {
      return { at: start, severity: (word === 'DEBUG' ? 'DEBUG' : word) as Severity };
    }
    colon = line.indexOf(': ', colon + 1);
  }
  return undefined;
}

/** What the report shows as the prefix of lines read heuristically. */
export const HEURISTIC_PREFIX = '(not recognised: fields read heuristically)';

export function heuristicPrefixMatcher(): LinePrefixMatcher {
  return {
    prefix: HEURISTIC_PREFIX,
    missing: [],
    match(line) {
      const found = findSeverity(line);
      if (!found) return undefined;
      const prefix = line.slice(0, found.at);
      const spaces = line.charCodeAt(found.at + found.severity.length + 2) === 32 ? 3 : 2;
      const result = emptyMatch(found.severity, found.at + found.severity.length + spaces);
      const time = leadingTime.exec(prefix);
      let rest = prefix;
      if (time) {
        result.time = parseLogTimestamp(time[1]!.replace('T', ' '));
        rest = prefix.slice(time[1]!.length);
      }
      const pid = pidBracket.exec(rest);
      if (pid) result.pid = Number(pid[1]);
      let sawUser = false;
      for (const kv of rest.matchAll(keyValue)) {
        const value = kv[2]!;
        switch (kv[1]) {
          case 'user':
          case 'usr':
            sawUser = true;
            if (value) result.user = value;
            break;
          case 'db':
          case 'database':
          case 'dbname':
            if (value) result.database = value;
            break;
          case 'app':
          case 'appli':
          case 'application':
            if (value) result.application = value;
            break;
          case 'pid':
            if (value) result.pid = Number(value);
            break;
          default:
            if (value) result.client = value;
        }
      }
      if (!sawUser) {
        // "%u@%d" (Debian default, RDS): the last word with an @ before the severity.
        const words = rest.trim().split(/[\s:]+/);
        for (let w = words.length - 1; w >= 0; w -= 1) {
          const at = words[w]!.indexOf('@');
          if (at >= 0) {
            const user = words[w]!.slice(0, at);
            const database = words[w]!.slice(at + 1);
            if (user) result.user = user;
            if (database) result.database = database;
            break;
          }
        }
      }
      return result;
    },
  };
}
