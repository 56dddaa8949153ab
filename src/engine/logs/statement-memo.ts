/**
 * The memo side of statement grouping: per line only the tokenizer's hash of the normalised text
 * is computed, and a group is looked up by it; what a new text belongs to is asked once per hash
 * of whoever has the SQL parser (the main thread's StatementGrouper, or, in a log worker thread,
 * the main thread through a synchronous request). Nothing here loads the parser itself.
 */
import { detach } from './detach.js';
import { statementKeyHash } from './sql-normalizer.js';

export interface StatementGroupRef {
  /** Stable id of the group: 16 hex digits. */
  fingerprint: string;
  /** Normalised text with $n placeholders (utility statements: their text). */
  query: string;
  utility: boolean;
  /** False when the parser rejected the text (truncated or not SQL): grouped by normalised text. */
  parsed: boolean;
}

export interface MemoEntry {
  refs: StatementGroupRef[];
  /** Some statement is a utility statement: resolve again by exact text. */
  byExactText: boolean;
}

/** What resolving a text needs from the parser: its memo entry, and the groups of this exact text. */
export interface ResolvedText {
  byExactText: boolean;
  refs: StatementGroupRef[];
}

/** Anything that resolves statement texts to their groups (the aggregator's view of a grouper). */
export interface StatementResolver {
  /** `keyHash`: statementKeyHash(raw), when the caller has it (the line scanner computes it). */
  resolve(raw: string, keyHash?: number): StatementGroupRef[];
  /** The groups exactly as this text gives them (display text included), memo or not. */
  groupsOfText?(raw: string): StatementGroupRef[];
}

const MAX_MEMO = 200_000;
const MAX_TEXTS = 4_000;
const MAX_TEXT_CHARS = 2_048;

export abstract class StatementMemo implements StatementResolver {
  private memo = new Map<number, MemoEntry>();
  private exact = new Map<string, StatementGroupRef[]>();
  /**
   * Recent statement texts seen verbatim (prepared statements with $n parameters, ORM queries,
   * repeated scripts): a native string lookup instead of the tokenizer. Bounded in entries and
   * text length, so at most ~16 MB.
   */
  private byText = new Map<string, StatementGroupRef[]>();

  /** The memo entry of a text whose hash (`keyHash`, statementKeyHash(raw)) is not known yet. */
  protected abstract entryFor(raw: string, keyHash: number): MemoEntry;
  /** The groups of one exact text whose memo entry (made from another text) says "by exact text". */
  protected abstract exactRefsFor(raw: string): StatementGroupRef[];

  /**
   * Groups of the statements in `raw` (one per statement of a multi-statement string). With its
   * key hash given, the hash memo is asked first: a number key, where the verbatim-text memo
   * would hash the whole text.
   */
  resolve(raw: string, keyHash?: number): StatementGroupRef[] {
    if (keyHash !== undefined) {
      const entry = this.memo.get(keyHash);
      if (entry !== undefined && !entry.byExactText) return entry.refs;
    }
    const seen = this.byText.get(raw);
    if (seen !== undefined) return seen;
    const refs = this.resolveByKey(raw, keyHash);
    this.remember(raw, refs);
    return refs;
  }

  /** The groups of `raw` if the memo already knows them (never asks the parser). */
  lookup(raw: string): StatementGroupRef[] | undefined {
    const seen = this.byText.get(raw);
    if (seen !== undefined) return seen;
    const entry = this.memo.get(statementKeyHash(raw));
    if (entry === undefined) return undefined;
    const refs = entry.byExactText ? this.exact.get(raw) : entry.refs;
    if (refs !== undefined) this.remember(raw, refs);
    return refs;
  }

  /** Stores what the parser said about `raw` (an answer asked for ahead of use). */
  protected store(raw: string, resolved: ResolvedText): void {
    const hash = statementKeyHash(raw);
    if (this.memo.size >= MAX_MEMO || this.exact.size >= MAX_MEMO) this.forget();
    if (resolved.byExactText) {
      if (!this.memo.has(hash)) this.memo.set(hash, { refs: resolved.refs, byExactText: true });
      this.exact.set(detach(raw), resolved.refs);
    } else this.memo.set(hash, { refs: resolved.refs, byExactText: false });
    this.remember(raw, resolved.refs);
  }

  /**
   * Empties the memos together, so that a verbatim text never gives other groups than its hash
   * would (the scanner's statements are looked up by hash first, the others by text first).
   */
  private forget(): void {
    this.memo.clear();
    this.exact.clear();
    this.byText.clear();
  }

  private remember(raw: string, refs: StatementGroupRef[]): void {
    if (raw.length > MAX_TEXT_CHARS) return;
    if (this.byText.size >= MAX_TEXTS) this.byText.clear();
    this.byText.set(detach(raw), refs);
  }

  /** Resolves through the hash memo (not the verbatim-text memo); also says how the text was grouped. */
  resolveText(raw: string): ResolvedText {
    const refs = this.resolveByKey(raw);
    return { byExactText: this.memo.get(statementKeyHash(raw))?.byExactText ?? false, refs };
  }

  private resolveByKey(raw: string, keyHash?: number): StatementGroupRef[] {
    // Per line only a hash of the normalised text is computed; the parser runs once per hash.
    const hash = keyHash ?? statementKeyHash(raw);
    let entry = this.memo.get(hash);
    if (entry === undefined) {
      entry = this.entryFor(raw, hash);
      if (this.memo.size >= MAX_MEMO || this.exact.size >= MAX_MEMO) this.forget();
      this.memo.set(hash, entry);
      if (!entry.byExactText) return entry.refs;
      // A new entry was made from this very text: its refs are this text's own groups (utility
      // statements included), so the parser is not asked about the same text twice.
      this.exact.set(detach(raw), entry.refs);
      return entry.refs;
    }
    if (!entry.byExactText) return entry.refs;
    let refs = this.exact.get(raw);
    if (refs === undefined) {
      refs = this.exactRefsFor(raw);
      if (this.exact.size >= MAX_MEMO) {
        this.forget();
        this.memo.set(hash, entry);
      }
      this.exact.set(detach(raw), refs);
    }
    return refs;
  }
}
