/**
 * Which reader reads an input: its format and, for stderr-like formats, the `log_line_prefix`
 * matcher. The choice is made once on the main thread and described as plain data, so that a
 * worker thread reading a byte range of the same input builds the same reader.
 */
import { detectPrefix, prefixSamples } from './format-detector.js';
import { compilePrefix, type LinePrefixMatcher } from './prefix-compiler.js';
import { HEURISTIC_PREFIX, heuristicPrefixMatcher } from './prefix-heuristics.js';
import { CsvReader } from './readers/csv-reader.js';
import { JsonReader } from './readers/json-reader.js';
import type { FormatReader, RecordSink } from './readers/record-sink.js';
import { StderrReader } from './readers/stderr-reader.js';
import { SyslogReader } from './readers/syslog-reader.js';
import type { LogAnalysisOptions, LogFormat } from './types.js';

/** The matcher as data: a `log_line_prefix` to compile, the heuristic reader, or none (csv/json). */
export type MatcherChoice = { prefix: string } | { heuristic: true } | null;

export interface ReaderChoice {
  format: LogFormat;
  matcher: MatcherChoice;
}

export function chooseMatcher(head: string, format: LogFormat, options: Pick<LogAnalysisOptions, 'prefix'>): MatcherChoice {
  if (format === 'csvlog' || format === 'jsonlog' || format === 'cnpg' || format === 'azure') return null;
  if (options.prefix !== undefined && format !== 'cloudsql' && format !== 'logplex') return { prefix: options.prefix };
  if (format === 'logplex') return { prefix: '' };
  const detected = detectPrefix(prefixSamples(head, format)).matcher;
  return detected.prefix === HEURISTIC_PREFIX ? { heuristic: true } : { prefix: detected.prefix };
}

export function buildMatcher(choice: MatcherChoice): LinePrefixMatcher | undefined {
  if (choice === null) return undefined;
  return 'heuristic' in choice ? heuristicPrefixMatcher() : compilePrefix(choice.prefix);
}

/** `scanBytes`: plain stderr lines are read from bytes by the WebAssembly scanner where it can. */
export function createReader(format: LogFormat, matcher: LinePrefixMatcher | undefined, sink: RecordSink, scanBytes = false): FormatReader {
  switch (format) {
    case 'csvlog':
      return new CsvReader(sink);
    case 'jsonlog':
    case 'cnpg':
    case 'azure':
      return new JsonReader(sink);
    case 'cloudsql':
      return new JsonReader(sink, matcher);
    case 'syslog':
    case 'logplex':
      return new SyslogReader(matcher!, sink);
    default:
      return new StderrReader(matcher!, sink, scanBytes);
  }
}

/** stderr readers keep DETAIL/STATEMENT... next to their message; syslog interleaves processes. */
export function stitchesAdjacent(format: LogFormat): boolean {
  return format !== 'syslog' && format !== 'logplex';
}
