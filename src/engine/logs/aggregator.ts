/**
 * Aggregator: classified entries -> per-statement statistics, errors, events and the per-minute
 * time series. State is bounded: one accumulator per statement group, error kind, table and
 * minute, plus one pending statement per open session.
 */
import type { CountAndTime, ErrorStats, LogEvents, MinutePoint, QueryStats, TableMaintenance } from './analysis-types.js';
import { classify, type LogEvent } from './classifier.js';
import { detach } from './detach.js';
import { LatencySketch } from './latency-sketch.js';
import { normalizeErrorMessage, sqlstateClass } from './error-normalizer.js';
import { keyToDisplayText, normalizeStatement } from './sql-normalizer.js';
import type { StatementGroupRef, StatementGrouper } from './statement-grouper.js';
import type { LogAnalysisOptions, LogEntry } from './types.js';

interface QueryAccumulator {
  ref: StatementGroupRef;
  calls: number;
  sketch: LatencySketch;
  totalMs: number;
  parseBindMs: number;
  first: number;
  last: number;
  example: string;
  exampleParameters: string | undefined;
  exampleDurationMs: number;
  exampleTime: number;
  plan: { durationMs: number; text: string } | undefined;
  plans: number;
  byDatabase: Map<string, CountAndTime>;
  byUser: Map<string, CountAndTime>;
  byApplication: Map<string, CountAndTime>;
  byClient: Map<string, CountAndTime>;
}

interface ErrorAccumulator {
  severity: string;
  sqlstate: string | null;
  message: string;
  count: number;
  first: number;
  last: number;
  example: LogEntry;
}

interface PendingStatement {
  query: string;
  entry: LogEntry;
}

const MAX_SESSIONS = 10_000;
const MAX_PLAN_CHARS = 64 * 1024;
const MAX_EXAMPLES = 20;

function iso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function bump(map: Map<string, CountAndTime>, key: string | undefined, ms: number): void {
  const k = key ?? '(unknown)';
  const item = map.get(k);
  if (item) {
    item.calls += 1;
    item.total_ms += ms;
  } else map.set(detach(k), { calls: 1, total_ms: ms });
}

function count(map: Map<string, number>, key: string | undefined): void {
  const k = key === undefined || key === '' ? '(unknown)' : key;
  const n = map.get(k);
  if (n === undefined) map.set(detach(k), 1);
  else map.set(k, n + 1);
}

function record<V>(map: Map<string, V>): Record<string, V> {
  return Object.fromEntries([...map.entries()].sort((a, b) => (b[0] < a[0] ? 1 : -1)));
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export class LogAggregator {
  private readonly queries = new Map<string, QueryAccumulator>();
  private readonly errors = new Map<string, ErrorAccumulator>();
  private readonly sessions = new Map<number, PendingStatement>();
  private readonly minutes = new Map<number, MinutePoint>();
  private readonly vacuums = new Map<string, TableMaintenance>();
  private readonly analyzes = new Map<string, TableMaintenance>();
  private readonly tempByQuery = new Map<string, { fingerprint: string | null; query: string; count: number; total_bytes: number; max_bytes: number }>();
  private readonly sessionSketch = new LatencySketch();
  private readonly conn = { byDatabase: new Map<string, number>(), byUser: new Map<string, number>(), byHost: new Map<string, number>(), byApplication: new Map<string, number>() };
  private readonly disc = { byDatabase: new Map<string, number>(), byUser: new Map<string, number>(), byHost: new Map<string, number>() };
  private readonly lockModes = new Map<string, number>();
  private readonly checkpointReasons = new Map<string, number>();
  readonly events: LogEvents;
  entries = 0;
  filteredOut = 0;
  first = Infinity;
  last = -Infinity;
  errorsTotal = 0;
  warningsTotal = 0;
  durationsWithoutStatement = 0;
  private sampleCounter = 0;
  private readonly sampleEvery: number;
  private readonly since: number;
  private readonly until: number;

  constructor(
    private readonly grouper: StatementGrouper,
    private readonly options: LogAnalysisOptions,
  ) {
    this.sampleEvery = Math.max(1, Math.floor(options.sample ?? 1));
    this.since = options.since ? options.since.getTime() : -Infinity;
    this.until = options.until ? options.until.getTime() : Infinity;
    this.events = {
      checkpoints: { count: 0, started: 0, timed: 0, requested: 0, by_reason: {}, buffers_written: 0, write_s: 0, sync_s: 0, total_s: 0, max_total_s: 0, restartpoints: 0, warnings: 0 },
      autovacuum: { count: 0, tuples_removed: 0, pages_removed: 0, total_s: 0, tables: [] },
      autoanalyze: { count: 0, total_s: 0, tables: [] },
      lock_waits: { count: 0, acquired: 0, deadlock_detected: 0, total_wait_ms: 0, max_wait_ms: 0, by_lock_mode: {}, examples: [] },
      deadlocks: { count: 0, examples: [] },
      temp_files: { count: 0, total_bytes: 0, max_bytes: 0, by_query: [] },
      connections: { count: 0, received: 0, by_database: {}, by_user: {}, by_host: {}, by_application: {} },
      disconnections: { count: 0, session_total_ms: 0, session_mean_ms: null, session_max_ms: null, session_p50_ms: null, session_p95_ms: null, by_database: {}, by_user: {}, by_host: {} },
      server: { starts: 0, ready: 0, shutdown_requests: 0, shutdowns: 0, crashes: 0, recoveries: 0, events: [] },
    };
  }

  private passes(entry: LogEntry): boolean {
    const o = this.options;
    if (entry.time < this.since || entry.time > this.until) return false;
    if (o.database !== undefined && entry.database !== o.database) return false;
    if (o.user !== undefined && entry.user !== o.user) return false;
    if (o.application !== undefined && entry.application !== o.application) return false;
    return true;
  }

  private lastMinuteKey = NaN;
  private lastMinute: MinutePoint | undefined;

  private minute(time: number): MinutePoint | undefined {
    if (!Number.isFinite(time)) return undefined;
    const key = time - (time % 60_000);
    if (key === this.lastMinuteKey) return this.lastMinute;
    let point = this.minutes.get(key);
    if (point === undefined) {
      point = { minute: new Date(key).toISOString(), calls: 0, total_ms: 0, errors: 0, temp_bytes: 0, lock_waits: 0 };
      this.minutes.set(key, point);
    }
    this.lastMinuteKey = key;
    this.lastMinute = point;
    return point;
  }

  add(entry: LogEntry): void {
    if (!this.passes(entry)) {
      this.filteredOut += 1;
      return;
    }
    this.entries += 1;
    if (entry.time < this.first) this.first = entry.time;
    if (entry.time > this.last) this.last = entry.time;
    const severity = entry.severity;
    if (severity === 'ERROR' || severity === 'FATAL' || severity === 'PANIC') this.addError(entry);
    else if (severity === 'WARNING') this.warningsTotal += 1;
    const event = classify(entry);
    if (event.kind !== 'other') this.addEvent(event, entry);
  }

  private addEvent(event: LogEvent, entry: LogEntry): void {
    switch (event.kind) {
      case 'query':
        return this.onQuery(event.step, event.query, event.durationMs, entry);
      case 'logged-statement':
        return this.onLoggedStatement(event.query, entry);
      case 'duration': {
        const pending = this.sessions.get(entry.pid);
        if (pending === undefined) {
          this.durationsWithoutStatement += 1;
          return;
        }
        this.sessions.delete(entry.pid);
        return this.recordCall(pending.query, event.durationMs, pending.entry, entry.time);
      }
      case 'plan':
        return this.onPlan(event.query, event.plan, event.durationMs);
      case 'connection-received':
        this.events.connections.received += 1;
        return;
      case 'connection-authorized':
        this.events.connections.count += 1;
        count(this.conn.byDatabase, event.database);
        count(this.conn.byUser, event.user);
        count(this.conn.byHost, entry.client);
        count(this.conn.byApplication, event.application ?? entry.application);
        return;
      case 'disconnection':
        this.events.disconnections.count += 1;
        if (Number.isFinite(event.sessionMs)) {
          this.sessionSketch.add(event.sessionMs);
          this.events.disconnections.session_total_ms += event.sessionMs;
        }
        count(this.disc.byDatabase, event.database);
        count(this.disc.byUser, event.user);
        count(this.disc.byHost, event.host);
        this.flushSession(entry.pid);
        return;
      case 'checkpoint-start': {
        const c = this.events.checkpoints;
        c.started += 1;
        const reasons = event.reason.split(' ');
        if (reasons.includes('time')) c.timed += 1;
        else c.requested += 1;
        this.checkpointReasons.set(detach(event.reason), (this.checkpointReasons.get(event.reason) ?? 0) + 1);
        return;
      }
      case 'checkpoint-complete': {
        const c = this.events.checkpoints;
        if (event.restartpoint) c.restartpoints += 1;
        else c.count += 1;
        c.buffers_written += event.buffers;
        c.write_s += event.writeS;
        c.sync_s += event.syncS;
        c.total_s += event.totalS;
        c.max_total_s = Math.max(c.max_total_s, event.totalS);
        return;
      }
      case 'checkpoint-warning':
        this.events.checkpoints.warnings += 1;
        return;
      case 'autovacuum': {
        const v = this.events.autovacuum;
        v.count += 1;
        v.tuples_removed += event.tuplesRemoved;
        v.pages_removed += event.pagesRemoved;
        v.total_s += event.elapsedS;
        const t = this.vacuums.get(event.table) ?? { table: event.table, count: 0, tuples_removed: 0, pages_removed: 0, total_s: 0, max_s: 0 };
        t.count += 1;
        t.tuples_removed! += event.tuplesRemoved;
        t.pages_removed! += event.pagesRemoved;
        t.total_s += event.elapsedS;
        t.max_s = Math.max(t.max_s, event.elapsedS);
        this.vacuums.set(event.table, t);
        return;
      }
      case 'autoanalyze': {
        const a = this.events.autoanalyze;
        a.count += 1;
        a.total_s += event.elapsedS;
        const t = this.analyzes.get(event.table) ?? { table: event.table, count: 0, total_s: 0, max_s: 0 };
        t.count += 1;
        t.total_s += event.elapsedS;
        t.max_s = Math.max(t.max_s, event.elapsedS);
        this.analyzes.set(event.table, t);
        return;
      }
      case 'temp-file': {
        const t = this.events.temp_files;
        t.count += 1;
        t.total_bytes += event.bytes;
        t.max_bytes = Math.max(t.max_bytes, event.bytes);
        const point = this.minute(entry.time);
        if (point) point.temp_bytes += event.bytes;
        const statement = entry.statement;
        const ref = statement ? this.grouper.resolve(statement)[0] : undefined;
        const key = ref?.fingerprint ?? '(no statement logged)';
        const item = this.tempByQuery.get(key) ?? { fingerprint: ref?.fingerprint ?? null, query: ref?.query ?? '(no statement logged)', count: 0, total_bytes: 0, max_bytes: 0 };
        item.count += 1;
        item.total_bytes += event.bytes;
        item.max_bytes = Math.max(item.max_bytes, event.bytes);
        this.tempByQuery.set(key, item);
        return;
      }
      case 'lock-wait': {
        const l = this.events.lock_waits;
        if (event.state === 'waiting') {
          l.count += 1;
          this.lockModes.set(event.lockMode, (this.lockModes.get(event.lockMode) ?? 0) + 1);
          const point = this.minute(entry.time);
          if (point) point.lock_waits += 1;
        } else if (event.state === 'acquired') {
          l.acquired += 1;
          l.total_wait_ms += event.waitMs;
        } else if (event.state === 'deadlock-detected') l.deadlock_detected += 1;
        l.max_wait_ms = Math.max(l.max_wait_ms, event.waitMs);
        if (l.examples.length < MAX_EXAMPLES || event.waitMs > (l.examples[l.examples.length - 1]?.wait_ms ?? 0)) {
          const example: LogEvents['lock_waits']['examples'][number] = { time: iso(entry.time), lock_mode: detach(event.lockMode), object: detach(event.object), wait_ms: event.waitMs, state: event.state };
          if (entry.statement !== undefined) example.statement = detach(this.mask(entry.statement));
          if (entry.detail !== undefined) example.detail = detach(entry.detail);
          if (entry.database !== undefined) example.database = detach(entry.database);
          l.examples.push(example);
          l.examples.sort((a, b) => b.wait_ms - a.wait_ms);
          if (l.examples.length > MAX_EXAMPLES) l.examples.pop();
        }
        return;
      }
      case 'deadlock': {
        const d = this.events.deadlocks;
        d.count += 1;
        if (d.examples.length < MAX_EXAMPLES) {
          const example: LogEvents['deadlocks']['examples'][number] = { time: iso(entry.time) };
          if (entry.detail !== undefined) example.detail = detach(this.options.anonymize ? this.maskText(entry.detail) : entry.detail);
          if (entry.statement !== undefined) example.statement = detach(this.mask(entry.statement));
          if (entry.database !== undefined) example.database = detach(entry.database);
          d.examples.push(example);
        }
        return;
      }
      case 'server': {
        const s = this.events.server;
        if (event.action === 'starting') s.starts += 1;
        else if (event.action === 'ready') s.ready += 1;
        else if (event.action === 'shutdown-requested') s.shutdown_requests += 1;
        else if (event.action === 'shut-down') s.shutdowns += 1;
        else if (event.action === 'crash') s.crashes += 1;
        else if (event.action === 'recovery') s.recoveries += 1;
        if (s.events.length < 200) s.events.push({ time: iso(entry.time), action: event.action, message: detach(entry.message.slice(0, 300)) });
        return;
      }
      default:
        return;
    }
  }

  private onLoggedStatement(query: string, entry: LogEntry): void {
    const previous = this.sessions.get(entry.pid);
    if (previous !== undefined) this.recordCall(previous.query, undefined, previous.entry, previous.entry.time);
    this.sessions.set(entry.pid, { query, entry });
    if (this.sessions.size > MAX_SESSIONS) {
      const [pid, oldest] = this.sessions.entries().next().value as [number, PendingStatement];
      this.sessions.delete(pid);
      this.recordCall(oldest.query, undefined, oldest.entry, oldest.entry.time);
    }
  }

  private onQuery(step: string, query: string, durationMs: number, entry: LogEntry): void {
    if (step === 'parse' || step === 'bind') {
      if (!this.sampled()) return;
      for (const ref of this.grouper.resolve(query)) this.accumulator(ref, query, entry).parseBindMs += durationMs * this.sampleEvery;
      return;
    }
    const pending = this.sessions.get(entry.pid);
    if (pending !== undefined) {
      this.sessions.delete(entry.pid);
      // log_statement and log_min_duration_statement both on: the same execution, logged twice.
      if (pending.query !== query) this.recordCall(pending.query, undefined, pending.entry, pending.entry.time);
    }
    this.recordCall(query, durationMs, entry, entry.time);
  }

  /** A session ended or failed: its logged statement (if any) is a call without duration. */
  private flushSession(pid: number): void {
    const pending = this.sessions.get(pid);
    if (pending === undefined) return;
    this.sessions.delete(pid);
    this.recordCall(pending.query, undefined, pending.entry, pending.entry.time);
  }

  private sampled(): boolean {
    if (this.sampleEvery === 1) return true;
    this.sampleCounter += 1;
    return this.sampleCounter % this.sampleEvery === 0;
  }

  private accumulator(ref: StatementGroupRef, query: string, entry: LogEntry): QueryAccumulator {
    let acc = this.queries.get(ref.fingerprint);
    if (acc === undefined) {
      acc = {
        ref, calls: 0, sketch: new LatencySketch(), totalMs: 0, parseBindMs: 0, first: Infinity, last: -Infinity,
        example: detach(query), exampleParameters: undefined, exampleDurationMs: -1, exampleTime: entry.time, plan: undefined, plans: 0,
        byDatabase: new Map(), byUser: new Map(), byApplication: new Map(), byClient: new Map(),
      };
      this.queries.set(ref.fingerprint, acc);
    }
    return acc;
  }

  private recordCall(query: string, durationMs: number | undefined, entry: LogEntry, time: number): void {
    if (!this.sampled()) return;
    const refs = this.grouper.resolve(query);
    const weight = this.sampleEvery;
    // A multi-statement simple query is one log line but one call per statement in
    // pg_stat_statements; its duration is shared equally (the log has no finer figure).
    const share = durationMs === undefined ? undefined : durationMs / refs.length;
    const point = this.minute(time);
    for (const ref of refs) {
      const acc = this.accumulator(ref, query, entry);
      acc.calls += weight;
      if (time < acc.first) acc.first = time;
      if (time > acc.last) acc.last = time;
      const ms = share ?? 0;
      if (share !== undefined) {
        acc.sketch.add(share);
        acc.totalMs += share * weight;
        if (share > acc.exampleDurationMs) {
          acc.exampleDurationMs = share;
          acc.example = detach(query);
          acc.exampleTime = time;
          acc.exampleParameters = entry.detail?.startsWith('parameters: ') ? detach(entry.detail.slice(12)) : undefined;
        }
      }
      bump(acc.byDatabase, entry.database, ms * weight);
      bump(acc.byUser, entry.user, ms * weight);
      bump(acc.byApplication, entry.application, ms * weight);
      bump(acc.byClient, entry.client, ms * weight);
      if (point) {
        point.calls += weight;
        point.total_ms += ms * weight;
      }
    }
  }

  private onPlan(query: string, plan: string, durationMs: number): void {
    if (query === '') return;
    const ref = this.grouper.resolve(query)[0];
    if (ref === undefined) return;
    const acc = this.queries.get(ref.fingerprint) ?? this.accumulator(ref, query, { time: NaN, pid: 0, severity: 'LOG', message: '', line: 0, source: 0 });
    acc.plans += 1;
    if (acc.plan === undefined || durationMs > acc.plan.durationMs) acc.plan = { durationMs, text: detach(plan.slice(0, MAX_PLAN_CHARS)) };
  }

  private addError(entry: LogEntry): void {
    this.errorsTotal += 1;
    const point = this.minute(entry.time);
    if (point) point.errors += 1;
    const sqlstate = entry.sqlstate !== undefined && entry.sqlstate !== '00000' ? entry.sqlstate : null;
    const message = normalizeErrorMessage(entry.message);
    const key = `${entry.severity}|${sqlstate ?? ''}|${message}`;
    const acc = this.errors.get(key);
    if (acc) {
      acc.count += 1;
      if (entry.time < acc.first) acc.first = entry.time;
      if (entry.time > acc.last) acc.last = entry.time;
    } else {
      this.errors.set(detach(key), { severity: entry.severity, sqlstate: detach(sqlstate ?? undefined) ?? null, message: detach(message), count: 1, first: entry.time, last: entry.time, example: detachedEntry(entry) });
    }
    // A logged statement that failed never completed: pg_stat_statements does not count it.
    const pending = this.sessions.get(entry.pid);
    if (pending !== undefined && entry.statement !== undefined && pending.query === entry.statement) this.sessions.delete(entry.pid);
  }

  private mask(sql: string): string {
    return this.options.anonymize ? keyToDisplayText(normalizeStatement(sql).key) : sql;
  }

  private maskText(text: string): string {
    return normalizeErrorMessage(text);
  }

  /** Flushes open sessions; call once after the last entry. */
  finish(): void {
    for (const pending of this.sessions.values()) this.recordCall(pending.query, undefined, pending.entry, pending.entry.time);
    this.sessions.clear();
  }

  queryStats(limit: number): { list: QueryStats[]; distinct: number; calls: number; totalMs: number } {
    let calls = 0;
    let totalMs = 0;
    const all = [...this.queries.values()].map((acc) => {
      if (acc.calls === 0 && acc.plans > 0) acc.calls = acc.plans; // auto_explain only
      calls += acc.calls;
      totalMs += acc.totalMs;
      return acc;
    });
    all.sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls);
    const list = all.slice(0, limit).map((acc): QueryStats => {
      const s = acc.sketch;
      const timed = s.count > 0;
      const stats: QueryStats = {
        fingerprint: acc.ref.fingerprint,
        query: acc.ref.query,
        calls: acc.calls,
        calls_with_duration: s.count * this.sampleEvery,
        total_ms: round(acc.totalMs),
        mean_ms: timed ? round(acc.totalMs / (s.count * this.sampleEvery)) : null,
        min_ms: timed ? round(s.min) : null,
        max_ms: timed ? round(s.max) : null,
        p50_ms: timed ? round(s.quantile(0.5)) : null,
        p95_ms: timed ? round(s.quantile(0.95)) : null,
        p99_ms: timed ? round(s.quantile(0.99)) : null,
        parse_bind_ms: round(acc.parseBindMs),
        utility: acc.ref.utility,
        parsed: acc.ref.parsed,
        example: this.options.anonymize ? acc.ref.query : acc.example,
        plans_logged: acc.plans,
        first: iso(acc.first),
        last: iso(acc.last),
        by_database: record(acc.byDatabase),
        by_user: record(acc.byUser),
        by_application: record(acc.byApplication),
        by_client: record(acc.byClient),
      };
      if (acc.exampleParameters !== undefined) stats.example_parameters = this.options.anonymize ? maskParameters(acc.exampleParameters) : acc.exampleParameters;
      if (acc.exampleDurationMs >= 0) stats.example_duration_ms = acc.exampleDurationMs;
      const exampleTime = iso(acc.exampleTime);
      if (exampleTime !== null) stats.example_time = exampleTime;
      if (acc.plan !== undefined) stats.plan = { duration_ms: acc.plan.durationMs, text: this.options.anonymize ? this.maskText(acc.plan.text) : acc.plan.text };
      return stats;
    });
    return { list, distinct: this.queries.size, calls, totalMs: round(totalMs) };
  }

  errorStats(limit: number): ErrorStats[] {
    return [...this.errors.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, limit)
      .map((acc): ErrorStats => {
        const e = acc.example;
        const example: ErrorStats['example'] = { message: this.options.anonymize ? acc.message : e.message, time: iso(e.time) };
        if (e.detail !== undefined) example.detail = this.options.anonymize ? this.maskText(e.detail) : e.detail;
        if (e.hint !== undefined) example.hint = e.hint;
        if (e.statement !== undefined) example.statement = this.mask(e.statement);
        if (e.database !== undefined) example.database = e.database;
        if (e.user !== undefined) example.user = e.user;
        return {
          severity: acc.severity,
          sqlstate: acc.sqlstate,
          class: sqlstateClass(acc.sqlstate),
          message: acc.message,
          count: acc.count,
          first: iso(acc.first),
          last: iso(acc.last),
          example,
        };
      });
  }

  finalEvents(): LogEvents {
    const e = this.events;
    e.checkpoints.by_reason = record(this.checkpointReasons);
    e.checkpoints.write_s = round(e.checkpoints.write_s);
    e.checkpoints.sync_s = round(e.checkpoints.sync_s);
    e.checkpoints.total_s = round(e.checkpoints.total_s);
    e.autovacuum.total_s = round(e.autovacuum.total_s);
    e.autoanalyze.total_s = round(e.autoanalyze.total_s);
    e.autovacuum.tables = [...this.vacuums.values()].sort((a, b) => b.count - a.count || b.total_s - a.total_s).slice(0, 50).map((t) => ({ ...t, total_s: round(t.total_s) }));
    e.autoanalyze.tables = [...this.analyzes.values()].sort((a, b) => b.count - a.count || b.total_s - a.total_s).slice(0, 50).map((t) => ({ ...t, total_s: round(t.total_s) }));
    e.lock_waits.by_lock_mode = record(this.lockModes);
    e.lock_waits.total_wait_ms = round(e.lock_waits.total_wait_ms);
    e.temp_files.by_query = [...this.tempByQuery.values()].sort((a, b) => b.total_bytes - a.total_bytes).slice(0, 20);
    e.connections.by_database = record(this.conn.byDatabase);
    e.connections.by_user = record(this.conn.byUser);
    e.connections.by_host = record(this.conn.byHost);
    e.connections.by_application = record(this.conn.byApplication);
    const d = e.disconnections;
    d.session_total_ms = round(d.session_total_ms);
    if (this.sessionSketch.count > 0) {
      d.session_mean_ms = round(d.session_total_ms / this.sessionSketch.count);
      d.session_max_ms = this.sessionSketch.max;
      d.session_p50_ms = round(this.sessionSketch.quantile(0.5));
      d.session_p95_ms = round(this.sessionSketch.quantile(0.95));
    }
    d.by_database = record(this.disc.byDatabase);
    d.by_user = record(this.disc.byUser);
    d.by_host = record(this.disc.byHost);
    return e;
  }

  timeSeries(): MinutePoint[] {
    return [...this.minutes.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => ({ ...p, total_ms: round(p.total_ms) }));
  }
}

/** A copy of an entry that keeps no substring of the input chunk alive. */
function detachedEntry(entry: LogEntry): LogEntry {
  const copy: LogEntry = { time: entry.time, pid: entry.pid, severity: entry.severity, message: detach(entry.message), line: entry.line, source: entry.source };
  for (const key of ['detail', 'hint', 'statement', 'database', 'user', 'application', 'client'] as const) {
    const value = entry[key];
    if (value !== undefined) copy[key] = detach(value);
  }
  return copy;
}

function maskParameters(parameters: string): string {
  return parameters.replace(/(\$\d+ = )(?:'(?:[^']|'')*'|NULL)/g, "$1'…'");
}
