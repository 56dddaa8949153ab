/**
 * Groups statements the way pg_stat_statements does: same parse tree modulo constants.
 * The fast tokenizer gives each text a memo key; the real PostgreSQL parser (libpg-query) runs
 * once per distinct key, and the canonical tree (locations, constant values and alias names
 * removed, constant types kept) identifies the group. Utility statements (BEGIN, SET, VACUUM,
 * DDL...) are grouped by their exact text, as PostgreSQL 15 computes their query id from it.
 */
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { loadModule, normalizeSync, parseSync } from 'libpg-query';
import { detach } from './detach.js';
import { keyToDisplayText, normalizeStatement, statementKeyHash } from './sql-normalizer.js';

export interface StatementGroupRef {
  /** Stable id of the group: 16 hex digits. */
  fingerprint: string;
  /** Normalised text with $n placeholders (utility statements: their text). */
  query: string;
  utility: boolean;
  /** False when the parser rejected the text (truncated or not SQL): grouped by normalised text. */
  parsed: boolean;
}

interface MemoEntry {
  refs: StatementGroupRef[];
  /** Some statement is a utility statement: resolve again by exact text. */
  byExactText: boolean;
}

const optimizable = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const MAX_MEMO = 200_000;
const MAX_TEXTS = 4_000;
const MAX_TEXT_CHARS = 2_048;

let moduleReady: Promise<void> | undefined;

/**
 * Loads the WASM parser once per process. The parser runs once per distinct statement, so V8's
 * baseline compiler (Liftoff) is plenty: letting V8 also optimise the 1.7 MB module with TurboFan
 * costs ~1.5 CPU seconds and ~70 MB of RSS per process for no measurable gain (bench/logs.ts).
 * The flag only affects WebAssembly compiled after it is set.
 */
export function loadSqlParser(): Promise<void> {
  if (moduleReady === undefined) {
    setFlagsFromString('--liftoff-only');
    moduleReady = loadModule();
  }
  return moduleReady;
}

function hash16(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** Kind of a constant as PostgreSQL would type it after analysis. */
function constantKind(node: Record<string, unknown>): string {
  if ('isnull' in node) return 'null';
  if ('ival' in node) return 'int4';
  if ('boolval' in node) return 'bool';
  if ('bsval' in node) return 'bits';
  if ('sval' in node) return 'text';
  if ('fval' in node) {
    const value = String((node.fval as { fval?: string }).fval ?? '');
    if (/^-?\d+$/.test(value)) {
      const big = BigInt(value);
      if (big >= -9223372036854775808n && big <= 9223372036854775807n) return 'int8';
    }
    return 'numeric';
  }
  return 'const';
}

/** Canonical text of a parse tree: what pg_stat_statements' jumble would look at. */
function canonical(value: unknown, dropResTargetName = false): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, dropResTargetName)).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(object)) {
    if (key === 'location' || key === 'alias' || key === 'stmt_location' || key === 'stmt_len') continue;
    if (key === 'A_Const') {
      out += `A_Const:${constantKind(object[key] as Record<string, unknown>)},`;
      continue;
    }
    if (key === 'ResTarget' && dropResTargetName) {
      const { name: _name, ...rest } = object[key] as Record<string, unknown>;
      out += `ResTarget:${canonical(rest)},`;
      continue;
    }
    // Column aliases of a SELECT list do not change the query id; SET targets of UPDATE do.
    const dropNames = key === 'targetList' && 'fromClause' in object ? true : key === 'targetList' && !('relation' in object);
    out += `${key}:${canonical(object[key], dropNames)},`;
  }
  return `${out}}`;
}

interface RawStatement {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

/** Text of one statement of a multi-statement string (locations are UTF-8 byte offsets). */
function statementText(raw: string, statement: RawStatement, only: boolean): string {
  let text = raw;
  if (!only) {
    const bytes = Buffer.from(raw, 'utf8');
    const start = statement.stmt_location ?? 0;
    const end = statement.stmt_len ? start + statement.stmt_len : bytes.length;
    text = bytes.subarray(start, end).toString('utf8');
  }
  text = text.trim();
  while (text.endsWith(';')) text = text.slice(0, -1).trimEnd();
  return text;
}

export class StatementGrouper {
  private memo = new Map<number, MemoEntry>();
  private exact = new Map<string, StatementGroupRef[]>();
  /**
   * Recent statement texts seen verbatim (prepared statements with $n parameters, ORM queries,
   * repeated scripts): a native string lookup instead of the tokenizer. Bounded in entries and
   * text length, so at most ~16 MB.
   */
  private byText = new Map<string, StatementGroupRef[]>();
  parserCalls = 0;
  parseFailures = 0;

  /** Groups of the statements in `raw` (one per statement of a multi-statement string). */
  resolve(raw: string): StatementGroupRef[] {
    const seen = this.byText.get(raw);
    if (seen !== undefined) return seen;
    const refs = this.resolveByKey(raw);
    if (raw.length <= MAX_TEXT_CHARS) {
      if (this.byText.size >= MAX_TEXTS) this.byText.clear();
      this.byText.set(detach(raw), refs);
    }
    return refs;
  }

  private resolveByKey(raw: string): StatementGroupRef[] {
    // Per line only a hash of the normalised text is computed; the parser runs once per hash.
    const hash = statementKeyHash(raw);
    let entry = this.memo.get(hash);
    if (entry === undefined) {
      entry = this.analyse(raw);
      if (this.memo.size >= MAX_MEMO) this.memo.clear();
      this.memo.set(hash, entry);
    }
    if (!entry.byExactText) return entry.refs;
    let refs = this.exact.get(raw);
    if (refs === undefined) {
      refs = this.analyse(raw).refs;
      if (this.exact.size >= MAX_MEMO) this.exact.clear();
      this.exact.set(detach(raw), refs);
    }
    return refs;
  }

  private analyse(raw: string): MemoEntry {
    this.parserCalls += 1;
    const key = normalizeStatement(raw).key;
    let statements: RawStatement[];
    try {
      statements = (parseSync(raw) as { stmts?: RawStatement[] }).stmts ?? [];
    } catch {
      this.parseFailures += 1;
      return { refs: [this.unparsedRef(key)], byExactText: false };
    }
    if (statements.length === 0) return { refs: [this.unparsedRef(key)], byExactText: false };
    let byExactText = false;
    const refs = statements.map((statement): StatementGroupRef => {
      const nodeType = Object.keys(statement.stmt)[0] ?? '';
      const text = statementText(raw, statement, statements.length === 1);
      if (!optimizable.has(nodeType)) {
        byExactText = true;
        return { fingerprint: hash16(`utility:${text}`), query: detach(text), utility: true, parsed: true };
      }
      let query: string;
      try {
        query = normalizeSync(text);
      } catch {
        query = keyToDisplayText(normalizeStatement(text).key);
      }
      return { fingerprint: hash16(canonical(statement.stmt)), query: trimSemicolon(query), utility: false, parsed: true };
    });
    return { refs, byExactText };
  }

  private unparsedRef(key: string): StatementGroupRef {
    return { fingerprint: hash16(`text:${key}`), query: detach(trimSemicolon(keyToDisplayText(key))), utility: false, parsed: false };
  }
}

function trimSemicolon(text: string): string {
  let t = text.trim();
  while (t.endsWith(';')) t = t.slice(0, -1).trimEnd();
  return t;
}
