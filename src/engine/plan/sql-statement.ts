/**
 * What a pasted statement is, from PostgreSQL's own parser (libpg-query): one statement or
 * several, read or write, and which `$n` parameters it uses. EXPLAIN safety decisions are made
 * here, so anything that does not parse is refused rather than guessed at.
 */
import { loadModule, parseSync } from 'libpg-query';

/** Bad input the person can fix (not a server failure); tools turn it into a ToolInputError. */
export class ExplainInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainInputError';
  }
}

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'merge' | 'create-table-as' | 'execute' | 'declare-cursor' | 'other';

export interface ParsedStatement {
  sql: string;
  kind: StatementKind;
  /** True for a SELECT that cannot write: no FOR UPDATE/SHARE, no SELECT INTO, no data-modifying CTE. */
  plainRead: boolean;
  /** Highest `$n` used (0 when the statement has no parameters). */
  parameterCount: number;
  /** The statement node from the parser (for the advisor and tips). */
  tree: Record<string, unknown>;
}

let loading: Promise<void> | undefined;

/** The parser is WASM: load it once before any synchronous parse. */
export async function loadSqlParser(): Promise<void> {
  loading ??= loadModule();
  await loading;
}

/** Parses any number of statements; throws ExplainInputError with the parser's message and position. */
export function parseStatements(sql: string): Record<string, unknown>[] {
  try {
    const result = parseSync(sql) as { stmts?: { stmt: Record<string, unknown> }[] };
    return (result.stmts ?? []).map((s) => s.stmt);
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const where = details?.cursorPosition !== undefined ? ` (at character ${details.cursorPosition + 1})` : '';
    throw new ExplainInputError(`The SQL does not parse: ${(error as Error).message}${where}. Check the statement and try again.`);
  }
}

const kinds: Record<string, StatementKind> = {
  SelectStmt: 'select',
  InsertStmt: 'insert',
  UpdateStmt: 'update',
  DeleteStmt: 'delete',
  MergeStmt: 'merge',
  CreateTableAsStmt: 'create-table-as',
  ExecuteStmt: 'execute',
  DeclareCursorStmt: 'declare-cursor',
};

/** Parses exactly one explainable statement. */
export async function parseExplainable(sql: string): Promise<ParsedStatement> {
  await loadSqlParser();
  const trimmed = sql.trim().replace(/;\s*$/, '');
  if (trimmed === '') throw new ExplainInputError('No SQL was given: paste the query to explain.');
  const statements = parseStatements(trimmed);
  if (statements.length === 0) throw new ExplainInputError('No SQL statement was found (only comments?): paste the query to explain.');
  if (statements.length > 1) {
    throw new ExplainInputError(`Found ${statements.length} statements; EXPLAIN takes one at a time. Send each query separately.`);
  }
  const tree = statements[0]!;
  const nodeName = Object.keys(tree)[0] ?? '';
  if (nodeName === 'ExplainStmt') {
    throw new ExplainInputError('The SQL already starts with EXPLAIN: send only the query; pgdba adds EXPLAIN itself (ask for analyze to run it).');
  }
  const kind = kinds[nodeName] ?? 'other';
  if (kind === 'other') {
    const name = nodeName.replace(/Stmt$/, '');
    throw new ExplainInputError(
      `EXPLAIN works on SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, CREATE TABLE AS and EXECUTE; this is a ${name} statement.`,
    );
  }
  return { sql: trimmed, kind, plainRead: kind === 'select' && isPlainRead(tree), parameterCount: maxParam(tree), tree };
}

function isPlainRead(tree: Record<string, unknown>): boolean {
  let plain = true;
  walk(tree, (key, value) => {
    if (key === 'lockingClause' || key === 'intoClause') plain = false;
    if (key === 'InsertStmt' || key === 'UpdateStmt' || key === 'DeleteStmt' || key === 'MergeStmt') plain = false;
    void value;
  });
  return plain;
}

function maxParam(tree: unknown): number {
  let max = 0;
  walk(tree, (key, value) => {
    if (key === 'ParamRef') max = Math.max(max, Number((value as { number?: number }).number ?? 0));
  });
  return max;
}

/** Depth-first visit of every key/value of a parse tree. */
export function walk(node: unknown, visit: (key: string, value: unknown, parent: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    visit(key, value, node);
    walk(value, visit);
  }
}
