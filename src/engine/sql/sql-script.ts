/**
 * Splits a SQL script into statements with PostgreSQL's own parser (libpg-query), keeping each
 * statement's text and parse tree. A script that does not parse is not guessed at: the caller
 * gets the parser's message and treats the whole script as unsafe.
 */
import { parseSync } from 'libpg-query';
import { loadSqlParser } from '../plan/sql-statement.js';

export type ParseNode = Record<string, unknown>;

export interface ScriptStatement {
  /** Position in the script, from 0. */
  index: number;
  /** The statement's own text, without the trailing semicolon. */
  sql: string;
  /** Parser node name, e.g. "IndexStmt". */
  nodeType: string;
  /** The node's body (what sits under `nodeType`). */
  node: ParseNode;
}

export type ParsedScript =
  | { ok: true; statements: ScriptStatement[] }
  | { ok: false; error: string };

export { loadSqlParser };

/** Parses a script; call `loadSqlParser()` once before (the parser is WASM). */
export function parseScript(sql: string): ParsedScript {
  let result: { stmts?: { stmt: ParseNode; stmt_location?: number; stmt_len?: number }[] };
  try {
    result = parseSync(sql) as typeof result;
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const where = details?.cursorPosition !== undefined ? ` at character ${details.cursorPosition + 1}` : '';
    return { ok: false, error: `the SQL does not parse: ${(error as Error).message}${where}` };
  }
  // libpg-query reports positions in bytes of UTF-8, so slice the bytes, not the string.
  const bytes = Buffer.from(sql, 'utf8');
  const statements = (result.stmts ?? []).map((entry, index) => {
    const start = entry.stmt_location ?? 0;
    const end = entry.stmt_len === undefined || entry.stmt_len === 0 ? bytes.length : start + entry.stmt_len;
    const nodeType = Object.keys(entry.stmt)[0] ?? 'Unknown';
    return {
      index,
      sql: bytes.subarray(start, end).toString('utf8').trim().replace(/;\s*$/, ''),
      nodeType,
      node: (entry.stmt[nodeType] ?? {}) as ParseNode,
    };
  });
  return { ok: true, statements };
}

/** Depth-first visit of every key/value pair of a parse tree. */
export function walkTree(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walkTree(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    visit(key, value);
    walkTree(value, visit);
  }
}

/** "schema.name" or "name" from a RangeVar node. */
export function relationName(rangeVar: unknown): string | undefined {
  if (!rangeVar || typeof rangeVar !== 'object') return undefined;
  const { schemaname, relname } = rangeVar as { schemaname?: string; relname?: string };
  if (!relname) return undefined;
  return schemaname ? `${schemaname}.${relname}` : relname;
}

/** Names from a list of String nodes (qualified names in DROP, function names). */
export function nameParts(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => ((item as { String?: { sval?: string } }).String?.sval ?? '')).filter((s) => s !== '');
}

/** Quotes an identifier the way PostgreSQL's quote_ident does. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Quotes every part of a dotted name that was parsed into parts. */
export function quoteQualified(parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}
