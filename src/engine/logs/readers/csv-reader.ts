/**
 * csvlog: one CSV record per entry (quoted fields may span lines). Column positions are the
 * same in every PostgreSQL version (8.4: 22 columns, 9.0-12: 23, 13: 24, 14+: 26); later
 * versions only append columns, so the reader indexes by position and tolerates extra ones.
 */
import { parseLogTimestamp } from '../timestamp.js';
import type { LogRecord, Severity } from '../types.js';
import type { FormatReader, RecordSink } from './record-sink.js';

const col = {
  time: 0, user: 1, database: 2, pid: 3, client: 4, sessionId: 5, severity: 11, sqlstate: 12, message: 13,
  detail: 14, hint: 15, internalQuery: 16, context: 18, query: 19, application: 22, backendType: 23,
} as const;

const severities = new Set(['LOG', 'ERROR', 'WARNING', 'FATAL', 'PANIC', 'INFO', 'NOTICE', 'DEBUG', 'DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5']);

/** Parses one CSV record; returns undefined while a quoted field is still open. */
export function parseCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let start = i + 1;
      let j = start;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return undefined;
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(start, q + 1);
          j = q + 2;
          start = j;
          continue;
        }
        value += text.slice(start, q);
        i = q + 1;
        break;
      }
      fields.push(value);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      fields.push(text.slice(i, end));
      i = end;
    }
    if (i >= n) return fields;
    if (text.charCodeAt(i) !== 44) {
      // Garbage after a closing quote: keep reading to the next comma.
      const comma = text.indexOf(',', i);
      if (comma < 0) return fields;
      i = comma;
    }
    i += 1;
    if (i === n) {
      fields.push('');
      return fields;
    }
  }
}

function clientHost(connectionFrom: string): string | undefined {
  if (connectionFrom === '') return undefined;
  // "10.0.0.1:5432" or "[local]" or "::1:5432" (IPv6 with port after the last colon)
  const colon = connectionFrom.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(connectionFrom.slice(colon + 1))) return connectionFrom.slice(0, colon);
  return connectionFrom;
}

export class CsvReader implements FormatReader {
  private pending = '';
  private pendingLine = 0;
  private pendingLines = 0;
  private quotes = 0;

  constructor(private readonly sink: RecordSink) {}

  describe(): string {
    return 'csvlog';
  }

  push(rawLine: string, lineNumber: number): void {
    const line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    if (this.pendingLines === 0) {
      if (line.length === 0) return;
      this.pending = line;
      this.pendingLine = lineNumber;
    } else {
      this.pending += `\n${line}`;
    }
    this.pendingLines += 1;
    // A record is complete when its quotes balance; counting them avoids re-parsing long records.
    for (let q = line.indexOf('"'); q >= 0; q = line.indexOf('"', q + 1)) this.quotes += 1;
    const fields = this.quotes % 2 === 0 ? parseCsvRecord(this.pending) : undefined;
    if (fields === undefined) {
      // A quoted field never closed: give up after a very long record rather than swallow the file.
      if (this.pending.length > 64 * 1024 * 1024) this.flushBroken('quoted field never closed');
      return;
    }
    this.accept(fields, this.pending);
    this.pending = '';
    this.pendingLines = 0;
    this.quotes = 0;
  }

  private flushBroken(reason: string): void {
    this.sink.unparsed(this.pendingLine, this.pending.slice(0, 300), reason);
    this.pending = '';
    this.pendingLines = 0;
    this.quotes = 0;
  }

  private accept(fields: string[], text: string): void {
    const severity = fields[col.severity] ?? '';
    const time = parseLogTimestamp(fields[col.time] ?? '');
    if (fields.length < 22 || !severities.has(severity) || Number.isNaN(time)) {
      this.sink.unparsed(this.pendingLine, text.slice(0, 300), `not a csvlog record (${fields.length} columns, severity '${severity.slice(0, 20)}')`);
      return;
    }
    const record: LogRecord = {
      time,
      pid: Number(fields[col.pid]) || 0,
      severity: severity as Severity,
      message: fields[col.message] ?? '',
      line: this.pendingLine,
    };
    const set = (key: 'user' | 'database' | 'sessionId' | 'sqlstate' | 'detail' | 'hint' | 'internalQuery' | 'context' | 'statement' | 'application' | 'backendType', index: number) => {
      const value = fields[index];
      if (value !== undefined && value !== '') record[key] = value;
    };
    set('user', col.user);
    set('database', col.database);
    set('sessionId', col.sessionId);
    set('sqlstate', col.sqlstate);
    set('detail', col.detail);
    set('hint', col.hint);
    set('internalQuery', col.internalQuery);
    set('context', col.context);
    set('statement', col.query);
    if (fields.length >= 23) set('application', col.application);
    if (fields.length >= 24) set('backendType', col.backendType);
    const client = clientHost(fields[col.client] ?? '');
    if (client !== undefined) record.client = client;
    this.sink.record(record);
  }

  end(): void {
    if (this.pendingLines > 0) this.flushBroken('truncated record at the end of the file (quoted field never closed)');
  }
}
