/**
 * syslog / rsyslog (BSD, ISO 8601 and RFC 5424 headers) and Heroku logplex. PostgreSQL numbers
 * each syslog line `[N-M]`: N is the message, M the line within it; M > 1 lines without a
 * prefix continue message N of the same process (after a newline when they start with a tab,
 * directly when PostgreSQL cut a long line at 900 bytes). Records stay open per process id
 * because lines of concurrent processes interleave.
 */
import type { LinePrefixMatcher } from '../prefix-compiler.js';
import { parseSyslogTime } from '../timestamp.js';
import type { LogRecord } from '../types.js';
import type { FormatReader, RecordSink } from './record-sink.js';
import { StderrReader } from './stderr-reader.js';

const bsd = /^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?) (\S+) ([^\s[]+)\[(\d+)\]: \[(\d+)-(\d+)\] ?/;
const iso = /^(\d{4}-\d\d-\d\dT\S+) (\S+) ([^\s[]+)\[(\d+)\]: \[(\d+)-(\d+)\] ?/;
const rfc5424 = /^<\d+>1 (\S+) (\S+) (\S+) (\d+) \S+ \S+ \[(\d+)-(\d+)\] ?/;
const logplex = /^(\S+) (?:\S+ )?app\[postgres\.(\d+)\]:? \[(\w+)\] \[(\d+)-(\d+)\] ?/;
/** A syslog line of another program (systemd, kernel...): expected in a shared syslog file. */
const otherProgram = /^(?:<\d+>1 \S+ \S+ \S+ \S+|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ [^\s[]+(?:\[\d+\])?:|\d{4}-\d\d-\d\dT\S+ \S+ [^\s[]+(?:\[\d+\])?:) /;
const logplexState = /^\s*sql_error_code = ([0-9A-Z]{5}) /;

export interface SyslogHeader {
  time: number;
  pid: number;
  line: number;
  database?: string;
  sqlstate?: string;
  bodyStart: number;
}

/** Reads a syslog header; `year` fills in the year BSD headers leave out. */
export function parseSyslogHeader(line: string, year: number): SyslogHeader | undefined {
  let m = rfc5424.exec(line);
  if (m) return { time: Date.parse(m[1]!), pid: Number(m[4]), line: Number(m[6]), bodyStart: m[0].length };
  m = iso.exec(line);
  if (m) return { time: Date.parse(m[1]!), pid: Number(m[4]), line: Number(m[6]), bodyStart: m[0].length };
  m = bsd.exec(line);
  if (m) return { time: parseSyslogTime(m[1]!, year), pid: Number(m[4]), line: Number(m[6]), bodyStart: m[0].length };
  m = logplex.exec(line);
  if (m) {
    const header: SyslogHeader = { time: Date.parse(m[1]!), pid: Number(m[2]), line: Number(m[5]), database: m[3]!, bodyStart: m[0].length };
    const state = logplexState.exec(line.slice(header.bodyStart));
    if (state) {
      header.sqlstate = state[1]!;
      header.bodyStart += state[0].length;
    }
    return header;
  }
  return undefined;
}

const MAX_OPEN = 512;

export class SyslogReader implements FormatReader {
  private readonly open = new Map<number, LogRecord>();
  private readonly body: StderrReader;
  private readonly year: number;

  constructor(
    matcher: LinePrefixMatcher,
    private readonly sink: RecordSink,
    year = new Date().getUTCFullYear(),
  ) {
    this.year = year;
    this.body = new StderrReader(matcher, sink);
  }

  describe(): string {
    return `syslog (message prefix '${this.body.describe()}')`;
  }

  push(rawLine: string, lineNumber: number): void {
    const line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    if (line.length === 0) return;
    const header = parseSyslogHeader(line, this.year);
    if (header === undefined) {
      if (otherProgram.test(line)) {
        this.sink.skipped(lineNumber, 'syslog line of another program');
        return;
      }
      this.sink.unparsed(lineNumber, line, 'not a syslog line from PostgreSQL (no "prog[pid]: [N-M]" header)');
      return;
    }
    let body = line.slice(header.bodyStart);
    if (body.startsWith('#011')) body = `\t${body.slice(4)}`;
    const record = this.body.parse(body, lineNumber);
    if (record !== undefined) {
      if (record.pid === 0) record.pid = header.pid;
      if (Number.isNaN(record.time)) record.time = header.time;
      if (record.database === undefined && header.database !== undefined) record.database = header.database;
      if (record.sqlstate === undefined && header.sqlstate !== undefined) record.sqlstate = header.sqlstate;
      const previous = this.open.get(header.pid);
      if (previous !== undefined) {
        this.open.delete(header.pid);
        this.sink.record(previous);
      }
      this.open.set(header.pid, record);
      if (this.open.size > MAX_OPEN) {
        const [oldestPid, oldest] = this.open.entries().next().value as [number, LogRecord];
        this.open.delete(oldestPid);
        this.sink.record(oldest);
      }
      return;
    }
    const current = this.open.get(header.pid);
    if (current !== undefined && header.line > 1) {
      current.message += body.charCodeAt(0) === 9 ? `\n${body.slice(1)}` : body;
      return;
    }
    this.sink.unparsed(lineNumber, line, 'syslog message body does not start with the log_line_prefix and a severity');
  }

  end(): void {
    for (const record of this.open.values()) this.sink.record(record);
    this.open.clear();
  }
}
