// AssemblyScript: the statement key hash of sql-normalizer.ts (statementKeyHash), over ASCII
// bytes in memory. It must give exactly the JavaScript tokenizer's number for the same text:
// the same token rules, the same characters hashed in the same order, the same two 32-bit
// hashes. tests/engine/logs/line-scanner.test.ts compares both on the corpus and on generated
// SQL. Only ASCII text comes here (the scanner hands lines with other bytes to JavaScript), so
// a byte is a UTF-16 code unit of the JavaScript string.
//
// The byte just past the text is read unchecked: callers make sure it is none of the bytes the
// rules look ahead for (a line end, or a 0 they write there), so it matches nothing, as
// charCodeAt past the end (NaN) matches nothing. No rule looks further than one byte past.

const INT4_MAX_DIGITS: i32 = 10;

let base: usize = 0;
let n: i32 = 0;
let h1: u32 = 0;
let h2: u32 = 0;
let runStart: i32 = 0;
let pendingSpace: bool = false;
let started: bool = false;

/** The byte at `i` of the text at `text` (locals: the hot loops need not load globals). */
@inline function byteOf(text: usize, i: i32): i32 {
  return <i32>load<u8>(text + <usize>i);
}

/** The byte at `i` (at most one past the end: see above). */
@inline function ch(i: i32): i32 {
  return <i32>load<u8>(base + <usize>i);
}

// The character classes of sql-normalizer.ts, one byte of flags per character: one load
// instead of a chain of comparisons per byte.
const SPACE: u8 = 1; // ' ' \n \t \r \f
const IDENT_START: u8 = 2; // [A-Za-z_], and >= 0x80
const IDENT_PART: u8 = 4; // IDENT_START, digits and '$'
const DIGIT: u8 = 8;
const HEX: u8 = 16; // [0-9a-fA-F_]
const CLASSES: usize = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 0, 0, 0, 0, 0, 0, 0, 22, 22, 22, 22, 22, 22, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 22, 0, 22, 22, 22, 22, 22, 22, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6]);

@inline function has(c: i32, flag: u8): bool {
  return (load<u8>(CLASSES + <usize>c) & flag) != 0;
}

@inline function isDigit(c: i32): bool {
  return has(c, DIGIT);
}

@inline function isIdentStart(c: i32): bool {
  return has(c, IDENT_START);
}

@inline function isIdentPart(c: i32): bool {
  return has(c, IDENT_PART);
}

@inline function isSpace(c: i32): bool {
  return has(c, SPACE);
}

@inline function isHexOrUnderscore(c: i32): bool {
  return has(c, HEX);
}

@inline function hashChar(c: u32): void {
  const old = h2;
  h1 = (h1 ^ c) * 16777619;
  h2 = ((old ^ c) * 2246822519) ^ (old >> 15);
}

@inline function space(): void {
  if (pendingSpace && started) hashChar(32);
  pendingSpace = false;
}

@inline function flush(to: i32): void {
  if (to > runStart) {
    space();
    started = true;
    // The hashes in locals: globals would be loaded and stored per byte.
    let a = h1;
    let b = h2;
    const from = base;
    for (let i = runStart; i < to; i++) {
      const c = <u32>load<u8>(from + <usize>i);
      const old = b;
      a = (a ^ c) * 16777619;
      b = ((old ^ c) * 2246822519) ^ (old >> 15);
    }
    h1 = a;
    h2 = b;
  }
}

/** A placeholder: '$' and its kind letter. */
function emit(kind: i32): void {
  space();
  started = true;
  hashChar(36);
  hashChar(<u32>kind);
}

/** int4 ('i'), int8 ('l') or numeric ('n'), as PostgreSQL types an unsigned integer literal. */
function integerKind(start: i32, end: i32, negative: bool): i32 {
  while (start < end - 1 && ch(start) == 48) start++;
  const digits = end - start;
  if (digits < INT4_MAX_DIGITS) return 105;
  if (digits <= 19) {
    let value: u64 = 0;
    for (let i = start; i < end; i++) value = value * 10 + <u64>(ch(i) - 48);
    if (value <= (negative ? <u64>2147483648 : <u64>2147483647)) return 105;
    if (value <= (negative ? <u64>9223372036854775808 : <u64>9223372036854775807)) return 108;
  }
  return 110;
}

/** The index after the closing quote (doubled quotes escape; backslashes too in E''). */
function skipQuoted(i: i32, backslashes: bool, quote: i32): i32 {
  while (i < n) {
    const c = ch(i);
    if (backslashes && c == 92) {
      i += 2;
      continue;
    }
    if (c == quote) {
      if (ch(i + 1) == quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** Where the `length` bytes at `tag` occur from `from` on, or -1 (String#indexOf). */
function indexOfTag(tag: i32, length: i32, from: i32): i32 {
  for (let i = from; i + length <= n; i++) {
    let k = 0;
    while (k < length && ch(i + k) == ch(tag + k)) k++;
    if (k == length) return i;
  }
  return -1;
}

/** The key hash of the `length` ASCII bytes at `text` (statementKeyHash of the same text). */
export function statementKeyHash(text: usize, length: i32): f64 {
  base = text;
  n = length;
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
  started = false;
  pendingSpace = false;
  let lastWasOperand = false;
  let i = 0;
  while (i < length && isSpace(byteOf(text, i))) i++;
  runStart = i;
  while (i < length) {
    const c = byteOf(text, i);
    if (isSpace(c)) {
      flush(i);
      while (i < length && isSpace(byteOf(text, i))) i++;
      pendingSpace = true;
      runStart = i;
      continue;
    }
    if (c == 45 && byteOf(text, i + 1) == 45) {
      flush(i);
      while (i < length && byteOf(text, i) != 10) i++;
      pendingSpace = true;
      runStart = i;
      continue;
    }
    if (c == 47 && byteOf(text, i + 1) == 42) {
      flush(i);
      let depth = 1;
      i += 2;
      while (i < length && depth > 0) {
        const d = byteOf(text, i);
        if (d == 42 && byteOf(text, i + 1) == 47) {
          depth--;
          i += 2;
        } else if (d == 47 && byteOf(text, i + 1) == 42) {
          depth++;
          i += 2;
        } else i++;
      }
      pendingSpace = true;
      runStart = i;
      continue;
    }
    if (c == 39) {
      flush(i);
      i = skipQuoted(i + 1, false, 39);
      emit(115);
      lastWasOperand = true;
      runStart = i;
      continue;
    }
    if (isIdentStart(c)) {
      // Prefixed strings: E'..', B'..', X'..', N'..', U&'..'
      const next = byteOf(text, i + 1);
      if (next == 39 && (c == 69 || c == 101 || c == 66 || c == 98 || c == 88 || c == 120 || c == 78 || c == 110)) {
        flush(i);
        const bits = c == 66 || c == 98 || c == 88 || c == 120;
        i = skipQuoted(i + 2, c == 69 || c == 101, 39);
        emit(bits ? 98 : 115);
        lastWasOperand = true;
        runStart = i;
        continue;
      }
      if ((c == 85 || c == 117) && next == 38 && byteOf(text, i + 2) == 39) {
        flush(i);
        i = skipQuoted(i + 3, false, 39);
        emit(115);
        lastWasOperand = true;
        runStart = i;
        continue;
      }
      i++;
      while (i < length && isIdentPart(byteOf(text, i))) i++;
      lastWasOperand = true;
      continue;
    }
    if (c == 34) {
      i = skipQuoted(i + 1, false, 34);
      lastWasOperand = true;
      continue;
    }
    if (c == 36) {
      if (isDigit(byteOf(text, i + 1))) {
        // An existing parameter $length: kept as it is.
        i++;
        while (i < length && isDigit(byteOf(text, i))) i++;
        lastWasOperand = true;
        continue;
      }
      // Dollar quoting: $tag$ ... $tag$
      let j = i + 1;
      while (j < length && isIdentPart(byteOf(text, j)) && byteOf(text, j) != 36) j++;
      if (byteOf(text, j) == 36) {
        const tagLength = j + 1 - i;
        const close = indexOfTag(i, tagLength, j + 1);
        flush(i);
        i = close < 0 ? length : close + tagLength;
        emit(115);
        lastWasOperand = true;
        runStart = i;
        continue;
      }
      i++;
      lastWasOperand = false;
      continue;
    }
    const signed = c == 45 && !lastWasOperand && (isDigit(byteOf(text, i + 1)) || (byteOf(text, i + 1) == 46 && isDigit(byteOf(text, i + 2))));
    if (isDigit(c) || signed || (c == 46 && isDigit(byteOf(text, i + 1)))) {
      flush(i);
      const start = signed ? i + 1 : i;
      let j = start;
      let kind = 105;
      if (byteOf(text, j) == 48 && (byteOf(text, j + 1) | 32) == 120) {
        j += 2;
        while (j < length && isHexOrUnderscore(byteOf(text, j))) j++;
      } else {
        while (j < length && isDigit(byteOf(text, j))) j++;
        let decimal = false;
        if (byteOf(text, j) == 46 && byteOf(text, j + 1) != 46) {
          decimal = true;
          j++;
          while (j < length && isDigit(byteOf(text, j))) j++;
        }
        if ((byteOf(text, j) | 32) == 101) {
          let k = j + 1;
          if (byteOf(text, k) == 43 || byteOf(text, k) == 45) k++;
          if (isDigit(byteOf(text, k))) {
            decimal = true;
            j = k;
            while (j < length && isDigit(byteOf(text, j))) j++;
          }
        }
        kind = decimal ? 110 : integerKind(start, j, signed);
      }
      emit(kind);
      i = j;
      runStart = i;
      lastWasOperand = true;
      continue;
    }
    // Operators and punctuation.
    i++;
    lastWasOperand = c == 41 || c == 93;
  }
  flush(length);
  return <f64>h1 * 2097152 + <f64>(h2 & 0x1fffff);
}
