/**
 * Groups statements the way pg_stat_statements does: same parse tree modulo constants.
 * The fast tokenizer gives each text a memo key (statement-memo.ts); the real PostgreSQL parser
 * (libpg-query) runs once per distinct key, and the canonical tree (locations, constant values and
 * alias names removed, constant types kept) identifies the group. Utility statements (BEGIN, SET,
 * VACUUM, DDL...) are grouped by their exact text, as PostgreSQL 15 computes their query id from it.
 * Only the main thread loads the parser; log worker threads ask it (see parallel-analysis.ts).
 */
import { createHash } from 'node:crypto';
import type * as LibPgQueryModule from 'libpg-query';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { detach } from './detach.js';
import { keyToDisplayText, normalizeStatement, statementKeyHash } from './sql-normalizer.js';
import { StatementMemo, type MemoEntry, type StatementGroupRef } from './statement-memo.js';

export type { StatementGroupRef } from './statement-memo.js';

type LibPgQuery = typeof LibPgQueryModule;

const optimizable = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

let parser: LibPgQuery | undefined;
let loading: Promise<void> | undefined;

/** V8 flags given on the command line win: then the parser is loaded with whatever they say. */
function userSetsWasmTiering(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => /liftoff|tier-?up|dynamic-tiering|lazy-validation/.test(flag));
}

/**
 * Loads the WASM parser once per process, compiled by V8's baseline compiler (Liftoff) only.
 * The parser runs once per distinct statement: letting V8 also optimise the 1.7 MB module with
 * TurboFan costs ~1.5 CPU seconds and ~70 MB of RSS per analysis for no measurable gain.
 *
 * V8 flags are process-wide (worker threads share them), so `--liftoff-only` is set only while
 * this module is compiled and put back afterwards: a module records at compile time whether it
 * tiers up dynamically, so WebAssembly compiled later (PGlite in `pgdba serve`/`chat`) still gets
 * TurboFan. `--no-wasm-tier-up`, which `--liftoff-only` implies, is left set: it only disables
 * the *eager* tier-up of modules compiled without dynamic tiering (this parser, whose functions
 * are compiled lazily on first call), not the default dynamic tier-up of other modules.
 * tests/engine/logs/sql-parser-tiering.test.ts checks both sides with --trace-wasm-compilation-times.
 * `--wasm-lazy-validation` is set for the same window only (it is read when a module is compiled).
 */
export function loadSqlParser(): Promise<void> {
  loading ??= (async () => {
    const window = !userSetsWasmTiering();
    if (window) {
      setFlagsFromString('--liftoff-only');
      // Each function is validated when it is first compiled (the few hundred a log analysis
      // calls), not the whole 1.7 MB module up front: ~4 ms less start-up on one core.
      setFlagsFromString('--wasm-lazy-validation');
    }
    try {
      // The package is CommonJS: `require` it. An ESM `import()` of it makes Node run its
      // cjs-module-lexer over the package's files to find their named exports, and V8 then
      // optimises that lexer on a background thread: ~50 ms of start-up on one core.
      const lib = createRequire(import.meta.url)('libpg-query') as LibPgQuery;
      await lib.loadModule();
      parser = lib;
    } finally {
      if (window) {
        setFlagsFromString('--no-liftoff-only');
        setFlagsFromString('--no-wasm-lazy-validation');
        setFlagsFromString('--wasm-dynamic-tiering');
      }
    }
  })();
  return loading;
}

function sql(): LibPgQuery {
  if (parser === undefined) throw new Error('The SQL parser is not loaded: call loadSqlParser() first.');
  return parser;
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

export class StatementGrouper extends StatementMemo {
  parserCalls = 0;
  parseFailures = 0;
  /** The text each memo entry was analysed from (its groups' display text comes from it). */
  private readonly analysedText = new Map<number, string>();

  protected entryFor(raw: string, keyHash: number): MemoEntry {
    if (this.analysedText.size >= 200_000) this.analysedText.clear();
    this.analysedText.set(keyHash, detach(raw));
    return this.analyse(raw);
  }

  groupsOfText(raw: string): StatementGroupRef[] {
    return this.analysedText.get(statementKeyHash(raw)) === raw ? this.resolve(raw) : this.analyse(raw).refs;
  }

  protected exactRefsFor(raw: string): StatementGroupRef[] {
    return this.analyse(raw).refs;
  }

  private analyse(raw: string): MemoEntry {
    this.parserCalls += 1;
    let statements: RawStatement[];
    try {
      statements = (sql().parseSync(raw) as { stmts?: RawStatement[] }).stmts ?? [];
    } catch {
      this.parseFailures += 1;
      return { refs: [this.unparsedRef(normalizeStatement(raw).key)], byExactText: false };
    }
    if (statements.length === 0) return { refs: [this.unparsedRef(normalizeStatement(raw).key)], byExactText: false };
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
        query = sql().normalizeSync(text);
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
