/**
 * A `log_line_prefix` as a program for the WebAssembly line scanner: the same escapes, in the
 * same order, as the regular expression that `compilePrefix` builds, so the scanner explores the
 * same choices. Escapes the scanner does not implement (padding, %s, %v, %n) give no program:
 * such logs are read by the JavaScript reader alone.
 */

export const OP_LIT = 1;
export const OP_TIME = 2;
export const OP_PID = 3;
export const OP_DIGITS = 4;
export const OP_SQLSTATE = 5;
export const OP_SESSION = 6;
export const OP_LAZY = 7;
export const OP_OPTIONAL = 8;
export const OP_SEVERITY = 9;

/** Field numbers of the scanner's slots (its S_FIELDS + n). */
export const FIELD_USER = 0;
export const FIELD_DATABASE = 1;
export const FIELD_APPLICATION = 2;
export const FIELD_CLIENT = 3;
export const FIELD_SESSION = 4;
export const FIELD_SQLSTATE = 5;
export const FIELD_BACKEND = 6;

const lazyFields: Record<string, number> = { u: FIELD_USER, d: FIELD_DATABASE, a: FIELD_APPLICATION, r: FIELD_CLIENT, h: FIELD_CLIENT, b: FIELD_BACKEND, i: -1 };

/**
 * Ops of three i32 each (code, a, b), or undefined when the prefix needs the JavaScript reader.
 * Literal text becomes OP_LIT ops of up to four bytes each (a: the bytes, little-endian; b: how many).
 */
export function prefixProgram(prefix: string): Int32Array | undefined {
  const ops: number[] = [];
  let literal: number[] = [];
  const flushLiteral = () => {
    for (let i = 0; i < literal.length; i += 4) {
      const bytes = literal.slice(i, i + 4);
      ops.push(OP_LIT, bytes.reduce((word, byte, k) => word | (byte << (8 * k)), 0), bytes.length);
    }
    literal = [];
  };
  const add = (code: number, a = 0, b = 0) => {
    flushLiteral();
    ops.push(code, a, b);
  };
  let optionalAt = -1;
  for (let i = 0; i < prefix.length; i += 1) {
    const char = prefix.charCodeAt(i);
    if (char !== 37 /* % */) {
      if (char > 127) return undefined;
      literal.push(char);
      continue;
    }
    i += 1;
    if (i < prefix.length && /[-\d]/.test(prefix[i]!)) return undefined; // padding such as %-10u
    const code = prefix[i];
    if (code === undefined) break;
    if (code === '%') {
      literal.push(37);
      continue;
    }
    if (code === 'q') {
      // The regular expression makes the text after the last %q optional; the program has one group.
      if (optionalAt >= 0) return undefined;
      flushLiteral();
      optionalAt = ops.length / 3;
      add(OP_OPTIONAL);
      continue;
    }
    if (code in lazyFields) add(OP_LAZY, lazyFields[code]);
    else if (code === 'm' || code === 't') add(OP_TIME, code === 'm' ? 1 : 0);
    else if (code === 'p') add(OP_PID);
    else if (code === 'l') add(OP_DIGITS, 1, 0);
    else if (code === 'x' || code === 'P') add(OP_DIGITS, 0, 0);
    else if (code === 'Q') add(OP_DIGITS, 1, 1);
    else if (code === 'e') add(OP_SQLSTATE);
    else if (code === 'c') add(OP_SESSION);
    else return undefined; // %s %v %n, or an escape compilePrefix rejects
  }
  flushLiteral();
  const severityAt = ops.length / 3;
  ops.push(OP_SEVERITY, 0, 0);
  if (optionalAt >= 0) ops[optionalAt * 3 + 1] = severityAt;
  if (ops.length / 3 > 128) return undefined;
  return Int32Array.from(ops);
}
