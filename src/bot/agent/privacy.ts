/**
 * What may leave for the LLM. SQL literals and log parameters become placeholders (unless the
 * operator allows samples), connection strings and configured secrets are removed always.
 * Literals the person typed in a question are kept in a per-question vault so a tool the model
 * calls still runs on the real statement, while the model only ever saw `<v1>`.
 */
import { loadModule, normalizeSync } from 'libpg-query';
import { redactSecrets } from '../logger.js';

export interface PrivacyOptions {
  /** PGDBA_LLM_SAMPLES=on: literals and parameters are sent as they are. */
  allowSamples: boolean;
  /** Exact secret values (passwords, tokens, URLs) to scrub wherever they appear. */
  secrets: readonly string[];
}

let parserReady: Promise<void> | undefined;

/** Loads PostgreSQL's parser (WASM) once; normalisation falls back to a tokenizer until then. */
export function loadPrivacyParser(): Promise<void> {
  parserReady ??= loadModule().then(() => undefined);
  return parserReady;
}

const sqlStart = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*(select|insert|update|delete|with|merge|copy|explain|create|alter|drop|truncate|values|table|call|do|prepare|execute|grant|revoke|vacuum|analyze)\b/i;
const connectionString = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>@/]*(?::[^\s'"<>@]*)?@[^\s'"<>]+|\bpostgres(?:ql)?:\/\/[^\s'"<>]+/gi;
const quotedLiteral = /(?<![\w$])[eEbBxXnN]?'(?:[^']|'')*'/g;
const numericLiteral = /(?<![\w$.<])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi;
const logParameter = /(\$\d+\s*=\s*)(?:'(?:[^']|'')*'|NULL|[^,\s]+)/g;
const keyValueDetail = /(\bKey\s*\([^)]*\)\s*=\s*\()[^)]*(\))/g;
// Constants inside plan conditions and expressions: 'user7@example.com'::text.
const typedLiteral = /'(?:[^']|'')*'(?=::)/g;

/** Removes connection strings, configured secret values and token-shaped strings. */
export function removeSecrets(text: string, secrets: readonly string[]): string {
  let result = text.replace(connectionString, '<connection string>');
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('<secret>');
  }
  return redactSecrets(result);
}

/** A statement with its constants replaced by $n, by PostgreSQL's own normaliser when it parses. */
export function normalizeSqlLiterals(sql: string): string {
  if (parserReady) {
    try {
      return normalizeSync(sql);
    } catch {
      // Not parseable (a fragment, a typo): the tokenizer below still masks the constants.
    }
  }
  let n = 0;
  return sql.replace(quotedLiteral, () => `$${++n}`).replace(numericLiteral, () => `$${++n}`);
}

/** Masks one string bound for the LLM. */
export function maskText(text: string, options: PrivacyOptions): string {
  let result = removeSecrets(text, options.secrets);
  if (options.allowSamples) return result;
  if (sqlStart.test(result)) result = normalizeSqlLiterals(result);
  return result.replace(logParameter, '$1?').replace(keyValueDetail, '$1?$2').replace(typedLiteral, "'?'");
}

/** Masks every string inside a JSON value (tool data) bound for the LLM. */
export function maskForLlm(value: unknown, options: PrivacyOptions): unknown {
  if (typeof value === 'string') return maskText(value, options);
  if (Array.isArray(value)) return value.map((item) => maskForLlm(item, options));
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskForLlm(item, options)]));
  }
  return value;
}

/**
 * Literals of the SQL inside one question, replaced by `<vN>` before the question goes to the
 * model and put back into the arguments of the tools it calls (and into its final answer).
 */
export class LiteralVault {
  private readonly literals: string[] = [];

  constructor(private readonly options: PrivacyOptions) {}

  maskQuestion(question: string): string {
    const clean = removeSecrets(question, this.options.secrets);
    if (this.options.allowSamples) return clean;
    const start = clean.search(/\b(select|insert|update|delete|with|merge|values)\b/i);
    if (start < 0) return clean.replace(logParameter, '$1?');
    const sql = clean
      .slice(start)
      .replace(quotedLiteral, (literal) => this.keep(literal))
      .replace(numericLiteral, (literal) => this.keep(literal));
    return clean.slice(0, start) + sql;
  }

  /** Puts the original literals back into tool arguments or the model's answer. */
  unmask<T>(value: T): T {
    if (this.literals.length === 0) return value;
    if (typeof value === 'string') {
      return value.replace(/'?<v(\d+)>'?/g, (token, index: string) => this.literals[Number(index) - 1] ?? token) as T;
    }
    if (Array.isArray(value)) return value.map((item) => this.unmask(item)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.unmask(item)])) as T;
    }
    return value;
  }

  /** Replaces the question's string literals wherever they reappear (plans, errors) before text goes to the model. */
  maskKnown(text: string): string {
    let result = text;
    this.literals.forEach((literal, index) => {
      const inner = literal.startsWith("'") ? literal.slice(1, -1) : literal.replace(/^[eEbBxXnN]'/, '').slice(0, -1);
      if (/^'|^[eEbBxXnN]'/.test(literal) && inner.length >= 3) result = result.split(inner).join(`<v${index + 1}>`);
    });
    return result;
  }

  private keep(literal: string): string {
    this.literals.push(literal);
    return `<v${this.literals.length}>`;
  }
}
