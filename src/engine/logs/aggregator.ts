/**
 * Aggregator: classified entries -> per-statement statistics, errors, events and the per-minute
 * time series. State is bounded: one accumulator per statement group, error kind, table and
 * minute, plus one pending statement per open session.
 *
 * The same class aggregates a byte range of a log in a worker thread (`startsUnknown`: the
 * statements processes had pending before the range are not known there, so the steps that
 * depend on them are deferred) and merges the ranges' partial states in order on the main thread
 * (`mergeRange`), with the same result as one pass (see docs/logs.md, "Worker threads").
 */
import type { CountAndTime, ErrorStats, LogEvents, MinutePoint, QueryStats, TableMaintenance } from './analysis-types.js';
import {
  RANGE_ORDER,
  type AggregatePartial,
  type Breakdown,
  type CallContext,
  type DeferredSessionStep,
  type ErrorState,
  type EventState,
  type MinuteState,
  type PendingState,
  type QueryState,
  type TableState,
  type TempState,
} from './aggregate-state.js';
import { eventOf, type LogEvent } from './classifier.js';
import { detach } from './detach.js';
import { normalizeErrorMessage, sqlstateClass } from './error-normalizer.js';
import { addShare, addValue, exactTotal, meanRounded, mergeTotal, thousandths, totalRounded, totalValue } from './exact-total.js';
import { LatencySketch, type SketchState } from './latency-sketch.js';
import { keyToDisplayText, normalizeStatement, statementKeyHash } from './sql-normalizer.js';
import type { StatementGroupRef, StatementResolver } from './statement-memo.js';
import type { LogAnalysisOptions, LogEntry } from './types.js';

/** A statement group's state, with its breakdown items of the last call at hand (not part of the state handed between threads). */
type QueryAccumulator = QueryState<LatencySketch> & { recent: RecentBreakdowns };

interface FirstUse {
  raw: string;
  order: number;
}

interface PendingStatement {
  query: string;
  context: CallContext;
  order: number;
  inherit: boolean;
}

const MAX_SESSIONS = 10_000;
const MAX_PLAN_CHARS = 64 * 1024;
const MAX_EXAMPLES = 20;
const MAX_SERVER_EVENTS = 200;
/** Deferred error steps kept per range before the range gives up (then the log is read in one pass). */
const MAX_DEFERRED = 1_000_000;

function iso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function breakdown(map: Map<string, Breakdown>, key: string | undefined): Breakdown {
  const k = key ?? '(unknown)';
  let item = map.get(k);
  if (item === undefined) {
    item = { calls: 0, total: exactTotal() };
    map.set(detach(k), item);
  }
  return item;
}

/** A counter in a map: one lookup per line (a Map of numbers needs a get and a set). */
interface Count {
  n: number;
}

/** The counter of `key` in a map of counts (no value or an empty one: '(unknown)'), made if new. */
function counter(map: Map<string, Count>, key: string | undefined): Count {
  const k = key === undefined || key === '' ? '(unknown)' : key;
  let c = map.get(k);
  if (c === undefined) {
    c = { n: 0 };
    map.set(detach(k), c);
  }
  return c;
}

/** The key a map was looked up by last, and what it gave. */
interface Recent<V> {
  key: string | undefined;
  value: V | undefined;
}

const noRecent = <V>(): Recent<V> => ({ key: undefined, value: undefined });

/**
 * Remembers what the map gave for `key`. Callers compare a key with the last one before the map:
 * lines in a row often share their database, user, application or host, and the readers hand the
 * same string for the same value, so the comparison is of identity where the map would hash the
 * key and compare its text.
 */
function remember<V>(recent: Recent<V>, key: string | undefined, value: V): V {
  recent.key = key;
  recent.value = value;
  return value;
}

/** A statement group's breakdown items of its last call, per breakdown. */
interface RecentBreakdowns {
  database: Recent<Breakdown>;
  user: Recent<Breakdown>;
  application: Recent<Breakdown>;
  client: Recent<Breakdown>;
}

const noRecentBreakdowns = (): RecentBreakdowns => ({ database: noRecent(), user: noRecent(), application: noRecent(), client: noRecent() });

/** `breakdown`, with the last key's item at hand (see `remember`). */
function breakdownRecent(map: Map<string, Breakdown>, recent: Recent<Breakdown>, key: string | undefined): Breakdown {
  return recent.value !== undefined && key === recent.key ? recent.value : remember(recent, key, breakdown(map, key));
}

/** Counts `key`, with the last key's counter at hand (see `remember`). */
function countRecent(map: Map<string, Count>, recent: Recent<Count>, key: string | undefined): void {
  const c = recent.value !== undefined && key === recent.key ? recent.value : remember(recent, key, counter(map, key));
  c.n += 1;
}

function addCountObjects(into: Map<string, Count>, from: Map<string, Count>): void {
  for (const [key, c] of from) {
    const mine = into.get(key);
    if (mine === undefined) into.set(key, c);
    else mine.n += c.n;
  }
}

function countRecord(map: Map<string, Count>): Record<string, number> {
  return sortedRecord(new Map([...map].map(([key, c]) => [key, c.n])));
}

function addCounts(into: Map<string, number>, from: Map<string, number>): void {
  for (const [key, n] of from) into.set(key, (into.get(key) ?? 0) + n);
}

function addBreakdowns(into: Map<string, Breakdown>, from: Map<string, Breakdown>): void {
  for (const [key, item] of from) {
    const mine = into.get(key);
    if (mine === undefined) into.set(key, item);
    else {
      mine.calls += item.calls;
      mergeTotal(mine.total, item.total);
    }
  }
}

function sortedRecord<V>(map: Map<string, V>): Record<string, V> {
  return Object.fromEntries([...map.entries()].sort((a, b) => (b[0] < a[0] ? 1 : -1)));
}

function breakdownRecord(map: Map<string, Breakdown>): Record<string, CountAndTime> {
  return sortedRecord(new Map([...map].map(([key, item]) => [key, { calls: item.calls, total_ms: totalValue(item.total) }])));
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function newEvents(): EventState {
  return {
    checkpoints: { count: 0, started: 0, timed: 0, requested: 0, buffers_written: 0, write: exactTotal(), sync: exactTotal(), total: exactTotal(), max_total_s: 0, restartpoints: 0, warnings: 0 },
    autovacuum: { count: 0, tuples_removed: 0, pages_removed: 0, total: exactTotal() },
    autoanalyze: { count: 0, total: exactTotal() },
    lock_waits: { count: 0, acquired: 0, deadlock_detected: 0, total_wait: exactTotal(), max_wait_ms: 0, examples: [] },
    deadlocks: { count: 0, examples: [] },
    temp_files: { count: 0, total_bytes: 0, max_bytes: 0 },
    connections: { count: 0, received: 0 },
    disconnections: { count: 0, session_total: exactTotal() },
    server: { starts: 0, ready: 0, shutdown_requests: 0, shutdowns: 0, crashes: 0, recoveries: 0, events: [] },
  };
}

/** Keeps the MAX_EXAMPLES longest waits, the earliest of equal waits first (stable sort). */
function keepLongestWaits(examples: LogEvents['lock_waits']['examples']): void {
  examples.sort((a, b) => b.wait_ms - a.wait_ms);
  if (examples.length > MAX_EXAMPLES) examples.length = MAX_EXAMPLES;
}

export interface AggregatorMode {
  /**
   * Keep, per normalised statement form, the first text used (worker ranges and the merging main
   * thread): one pass shows a group with the text of the first statement of its form, which
   * the merge must find again although workers may have asked the parser in another order.
   */
  firstTexts?: boolean;
  /**
   * The statements processes had pending when this input began are not known (a byte range
   * after the first one, read by a worker thread): steps depending on them are deferred.
   */
  startsUnknown?: boolean;
}

export class LogAggregator {
  private readonly queries = new Map<string, QueryAccumulator>();
  private readonly errors = new Map<string, ErrorState>();
  private sessions = new Map<number, PendingStatement>();
  private readonly minutes = new Map<number, MinuteState>();
  private readonly vacuums = new Map<string, TableState>();
  private readonly analyzes = new Map<string, TableState>();
  private readonly tempByQuery = new Map<string, TempState>();
  private readonly sessionSketch = new LatencySketch();
  private readonly conn = { byDatabase: new Map<string, Count>(), byUser: new Map<string, Count>(), byHost: new Map<string, Count>(), byApplication: new Map<string, Count>() };
  private readonly disc = { byDatabase: new Map<string, Count>(), byUser: new Map<string, Count>(), byHost: new Map<string, Count>() };
  private readonly connRecent = { byDatabase: noRecent<Count>(), byUser: noRecent<Count>(), byHost: noRecent<Count>(), byApplication: noRecent<Count>() };
  private readonly discRecent = { byDatabase: noRecent<Count>(), byUser: noRecent<Count>(), byHost: noRecent<Count>() };
  private readonly lockModes = new Map<string, number>();
  private readonly checkpointReasons = new Map<string, number>();
  private readonly events = newEvents();
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
  /** 2 x the index of the current entry: deferred steps take `seq`, the entry's own effects `seq + 1`. */
  private seq = 0;
  private orderBase = 0;
  private readonly startsUnknown: boolean;
  /** Processes whose pending statement from before the range has been dealt with (or deferred). */
  private readonly resolved = new Set<number>();
  private readonly deferred: DeferredSessionStep[] = [];
  private readonly deferredErrors = new Map<number, Set<string>>();
  private maxPending = 0;
  /** Set when the range cannot be merged exactly (too many pending sessions or deferred steps). */
  overflow = false;
  private readonly firstTexts: boolean;
  /** First text (and its order key) resolved per memo entry: the refs array stands for its form. */
  private readonly firstUses = new Map<StatementGroupRef[], FirstUse>();
  /** Main thread: first text per form (tokenizer hash) over all ranges merged so far. */
  private readonly firstTextByForm = new Map<number, FirstUse>();

  constructor(
    private readonly grouper: StatementResolver,
    private readonly options: LogAnalysisOptions,
    mode: AggregatorMode = {},
  ) {
    this.sampleEvery = Math.max(1, Math.floor(options.sample ?? 1));
    this.since = options.since ? options.since.getTime() : -Infinity;
    this.until = options.until ? options.until.getTime() : Infinity;
    this.startsUnknown = mode.startsUnknown === true;
    this.firstTexts = mode.firstTexts === true;
  }

  /**
   * The groups of a statement text (noting the first text of each form when asked to);
   * `keyHash`: its statement key hash, when the line scanner gave it.
   */
  private resolve(raw: string, order: number, keyHash?: number): StatementGroupRef[] {
    const refs = this.grouper.resolve(raw, keyHash);
    // Utility statements are grouped by their exact text and unparsed ones by their normalised
    // text: their display text does not depend on which text came first.
    if (this.firstTexts && !this.firstUses.has(refs) && refs[0]?.parsed === true && !refs.some((ref) => ref.utility)) this.firstUses.set(refs, { raw: detach(raw), order });
    return refs;
  }

  /** Whether entries can be counted without looking at them (no time window, no filter). */
  get unfiltered(): boolean {
    const o = this.options;
    return this.since === -Infinity && this.until === Infinity && o.database === undefined && o.user === undefined && o.application === undefined;
  }

  /**
   * What `add` does for a LOG entry whose event is 'connection-received' (`received`) or 'other',
   * when `unfiltered`: counts it, without an entry or event object (most lines of a log with
   * log_connections).
   */
  addUneventful(time: number, received: boolean): void {
    this.countWhole(time);
    if (received) this.events.connections.received += 1;
  }

  /** What `add` does for a LOG 'connection-authorized' entry when `unfiltered`, from its values alone. */
  addAuthorized(time: number, user: string, database: string, application: string | undefined, client: string | undefined): void {
    this.countWhole(time);
    this.connectionAuthorized(user, database, application, client);
  }

  /** What `add` does for a LOG 'disconnection' entry when `unfiltered`, from its values alone. */
  addDisconnection(time: number, pid: number, sessionMs: number, user: string, database: string, host: string): void {
    this.countWhole(time);
    this.disconnection(pid, sessionMs, user, database, host);
  }

  /** `add`'s counting of an entry that passes, for the whole entries above. */
  private countWhole(time: number): void {
    this.seq += 2;
    this.countEntry(time);
  }

  /** An entry that passes: counted, and its time in the range of times. */
  private countEntry(time: number): void {
    this.entries += 1;
    if (time < this.first) this.first = time;
    if (time > this.last) this.last = time;
  }

  private connectionAuthorized(user: string, database: string, application: string | undefined, client: string | undefined): void {
    this.events.connections.count += 1;
    countRecent(this.conn.byDatabase, this.connRecent.byDatabase, database);
    countRecent(this.conn.byUser, this.connRecent.byUser, user);
    countRecent(this.conn.byHost, this.connRecent.byHost, client);
    countRecent(this.conn.byApplication, this.connRecent.byApplication, application);
  }

  private disconnection(pid: number, sessionMs: number, user: string, database: string, host: string): void {
    this.events.disconnections.count += 1;
    if (Number.isFinite(sessionMs)) {
      this.sessionSketch.add(sessionMs);
      addValue(this.events.disconnections.session_total, sessionMs);
    }
    countRecent(this.disc.byDatabase, this.discRecent.byDatabase, database);
    countRecent(this.disc.byUser, this.discRecent.byUser, user);
    countRecent(this.disc.byHost, this.discRecent.byHost, host);
    if (this.carriedUnknown(pid)) return this.defer({ step: 'disconnection', pid, seq: this.seq });
    this.flushSession(pid, this.order());
  }

  /** Whether the entry passes the time window and the database/user/application filters. */
  passes(entry: LogEntry): boolean {
    const o = this.options;
    if (entry.time < this.since || entry.time > this.until) return false;
    if (o.database !== undefined && entry.database !== o.database) return false;
    if (o.user !== undefined && entry.user !== o.user) return false;
    if (o.application !== undefined && entry.application !== o.application) return false;
    return true;
  }

  private lastMinuteKey = NaN;
  private lastMinute: MinuteState | undefined;

  private minute(time: number): MinuteState | undefined {
    if (!Number.isFinite(time)) return undefined;
    const key = time - (time % 60_000);
    if (key === this.lastMinuteKey) return this.lastMinute;
    let point = this.minutes.get(key);
    if (point === undefined) {
      point = { minute: new Date(key).toISOString(), calls: 0, total: exactTotal(), errors: 0, temp_bytes: 0, lock_waits: 0 };
      this.minutes.set(key, point);
    }
    this.lastMinuteKey = key;
    this.lastMinute = point;
    return point;
  }

  /** Order key of the current entry's own effects. */
  private order(): number {
    return this.orderBase + this.seq + 1;
  }

  /** Adds an entry (`event`: its classification, when the caller already has it). */
  add(entry: LogEntry, event: LogEvent = eventOf(entry)): void {
    this.seq += 2;
    if (!this.passes(entry)) {
      this.filteredOut += 1;
      return;
    }
    this.countEntry(entry.time);
    const severity = entry.severity;
    if (severity === 'ERROR' || severity === 'FATAL' || severity === 'PANIC') this.addError(entry);
    else if (severity === 'WARNING') this.warningsTotal += 1;
    if (event.kind !== 'other') this.addEvent(event, entry);
  }

  /** Whether the process's pending statement from before the range is still unknown here. */
  private carriedUnknown(pid: number): boolean {
    return this.startsUnknown && !this.resolved.has(pid);
  }

  private defer(step: DeferredSessionStep): void {
    this.deferred.push(step);
    if (step.step !== 'error') this.resolved.add(step.pid);
  }

  /** The event's effects: one method per kind of event. */
  private addEvent(event: LogEvent, entry: LogEntry): void {
    switch (event.kind) {
      case 'query':
        return this.onQuery(event.step, event.query, event.durationMs, entry, event.keyHash);
      case 'logged-statement':
        return this.onLoggedStatement(event.query, entry);
      case 'duration':
        return this.onDuration(event.durationMs, entry);
      case 'plan':
        return this.onPlan(event.query, event.plan, event.durationMs);
      case 'connection-received':
        this.events.connections.received += 1;
        return;
      case 'connection-authorized':
        return this.connectionAuthorized(event.user, event.database, event.application ?? entry.application, entry.client);
      case 'disconnection':
        return this.disconnection(entry.pid, event.sessionMs, event.user, event.database, event.host);
      case 'checkpoint-start':
        return this.onCheckpointStart(event.reason);
      case 'checkpoint-complete':
        return this.onCheckpointComplete(event);
      case 'checkpoint-warning':
        this.events.checkpoints.warnings += 1;
        return;
      case 'autovacuum':
        return this.onAutovacuum(event);
      case 'autoanalyze':
        return this.onAutoanalyze(event);
      case 'temp-file':
        return this.onTempFile(event.bytes, entry);
      case 'lock-wait':
        return this.onLockWait(event, entry);
      case 'deadlock':
        return this.onDeadlock(entry);
      case 'server':
        return this.onServerEvent(event.action, entry);
      default:
        return;
    }
  }

  /** log_duration's "duration: N ms" alone: the duration of the process's logged statement. */
  private onDuration(durationMs: number, entry: LogEntry): void {
    if (this.carriedUnknown(entry.pid)) return this.defer({ step: 'duration', pid: entry.pid, seq: this.seq, durationMs, time: entry.time });
    const pending = this.sessions.get(entry.pid);
    if (pending === undefined) {
      this.durationsWithoutStatement += 1;
      return;
    }
    this.sessions.delete(entry.pid);
    this.recordCall(pending.query, durationMs, pending.context, entry.time, this.order());
  }

  private onCheckpointStart(reason: string): void {
    const c = this.events.checkpoints;
    c.started += 1;
    const reasons = reason.split(' ');
    if (reasons.includes('time')) c.timed += 1;
    else c.requested += 1;
    this.checkpointReasons.set(detach(reason), (this.checkpointReasons.get(reason) ?? 0) + 1);
  }

  private onCheckpointComplete(event: Extract<LogEvent, { kind: 'checkpoint-complete' }>): void {
    const c = this.events.checkpoints;
    if (event.restartpoint) c.restartpoints += 1;
    else c.count += 1;
    c.buffers_written += event.buffers;
    addValue(c.write, event.writeS);
    addValue(c.sync, event.syncS);
    addValue(c.total, event.totalS);
    c.max_total_s = Math.max(c.max_total_s, event.totalS);
  }

  private onAutovacuum(event: Extract<LogEvent, { kind: 'autovacuum' }>): void {
    const v = this.events.autovacuum;
    v.count += 1;
    v.tuples_removed += event.tuplesRemoved;
    v.pages_removed += event.pagesRemoved;
    addValue(v.total, event.elapsedS);
    let t = this.vacuums.get(event.table);
    if (t === undefined) {
      t = { table: detach(event.table), count: 0, tuples_removed: 0, pages_removed: 0, total: exactTotal(), max_s: 0 };
      this.vacuums.set(t.table, t);
    }
    t.count += 1;
    t.tuples_removed! += event.tuplesRemoved;
    t.pages_removed! += event.pagesRemoved;
    addValue(t.total, event.elapsedS);
    t.max_s = Math.max(t.max_s, event.elapsedS);
  }

  private onAutoanalyze(event: Extract<LogEvent, { kind: 'autoanalyze' }>): void {
    const a = this.events.autoanalyze;
    a.count += 1;
    addValue(a.total, event.elapsedS);
    let t = this.analyzes.get(event.table);
    if (t === undefined) {
      t = { table: detach(event.table), count: 0, total: exactTotal(), max_s: 0 };
      this.analyzes.set(t.table, t);
    }
    t.count += 1;
    addValue(t.total, event.elapsedS);
    t.max_s = Math.max(t.max_s, event.elapsedS);
  }

  private onTempFile(bytes: number, entry: LogEntry): void {
    const t = this.events.temp_files;
    t.count += 1;
    t.total_bytes += bytes;
    t.max_bytes = Math.max(t.max_bytes, bytes);
    const point = this.minute(entry.time);
    if (point) point.temp_bytes += bytes;
    const statement = entry.statement;
    const ref = statement ? this.resolve(statement, this.order())[0] : undefined;
    const key = ref?.fingerprint ?? '(no statement logged)';
    let item = this.tempByQuery.get(key);
    if (item === undefined) {
      item = { fingerprint: ref?.fingerprint ?? null, query: ref?.query ?? '(no statement logged)', count: 0, total_bytes: 0, max_bytes: 0 };
      if (this.firstTexts && statement !== undefined && ref !== undefined) item.creator = { text: detach(statement), index: 0 };
      this.tempByQuery.set(key, item);
    }
    item.count += 1;
    item.total_bytes += bytes;
    item.max_bytes = Math.max(item.max_bytes, bytes);
  }

  private onLockWait(event: Extract<LogEvent, { kind: 'lock-wait' }>, entry: LogEntry): void {
    const l = this.events.lock_waits;
    if (event.state === 'waiting') {
      l.count += 1;
      this.lockModes.set(detach(event.lockMode), (this.lockModes.get(event.lockMode) ?? 0) + 1);
      const point = this.minute(entry.time);
      if (point) point.lock_waits += 1;
    } else if (event.state === 'acquired') {
      l.acquired += 1;
      addValue(l.total_wait, event.waitMs);
    } else if (event.state === 'deadlock-detected') l.deadlock_detected += 1;
    l.max_wait_ms = Math.max(l.max_wait_ms, event.waitMs);
    if (l.examples.length < MAX_EXAMPLES || event.waitMs > (l.examples[l.examples.length - 1]?.wait_ms ?? 0)) {
      const example: LogEvents['lock_waits']['examples'][number] = { time: iso(entry.time), lock_mode: detach(event.lockMode), object: detach(event.object), wait_ms: event.waitMs, state: event.state };
      if (entry.statement !== undefined) example.statement = detach(this.mask(entry.statement));
      if (entry.detail !== undefined) example.detail = detach(entry.detail);
      if (entry.database !== undefined) example.database = detach(entry.database);
      l.examples.push(example);
      keepLongestWaits(l.examples);
    }
  }

  private onDeadlock(entry: LogEntry): void {
    const d = this.events.deadlocks;
    d.count += 1;
    if (d.examples.length < MAX_EXAMPLES) {
      const example: LogEvents['deadlocks']['examples'][number] = { time: iso(entry.time) };
      if (entry.detail !== undefined) example.detail = detach(this.options.anonymize ? this.maskText(entry.detail) : entry.detail);
      if (entry.statement !== undefined) example.statement = detach(this.mask(entry.statement));
      if (entry.database !== undefined) example.database = detach(entry.database);
      d.examples.push(example);
    }
  }

  private onServerEvent(action: Extract<LogEvent, { kind: 'server' }>['action'], entry: LogEntry): void {
    const s = this.events.server;
    if (action === 'starting') s.starts += 1;
    else if (action === 'ready') s.ready += 1;
    else if (action === 'shutdown-requested') s.shutdown_requests += 1;
    else if (action === 'shut-down') s.shutdowns += 1;
    else if (action === 'crash') s.crashes += 1;
    else if (action === 'recovery') s.recoveries += 1;
    if (s.events.length < MAX_SERVER_EVENTS) s.events.push({ time: iso(entry.time), action, message: detach(entry.message.slice(0, 300)) });
  }

  private onLoggedStatement(query: string, entry: LogEntry): void {
    const pid = entry.pid;
    if (this.carriedUnknown(pid)) {
      this.defer({ step: 'statement', pid, seq: this.seq });
      this.sessions.set(pid, { query: detach(query), context: callContext(entry), order: this.order(), inherit: true });
    } else {
      const previous = this.sessions.get(pid);
      if (previous !== undefined) this.recordCall(previous.query, undefined, previous.context, previous.context.time, this.order());
      // Map.set on a present key keeps its place: the session stays as old as it was.
      this.sessions.set(pid, { query: detach(query), context: callContext(entry), order: previous?.order ?? this.order(), inherit: previous?.inherit ?? false });
    }
    if (this.sessions.size <= MAX_SESSIONS) {
      if (this.sessions.size > this.maxPending) this.maxPending = this.sessions.size;
      return;
    }
    if (this.startsUnknown) {
      // One pass would have dropped the oldest session of the whole log, which this range cannot know.
      this.overflow = true;
      return;
    }
    const [oldestPid, oldest] = this.sessions.entries().next().value as [number, PendingStatement];
    this.sessions.delete(oldestPid);
    this.recordCall(oldest.query, undefined, oldest.context, oldest.context.time, this.order());
  }

  private onQuery(step: string, query: string, durationMs: number, entry: LogEntry, keyHash: number | undefined): void {
    if (step === 'parse' || step === 'bind') {
      if (!this.sampled()) return;
      const units = thousandths(durationMs);
      const refs = this.resolve(query, this.order(), keyHash);
      for (let i = 0; i < refs.length; i += 1) addShare(this.accumulator(refs, i, query, entry, this.order()).parseBind, units, durationMs, 1, this.sampleEvery);
      return;
    }
    if (this.carriedUnknown(entry.pid)) this.defer({ step: 'timed-statement', pid: entry.pid, seq: this.seq, query: detach(query) });
    else {
      const pending = this.sessions.get(entry.pid);
      if (pending !== undefined) {
        this.sessions.delete(entry.pid);
        // log_statement and log_min_duration_statement both on: the same execution, logged twice.
        if (pending.query !== query) this.recordCall(pending.query, undefined, pending.context, pending.context.time, this.order());
      }
    }
    this.recordCall(query, durationMs, entry, entry.time, this.order(), keyHash);
  }

  /** A session ended or failed: its logged statement (if any) is a call without duration. */
  private flushSession(pid: number, order: number): void {
    const pending = this.sessions.get(pid);
    if (pending === undefined) return;
    this.sessions.delete(pid);
    this.recordCall(pending.query, undefined, pending.context, pending.context.time, order);
  }

  private sampled(): boolean {
    if (this.sampleEvery === 1) return true;
    this.sampleCounter += 1;
    return this.sampleCounter % this.sampleEvery === 0;
  }

  private accumulator(refs: StatementGroupRef[], index: number, query: string, context: CallContext, order: number): QueryAccumulator {
    const ref = refs[index]!;
    let acc = this.queries.get(ref.fingerprint);
    if (acc === undefined) {
      acc = {
        ref, creator: this.firstTexts && this.firstUses.has(refs) ? { text: detach(query), index } : undefined, order, calls: 0, sketch: new LatencySketch(), total: exactTotal(), parseBind: exactTotal(), first: Infinity, last: -Infinity,
        example: detach(query), exampleParameters: undefined, exampleDurationMs: -1, exampleTime: context.time, exampleOrder: order, plan: undefined, plans: 0,
        byDatabase: new Map(), byUser: new Map(), byApplication: new Map(), byClient: new Map(), recent: noRecentBreakdowns(),
      };
      this.queries.set(ref.fingerprint, acc);
    }
    return acc;
  }

  private recordCall(query: string, durationMs: number | undefined, context: CallContext, time: number, order: number, keyHash?: number): void {
    if (!this.sampled()) return;
    const refs = this.resolve(query, order, keyHash);
    const weight = this.sampleEvery;
    // A multi-statement simple query is one log line but one call per statement in
    // pg_stat_statements; its duration is shared equally (the log has no finer figure).
    const n = refs.length;
    const point = this.minute(time);
    if (durationMs === undefined) {
      for (let r = 0; r < n; r += 1) {
        const acc = this.accumulator(refs, r, query, context, order);
        acc.calls += weight;
        if (time < acc.first) acc.first = time;
        if (time > acc.last) acc.last = time;
        const recent = acc.recent;
        breakdownRecent(acc.byDatabase, recent.database, context.database).calls += weight;
        breakdownRecent(acc.byUser, recent.user, context.user).calls += weight;
        breakdownRecent(acc.byApplication, recent.application, context.application).calls += weight;
        breakdownRecent(acc.byClient, recent.client, context.client).calls += weight;
        if (point) point.calls += weight;
      }
      return;
    }
    const share = durationMs / n;
    const units = thousandths(durationMs);
    for (let r = 0; r < n; r += 1) {
      const acc = this.accumulator(refs, r, query, context, order);
      acc.calls += weight;
      if (time < acc.first) acc.first = time;
      if (time > acc.last) acc.last = time;
      acc.sketch.add(share);
      addShare(acc.total, units, durationMs, n, weight);
      if (share > acc.exampleDurationMs || (share === acc.exampleDurationMs && order < acc.exampleOrder)) {
        acc.exampleDurationMs = share;
        acc.example = detach(query);
        acc.exampleTime = time;
        acc.exampleOrder = order;
        acc.exampleParameters = context.detail?.startsWith('parameters: ') ? detach(context.detail.slice(12)) : undefined;
      }
      const recent = acc.recent;
      let item = breakdownRecent(acc.byDatabase, recent.database, context.database);
      item.calls += weight;
      addShare(item.total, units, durationMs, n, weight);
      item = breakdownRecent(acc.byUser, recent.user, context.user);
      item.calls += weight;
      addShare(item.total, units, durationMs, n, weight);
      item = breakdownRecent(acc.byApplication, recent.application, context.application);
      item.calls += weight;
      addShare(item.total, units, durationMs, n, weight);
      item = breakdownRecent(acc.byClient, recent.client, context.client);
      item.calls += weight;
      addShare(item.total, units, durationMs, n, weight);
      if (point) {
        point.calls += weight;
        addShare(point.total, units, durationMs, n, weight);
      }
    }
  }

  private onPlan(query: string, plan: string, durationMs: number): void {
    if (query === '') return;
    const refs = this.resolve(query, this.order());
    const ref = refs[0];
    if (ref === undefined) return;
    const acc = this.queries.get(ref.fingerprint) ?? this.accumulator(refs, 0, query, { time: NaN }, this.order());
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
    const statement = entry.statement;
    if (statement === undefined) return;
    if (this.carriedUnknown(entry.pid)) {
      let seen = this.deferredErrors.get(entry.pid);
      if (seen === undefined) this.deferredErrors.set(entry.pid, (seen = new Set()));
      // The same failing statement twice in a row before anything else: the second changes nothing.
      if (seen.has(statement)) return;
      seen.add(detach(statement));
      this.defer({ step: 'error', pid: entry.pid, seq: this.seq, statement: detach(statement) });
      if (this.deferred.length > MAX_DEFERRED) this.overflow = true;
      return;
    }
    const pending = this.sessions.get(entry.pid);
    if (pending !== undefined && pending.query === statement) this.sessions.delete(entry.pid);
  }

  private mask(sql: string): string {
    return this.options.anonymize ? keyToDisplayText(normalizeStatement(sql).key) : sql;
  }

  private maskText(text: string): string {
    return normalizeErrorMessage(text);
  }

  /** Flushes open sessions; call once after the last entry (or the last merged range). */
  finish(): void {
    this.seq += 2;
    for (const pending of this.sessions.values()) this.recordCall(pending.query, undefined, pending.context, pending.context.time, this.order());
    this.sessions.clear();
    // The main thread's own uses (deferred steps, the flush above) count with the ranges' ones.
    if (this.firstTextByForm.size > 0) for (const use of this.firstUses.values()) this.noteFirstText(use.raw, use.order);
  }

  /** The state of a byte range, for the main thread to merge (a worker's aggregator, after its last entry). */
  partial(): AggregatePartial {
    return {
      entries: this.entries,
      filteredOut: this.filteredOut,
      first: this.first,
      last: this.last,
      errorsTotal: this.errorsTotal,
      warningsTotal: this.warningsTotal,
      durationsWithoutStatement: this.durationsWithoutStatement,
      queries: [...this.queries.values()].map(({ recent: _recent, ...acc }) => ({ ...acc, sketch: acc.sketch.toState() })),
      errors: [...this.errors.values()],
      minutes: [...this.minutes.entries()],
      vacuums: [...this.vacuums.values()],
      analyzes: [...this.analyzes.values()],
      tempByQuery: [...this.tempByQuery.values()],
      sessionSketch: this.sessionSketch.toState(),
      conn: this.conn,
      disc: this.disc,
      lockModes: this.lockModes,
      checkpointReasons: this.checkpointReasons,
      events: this.events,
      pending: [...this.sessions.entries()].map(([pid, p]): PendingState => ({ pid, query: p.query, context: p.context, order: p.order, inherit: p.inherit })),
      deferred: this.deferred,
      maxPending: this.maxPending,
      firstUses: [...this.firstUses.values()],
    };
  }

  /**
   * Adds the partial state of the next byte range (ranges in log order). Returns false when the
   * range cannot be merged exactly (one pass would have dropped sessions from a full session
   * table): the caller then reads the log in one pass.
   */
  mergeRange(partial: AggregatePartial, index: number): boolean {
    if (this.sessions.size + partial.maxPending > MAX_SESSIONS) return false;
    const base = index * RANGE_ORDER;
    for (const use of partial.firstUses) this.noteFirstText(use.raw, use.order + base);
    this.entries += partial.entries;
    this.filteredOut += partial.filteredOut;
    this.first = Math.min(this.first, partial.first);
    this.last = Math.max(this.last, partial.last);
    this.errorsTotal += partial.errorsTotal;
    this.warningsTotal += partial.warningsTotal;
    this.durationsWithoutStatement += partial.durationsWithoutStatement;
    for (const error of partial.errors) {
      const mine = this.errors.get(`${error.severity}|${error.sqlstate ?? ''}|${error.message}`);
      if (mine === undefined) this.errors.set(`${error.severity}|${error.sqlstate ?? ''}|${error.message}`, error);
      else {
        mine.count += error.count;
        mine.first = Math.min(mine.first, error.first);
        mine.last = Math.max(mine.last, error.last);
      }
    }
    // Statement groups and deferred session steps in their order within the range: a group is
    // created (placed in the report's order of ties) by whichever came first.
    const replaced = new Set<number>();
    let d = 0;
    for (const acc of partial.queries) {
      while (d < partial.deferred.length && partial.deferred[d]!.seq < acc.order) this.replay(partial.deferred[d++]!, base, replaced);
      this.mergeQuery(acc, base);
    }
    while (d < partial.deferred.length) this.replay(partial.deferred[d++]!, base, replaced);
    this.mergeSessions(partial.pending, base, replaced);
    for (const [key, point] of partial.minutes) {
      const mine = this.minutes.get(key);
      if (mine === undefined) this.minutes.set(key, point);
      else {
        mine.calls += point.calls;
        mergeTotal(mine.total, point.total);
        mine.errors += point.errors;
        mine.temp_bytes += point.temp_bytes;
        mine.lock_waits += point.lock_waits;
      }
    }
    this.lastMinuteKey = NaN;
    mergeTables(this.vacuums, partial.vacuums);
    mergeTables(this.analyzes, partial.analyzes);
    for (const item of partial.tempByQuery) {
      const key = item.fingerprint ?? '(no statement logged)';
      const mine = this.tempByQuery.get(key);
      if (mine === undefined) this.tempByQuery.set(key, item);
      else {
        mine.count += item.count;
        mine.total_bytes += item.total_bytes;
        mine.max_bytes = Math.max(mine.max_bytes, item.max_bytes);
      }
    }
    this.sessionSketch.merge(LatencySketch.fromState(partial.sessionSketch));
    addCountObjects(this.conn.byDatabase, partial.conn.byDatabase);
    addCountObjects(this.conn.byUser, partial.conn.byUser);
    addCountObjects(this.conn.byHost, partial.conn.byHost);
    addCountObjects(this.conn.byApplication, partial.conn.byApplication);
    addCountObjects(this.disc.byDatabase, partial.disc.byDatabase);
    addCountObjects(this.disc.byUser, partial.disc.byUser);
    addCountObjects(this.disc.byHost, partial.disc.byHost);
    addCounts(this.lockModes, partial.lockModes);
    addCounts(this.checkpointReasons, partial.checkpointReasons);
    this.mergeEvents(partial.events);
    // What comes next (later ranges' steps, finish()) is ordered after this range.
    this.orderBase = (index + 1) * RANGE_ORDER;
    this.seq = 0;
    return true;
  }

  private noteFirstText(raw: string, order: number): void {
    const form = statementKeyHash(raw);
    const known = this.firstTextByForm.get(form);
    if (known === undefined || order < known.order) this.firstTextByForm.set(form, { raw, order });
  }

  /**
   * The group as one pass shows it: from the first text of the creating statement's form, over
   * all ranges (the parser may have been asked about another text of that form first).
   */
  private firstRef(ref: StatementGroupRef, creator: { text: string; index: number } | undefined): StatementGroupRef {
    if (creator === undefined || this.grouper.groupsOfText === undefined) return ref;
    const first = this.firstTextByForm.get(statementKeyHash(creator.text));
    if (first === undefined) return ref;
    return this.grouper.groupsOfText(first.raw)[creator.index] ?? ref;
  }

  private mergeQuery(acc: QueryState<SketchState>, base: number): void {
    const order = acc.order + base;
    const exampleOrder = acc.exampleOrder + base;
    const mine = this.queries.get(acc.ref.fingerprint);
    if (mine === undefined) {
      this.queries.set(acc.ref.fingerprint, { ...acc, order, exampleOrder, sketch: LatencySketch.fromState(acc.sketch), recent: noRecentBreakdowns() });
      return;
    }
    mine.calls += acc.calls;
    mine.sketch.merge(LatencySketch.fromState(acc.sketch));
    mergeTotal(mine.total, acc.total);
    mergeTotal(mine.parseBind, acc.parseBind);
    mine.first = Math.min(mine.first, acc.first);
    mine.last = Math.max(mine.last, acc.last);
    if (acc.exampleDurationMs > mine.exampleDurationMs || (acc.exampleDurationMs === mine.exampleDurationMs && exampleOrder < mine.exampleOrder)) {
      mine.exampleDurationMs = acc.exampleDurationMs;
      mine.example = acc.example;
      mine.exampleTime = acc.exampleTime;
      mine.exampleOrder = exampleOrder;
      mine.exampleParameters = acc.exampleParameters;
    }
    mine.plans += acc.plans;
    if (acc.plan !== undefined && (mine.plan === undefined || acc.plan.durationMs > mine.plan.durationMs)) mine.plan = acc.plan;
    addBreakdowns(mine.byDatabase, acc.byDatabase);
    addBreakdowns(mine.byUser, acc.byUser);
    addBreakdowns(mine.byApplication, acc.byApplication);
    addBreakdowns(mine.byClient, acc.byClient);
  }

  /** One deferred step of a range, against the statements pending at the end of the ranges before. */
  private replay(step: DeferredSessionStep, base: number, replaced: Set<number>): void {
    const order = base + step.seq;
    const pending = this.sessions.get(step.pid);
    switch (step.step) {
      case 'statement':
        // The range's statement takes the pending one's place (mergeSessions puts it there).
        if (pending !== undefined) {
          this.recordCall(pending.query, undefined, pending.context, pending.context.time, order);
          replaced.add(step.pid);
        }
        return;
      case 'duration':
        if (pending === undefined) {
          this.durationsWithoutStatement += 1;
          return;
        }
        this.sessions.delete(step.pid);
        return this.recordCall(pending.query, step.durationMs, pending.context, step.time, order);
      case 'timed-statement':
        if (pending === undefined) return;
        this.sessions.delete(step.pid);
        if (pending.query !== step.query) this.recordCall(pending.query, undefined, pending.context, pending.context.time, order);
        return;
      case 'disconnection':
        if (pending === undefined) return;
        this.sessions.delete(step.pid);
        return this.recordCall(pending.query, undefined, pending.context, pending.context.time, order);
      case 'error':
        if (pending !== undefined && pending.query === step.statement) this.sessions.delete(step.pid);
        return;
    }
  }

  /**
   * The sessions pending after a range, in one pass's order: those from before the range that
   * it did not touch keep their place (a statement that replaced one takes its place), then the
   * range's new ones in the order they were inserted.
   */
  private mergeSessions(pending: PendingState[], base: number, replaced: Set<number>): void {
    const fromRange = new Map(pending.map((p) => [p.pid, p]));
    const next = new Map<number, PendingStatement>();
    for (const [pid, old] of this.sessions) {
      if (!replaced.has(pid)) {
        next.set(pid, old);
        continue;
      }
      const mine = fromRange.get(pid);
      if (mine !== undefined && mine.inherit) {
        next.set(pid, { query: mine.query, context: mine.context, order: mine.order + base, inherit: false });
        fromRange.delete(pid);
      }
    }
    for (const p of fromRange.values()) next.set(p.pid, { query: p.query, context: p.context, order: p.order + base, inherit: false });
    this.sessions = next;
  }

  private mergeEvents(e: EventState): void {
    const m = this.events;
    const c = m.checkpoints;
    c.count += e.checkpoints.count;
    c.started += e.checkpoints.started;
    c.timed += e.checkpoints.timed;
    c.requested += e.checkpoints.requested;
    c.buffers_written += e.checkpoints.buffers_written;
    mergeTotal(c.write, e.checkpoints.write);
    mergeTotal(c.sync, e.checkpoints.sync);
    mergeTotal(c.total, e.checkpoints.total);
    c.max_total_s = Math.max(c.max_total_s, e.checkpoints.max_total_s);
    c.restartpoints += e.checkpoints.restartpoints;
    c.warnings += e.checkpoints.warnings;
    m.autovacuum.count += e.autovacuum.count;
    m.autovacuum.tuples_removed += e.autovacuum.tuples_removed;
    m.autovacuum.pages_removed += e.autovacuum.pages_removed;
    mergeTotal(m.autovacuum.total, e.autovacuum.total);
    m.autoanalyze.count += e.autoanalyze.count;
    mergeTotal(m.autoanalyze.total, e.autoanalyze.total);
    const l = m.lock_waits;
    l.count += e.lock_waits.count;
    l.acquired += e.lock_waits.acquired;
    l.deadlock_detected += e.lock_waits.deadlock_detected;
    mergeTotal(l.total_wait, e.lock_waits.total_wait);
    l.max_wait_ms = Math.max(l.max_wait_ms, e.lock_waits.max_wait_ms);
    l.examples.push(...e.lock_waits.examples);
    keepLongestWaits(l.examples);
    m.deadlocks.count += e.deadlocks.count;
    m.deadlocks.examples.push(...e.deadlocks.examples.slice(0, MAX_EXAMPLES - m.deadlocks.examples.length));
    m.temp_files.count += e.temp_files.count;
    m.temp_files.total_bytes += e.temp_files.total_bytes;
    m.temp_files.max_bytes = Math.max(m.temp_files.max_bytes, e.temp_files.max_bytes);
    m.connections.count += e.connections.count;
    m.connections.received += e.connections.received;
    m.disconnections.count += e.disconnections.count;
    mergeTotal(m.disconnections.session_total, e.disconnections.session_total);
    const s = m.server;
    s.starts += e.server.starts;
    s.ready += e.server.ready;
    s.shutdown_requests += e.server.shutdown_requests;
    s.shutdowns += e.server.shutdowns;
    s.crashes += e.server.crashes;
    s.recoveries += e.server.recoveries;
    s.events.push(...e.server.events.slice(0, MAX_SERVER_EVENTS - s.events.length));
  }

  queryStats(limit: number): { list: QueryStats[]; distinct: number; calls: number; totalMs: number } {
    let calls = 0;
    const total = exactTotal();
    const all = [...this.queries.values()].map((acc) => {
      if (acc.calls === 0 && acc.plans > 0) acc.calls = acc.plans; // auto_explain only
      calls += acc.calls;
      mergeTotal(total, acc.total);
      return { acc, totalMs: totalValue(acc.total) };
    });
    all.sort((a, b) => b.totalMs - a.totalMs || b.acc.calls - a.acc.calls);
    const list = all.slice(0, limit).map(({ acc }): QueryStats => {
      acc.ref = this.firstRef(acc.ref, acc.creator);
      const s = acc.sketch;
      const timed = s.count > 0;
      const stats: QueryStats = {
        fingerprint: acc.ref.fingerprint,
        query: acc.ref.query,
        calls: acc.calls,
        calls_with_duration: s.count * this.sampleEvery,
        total_ms: totalRounded(acc.total),
        mean_ms: timed ? meanRounded(acc.total, s.count * this.sampleEvery) : null,
        min_ms: timed ? round(s.min) : null,
        max_ms: timed ? round(s.max) : null,
        p50_ms: timed ? round(s.quantile(0.5)) : null,
        p95_ms: timed ? round(s.quantile(0.95)) : null,
        p99_ms: timed ? round(s.quantile(0.99)) : null,
        parse_bind_ms: totalRounded(acc.parseBind),
        utility: acc.ref.utility,
        parsed: acc.ref.parsed,
        example: this.options.anonymize ? acc.ref.query : acc.example,
        plans_logged: acc.plans,
        first: iso(acc.first),
        last: iso(acc.last),
        by_database: breakdownRecord(acc.byDatabase),
        by_user: breakdownRecord(acc.byUser),
        by_application: breakdownRecord(acc.byApplication),
        by_client: breakdownRecord(acc.byClient),
      };
      if (acc.exampleParameters !== undefined) stats.example_parameters = this.options.anonymize ? maskParameters(acc.exampleParameters) : acc.exampleParameters;
      if (acc.exampleDurationMs >= 0) stats.example_duration_ms = acc.exampleDurationMs;
      const exampleTime = iso(acc.exampleTime);
      if (exampleTime !== null) stats.example_time = exampleTime;
      if (acc.plan !== undefined) stats.plan = { duration_ms: acc.plan.durationMs, text: this.options.anonymize ? this.maskText(acc.plan.text) : acc.plan.text };
      return stats;
    });
    return { list, distinct: this.queries.size, calls, totalMs: totalRounded(total) };
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
    const c = e.checkpoints;
    const sessionTotal = totalRounded(e.disconnections.session_total);
    const sessions = this.sessionSketch;
    return {
      checkpoints: {
        count: c.count, started: c.started, timed: c.timed, requested: c.requested, by_reason: sortedRecord(this.checkpointReasons), buffers_written: c.buffers_written,
        write_s: totalRounded(c.write), sync_s: totalRounded(c.sync), total_s: totalRounded(c.total), max_total_s: c.max_total_s, restartpoints: c.restartpoints, warnings: c.warnings,
      },
      autovacuum: { count: e.autovacuum.count, tuples_removed: e.autovacuum.tuples_removed, pages_removed: e.autovacuum.pages_removed, total_s: totalRounded(e.autovacuum.total), tables: tableList(this.vacuums) },
      autoanalyze: { count: e.autoanalyze.count, total_s: totalRounded(e.autoanalyze.total), tables: tableList(this.analyzes) },
      lock_waits: {
        count: e.lock_waits.count, acquired: e.lock_waits.acquired, deadlock_detected: e.lock_waits.deadlock_detected, total_wait_ms: totalRounded(e.lock_waits.total_wait),
        max_wait_ms: e.lock_waits.max_wait_ms, by_lock_mode: sortedRecord(this.lockModes), examples: e.lock_waits.examples,
      },
      deadlocks: { count: e.deadlocks.count, examples: e.deadlocks.examples },
      temp_files: {
        count: e.temp_files.count,
        total_bytes: e.temp_files.total_bytes,
        max_bytes: e.temp_files.max_bytes,
        by_query: [...this.tempByQuery.values()]
          .sort((a, b) => b.total_bytes - a.total_bytes)
          .slice(0, 20)
          .map((t) => ({ fingerprint: t.fingerprint, query: t.fingerprint === null ? t.query : this.firstRef({ fingerprint: t.fingerprint, query: t.query, utility: false, parsed: true }, t.creator).query, count: t.count, total_bytes: t.total_bytes, max_bytes: t.max_bytes })),
      },
      connections: {
        count: e.connections.count, received: e.connections.received, by_database: countRecord(this.conn.byDatabase), by_user: countRecord(this.conn.byUser),
        by_host: countRecord(this.conn.byHost), by_application: countRecord(this.conn.byApplication),
      },
      disconnections: {
        count: e.disconnections.count,
        session_total_ms: sessionTotal,
        session_mean_ms: sessions.count > 0 ? meanRounded(e.disconnections.session_total, sessions.count) : null,
        session_max_ms: sessions.count > 0 ? sessions.max : null,
        session_p50_ms: sessions.count > 0 ? round(sessions.quantile(0.5)) : null,
        session_p95_ms: sessions.count > 0 ? round(sessions.quantile(0.95)) : null,
        by_database: countRecord(this.disc.byDatabase),
        by_user: countRecord(this.disc.byUser),
        by_host: countRecord(this.disc.byHost),
      },
      server: { ...e.server },
    };
  }

  timeSeries(): MinutePoint[] {
    return [...this.minutes.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, p]) => ({ minute: p.minute, calls: p.calls, total_ms: totalRounded(p.total), errors: p.errors, temp_bytes: p.temp_bytes, lock_waits: p.lock_waits }));
  }
}

function callContext(entry: LogEntry): CallContext {
  const context: CallContext = { time: entry.time };
  if (entry.database !== undefined) context.database = detach(entry.database);
  if (entry.user !== undefined) context.user = detach(entry.user);
  if (entry.application !== undefined) context.application = detach(entry.application);
  if (entry.client !== undefined) context.client = detach(entry.client);
  if (entry.detail !== undefined) context.detail = detach(entry.detail);
  return context;
}

function mergeTables(into: Map<string, TableState>, from: TableState[]): void {
  for (const table of from) {
    const mine = into.get(table.table);
    if (mine === undefined) into.set(table.table, table);
    else {
      mine.count += table.count;
      if (mine.tuples_removed !== undefined) mine.tuples_removed += table.tuples_removed ?? 0;
      if (mine.pages_removed !== undefined) mine.pages_removed += table.pages_removed ?? 0;
      mergeTotal(mine.total, table.total);
      mine.max_s = Math.max(mine.max_s, table.max_s);
    }
  }
}

function tableList(tables: Map<string, TableState>): TableMaintenance[] {
  return [...tables.values()]
    .map((t) => ({ t, totalS: totalValue(t.total) }))
    .sort((a, b) => b.t.count - a.t.count || b.totalS - a.totalS)
    .slice(0, 50)
    .map(({ t }): TableMaintenance =>
      t.tuples_removed !== undefined
        ? { table: t.table, count: t.count, tuples_removed: t.tuples_removed, pages_removed: t.pages_removed ?? 0, total_s: totalRounded(t.total), max_s: t.max_s }
        : { table: t.table, count: t.count, total_s: totalRounded(t.total), max_s: t.max_s },
    );
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
