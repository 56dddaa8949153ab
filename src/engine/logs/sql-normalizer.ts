/**
 * Fast SQL tokenizer for the per-line work: replaces constants with typed placeholders
 * (`$i` int4, `$l` int8, `$n` numeric, `$s` string, `$b` bit string), drops comments and
 * collapses whitespace. The result is a memo key: two texts with the same key have the same
 * parse tree modulo constant values, so the real parser runs once per key (see
 * statement-grouper.ts). Constant kinds are kept in the key because pg_stat_statements gives
 * `a = 1` and `a = 10000000000` different query ids (int4 vs int8 constants).
 */

const INT4_MAX_DIGITS = 10;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12;
}

/** Classifies an unsigned integer literal as int4, int8 or numeric, as PostgreSQL would type it. */
function integerKind(text: string, start: number, end: number, negative: boolean): string {
  // Skip leading zeros so "0001" counts as short.
  while (start < end - 1 && text.charCodeAt(start) === 48) start += 1;
  const digits = end - start;
  if (digits < INT4_MAX_DIGITS) return 'i';
  if (digits <= 19) {
    const value = BigInt(text.slice(start, end));
    if (value <= (negative ? 2147483648n : 2147483647n)) return 'i';
    if (value <= (negative ? 9223372036854775808n : 9223372036854775807n)) return 'l';
  }
  return 'n';
}

export interface NormalizedStatement {
  /** Memo key: constants replaced by typed placeholders, comments dropped, whitespace collapsed. */
  key: string;
  /** Number of constants replaced. */
  constants: number;
}

/**
 * Tokenizes `text` and returns its memo key. Never throws: unterminated quotes or comments
 * simply run to the end of the text.
 */
// Tokenizer output state, module-level so the hot loop creates no closures. In hash mode the
// key is not built: two 32-bit hashes of it are, which the per-line memo lookup uses.
let out = '';
let runStart = 0;
let pendingSpace = false;
let hashOnly = false;
let started = false;
let h1 = 0;
let h2 = 0;

function hashChar(c: number): void {
  h1 = Math.imul(h1 ^ c, 16777619);
  h2 = Math.imul(h2 ^ c, 2246822519) ^ (h2 >>> 15);
}

function space(): void {
  if (pendingSpace && started) {
    if (hashOnly) hashChar(32);
    else out += ' ';
  }
  pendingSpace = false;
}

function flush(text: string, to: number): void {
  if (to > runStart) {
    space();
    started = true;
    if (hashOnly) for (let i = runStart; i < to; i += 1) hashChar(text.charCodeAt(i));
    else out += text.slice(runStart, to);
  }
}

function emit(token: string): void {
  space();
  started = true;
  if (hashOnly) for (let i = 0; i < token.length; i += 1) hashChar(token.charCodeAt(i));
  else out += token;
}

/**
 * The memo key of `text` as a number (53 bits of two independent hashes of the key), without
 * building the key string: the per-line path of statement grouping.
 */
export function statementKeyHash(text: string): number {
  hashOnly = true;
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
  try {
    tokenize(text);
  } finally {
    hashOnly = false;
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

export function normalizeStatement(text: string): NormalizedStatement {
  const constants = tokenize(text);
  const key = out;
  out = '';
  return { key, constants };
}

function tokenize(text: string): number {
  out = '';
  started = false;
  runStart = 0;
  pendingSpace = false;
  let constants = 0;
  // Whether the last token can end an operand (identifier, constant, ")" or "]"): decides if
  // a "-" before a number is a sign (folded into the constant, as the grammar does) or binary.
  let lastWasOperand = false;
  const n = text.length;
  let i = 0;
  // Leading whitespace.
  while (i < n && isSpace(text.charCodeAt(i))) i += 1;
  runStart = i;


  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      flush(text, i);
      while (i < n && isSpace(text.charCodeAt(i))) i += 1;
      pendingSpace = true;
      runStart = i;
      continue;
    }
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      flush(text, i);
      while (i < n && text.charCodeAt(i) !== 10) i += 1;
      pendingSpace = true;
      runStart = i;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      flush(text, i);
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const d = text.charCodeAt(i);
        if (d === 42 && text.charCodeAt(i + 1) === 47) {
          depth -= 1;
          i += 2;
        } else if (d === 47 && text.charCodeAt(i + 1) === 42) {
          depth += 1;
          i += 2;
        } else i += 1;
      }
      pendingSpace = true;
      runStart = i;
      continue;
    }
    if (c === 39 /* ' */) {
      flush(text, i);
      i = skipQuoted(text, i + 1, false);
      emit('$s');
      constants += 1;
      lastWasOperand = true;
      runStart = i;
      continue;
    }
    if (isIdentStart(c)) {
      // Prefixed strings: E'..', B'..', X'..', N'..', U&'..'
      const next = text.charCodeAt(i + 1);
      if (next === 39 && (c === 69 || c === 101 || c === 66 || c === 98 || c === 88 || c === 120 || c === 78 || c === 110)) {
        flush(text, i);
        const bits = c === 66 || c === 98 || c === 88 || c === 120;
        i = skipQuoted(text, i + 2, c === 69 || c === 101);
        emit(bits ? '$b' : '$s');
        constants += 1;
        lastWasOperand = true;
        runStart = i;
        continue;
      }
      if ((c === 85 || c === 117) && next === 38 && text.charCodeAt(i + 2) === 39) {
        flush(text, i);
        i = skipQuoted(text, i + 3, false);
        emit('$s');
        constants += 1;
        lastWasOperand = true;
        runStart = i;
        continue;
      }
      i += 1;
      while (i < n && isIdentPart(text.charCodeAt(i))) i += 1;
      lastWasOperand = true;
      continue;
    }
    if (c === 34 /* " */) {
      i = skipQuoted(text, i + 1, false, 34);
      lastWasOperand = true;
      continue;
    }
    if (c === 36 /* $ */) {
      const next = text.charCodeAt(i + 1);
      if (isDigit(next)) {
        // Existing parameter $n: kept as is.
        i += 1;
        while (i < n && isDigit(text.charCodeAt(i))) i += 1;
        lastWasOperand = true;
        continue;
      }
      // Dollar quoting: $tag$ ... $tag$
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j += 1;
      if (text.charCodeAt(j) === 36) {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        flush(text, i);
        i = close < 0 ? n : close + tag.length;
        emit('$s');
        constants += 1;
        lastWasOperand = true;
        runStart = i;
        continue;
      }
      i += 1;
      lastWasOperand = false;
      continue;
    }
    const signed = c === 45 && !lastWasOperand && (isDigit(text.charCodeAt(i + 1)) || (text.charCodeAt(i + 1) === 46 && isDigit(text.charCodeAt(i + 2))));
    if (isDigit(c) || signed || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      flush(text, i);
      const start = signed ? i + 1 : i;
      let j = start;
      let kind: string;
      if (text.charCodeAt(j) === 48 && (text.charCodeAt(j + 1) | 32) === 120 /* 0x */) {
        j += 2;
        while (j < n && /[0-9a-fA-F_]/.test(text[j]!)) j += 1;
        kind = 'i';
      } else {
        while (j < n && isDigit(text.charCodeAt(j))) j += 1;
        let decimal = false;
        if (text.charCodeAt(j) === 46 && text.charCodeAt(j + 1) !== 46) {
          decimal = true;
          j += 1;
          while (j < n && isDigit(text.charCodeAt(j))) j += 1;
        }
        if ((text.charCodeAt(j) | 32) === 101 /* e */) {
          let k = j + 1;
          if (text.charCodeAt(k) === 43 || text.charCodeAt(k) === 45) k += 1;
          if (isDigit(text.charCodeAt(k))) {
            decimal = true;
            j = k;
            while (j < n && isDigit(text.charCodeAt(j))) j += 1;
          }
        }
        kind = decimal ? 'n' : integerKind(text, start, j, signed);
      }
      // "1abc" is not a number followed by an identifier in practice; keep the tail as identifier text.
      emit(`$${kind}`);
      constants += 1;
      i = j;
      runStart = i;
      lastWasOperand = true;
      continue;
    }
    // Operators and punctuation.
    i += 1;
    lastWasOperand = c === 41 /* ) */ || c === 93 /* ] */;
  }
  flush(text, n);
  return constants;
}

/** Returns the index after the closing quote (doubled quotes escape; backslashes too in E''). */
function skipQuoted(text: string, i: number, backslashes: boolean, quote = 39): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (backslashes && c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return n;
}

/** Turns a memo key into display text with numbered placeholders ($1, $2, ...). */
export function keyToDisplayText(key: string): string {
  let next = 0;
  const existing = key.match(/\$(\d+)/g);
  if (existing) for (const p of existing) next = Math.max(next, Number(p.slice(1)));
  return key.replace(/\$[ilnsb](?![A-Za-z0-9_])/g, () => `$${++next}`);
}
