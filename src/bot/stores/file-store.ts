/**
 * A keyv store kept in one local file, the embedded default for lasting state: an approval
 * pending when pgdba restarts must still be approvable afterwards.
 *
 * The file is an append-only journal of JSON lines (`{"k":…,"v":…}` to set, `{"k":…,"d":1}` to
 * delete), replayed at open and rewritten compactly when it holds mostly stale lines. Appends
 * are synchronous so a reply that says "saved" is on disk. One process per file: replicas share
 * state through Redis instead (PGDBA_STORE_URL).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface JournalLine {
  k: string;
  v?: unknown;
  d?: 1;
}

/** The Map-like interface keyv accepts as a `store`. */
export class FileStore {
  private readonly entries = new Map<string, unknown>();
  private journalLines = 0;

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) this.replay(readFileSync(path, 'utf8'));
  }

  get(key: string): unknown {
    return this.entries.get(key);
  }

  set(key: string, value: unknown): this {
    this.entries.set(key, value);
    this.append({ k: key, v: value });
    return this;
  }

  delete(key: string): boolean {
    const existed = this.entries.delete(key);
    if (existed) this.append({ k: key, d: 1 });
    return existed;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  clear(): void {
    this.entries.clear();
    this.compact();
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  entriesIterator(): IterableIterator<[string, unknown]> {
    return this.entries.entries();
  }

  get size(): number {
    return this.entries.size;
  }

  private replay(text: string): void {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalLine;
      try {
        entry = JSON.parse(line) as JournalLine;
      } catch {
        continue; // A line cut by a crash mid-write: everything before it is intact.
      }
      if (entry.d) this.entries.delete(entry.k);
      else this.entries.set(entry.k, entry.v);
      this.journalLines += 1;
    }
  }

  private append(line: JournalLine): void {
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    this.journalLines += 1;
    if (this.journalLines > 1000 && this.journalLines > this.entries.size * 2) this.compact();
  }

  // Rewrite to a temporary file and rename, so a crash leaves either the old or the new journal.
  private compact(): void {
    const lines = [...this.entries].map(([k, v]) => JSON.stringify({ k, v })).join('\n');
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, lines === '' ? '' : `${lines}\n`);
    renameSync(temporary, this.path);
    this.journalLines = this.entries.size;
  }
}
