/**
 * Stitches DETAIL / HINT / CONTEXT / STATEMENT / QUERY / LOCATION records to the message they
 * belong to: the last message of the same process. The parent stays open until its process
 * writes its next message (or too many processes are open), so interleaved sessions stitch
 * correctly while memory stays bounded.
 */
import type { LogEntry, LogRecord } from './types.js';

// Larger than the syslog reader's own open-record limit (512), so late attachments still find their parent.
const MAX_OPEN = 4096;

export class Stitcher {
  private readonly open = new Map<number, LogEntry>();
  /** Attachments whose parent was never seen (e.g. the file starts mid-entry). */
  orphans = 0;

  /**
   * `adjacent`: the format writes attachments right after their message (stderr, csvlog,
   * jsonlog), so only the last message needs to stay open: no per-line map work.
   */
  constructor(
    private readonly emit: (entry: LogEntry) => void,
    private readonly source: number,
    private readonly adjacent = false,
  ) {}

  private last: LogEntry | undefined;

  push(record: LogRecord): void {
    if (this.adjacent) {
      const s = record.severity;
      if (s === 'DETAIL' || s === 'HINT' || s === 'CONTEXT' || s === 'STATEMENT' || s === 'QUERY' || s === 'LOCATION') {
        if (this.last !== undefined && this.last.pid === record.pid) this.attachTo(this.last, record);
        else this.orphans += 1;
        return;
      }
      if (this.last !== undefined) this.emit(this.last);
      const entry = record as LogEntry;
      entry.source = this.source;
      this.last = entry;
      return;
    }
    switch (record.severity) {
      case 'DETAIL':
      case 'HINT':
      case 'CONTEXT':
      case 'STATEMENT':
      case 'QUERY':
      case 'LOCATION':
        this.attach(record);
        return;
      default: {
        const previous = this.open.get(record.pid);
        if (previous !== undefined) {
          this.open.delete(record.pid);
          this.emit(previous);
        }
        const entry = record as LogEntry;
        entry.source = this.source;
        this.open.set(record.pid, entry);
        if (this.open.size > MAX_OPEN) this.emitOldest();
      }
    }
  }

  private attach(record: LogRecord): void {
    const parent = this.open.get(record.pid);
    if (parent === undefined) {
      this.orphans += 1;
      return;
    }
    this.attachTo(parent, record);
  }

  private attachTo(parent: LogEntry, record: LogRecord): void {
    switch (record.severity) {
      case 'DETAIL':
        parent.detail = parent.detail === undefined ? record.message : `${parent.detail}\n${record.message}`;
        break;
      case 'HINT':
        parent.hint = record.message;
        break;
      case 'CONTEXT':
        parent.context = record.message;
        break;
      case 'STATEMENT':
        parent.statement = record.message;
        break;
      case 'QUERY':
        parent.internalQuery = record.message;
        break;
      default:
        break;
    }
  }

  private emitOldest(): void {
    const first = this.open.entries().next();
    if (first.done) return;
    const [pid, entry] = first.value;
    this.open.delete(pid);
    this.emit(entry);
  }

  /** Emits the last entry of an adjacent format (its attachments are over: another entry follows). */
  flush(): void {
    if (this.last !== undefined) this.emit(this.last);
    this.last = undefined;
  }

  /** Emits every open entry (end of input). */
  end(): void {
    if (this.last !== undefined) this.emit(this.last);
    this.last = undefined;
    for (const entry of this.open.values()) this.emit(entry);
    this.open.clear();
  }
}
