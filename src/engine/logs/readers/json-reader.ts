/**
 * One JSON object per line: PostgreSQL 15+ jsonlog, and the cloud envelopes that carry
 * PostgreSQL records inside (CloudNativePG `record` with csvlog field names, Google Cloud SQL
 * `textPayload` holding one stderr line, Azure `properties`). Objects without a PostgreSQL
 * record (CloudNativePG operator messages) are skipped and counted, not reported as unparsed.
 */
import type { LinePrefixMatcher } from '../prefix-compiler.js';
import { parseLogTimestamp } from '../timestamp.js';
import type { LogRecord, Severity } from '../types.js';
import type { FormatReader, RecordSink } from './record-sink.js';
import { StderrReader } from './stderr-reader.js';

type Json = Record<string, unknown>;

const severities = new Set(['LOG', 'ERROR', 'WARNING', 'FATAL', 'PANIC', 'INFO', 'NOTICE', 'DEBUG', 'DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5']);

function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : String(value);
  return text === '' ? undefined : text;
}

function isoTime(value: unknown): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const text = str(value);
  if (text === undefined) return NaN;
  const pg = parseLogTimestamp(text);
  if (!Number.isNaN(pg)) return pg;
  return Date.parse(text);
}

/** Field names of a record: jsonlog's own, or csvlog's (CloudNativePG). */
const jsonlogNames = {
  time: 'timestamp', user: 'user', database: 'dbname', pid: 'pid', host: 'remote_host', sessionId: 'session_id',
  severity: 'error_severity', sqlstate: 'state_code', message: 'message', detail: 'detail', hint: 'hint',
  internalQuery: 'internal_query', context: 'context', statement: 'statement', application: 'application_name', backendType: 'backend_type',
};
const csvNames = {
  time: 'log_time', user: 'user_name', database: 'database_name', pid: 'process_id', host: 'connection_from', sessionId: 'session_id',
  severity: 'error_severity', sqlstate: 'sql_state_code', message: 'message', detail: 'detail', hint: 'hint',
  internalQuery: 'internal_query', context: 'context', statement: 'query', application: 'application_name', backendType: 'backend_type',
};

export class JsonReader implements FormatReader {
  private readonly inner: StderrReader | undefined;
  private envelopeTime = NaN;
  private kind = 'jsonlog';

  constructor(
    private readonly sink: RecordSink,
    innerMatcher?: LinePrefixMatcher,
  ) {
    if (innerMatcher) {
      // Cloud SQL: the text payload is a stderr line; records take the envelope's time.
      this.inner = new StderrReader(innerMatcher, {
        record: (record) => {
          if (Number.isNaN(record.time)) record.time = this.envelopeTime;
          sink.record(record);
        },
        unparsed: (line, text, reason) => sink.unparsed(line, text, reason),
        skipped: (line, reason) => sink.skipped(line, reason),
      });
    }
  }

  describe(): string {
    return this.inner ? `${this.kind} (payload prefix '${this.inner.describe()}')` : this.kind;
  }

  push(line: string, lineNumber: number): void {
    const trimmed = line.trim();
    if (trimmed.length === 0) return;
    let object: Json;
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      object = parsed as Json;
    } catch {
      this.sink.unparsed(lineNumber, line.slice(0, 300), 'not a JSON object');
      return;
    }
    if (typeof object.textPayload === 'string') {
      this.kind = 'cloudsql';
      this.envelopeTime = isoTime(object.timestamp);
      if (this.inner) {
        for (const payloadLine of object.textPayload.split('\n')) this.inner.push(payloadLine, lineNumber);
      } else this.sink.unparsed(lineNumber, line.slice(0, 300), 'Cloud SQL payload without a known prefix');
      return;
    }
    if (object.record !== null && typeof object.record === 'object') {
      this.kind = 'cnpg';
      const record = object.record as Json;
      if (record.error_severity === undefined) {
        this.sink.skipped(lineNumber, 'CloudNativePG record without a PostgreSQL severity');
        return;
      }
      this.accept(record, csvNames, lineNumber, line);
      return;
    }
    if (object.properties !== null && typeof object.properties === 'object' && 'errorLevel' in (object.properties as Json)) {
      this.kind = 'azure';
      const p = object.properties as Json;
      this.accept(
        { timestamp: object.time, error_severity: p.errorLevel, state_code: p.sqlerrcode, message: p.message, pid: p.processId, user: p.user, dbname: p.database, detail: p.detail, hint: p.hint, statement: p.statement },
        jsonlogNames,
        lineNumber,
        line,
      );
      return;
    }
    if ('level' in object && 'msg' in object && !('error_severity' in object)) {
      this.sink.skipped(lineNumber, 'CloudNativePG operator message (not a PostgreSQL record)');
      return;
    }
    this.accept(object, jsonlogNames, lineNumber, line);
  }

  private accept(object: Json, names: typeof jsonlogNames, lineNumber: number, line: string): void {
    const severity = str(object[names.severity]) ?? '';
    const time = isoTime(object[names.time]);
    if (!severities.has(severity)) {
      this.sink.unparsed(lineNumber, line.slice(0, 300), `JSON object without a PostgreSQL severity (${names.severity})`);
      return;
    }
    const record: LogRecord = {
      time,
      pid: Number(object[names.pid]) || 0,
      severity: severity as Severity,
      message: str(object[names.message]) ?? '',
      line: lineNumber,
    };
    const set = (key: 'user' | 'database' | 'sessionId' | 'sqlstate' | 'detail' | 'hint' | 'internalQuery' | 'context' | 'statement' | 'application' | 'backendType', name: string) => {
      const value = str(object[name]);
      if (value !== undefined) record[key] = value;
    };
    set('user', names.user);
    set('database', names.database);
    set('sessionId', names.sessionId);
    set('sqlstate', names.sqlstate);
    set('detail', names.detail);
    set('hint', names.hint);
    set('internalQuery', names.internalQuery);
    set('context', names.context);
    set('statement', names.statement);
    set('application', names.application);
    set('backendType', names.backendType);
    let host = str(object[names.host]);
    if (host !== undefined && names === csvNames) {
      const colon = host.lastIndexOf(':');
      if (colon > 0 && /^\d+$/.test(host.slice(colon + 1))) host = host.slice(0, colon);
    }
    if (host !== undefined) record.client = host;
    this.sink.record(record);
  }

  end(): void {
    this.inner?.end();
  }
}
