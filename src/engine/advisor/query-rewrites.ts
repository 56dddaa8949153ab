/**
 * Query rewrite suggestions read from the parse tree (and the plan's filters when given): each
 * says what is slow and why, and carries rewritten SQL when the rewrite is mechanical. Rewrites
 * are produced by editing the original text at the parser's locations, so the rest of the query
 * stays exactly as written.
 */
import { describeNode, planNodes, type Plan } from '../plan/plan-model.js';
import { wrappedColumn } from '../plan/plan-tips.js';
import type { RelationFacts } from '../plan/relation-facts.js';
import { columnRefName, resolveColumn, tablesOf, unwrapCast, type TableRef } from '../plan/query-tables.js';
import { walk, type ParsedStatement } from '../plan/sql-statement.js';

export type RewriteKind =
  | 'not-in-subquery'
  | 'or-to-union'
  | 'function-on-indexed-column'
  | 'implicit-cast'
  | 'leading-wildcard-like'
  | 'select-star-wide-table'
  | 'offset-pagination'
  | 'count-star-huge-table'
  | 'correlated-subquery';

export interface RewriteSuggestion {
  kind: RewriteKind;
  title: string;
  explanation: string;
  /** The whole statement rewritten, when the rewrite is mechanical. */
  rewrittenSql?: string;
  /** True when rewrittenSql can be run as is (no placeholders) and so be costed against the original. */
  runnable: boolean;
  /** Supporting SQL that is not the query itself (an expression or trigram index). */
  supportingSql?: string;
}

type Json = Record<string, unknown>;

export function suggestRewrites(statement: ParsedStatement, facts: RelationFacts[], plan?: Plan): RewriteSuggestion[] {
  const sql = statement.sql;
  const tree = statement.tree;
  const tables = tablesOf(tree);
  const factsOf = (t: TableRef | undefined) => (t ? facts.find((f) => f.name === t.name && (!t.schema || f.schema === t.schema)) : undefined);
  const columnsOf = (t: TableRef) => factsOf(t)?.columns.map((c) => c.name);
  const out: RewriteSuggestion[] = [];
  const top = (tree.SelectStmt ?? undefined) as Json | undefined;

  // NOT IN (subquery) -> NOT EXISTS
  walk(tree, (key, value) => {
    if (key !== 'BoolExpr') return;
    const bool = value as { boolop?: string; args?: Json[] };
    const link = bool.boolop === 'NOT_EXPR' ? (bool.args?.[0]?.SubLink as Json | undefined) : undefined;
    if (!link || link.subLinkType !== 'ANY_SUBLINK') return;
    out.push(notInRewrite(sql, link, tables, columnsOf));
  });

  // OR across different columns -> UNION ALL (top-level WHERE of a simple single-table SELECT)
  const where = top?.whereClause as Json | undefined;
  const or = where?.BoolExpr as { boolop?: string; args?: unknown[] } | undefined;
  if (top && or?.boolop === 'OR_EXPR') {
    const columns = new Set<string>();
    for (const arg of or.args ?? []) walk(arg, (k, v) => k === 'ColumnRef' && columns.add(JSON.stringify((v as Json).fields)));
    if (columns.size > 1) out.push(orRewrite(sql, top, or.args ?? [], tables.length === 1));
  }

  // Functions and casts on indexed columns
  walk(tree, (key, value) => {
    if (key !== 'A_Expr') return;
    const expr = value as { kind?: string; name?: Json[]; lexpr?: unknown; rexpr?: unknown };
    const wrapped = wrappedColumn(expr.lexpr);
    if (!wrapped) return;
    const table = resolveColumn(wrapped.column, tables, columnsOf);
    const f = factsOf(table);
    const index = f?.indexes.find((i) => i.keyColumns[0] === wrapped.column.column);
    if (!f || !index) return;
    const columnType = f.columns.find((c) => c.name === wrapped.column.column)?.type ?? '';
    if (wrapped.how === 'cast' && /^(text|varchar)$/.test(wrapped.wrapper) && /^(character varying|text)/.test(columnType)) return;
    const columnText = wrapped.column.qualifier ? `${wrapped.column.qualifier}.${wrapped.column.column}` : wrapped.column.column;
    const op = (expr.name?.[0]?.String as { sval?: string } | undefined)?.sval;
    const dateLike = (wrapped.how === 'cast' && wrapped.wrapper === 'date') || (wrapped.how === 'function' && wrapped.wrapper === 'date');
    const span = nodeSpan(sql, { A_Expr: value });
    const rightText = span && expr.rexpr ? sql.slice(startOf(expr.rexpr) ?? span.end, span.end).trim() : undefined;
    let rewrittenSql: string | undefined;
    if (dateLike && op === '=' && span && rightText && /timestamp/.test(columnType)) {
      rewrittenSql = `${sql.slice(0, span.start)}${columnText} >= ${rightText}::date AND ${columnText} < ${rightText}::date + 1${sql.slice(span.end)}`;
    }
    out.push({
      kind: 'function-on-indexed-column',
      title: `${wrapped.how === 'cast' ? `Cast ::${wrapped.wrapper}` : `${wrapped.wrapper}()`} on indexed column ${f.name}.${wrapped.column.column}`,
      explanation:
        `Index ${index.name} stores ${wrapped.column.column} itself, so a condition on ${wrapped.how === 'cast' ? `${wrapped.column.column}::${wrapped.wrapper}` : `${wrapped.wrapper}(${wrapped.column.column})`} cannot use it. ` +
        (rewrittenSql ? 'A range on the bare column keeps the meaning and lets the index work.' : 'Put the function on the other side of the comparison if you can, or index the expression itself.'),
      ...(rewrittenSql ? { rewrittenSql } : {}),
      runnable: rewrittenSql !== undefined,
      ...(!rewrittenSql ? { supportingSql: `CREATE INDEX CONCURRENTLY ON ${f.schema}.${f.name} ((${wrapped.how === 'cast' ? `${wrapped.column.column}::${wrapped.wrapper}` : `${wrapped.wrapper}(${wrapped.column.column})`}));` } : {}),
    });
  });

  // Implicit casts, seen in the plan: a cast on an indexed column that the SQL did not write.
  if (plan) {
    const written = new Set<string>();
    walk(tree, (key, value) => {
      if (key === 'TypeCast') {
        const c = columnRefName((value as Json).arg);
        if (c) written.add(c.column);
      }
    });
    const seen = new Set<string>();
    for (const node of planNodes(plan)) {
      const f = facts.find((r) => r.name === node.relation);
      for (const condition of [node.details.filter, node.details.indexCond, node.details.recheckCond]) {
        for (const match of (condition ?? '').matchAll(/\(\(?(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)\)?::([a-z ]+?)\)?\s*(=|<|>|<=|>=|~~)/g)) {
          const [, column, type] = match as unknown as [string, string, string];
          const columnType = f?.columns.find((c) => c.name === column)?.type ?? '';
          const indexed = f?.indexes.some((i) => i.keyColumns[0] === column);
          if (!f || !indexed || written.has(column) || seen.has(column)) continue;
          if (/^(text|character varying)$/.test(type.trim()) && /^(character varying|text)/.test(columnType)) continue;
          seen.add(column);
          out.push({
            kind: 'implicit-cast',
            title: `${f.name}.${column} (${columnType}) is implicitly cast to ${type.trim()}`,
            explanation:
              `The value compared with ${column} has type ${type.trim()}, so PostgreSQL casts the column instead of the value (see ${describeNode(node)}), and the index on ${column} cannot be used. ` +
              `Compare with a value of the column's own type (e.g. a ${columnType} literal or a parameter typed ${columnType}).`,
            runnable: false,
          });
        }
      }
    }
  }

  // Leading-wildcard LIKE
  walk(tree, (key, value) => {
    if (key !== 'A_Expr') return;
    const expr = value as { kind?: string; lexpr?: unknown; rexpr?: unknown };
    if (expr.kind !== 'AEXPR_LIKE' && expr.kind !== 'AEXPR_ILIKE') return;
    const pattern = ((unwrapCast(expr.rexpr) as { A_Const?: { sval?: { sval?: string } } } | undefined)?.A_Const?.sval?.sval) ?? '';
    const column = columnRefName(unwrapCast(expr.lexpr));
    if (!pattern.startsWith('%') || !column) return;
    const f = factsOf(resolveColumn(column, tables, columnsOf));
    out.push({
      kind: 'leading-wildcard-like',
      title: `${expr.kind === 'AEXPR_ILIKE' ? 'ILIKE' : 'LIKE'} '${pattern}' starts with a wildcard`,
      explanation:
        'A btree index can only match a known prefix; a pattern starting with % makes PostgreSQL test every row. A trigram GIN index (pg_trgm) serves such patterns, or full-text search when you search for words.',
      runnable: false,
      supportingSql: `CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY ON ${f ? `${f.schema}.${f.name}` : '<table>'} USING gin (${column.column} gin_trgm_ops);`,
    });
  });

  // SELECT * on wide tables
  if (top) {
    const star = ((top.targetList as Json[] | undefined) ?? []).some((t) => {
      const fields = ((t.ResTarget as Json | undefined)?.val as { ColumnRef?: { fields?: Json[] } } | undefined)?.ColumnRef?.fields;
      return fields?.some((f) => 'A_Star' in f);
    });
    const wide = tables.map(factsOf).filter((f): f is RelationFacts => f !== undefined && f.columnCount >= 12);
    if (star && wide.length > 0) {
      out.push({
        kind: 'select-star-wide-table',
        title: `SELECT * reads all ${wide.map((f) => `${f.columnCount} columns of ${f.name}`).join(', ')}`,
        explanation:
          'Every column is fetched, de-TOASTed and sent, even the ones the application ignores; it also rules out index-only scans. List the columns you use.',
        runnable: false,
      });
    }
  }

  // OFFSET pagination -> keyset
  const offset = Number(((unwrapCast(top?.limitOffset) as { A_Const?: { ival?: { ival?: number } } } | undefined)?.A_Const?.ival?.ival) ?? NaN);
  if (top && offset >= 1000) out.push(keysetRewrite(sql, top, offset));

  // COUNT(*) over a whole huge table
  if (top && !top.whereClause && tables.length === 1) {
    const targets = (top.targetList as Json[] | undefined) ?? [];
    const countStar = targets.length === 1 && JSON.stringify(targets[0]).includes('"agg_star":true') && JSON.stringify(targets[0]).includes('"sval":"count"');
    const f = factsOf(tables[0]);
    if (countStar && f && f.reltuples >= 1_000_000) {
      out.push({
        kind: 'count-star-huge-table',
        title: `count(*) scans all ~${Math.round(f.reltuples).toLocaleString('en-US')} rows of ${f.name}`,
        explanation:
          'An exact count must visit every row (or the whole visibility map and index). When an estimate is enough (dashboards, pagination totals), read the planner\'s statistics instead; they are as fresh as the last ANALYZE.',
        rewrittenSql: `SELECT reltuples::bigint AS estimated_rows FROM pg_class WHERE oid = '${f.schema}.${f.name}'::regclass`,
        runnable: true,
      });
    }
  }

  // Correlated scalar subqueries in the select list
  if (top) {
    for (const target of (top.targetList as Json[] | undefined) ?? []) {
      const link = ((target.ResTarget as Json | undefined)?.val as { SubLink?: Json } | undefined)?.SubLink;
      if (!link || link.subLinkType !== 'EXPR_SUBLINK') continue;
      const inner = new Set(tablesOf(link.subselect).map((t) => t.alias));
      let correlated = false;
      walk(link.subselect, (key, value) => {
        if (key !== 'ColumnRef') return;
        const ref = columnRefName({ ColumnRef: value });
        if (ref?.qualifier && !inner.has(ref.qualifier) && tables.some((t) => t.alias === ref.qualifier)) correlated = true;
      });
      if (correlated) {
        out.push({
          kind: 'correlated-subquery',
          title: 'Correlated subquery in the select list runs once per row',
          explanation:
            'The subquery refers to the outer row, so PostgreSQL runs it again for every row returned. A join with GROUP BY (or a LEFT JOIN LATERAL) computes the same values in one pass; at least make sure its lookup column is indexed.',
          runnable: false,
        });
      }
    }
  }
  return out;
}

function notInRewrite(sql: string, link: Json, outerTables: TableRef[], columnsOf: (t: TableRef) => string[] | undefined): RewriteSuggestion {
  const base: RewriteSuggestion = {
    kind: 'not-in-subquery',
    title: 'NOT IN (subquery) → NOT EXISTS',
    explanation:
      'NOT IN over a subquery cannot become an anti-join: PostgreSQL runs it as a hashed or, when it does not fit in work_mem, a per-row subplan, and a single NULL from the subquery makes the whole condition return no rows. NOT EXISTS plans as an anti-join and has the semantics people usually mean.',
    runnable: false,
  };
  const sub = (link.subselect as Json | undefined)?.SelectStmt as Json | undefined;
  const outer = columnRefName(unwrapCast(link.testexpr));
  const targets = (sub?.targetList as Json[] | undefined) ?? [];
  const innerColumn = columnRefName((targets[0]?.ResTarget as Json | undefined)?.val);
  const innerTables = tablesOf(link.subselect);
  if (!sub || !outer || !innerColumn || targets.length !== 1 || innerTables.length !== 1 || sub.groupClause || sub.sortClause || sub.limitCount || sub.havingClause || sub.op !== 'SETOP_NONE') return base;
  const outerTable = resolveColumn(outer, outerTables.filter((t) => !innerTables.some((i) => i.alias === t.alias)), columnsOf);
  if (!outerTable) return base;
  const start = startOf(link.testexpr);
  const subStart = startOf(link.subselect);
  if (start === undefined || subStart === undefined) return base;
  // The subquery sits inside parentheses right after IN: find the matching ")".
  const open = sql.lastIndexOf('(', subStart);
  const close = matchingParen(sql, open);
  if (open < 0 || close < 0) return base;
  const innerText = sql.slice(open + 1, close);
  const fromAt = innerText.search(/\bfrom\b/i);
  if (fromAt < 0) return base;
  const inner = innerTables[0]!;
  const condition = `${inner.alias}.${innerColumn.column} = ${outerTable.alias}.${outer.column}`;
  const rest = innerText.slice(fromAt).trim();
  const body = sub.whereClause ? rest.replace(/\bwhere\b/i, `WHERE ${condition} AND (`) + ')' : `${rest} WHERE ${condition}`;
  const rewrittenSql = `${sql.slice(0, start)}NOT EXISTS (SELECT 1 ${body})${sql.slice(close + 1)}`;
  return { ...base, rewrittenSql, runnable: true };
}

function orRewrite(sql: string, select: Json, args: unknown[], singleTable: boolean): RewriteSuggestion {
  const base: RewriteSuggestion = {
    kind: 'or-to-union',
    title: 'OR across different columns → UNION ALL',
    explanation:
      'One index scan cannot serve conditions on different columns joined by OR; PostgreSQL either combines bitmap scans (when every branch has an index) or scans the table. Splitting into one query per branch lets each use its own index; each later branch excludes rows an earlier branch already returned.',
    runnable: false,
  };
  if (!singleTable || select.sortClause || select.groupClause || select.limitCount || select.distinctClause || select.havingClause) return base;
  const whereAt = sql.search(/\bwhere\b/i);
  const starts = args.map(startOf);
  if (whereAt < 0 || starts.some((s) => s === undefined)) return base;
  const texts = starts.map((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]! : sql.length;
    return stripOuterParens(balance(sql.slice(s!, end).replace(/\s*\bor\s*\(?\s*$/i, '').trim()));
  });
  const head = sql.slice(0, whereAt).trim();
  const branches = texts.map((text, i) => {
    const earlier = texts.slice(0, i).map((t) => `(${t}) IS NOT TRUE`);
    return `${head} WHERE ${[`(${text})`, ...earlier].join(' AND ')}`;
  });
  return { ...base, rewrittenSql: branches.join('\nUNION ALL\n'), runnable: true };
}

function keysetRewrite(sql: string, select: Json, offset: number): RewriteSuggestion {
  const base: RewriteSuggestion = {
    kind: 'offset-pagination',
    title: `OFFSET ${offset.toLocaleString('en-US')} pagination → keyset pagination`,
    explanation:
      'OFFSET reads and discards every earlier row, so each page costs more than the last. Remember the last sort key of the page shown and ask for rows after it: each page then costs the same, served by an index on the sort key.',
    runnable: false,
  };
  const sorts = ((select.sortClause as Json[] | undefined) ?? []).map((s) => s.SortBy as { node?: unknown; sortby_dir?: string });
  const column = sorts.length === 1 ? columnRefName(sorts[0]!.node) : undefined;
  if (!column) return base;
  const name = column.qualifier ? `${column.qualifier}.${column.column}` : column.column;
  const orderAt = sql.search(/\border\s+by\b/i);
  if (orderAt < 0) return base;
  const op = sorts[0]!.sortby_dir === 'SORTBY_DESC' ? '<' : '>';
  const predicate = `${name} ${op} :last_${column.column}`;
  const head = sql.slice(0, orderAt).trimEnd();
  const withPredicate = select.whereClause ? `${head} AND ${predicate}` : `${head} WHERE ${predicate}`;
  const tail = sql.slice(orderAt).replace(/\s+offset\s+\d+(\s+rows?)?/i, '');
  return { ...base, rewrittenSql: `${withPredicate} ${tail}`, runnable: false };
}

/** Smallest parser location inside a node: where its text starts. */
function startOf(node: unknown): number | undefined {
  let min: number | undefined;
  walk(node, (key, value) => {
    if (key === 'location' && typeof value === 'number' && value >= 0) min = min === undefined ? value : Math.min(min, value);
  });
  return min;
}

function nodeSpan(sql: string, node: unknown): { start: number; end: number } | undefined {
  const start = startOf(node);
  if (start === undefined) return undefined;
  // The comparison ends at the next AND/OR/ORDER/GROUP/LIMIT/closing paren at depth 0, or the end.
  let depth = 0;
  for (let i = start; i < sql.length; i += 1) {
    const ch = sql[i];
    if (ch === "'") {
      i = sql.indexOf("'", i + 1);
      if (i < 0) return { start, end: sql.length };
      continue;
    }
    if (ch === '(') depth += 1;
    if (ch === ')') {
      if (depth === 0) return { start, end: i };
      depth -= 1;
    }
    if (depth === 0 && /\s/.test(ch ?? '') && /^\s+(and|or|order\s+by|group\s+by|limit|offset)\b/i.test(sql.slice(i))) return { start, end: i };
  }
  return { start, end: sql.length };
}

function matchingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i += 1) {
    if (sql[i] === "'") {
      i = sql.indexOf("'", i + 1);
      if (i < 0) return -1;
      continue;
    }
    if (sql[i] === '(') depth += 1;
    if (sql[i] === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// A branch cut at the next branch's start may carry the closing parenthesis of its own group.
function balance(text: string): string {
  let t = text;
  const count = (c: string) => t.split(c).length - 1;
  while (t.endsWith(')') && count(')') > count('(')) t = t.slice(0, -1).trimEnd();
  return t;
}

function stripOuterParens(text: string): string {
  let t = text;
  while (t.startsWith('(') && matchingParen(t, 0) === t.length - 1) t = t.slice(1, -1).trim();
  return t;
}
