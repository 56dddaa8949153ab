/**
 * Detects the format of an input from its first lines, and the `log_line_prefix` of stderr
 * (and syslog / Cloud SQL message bodies) by trying the common prefixes on sample lines.
 */
import { commonPrefixes, compilePrefix, type LinePrefixMatcher } from './prefix-compiler.js';
import { findSeverity, heuristicPrefixMatcher } from './prefix-heuristics.js';
import { parseSyslogHeader } from './readers/syslog-reader.js';
import type { LogFormat } from './types.js';

const csvStart = /^"?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z0-9+-]+)?"?,/;
const csvSeverity = /,(?:LOG|ERROR|WARNING|FATAL|PANIC|INFO|NOTICE|DEBUG[1-5]?),(?:[0-9A-Z]{5})?,/;

function sampleLines(head: string): string[] {
  const lines = head.split('\n');
  if (lines.length > 1) lines.pop(); // possibly cut in the middle
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim().length > 0).slice(0, 400);
}

export function detectFormat(head: string): LogFormat {
  const lines = sampleLines(head);
  const first = lines[0] ?? '';
  if (first.trimStart().startsWith('{')) {
    try {
      const object = JSON.parse(first) as Record<string, unknown>;
      if ('textPayload' in object) return 'cloudsql';
      if ('record' in object || ('logger' in object && 'level' in object)) return 'cnpg';
      if ('properties' in object) return 'azure';
    } catch {
      // fall through: treat as jsonlog and let the reader report bad lines
    }
    return 'jsonlog';
  }
  const year = new Date().getUTCFullYear();
  const syslogLines = lines.filter((l) => parseSyslogHeader(l, year) !== undefined).length;
  if (syslogLines > 0 && syslogLines >= lines.length * 0.5) {
    return lines.some((l) => l.includes(' app[postgres.')) ? 'logplex' : 'syslog';
  }
  const csvLines = lines.filter((l) => csvStart.test(l) && csvSeverity.test(l)).length;
  if (csvLines > 0 && csvLines >= lines.filter((l) => csvStart.test(l)).length * 0.5) return 'csvlog';
  return 'stderr';
}

/** Message bodies for prefix detection: syslog lines without their header, Cloud SQL payloads. */
export function prefixSamples(head: string, format: LogFormat): string[] {
  const lines = sampleLines(head);
  if (format === 'syslog' || format === 'logplex') {
    const year = new Date().getUTCFullYear();
    return lines.flatMap((l) => {
      const header = parseSyslogHeader(l, year);
      return header ? [l.slice(header.bodyStart)] : [];
    });
  }
  if (format === 'cloudsql') {
    return lines.flatMap((l) => {
      try {
        const payload = (JSON.parse(l) as { textPayload?: unknown }).textPayload;
        return typeof payload === 'string' ? [payload] : [];
      } catch {
        return [];
      }
    });
  }
  return lines;
}

export interface PrefixChoice {
  matcher: LinePrefixMatcher;
  /** Share of sample lines with a severity that the chosen prefix matched. */
  matched: number;
  sampled: number;
}

/** Tries the common prefixes on the lines that carry a severity; picks the one matching most. */
export function detectPrefix(samples: string[]): PrefixChoice {
  const candidates = samples.filter((l) => l.charCodeAt(0) !== 9 && findSeverity(l) !== undefined).slice(0, 200);
  if (candidates.length === 0) return { matcher: compilePrefix(commonPrefixes[0]!), matched: 0, sampled: 0 };
  let best: PrefixChoice | undefined;
  for (const prefix of commonPrefixes) {
    const matcher = compilePrefix(prefix);
    let matched = 0;
    for (const line of candidates) if (matcher.match(line) !== undefined) matched += 1;
    if (best === undefined || matched > best.matched) best = { matcher, matched, sampled: candidates.length };
    if (matched === candidates.length) break;
  }
  if (best === undefined || best.matched < candidates.length * 0.5) {
    return { matcher: heuristicPrefixMatcher(), matched: candidates.length, sampled: candidates.length };
  }
  return best;
}
