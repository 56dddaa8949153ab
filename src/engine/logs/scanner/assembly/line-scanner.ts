// AssemblyScript (compiled to WebAssembly by scripts/build-scanner.mjs; not part of the tsc build).
//
// The line scanner of stderr logs: cuts a piece of bytes into lines and matches each line
// against the compiled `log_line_prefix` program, a small backtracking matcher that explores
// the same choices, in the same order, as the regular expression of prefix-compiler.ts (lazy
// fields shortest first, greedy runs longest first, alternatives left to right). A line it
// matches gets exactly the fields the regular expression would capture; a line it cannot decide
// (non-ASCII bytes, a step budget exceeded, a new value with a full intern table) is handed to
// the JavaScript reader, which is always exact. Field values are interned: the same bytes get
// the same id, so JavaScript decodes each distinct value once.
//
// Memory: the program, the input piece, the output slots (SLOTS i32 per line and two f64: a
// number of the message and a statement's key hash), the intern hash table, its entries and its
// arena, the text area of joined messages, and the table of statement texts seen lately (see the
// layout below).

import { statementKeyHash } from './statement-key';

const OP_LIT: i32 = 1;
const OP_TIME: i32 = 2;
const OP_PID: i32 = 3;
const OP_DIGITS: i32 = 4;
const OP_SQLSTATE: i32 = 5;
const OP_SESSION: i32 = 6;
const OP_LAZY: i32 = 7;
const OP_OPTIONAL: i32 = 8;
const OP_SEVERITY: i32 = 9;

// Line status (slot 3).
const STATUS_JS: i32 = 0;
const STATUS_CONTINUATION: i32 = 1;
const STATUS_RECORD: i32 = 2;

export const SLOTS: i32 = 24;
// Message kinds the scanner recognises (slot S_KIND), with exactly the fields classifier.ts's
// hand-written fast paths would read; 0: classify in JavaScript.
const KIND_RECEIVED: i32 = 1; // S_K1: host
const KIND_AUTHORIZED: i32 = 2; // S_K1: user, S_K2: database (-1: none in the message), S_K3: application (-1: none)
const KIND_DISCONNECTION: i32 = 3; // S_K1: user, S_K2: database, S_K3: host; session ms in the f64 slot
const KIND_OTHER_CONNECTION: i32 = 4; // "connection ..." of no interest (authenticated, ...)
const KIND_DURATION: i32 = 5; // "duration: N ms" alone; N in the f64 slot
const KIND_QUERY: i32 = 6; // "duration: N ms  statement|execute|parse|bind...: SQL"; S_K1: step (0 statement, 1 execute, 2 parse, 3 bind), S_K2..S_K3: name, S_K4: SQL start
// Slots of one line.
const S_START: i32 = 0;
const S_END: i32 = 1; // without a trailing CR
const S_RAW_END: i32 = 2;
const S_STATUS: i32 = 3;
const S_MESSAGE: i32 = 4;
const S_SEVERITY: i32 = 5;
const S_TIME_KEY: i32 = 6;
const S_TIME_MS: i32 = 7;
const S_PID: i32 = 8;
const S_FIELDS: i32 = 9; // 9..15: user, database, application, client, sessionId, sqlstate, backendType
const S_KIND: i32 = 16;
const S_K1: i32 = 17;
const S_K2: i32 = 18;
const S_K3: i32 = 19;
const S_K4: i32 = 20;
// A record line followed by continuation lines in the same scan takes them in: S_SPAN lines,
// skipped by the reader, and the whole message (the lines joined by '\n' without their tab) in
// the text area at S_TEXT_START..S_TEXT_END (offsets from TEXT_AT).
const S_SPAN: i32 = 21;
const S_TEXT_START: i32 = 22;
const S_TEXT_END: i32 = 23;

// Field numbers (slot S_FIELDS + field).
const F_CLIENT: i32 = 3;
const F_SQLSTATE: i32 = 5;

const MAX_OPS: i32 = 128;
const STEP_BUDGET: i32 = 20000;

// Memory layout (byte offsets), fixed so that every access is a load at a constant offset; the
// loader reads it from these exports. Above the module's own static data (a few kB).
export const PROGRAM_AT: usize = 1 << 20;
export const INPUT_AT: usize = PROGRAM_AT + 65536;
export const INPUT_CAPACITY: i32 = 1 << 20;
export const MAX_LINES: i32 = 4096;
export const OUTPUT_AT: usize = INPUT_AT + <usize>INPUT_CAPACITY + 65536;
export const NUMBERS_AT: usize = OUTPUT_AT + <usize>(MAX_LINES * SLOTS * 4);
// Per line, the statement key hash of a KIND_QUERY record's SQL (sql-normalizer.ts
// statementKeyHash); not written for other lines.
export const HASHES_AT: usize = NUMBERS_AT + <usize>(MAX_LINES * 8);
const HASH_SLOTS: i32 = 1 << 17; // a power of two
const TABLE_AT: usize = HASHES_AT + <usize>(MAX_LINES * 8);
export const MAX_IDS: i32 = 1 << 16;
export const ENTRIES_AT: usize = TABLE_AT + <usize>(HASH_SLOTS * 4); // per id: arena offset, length, hash (i32 each)
export const ARENA_AT: usize = ENTRIES_AT + <usize>(MAX_IDS * 12);
export const ARENA_BYTES: i32 = 4 << 20;
// The joined messages of the records of one scan (never longer than the lines they come from).
export const TEXT_AT: usize = ARENA_AT + <usize>ARENA_BYTES;
// The statement texts seen lately, verbatim, with their key hash (see knownKeyHash): a hash
// table of entry numbers, the entries (text offset, length, raw hash, key hash) and the texts.
const KNOWN_SLOTS: i32 = 1 << 13; // a power of two
const KNOWN_MAX: i32 = 1 << 12;
const KNOWN_MAX_TEXT: i32 = 2048;
const KNOWN_ARENA_BYTES: i32 = 2 << 20;
const KNOWN_TABLE_AT: usize = TEXT_AT + <usize>INPUT_CAPACITY + 16;
const KNOWN_ENTRIES_AT: usize = KNOWN_TABLE_AT + <usize>(KNOWN_SLOTS * 4);
const KNOWN_ARENA_AT: usize = KNOWN_ENTRIES_AT + <usize>(KNOWN_MAX * 24);
export const MEMORY_BYTES: usize = KNOWN_ARENA_AT + <usize>KNOWN_ARENA_BYTES;

// The first 16 bytes (YYYY-MM-DD HH:MM) of the last time that was valid ('-' never starts one).
const LAST_MINUTE: usize = memory.data<u8>([45, 45, 45, 45, 45, 45, 45, 45, 45, 45, 45, 45, 45, 45, 45, 45]);

let opCount: i32 = 0;
let idCount: i32 = 1; // id 0: no value
let arenaUsed: i32 = 0;

/** The i32 at `index` of a table of i32 in static data at `base`. */
@inline function i32At(base: usize, index: i32): i32 {
  return load<i32>(base + (<usize>index << 2));
}

@inline function setI32At(base: usize, index: i32, value: i32): void {
  store<i32>(base + (<usize>index << 2), value);
}

// Per line: capture start/end of each op (-1: none), the severity and where the message starts.
// (Static data at fixed addresses, not StaticArrays: an array's address is a global that V8 loads at every use.)
const CAP_START: usize = memory.data(MAX_OPS * 4, 4);
const CAP_END: usize = memory.data(MAX_OPS * 4, 4);

let steps: i32 = 0;
let severityCode: i32 = 0;
let messageStart: i32 = 0;

/** Takes the program of `ops` ops written at PROGRAM_AT, and forgets every interned value. */
export function configure(ops: i32): void {
  opCount = ops;
  tupleCount = 0;
  otherCount = 0;
  for (let pc = 0; pc < ops; pc++) {
    const code = op(pc);
    if (code == OP_SQLSTATE || (code == OP_LAZY && argA(pc) >= 0)) setI32At(TUPLE_OPS, tupleCount++, pc);
    else if (code == OP_TIME || code == OP_PID || code == OP_SESSION || code == OP_LAZY || code == OP_DIGITS) setI32At(OTHER_OPS, otherCount++, pc);
  }
  resetIntern();
}

// The capturing ops: those of the field tuple (%e and the text fields, in op order), and the
// others (time, pid, %c; and the unkept captures, which only need resetting per line).
const TUPLE_OPS: usize = memory.data(MAX_OPS * 4, 4);
let tupleCount: i32 = 0;
const OTHER_OPS: usize = memory.data(MAX_OPS * 4, 4);
let otherCount: i32 = 0;

/** Forgets every interned value (the JavaScript side forgets its strings at the same time). */
export function resetIntern(): void {
  memory.fill(TABLE_AT, 0, <usize>HASH_SLOTS << 2);
  idCount = 1;
  arenaUsed = 0;
  for (let i = 0; i < LAST_SLOTS; i++) setI32At(LAST_IDS, i, 0);
  forgetTuples();
}

// The id of the last value interned per field (most lines repeat their neighbours' values):
// compared first, before hashing.
const LAST_SLOTS: i32 = 16;
const LAST_IDS: usize = memory.data(LAST_SLOTS * 4, 4);
const LAST_TIME: i32 = 8;
const LAST_MESSAGE: i32 = 9; // 9..15: values read from messages

export function internedCount(): i32 {
  return idCount;
}

export function internedBytesUsed(): i32 {
  return arenaUsed;
}

@inline function byteAt(at: i32): i32 {
  return <i32>load<u8>(INPUT_AT + <usize>at);
}

@inline function op(pc: i32): i32 {
  return load<i32>(PROGRAM_AT + (<usize>pc) * 12);
}

@inline function argA(pc: i32): i32 {
  return load<i32>(PROGRAM_AT + (<usize>pc) * 12 + 4);
}

@inline function argB(pc: i32): i32 {
  return load<i32>(PROGRAM_AT + (<usize>pc) * 12 + 8);
}

// Character classes of a byte as one unsigned comparison each (c - low < count), not two.

@inline function isDigit(c: i32): bool {
  return <u32>(c - 48) < 10;
}

@inline function isUpper(c: i32): bool {
  return <u32>(c - 65) < 26;
}

/** A-Z or a-z: setting bit 5 folds the upper case onto the lower (and no other byte onto a-z). */
@inline function isLetter(c: i32): bool {
  return <u32>((c | 32) - 97) < 26;
}

@inline function isHex(c: i32): bool {
  return isDigit(c) || <u32>(c - 97) < 6;
}

/** Whether the arena copy of `id` equals bytes a..b followed by c..d. */
function sameAs(id: i32, a: i32, b: i32, c: i32, d: i32): bool {
  const entry = ENTRIES_AT + (<usize>id) * 12;
  if (load<i32>(entry + 4) != b - a + d - c) return false;
  const stored = ARENA_AT + <usize>load<i32>(entry);
  return equalBytes(stored, INPUT_AT + <usize>a, b - a) && equalBytes(stored + <usize>(b - a), INPUT_AT + <usize>c, d - c);
}

@inline function equalBytes(x: usize, y: usize, n: i32): bool {
  let i = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(x + <usize>i) != load<u64>(y + <usize>i)) return false;
  for (; i < n; i++) if (load<u8>(x + <usize>i) != load<u8>(y + <usize>i)) return false;
  return true;
}

@inline function mixBytes(hash: u32, from: usize, n: i32): u32 {
  let h = hash;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h = (h ^ load<u32>(from + <usize>i)) * 0x9e3779b1;
    h ^= h >> 15;
  }
  for (; i < n; i++) h = (h ^ <u32>load<u8>(from + <usize>i)) * 16777619;
  return h;
}

/** Interns bytes a..b followed by bytes c..d (`cache`: a lastId slot); -1 when the table is full. */
function intern2(a: i32, b: i32, c: i32, d: i32, cache: i32): i32 {
  const last = i32At(LAST_IDS, cache);
  if (last != 0 && sameAs(last, a, b, c, d)) return last;
  const length = b - a + d - c;
  let hash = mixBytes(mixBytes(2166136261, INPUT_AT + <usize>a, b - a), INPUT_AT + <usize>c, d - c);
  hash ^= <u32>length;
  hash ^= hash >> 13;
  const mask = <u32>HASH_SLOTS - 1;
  let slot = hash & mask;
  for (let probe = 0; probe < HASH_SLOTS; probe++) {
    const id = load<i32>(TABLE_AT + (<usize>slot << 2));
    if (id == 0) break;
    if (load<i32>(ENTRIES_AT + (<usize>id) * 12 + 8) == <i32>hash && sameAs(id, a, b, c, d)) {
      setI32At(LAST_IDS, cache, id);
      return id;
    }
    slot = (slot + 1) & mask;
  }
  // New value: keep the table at most half full and the arena within its size.
  if (idCount >= MAX_IDS || idCount * 2 >= HASH_SLOTS || arenaUsed + length > ARENA_BYTES) return -1;
  const id = idCount++;
  const entry = ENTRIES_AT + (<usize>id) * 12;
  store<i32>(entry, arenaUsed);
  store<i32>(entry + 4, length);
  store<i32>(entry + 8, <i32>hash);
  memory.copy(ARENA_AT + <usize>arenaUsed, INPUT_AT + <usize>a, <usize>(b - a));
  memory.copy(ARENA_AT + <usize>(arenaUsed + b - a), INPUT_AT + <usize>c, <usize>(d - c));
  arenaUsed += length;
  store<i32>(TABLE_AT + (<usize>slot << 2), id);
  setI32At(LAST_IDS, cache, id);
  return id;
}

// The pieces of the ops that both matchers (matchFrom and matchFirstPath) check the same way.

/** Whether the literal of op `pc` (up to four bytes, compared at once) is at `pos`. */
@inline function literalAt(pc: i32, pos: i32, end: i32): bool {
  const n = argB(pc);
  if (pos + n > end) return false;
  // The differing bits of the n bytes (little-endian: the low ones), shifted past the others.
  return (load<u32>(INPUT_AT + <usize>pos) ^ <u32>argA(pc)) << (<u32>(4 - n) << 3) == 0;
}

/**
 * Where the time of op `pc` at `pos` ends before its zone (`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`, then
 * `\.\d{3}` for %m), or -1 when it does not match.
 */
@inline function timeEnd(pc: i32, pos: i32, end: i32): i32 {
  if (pos + 19 > end) return -1;
  // The date, hour and minute of the last valid time again (most lines): already checked.
  const sameMinute = load<u64>(INPUT_AT + <usize>pos) == load<u64>(LAST_MINUTE) && load<u64>(INPUT_AT + <usize>pos + 8) == load<u64>(LAST_MINUTE + 8);
  if (!sameMinute) {
    for (let i = 0; i < 16; i++) {
      // Digits everywhere but at the separators (4, 7: '-', 10: ' ', 13: ':').
      if (i == 4 || i == 7 || i == 10 || i == 13) continue;
      if (!isDigit(byteAt(pos + i))) return -1;
    }
    if (byteAt(pos + 4) != 45 || byteAt(pos + 7) != 45 || byteAt(pos + 10) != 32 || byteAt(pos + 13) != 58) return -1;
    memory.copy(LAST_MINUTE, INPUT_AT + <usize>pos, 16);
  }
  if (byteAt(pos + 16) != 58 || !isDigit(byteAt(pos + 17)) || !isDigit(byteAt(pos + 18))) return -1;
  const after = pos + 19;
  if (argA(pc) != 1) return after;
  if (after + 4 > end || byteAt(after) != 46 || !isDigit(byteAt(after + 1)) || !isDigit(byteAt(after + 2)) || !isDigit(byteAt(after + 3))) return -1;
  return after + 4;
}

/** `pos`, or the byte after it when `space` asks for a space there; -1 when it is not one. */
@inline function afterSpace(pos: i32, end: i32, space: i32): i32 {
  if (space == 0) return pos;
  return pos < end && byteAt(pos) == 32 ? pos + 1 : -1;
}

/** The end of a zone name `[A-Za-z][A-Za-z0-9]*` at `at`, or -1. */
@inline function zoneNameEnd(at: i32, end: i32): i32 {
  if (at < 0 || at >= end || !isLetter(byteAt(at))) return -1;
  let last = at + 1;
  while (last < end && (isLetter(byteAt(last)) || isDigit(byteAt(last)))) last++;
  return last;
}

/** Whether a zone offset's `[+-]\d\d` is at `at` (-1: nothing is). */
@inline function offsetHoursAt(at: i32, end: i32): bool {
  return at >= 0 && at + 2 < end && (byteAt(at) == 43 || byteAt(at) == 45) && isDigit(byteAt(at + 1)) && isDigit(byteAt(at + 2));
}

/** Whether `:\d\d` is at `at`. */
@inline function colonMinutesAt(at: i32, end: i32): bool {
  return at + 2 < end && byteAt(at) == 58 && isDigit(byteAt(at + 1)) && isDigit(byteAt(at + 2));
}

/** Whether `\d\d` is at `at`. */
@inline function twoDigitsAt(at: i32, end: i32): bool {
  return at + 1 < end && isDigit(byteAt(at)) && isDigit(byteAt(at + 1));
}

/** Whether a SQLSTATE `[0-9A-Z]{5}` is at `pos`. */
@inline function sqlstateAt(pos: i32, end: i32): bool {
  if (pos + 5 > end) return false;
  for (let i = 0; i < 5; i++) {
    const c = byteAt(pos + i);
    if (!isDigit(c) && !isUpper(c)) return false;
  }
  return true;
}

/** The end of the run of digits from `from`. */
@inline function digitsEnd(from: i32, end: i32): i32 {
  let last = from;
  while (last < end && isDigit(byteAt(last))) last++;
  return last;
}

/** The end of the run of lowercase hex digits from `from`. */
@inline function hexEnd(from: i32, end: i32): i32 {
  let last = from;
  while (last < end && isHex(byteAt(last))) last++;
  return last;
}

/** The dot of a session id `[0-9a-f]+\.` at `pos` (the dot ends the first run), or -1. */
@inline function sessionDot(pos: i32, end: i32): i32 {
  const dot = hexEnd(pos, end);
  return dot == pos || dot >= end || byteAt(dot) != 46 ? -1 : dot;
}

/** The zone alternatives after a timestamp, in the order the regular expression tries them. */
function matchZone(pc: i32, pos: i32, end: i32): i32 {
  // Alternative 1: ` ?[A-Za-z][A-Za-z0-9]*` (the space first taken, then not).
  for (let space = 1; space >= 0; space--) {
    const at = afterSpace(pos, end, space);
    const last = zoneNameEnd(at, end);
    for (let stop = last; stop > at; stop--) {
      const r = matchFrom(pc + 1, stop, end);
      if (r != 0) return r > 0 ? stop + 1 : r;
    }
  }
  // Alternatives 2 and 3: `[+-]\d\d(?::?\d\d)?` and the same after a space.
  for (let space = 0; space <= 1; space++) {
    const at = afterSpace(pos, end, space);
    if (offsetHoursAt(at, end)) {
      const hours = at + 3;
      // (?::?\d\d)? greedy: with the colon, without it, then without the minutes.
      if (colonMinutesAt(hours, end)) {
        const r = matchFrom(pc + 1, hours + 3, end);
        if (r != 0) return r > 0 ? hours + 4 : r;
      }
      if (twoDigitsAt(hours, end)) {
        const r = matchFrom(pc + 1, hours + 2, end);
        if (r != 0) return r > 0 ? hours + 3 : r;
      }
      const r = matchFrom(pc + 1, hours, end);
      if (r != 0) return r > 0 ? hours + 1 : r;
    }
  }
  // No zone.
  const r = matchFrom(pc + 1, pos, end);
  return r > 0 ? pos + 1 : r;
}

/** The rest of the program after op `pc` at `stop`; on a match, op `pc` captured from..stop. */
function restAt(pc: i32, from: i32, stop: i32, end: i32): i32 {
  const r = matchFrom(pc + 1, stop, end);
  if (r > 0) {
    setI32At(CAP_START, pc, from);
    setI32At(CAP_END, pc, stop);
  }
  return r;
}

/**
 * A greedy run captured by op `pc` from `from`: the rest of the program is tried after it ending
 * at `last`, then one byte shorter, down to `least` (longest first, as a regular expression).
 */
function greedyRun(pc: i32, from: i32, least: i32, last: i32, end: i32): i32 {
  for (let stop = last; stop >= least; stop--) {
    const r = restAt(pc, from, stop, end);
    if (r != 0) return r;
  }
  return 0;
}

/**
 * Where the %q group started on the path being tried (-1: not in it). The group runs up to the
 * severity, and a JavaScript regular expression does not let an optional group match the empty
 * string (an empty iteration of a quantifier fails): reaching the severity through the group
 * needs at least one byte in it.
 */
let groupFrom: i32 = -1;

@inline function groupIsEmpty(pos: i32): bool {
  return groupFrom == pos;
}

/** Tries the program from op `pc` at `pos`: 1 matched, 0 no match, -1 undecided (budget). */
function matchFrom(pc: i32, pos: i32, end: i32): i32 {
  if (++steps > STEP_BUDGET) return -1;
  // Literals need no backtracking.
  while (op(pc) == OP_LIT) {
    if (!literalAt(pc, pos, end)) return 0;
    pos += argB(pc);
    pc++;
  }
  const code = op(pc);
  // The most frequent op first (the fields of busy prefixes).
  if (code == OP_LAZY) {
    // (.*?): shortest first; `.` does not match line terminators.
    if (op(pc + 1) == OP_LIT) {
      // Only where the next literal's byte is can the rest match: go from one to the next.
      const literal = argA(pc + 1) & 0xff;
      for (let stop = pos; stop < end; stop++) {
        const c = byteAt(stop);
        if (c == literal) {
          const r = restAt(pc, pos, stop, end);
          if (r != 0) return r;
        }
        if (c == 10 || c == 13) return 0;
      }
      return 0;
    }
    for (let stop = pos; stop <= end; stop++) {
      if (stop > pos) {
        const c = byteAt(stop - 1);
        if (c == 10 || c == 13) return 0;
      }
      const r = restAt(pc, pos, stop, end);
      if (r != 0) return r;
    }
    return 0;
  }
  if (code == OP_SEVERITY) return groupIsEmpty(pos) ? 0 : matchSeverity(pos, end);
  if (code == OP_TIME) {
    const after = timeEnd(pc, pos, end);
    if (after < 0) return 0;
    const zoneEnd = matchZone(pc, after, end);
    if (zoneEnd <= 0) return zoneEnd;
    setI32At(CAP_START, pc, pos);
    setI32At(CAP_END, pc, zoneEnd - 1);
    return 1;
  }
  if (code == OP_PID || code == OP_DIGITS) {
    // (\d+) / \d+ / \d* / -?\d+ : greedy, longest first.
    let from = pos;
    const signed = code == OP_DIGITS && argB(pc) == 1;
    for (let sign = signed ? 1 : 0; sign >= 0; sign--) {
      from = pos;
      if (sign == 1) {
        if (from < end && byteAt(from) == 45) from++;
        else continue;
      }
      const r = greedyRun(pc, from, from + (code == OP_PID ? 1 : argA(pc)), digitsEnd(from, end), end);
      if (r != 0) return r;
    }
    return 0;
  }
  if (code == OP_SQLSTATE) return sqlstateAt(pos, end) ? restAt(pc, pos, pos + 5, end) : 0;
  if (code == OP_SESSION) {
    // ([0-9a-f]+\.[0-9a-f]+): the dot ends the first run, the second is greedy.
    const dot = sessionDot(pos, end);
    return dot < 0 ? 0 : greedyRun(pc, pos, dot + 2, hexEnd(dot + 1, end), end);
  }
  if (code == OP_OPTIONAL) {
    // (?:...)? greedy: with the group first, then without it (argA: the op after the group).
    groupFrom = pos;
    const r = matchFrom(pc + 1, pos, end);
    groupFrom = -1;
    if (r != 0) return r;
    return matchFrom(argA(pc), pos, end);
  }
  return -1;
}

/**
 * The program along its first path only: every choice point takes the choice the backtracking
 * matcher (matchFrom) tries first: a lazy field its shortest candidate, a greedy run its longest,
 * the zone its first alternative, an optional group the group. When every op matches along it,
 * this is the match matchFrom finds (it tries this path before any other), without a call per
 * op; otherwise false, and the line goes to matchFrom. Records captures along the way.
 */
/**
 * Set by matchFirstPath: it failed before any choice point (at a literal, a SQLSTATE or the
 * digits of a time, checked exactly as matchFrom checks them), so no other path can match.
 */
let firstPathFinal: bool = false;

function matchFirstPath(pos: i32, end: i32): bool {
  let pc = 0;
  groupFrom = -1;
  firstPathFinal = true;
  while (true) {
    const code = op(pc);
    if (code == OP_LIT) {
      if (!literalAt(pc, pos, end)) return false;
      pos += argB(pc);
    } else if (code == OP_LAZY) {
      firstPathFinal = false;
      let stop = pos;
      if (op(pc + 1) == OP_LIT) {
        // The first place the next literal's first byte is, before any line terminator.
        stop = firstOf(argA(pc + 1) & 0xff, pos, end);
        if (stop < 0) return false;
      }
      setI32At(CAP_START, pc, pos);
      setI32At(CAP_END, pc, stop);
      pos = stop;
    } else if (code == OP_SEVERITY) {
      firstPathFinal = false;
      return !groupIsEmpty(pos) && matchSeverity(pos, end) == 1;
    } else if (code == OP_TIME) {
      const zoneEnd = firstTimeChoice(pc, pos, end);
      if (zoneEnd < 0) return false;
      firstPathFinal = false;
      setI32At(CAP_START, pc, pos);
      setI32At(CAP_END, pc, zoneEnd);
      pos = zoneEnd;
    } else if (code == OP_PID || code == OP_DIGITS) {
      firstPathFinal = false;
      // Longest run first, the signed run (with its '-') before the unsigned one.
      const least = code == OP_PID ? 1 : argA(pc);
      let from = pos;
      let last = pos;
      if (code == OP_DIGITS && argB(pc) == 1 && pos < end && byteAt(pos) == 45) {
        last = digitsEnd(pos + 1, end);
        if (last >= pos + 1 + least) from = pos + 1;
        else last = pos;
      }
      if (from == pos) {
        last = digitsEnd(pos, end);
        if (last < pos + least) return false;
      }
      setI32At(CAP_START, pc, from);
      setI32At(CAP_END, pc, last);
      pos = last;
    } else if (code == OP_SQLSTATE) {
      if (!sqlstateAt(pos, end)) return false;
      setI32At(CAP_START, pc, pos);
      setI32At(CAP_END, pc, pos + 5);
      pos += 5;
    } else if (code == OP_SESSION) {
      firstPathFinal = false;
      const dot = sessionDot(pos, end);
      if (dot < 0) return false;
      const last = hexEnd(dot + 1, end);
      if (last < dot + 2) return false;
      setI32At(CAP_START, pc, pos);
      setI32At(CAP_END, pc, last);
      pos = last;
    } else if (code == OP_OPTIONAL) {
      firstPathFinal = false;
      // The group first, i.e. the next op.
      groupFrom = pos;
    } else {
      firstPathFinal = false;
      return false;
    }
    pc++;
  }
}

/**
 * Where the first `literal` byte is from `pos` on, or -1 when a line terminator (or `end`) comes
 * first: 16 bytes at a time, then byte by byte.
 */
function firstOf(literal: i32, pos: i32, end: i32): i32 {
  const wanted = i8x16.splat(<i8>literal);
  const newline = i8x16.splat(10);
  const carriage = i8x16.splat(13);
  let at = pos;
  while (at + 16 <= end) {
    const block = v128.load(INPUT_AT + <usize>at);
    const stops = i8x16.bitmask(v128.or(i8x16.eq(block, wanted), v128.or(i8x16.eq(block, newline), i8x16.eq(block, carriage))));
    if (stops != 0) {
      at += ctz(stops);
      return byteAt(at) == literal ? at : -1;
    }
    at += 16;
  }
  for (; at < end; at++) {
    const c = byteAt(at);
    if (c == literal) return at;
    if (c == 10 || c == 13) return -1;
  }
  return -1;
}

/**
 * The time at `pos` with its first zone alternative (the order of matchZone): returns where the
 * zone ends, or -1 when the time does not match.
 */
function firstTimeChoice(pc: i32, pos: i32, end: i32): i32 {
  const after = timeEnd(pc, pos, end);
  if (after < 0) return -1;
  // ` ?[A-Za-z][A-Za-z0-9]*`, the space taken first, the longest run.
  for (let space = 1; space >= 0; space--) {
    const last = zoneNameEnd(afterSpace(after, end, space), end);
    if (last >= 0) return last;
  }
  // `[+-]\d\d(?::?\d\d)?`, then the same after a space: the longest form first.
  for (let space = 0; space <= 1; space++) {
    const at = afterSpace(after, end, space);
    if (offsetHoursAt(at, end)) {
      const hours = at + 3;
      if (colonMinutesAt(hours, end)) return hours + 3;
      if (twoDigitsAt(hours, end)) return hours + 2;
      return hours;
    }
  }
  return after;
}

// The severity names in the order of the regular expression's alternatives, as static bytes:
// name i is SEVERITY_LENGTHS[i] bytes at SEVERITY_NAMES + SEVERITY_OFFSETS[i].
const SEVERITY_NAMES: usize = memory.data<u8>([76, 79, 71, 69, 82, 82, 79, 82, 87, 65, 82, 78, 73, 78, 71, 70, 65, 84, 65, 76, 80, 65, 78, 73, 67, 68, 69, 84, 65, 73, 76, 72, 73, 78, 84, 67, 79, 78, 84, 69, 88, 84, 83, 84, 65, 84, 69, 77, 69, 78, 84, 81, 85, 69, 82, 89, 76, 79, 67, 65, 84, 73, 79, 78, 73, 78, 70, 79, 78, 79, 84, 73, 67, 69, 68, 69, 66, 85, 71]); // LOG ERROR WARNING FATAL PANIC DETAIL HINT CONTEXT STATEMENT QUERY LOCATION INFO NOTICE DEBUG
const SEVERITY_OFFSETS: usize = memory.data<u8>([0, 3, 8, 15, 20, 25, 31, 35, 42, 51, 56, 64, 68, 74]);
const SEVERITY_LENGTHS: usize = memory.data<u8>([3, 5, 7, 5, 5, 6, 4, 7, 9, 5, 8, 4, 6, 5]);
const SEVERITY_COUNT: i32 = 14;

/** `(LOG|ERROR|...|DEBUG[1-5]?):  ?` ; codes: index of the name, DEBUG1..5 = 14..18. */
function matchSeverity(pos: i32, end: i32): i32 {
  for (let s = 0; s < SEVERITY_COUNT; s++) {
    const length = <i32>load<u8>(SEVERITY_LENGTHS + <usize>s);
    if (!startsWith(pos, end, SEVERITY_NAMES + <usize>load<u8>(SEVERITY_OFFSETS + <usize>s), length)) continue;
    let at = pos + length;
    let code = s;
    if (s == 13) {
      // DEBUG[1-5]? greedy, then the colon.
      const c = at < end ? byteAt(at) : 0;
      if (c >= 49 && c <= 53 && at + 1 < end && byteAt(at + 1) == 58) {
        code = 13 + c - 48;
        at++;
      }
    }
    if (at + 1 < end && byteAt(at) == 58 && byteAt(at + 1) == 32) {
      at += 2;
      if (at < end && byteAt(at) == 32) at++;
      severityCode = code;
      messageStart = at;
      return 1;
    }
    // The alternatives are not prefixes of each other (DEBUG aside): no other can match here.
    return 0;
  }
  return 0;
}

// The field tuples of the last lines (most lines repeat one of a few sessions' database, user,
// application, client and SQLSTATE): the bytes from the first field to the last with where each
// field was captured, and the ids they were given. Four entries, most recently used first.
const TUPLE_ENTRIES: i32 = 4;
const TUPLE_MAX_BYTES: i32 = 192;
const TUPLE_MAX_FIELDS: i32 = 16;
const TUPLE_OFFSETS: usize = 4; // i32 start and end (relative; -1: not captured) per field op
const TUPLE_IDS: usize = TUPLE_OFFSETS + <usize>(TUPLE_MAX_FIELDS * 8); // i32 per field slot (7)
const TUPLE_BYTES_AT: usize = TUPLE_IDS + 28;
const TUPLE_STRIDE: usize = 384; // >= TUPLE_BYTES_AT + TUPLE_MAX_BYTES
const TUPLES: usize = memory.data(<i32>TUPLE_STRIDE * TUPLE_ENTRIES, 8); // length -1: empty
const tupleOrder = memory.data<u8>([0, 1, 2, 3]);

function forgetTuples(): void {
  for (let i = 0; i < TUPLE_ENTRIES; i++) store<i32>(TUPLES + <usize>i * TUPLE_STRIDE, -1);
}

/** Interns one captured field into its slot; false when the table is full. */
function storeField(line: usize, pc: i32, start: i32, stop: i32): bool {
  if (stop == start) return true; // an empty value is not kept
  const code = op(pc);
  const field = code == OP_SQLSTATE ? F_SQLSTATE : code == OP_SESSION ? 4 : argA(pc);
  if (field == F_CLIENT) {
    // %r is host(port): breakdowns are per host.
    for (let i = start + 1; i < stop; i++) {
      if (byteAt(i) == 40) {
        stop = i;
        break;
      }
    }
  }
  const id = intern2(start, stop, stop, stop, field);
  if (id < 0) return false;
  store<i32>(line + ((S_FIELDS + field) << 2), id);
  return true;
}

/**
 * Interns the captured fields of a matched line into its slots; false when the table is full.
 * The field tuple first: a tuple seen lately brings the ids of every field slot it was stored
 * with, so the fields of other ops (%c) are written after it.
 */
function storeFields(line: usize): bool {
  for (let f = 0; f < 7; f++) store<i32>(line + ((S_FIELDS + f) << 2), 0);
  store<i32>(line + (S_TIME_KEY << 2), 0);
  store<i32>(line + (S_PID << 2), 0);
  return storeTuple(line) && storeOthers(line);
}

/** The time, the pid and the session id of a matched line (the captures of the other ops). */
function storeOthers(line: usize): bool {
  for (let k = 0; k < otherCount; k++) {
    const pc = i32At(OTHER_OPS, k);
    const start = i32At(CAP_START, pc);
    const stop = i32At(CAP_END, pc);
    if (start < 0 || stop == start) continue;
    const code = op(pc);
    if (code == OP_TIME) {
      const fractionEnd = start + (argA(pc) == 1 ? 23 : 19);
      const seconds = (byteAt(start + 17) - 48) * 10 + byteAt(start + 18) - 48;
      if (seconds > 60) return false; // not a valid time: the JavaScript reader says NaN
      let ms = seconds * 1000;
      if (argA(pc) == 1) ms += (byteAt(start + 20) - 48) * 100 + (byteAt(start + 21) - 48) * 10 + byteAt(start + 22) - 48;
      const key = intern2(start, start + 16, fractionEnd, stop, LAST_TIME);
      if (key < 0) return false;
      store<i32>(line + (S_TIME_KEY << 2), key);
      store<i32>(line + (S_TIME_MS << 2), ms);
    } else if (code == OP_PID) {
      if (stop - start > 9) return false;
      let pid = 0;
      for (let i = start; i < stop; i++) pid = pid * 10 + byteAt(i) - 48;
      store<i32>(line + (S_PID << 2), pid);
    } else if (code == OP_SESSION) {
      if (!storeField(line, pc, start, stop)) return false;
    }
  }
  return true;
}

/** The field tuple of a matched line (%e and the text fields), from the tuples of the lines before when it is one of them. */
function storeTuple(line: usize): bool {
  let regionStart = 0x7fffffff;
  let regionEnd = -1;
  for (let k = 0; k < tupleCount; k++) {
    const pc = i32At(TUPLE_OPS, k);
    const start = i32At(CAP_START, pc);
    if (start < 0) continue;
    if (start < regionStart) regionStart = start;
    const stop = i32At(CAP_END, pc);
    if (stop > regionEnd) regionEnd = stop;
  }
  if (regionEnd < 0) return true;
  const length = regionEnd - regionStart;
  if (tupleCount > TUPLE_MAX_FIELDS || length > TUPLE_MAX_BYTES) return storeEachField(line);
  // A tuple seen lately: same bytes, same captures.
  for (let o = 0; o < TUPLE_ENTRIES; o++) {
    const entry = TUPLES + <usize>load<u8>(tupleOrder + <usize>o) * TUPLE_STRIDE;
    if (load<i32>(entry) != length || !sameCaptures(entry, regionStart) || !equalBytes(entry + TUPLE_BYTES_AT, INPUT_AT + <usize>regionStart, length)) continue;
    copyFieldIds(line + (<usize>S_FIELDS << 2), entry + TUPLE_IDS);
    if (o > 0) toFront(o);
    return true;
  }
  if (!storeEachField(line)) return false;
  // Remember it in place of the least recently used.
  const slot = load<u8>(tupleOrder + 3);
  const entry = TUPLES + <usize>slot * TUPLE_STRIDE;
  store<i32>(entry, length);
  for (let k = 0; k < tupleCount; k++) {
    const pc = i32At(TUPLE_OPS, k);
    const start = i32At(CAP_START, pc);
    const at = entry + TUPLE_OFFSETS + (<usize>k << 3);
    store<i32>(at, start < 0 ? -1 : start - regionStart);
    store<i32>(at + 4, start < 0 ? -1 : i32At(CAP_END, pc) - regionStart);
  }
  copyFieldIds(entry + TUPLE_IDS, line + (<usize>S_FIELDS << 2));
  memory.copy(entry + TUPLE_BYTES_AT, INPUT_AT + <usize>regionStart, <usize>length);
  toFront(3);
  return true;
}

/** The 7 field ids (28 bytes) of a tuple: loads and stores in place of memory.copy, which V8 compiles to a call. */
@inline function copyFieldIds(to: usize, from: usize): void {
  v128.store(to, v128.load(from));
  store<u64>(to + 16, load<u64>(from + 16));
  store<u32>(to + 24, load<u32>(from + 24));
}

/** Whether the tuple entry's captures are where this line's are (relative to the region). */
function sameCaptures(entry: usize, regionStart: i32): bool {
  for (let k = 0; k < tupleCount; k++) {
    const pc = i32At(TUPLE_OPS, k);
    const start = i32At(CAP_START, pc);
    const at = entry + TUPLE_OFFSETS + (<usize>k << 3);
    if (load<i32>(at) != (start < 0 ? -1 : start - regionStart)) return false;
    if (load<i32>(at + 4) != (start < 0 ? -1 : i32At(CAP_END, pc) - regionStart)) return false;
  }
  return true;
}

function toFront(o: i32): void {
  const slot = load<u8>(tupleOrder + <usize>o);
  for (let i = o; i > 0; i--) store<u8>(tupleOrder + <usize>i, load<u8>(tupleOrder + <usize>(i - 1)));
  store<u8>(tupleOrder, slot);
}

/** The tuple's fields interned one by one, in the order of the ops (a later one wins). */
function storeEachField(line: usize): bool {
  for (let k = 0; k < tupleCount; k++) {
    const pc = i32At(TUPLE_OPS, k);
    const start = i32At(CAP_START, pc);
    if (start >= 0 && !storeField(line, pc, start, i32At(CAP_END, pc))) return false;
  }
  return true;
}

/** End of the line starting at `start` (a '\n' or `length`); sets `lineHigh` when a byte >= 0x80 is in it. */
let lineHigh: bool = false;
function lineEnd(start: i32, length: i32): i32 {
  const newline = i8x16.splat(10);
  let at = start;
  let high = 0;
  while (at + 16 <= length) {
    const block = v128.load(INPUT_AT + <usize>at);
    const newlines = i8x16.bitmask(i8x16.eq(block, newline));
    const highs = i8x16.bitmask(block);
    if (newlines != 0) {
      const offset = ctz(newlines);
      high |= highs & ((1 << offset) - 1);
      lineHigh = high != 0;
      return at + offset;
    }
    high |= highs;
    at += 16;
  }
  while (at < length) {
    const c = byteAt(at);
    if (c == 10) break;
    high |= c & 128;
    at++;
  }
  lineHigh = high != 0;
  return at;
}

// The texts the classification looks for, as static bytes (compared 8 bytes at a time).
const CONNECTION: usize = memory.data<u8>([99, 111, 110, 110, 101, 99, 116, 105, 111, 110, 32]); // 'connection '
const CONNECTION_LENGTH: i32 = 11;
const RECEIVED: usize = memory.data<u8>([114, 101, 99, 101, 105, 118, 101, 100, 58, 32]); // 'received: '
const RECEIVED_LENGTH: i32 = 10;
const HOST_IS: usize = memory.data<u8>([104, 111, 115, 116, 61]); // 'host='
const HOST_IS_LENGTH: i32 = 5;
const AUTHORIZED: usize = memory.data<u8>([97, 117, 116, 104, 111, 114, 105, 122, 101, 100, 58, 32]); // 'authorized: '
const AUTHORIZED_LENGTH: i32 = 12;
const DISCONNECTION: usize = memory.data<u8>([100, 105, 115, 99, 111, 110, 110, 101, 99, 116, 105, 111, 110, 58, 32, 115, 101, 115, 115, 105, 111, 110, 32, 116, 105, 109, 101, 58, 32]); // 'disconnection: session time: '
const DISCONNECTION_LENGTH: i32 = 29;
const USER_IS: usize = memory.data<u8>([117, 115, 101, 114, 61]); // 'user='
const USER_IS_LENGTH: i32 = 5;
const SPACE_DATABASE_IS: usize = memory.data<u8>([32, 100, 97, 116, 97, 98, 97, 115, 101, 61]); // ' database='
const SPACE_DATABASE_IS_LENGTH: i32 = 10;
const SPACE_APPLICATION_IS: usize = memory.data<u8>([32, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 95, 110, 97, 109, 101, 61]); // ' application_name='
const SPACE_APPLICATION_IS_LENGTH: i32 = 18;
const SPACE_PAREN: usize = memory.data<u8>([32, 40]); // ' ('
const SPACE_PAREN_LENGTH: i32 = 2;
const SPACE_SSL: usize = memory.data<u8>([32, 83, 83, 76]); // ' SSL'
const SPACE_SSL_LENGTH: i32 = 4;
const SPACE_GSS: usize = memory.data<u8>([32, 71, 83, 83]); // ' GSS'
const SPACE_GSS_LENGTH: i32 = 4;
const SPACE_USER_IS: usize = memory.data<u8>([32, 117, 115, 101, 114, 61]); // ' user='
const SPACE_USER_IS_LENGTH: i32 = 6;
const SPACE_HOST_IS: usize = memory.data<u8>([32, 104, 111, 115, 116, 61]); // ' host='
const SPACE_HOST_IS_LENGTH: i32 = 6;
const DURATION: usize = memory.data<u8>([100, 117, 114, 97, 116, 105, 111, 110, 58, 32]); // 'duration: '
const DURATION_LENGTH: i32 = 10;
const SPACE_MS: usize = memory.data<u8>([32, 109, 115]); // ' ms'
const SPACE_MS_LENGTH: i32 = 3;
const STATEMENT_COLON: usize = memory.data<u8>([115, 116, 97, 116, 101, 109, 101, 110, 116, 58, 32]); // 'statement: '
const STATEMENT_COLON_LENGTH: i32 = 11;
const EXECUTE: usize = memory.data<u8>([101, 120, 101, 99, 117, 116, 101]); // 'execute'
const EXECUTE_LENGTH: i32 = 7;
const PARSE: usize = memory.data<u8>([112, 97, 114, 115, 101]); // 'parse'
const PARSE_LENGTH: i32 = 5;
const BIND: usize = memory.data<u8>([98, 105, 110, 100]); // 'bind'
const BIND_LENGTH: i32 = 4;
const COLON_SPACE: usize = memory.data<u8>([58, 32]); // ': '
const COLON_SPACE_LENGTH: i32 = 2;
const PLAN: usize = memory.data<u8>([112, 108, 97, 110, 58]); // 'plan:'
const PLAN_LENGTH: i32 = 5;

@inline function startsWith(at: i32, end: i32, text: usize, length: i32): bool {
  return at + length <= end && equalBytes(INPUT_AT + <usize>at, text, length);
}

@inline function isSpace(c: i32): bool {
  return c == 32 || <u32>(c - 9) < 5;
}

/** End of the run of non-space bytes from `at` (classifier.ts nonSpaceEnd, ASCII lines only). */
function nonSpaceEnd(at: i32, end: i32): i32 {
  let i = at;
  while (i < end && !isSpace(byteAt(i))) i++;
  return i;
}

/** Where `text` (`length` bytes) first is in from..end, or -1: its first byte looked for 16 bytes at a time. */
function indexOfText(text: usize, length: i32, from: i32, end: i32): i32 {
  const first = <i32>load<u8>(text);
  const wanted = i8x16.splat(<i8>first);
  const lastStart = end - length;
  let at = from;
  while (at + 16 <= end) {
    let candidates = i8x16.bitmask(i8x16.eq(v128.load(INPUT_AT + <usize>at), wanted));
    while (candidates != 0) {
      const i = at + ctz(candidates);
      if (i > lastStart) return -1;
      if (equalBytes(INPUT_AT + <usize>i, text, length)) return i;
      candidates &= candidates - 1;
    }
    at += 16;
  }
  for (; at <= lastStart; at++) if (byteAt(at) == first && equalBytes(INPUT_AT + <usize>at, text, length)) return at;
  return -1;
}

function hasTerminator(a: i32, b: i32): bool {
  for (let i = a; i < b; i++) {
    const c = byteAt(i);
    if (c == 10 || c == 13) return true;
  }
  return false;
}

@inline function internMessage(a: i32, b: i32, cache: i32): i32 {
  return intern2(a, b, b, b, LAST_MESSAGE + cache);
}

/**
 * The kind of the message a..end, for the messages classifier.ts reads by hand (connections and
 * disconnections: most lines of a log with log_connections), or 0. Writes the kind's slots.
 */
function classifyMessage(line: usize, a: i32, end: i32): i32 {
  const first = byteAt(a);
  if (first == 99 /* c */ && startsWith(a, end, CONNECTION, CONNECTION_LENGTH)) {
    const next = a + 11;
    if (startsWith(next, end, RECEIVED, RECEIVED_LENGTH)) {
      // receivedHostFast: host=(\S+) from offset 21.
      const at = indexOfText(HOST_IS, HOST_IS_LENGTH, a + 21, end);
      if (at < 0) return 0;
      const hostEnd = nonSpaceEnd(at + 5, end);
      if (hostEnd == at + 5) return 0;
      const host = internMessage(at + 5, hostEnd, 0);
      if (host < 0) return -1;
      store<i32>(line + (S_K1 << 2), host);
      return KIND_RECEIVED;
    }
    if (startsWith(next, end, AUTHORIZED, AUTHORIZED_LENGTH)) return authorized(line, a, end);
    return KIND_OTHER_CONNECTION;
  }
  if (first == 100 /* d */) {
    if (startsWith(a, end, DURATION, DURATION_LENGTH)) return duration(line, a, end);
    if (startsWith(a, end, DISCONNECTION, DISCONNECTION_LENGTH)) return disconnection(line, a, end);
  }
  return 0;
}

@inline function lineIndex(line: usize): usize {
  return (line - OUTPUT_AT) / (<usize>SLOTS << 2);
}

/**
 * classifier.ts for "duration: N ms[  rest]" on its first line (a continuation line changes the
 * message: the reader then extends the SQL or classifies the whole text). N must be plain
 * digits with an optional fraction (what Number() reads exactly as digits / 10^k); else 0.
 */
function duration(line: usize, a: i32, end: i32): i32 {
  const numberAt = a + 10;
  const ms = indexOfText(SPACE_MS, SPACE_MS_LENGTH, numberAt, end);
  if (ms < 0) return 0;
  let digits: f64 = 0;
  let scale: f64 = 1;
  let seenDot = false;
  if (ms == numberAt || ms - numberAt > 15) return 0;
  for (let i = numberAt; i < ms; i++) {
    const c = byteAt(i);
    if (c == 46 && !seenDot && i > numberAt && i + 1 < ms) {
      seenDot = true;
      continue;
    }
    if (!isDigit(c)) return 0;
    digits = digits * 10 + <f64>(c - 48);
    if (seenDot) scale *= 10;
  }
  store<f64>(NUMBERS_AT + lineIndex(line) * 8, digits / scale);
  let restAt = ms + 3;
  while (restAt < end && byteAt(restAt) == 32) restAt++;
  if (restAt >= end) return KIND_DURATION;
  if (startsWith(restAt, end, PLAN, PLAN_LENGTH)) return 0;
  if (startsWith(restAt, end, STATEMENT_COLON, STATEMENT_COLON_LENGTH)) {
    store<i32>(line + (S_K1 << 2), 0);
    store<i32>(line + (S_K4 << 2), restAt + STATEMENT_COLON_LENGTH);
    return KIND_QUERY;
  }
  let step = -1;
  let length = 0;
  if (startsWith(restAt, end, EXECUTE, EXECUTE_LENGTH)) {
    step = 1;
    length = EXECUTE_LENGTH;
  } else if (startsWith(restAt, end, PARSE, PARSE_LENGTH)) {
    step = 2;
    length = PARSE_LENGTH;
  } else if (startsWith(restAt, end, BIND, BIND_LENGTH)) {
    step = 3;
    length = BIND_LENGTH;
  }
  if (step < 0 || restAt + length >= end || byteAt(restAt + length) != 32) return 0;
  const colon = indexOfText(COLON_SPACE, COLON_SPACE_LENGTH, restAt + length + 1, end);
  if (colon < 0) return 0;
  store<i32>(line + (S_K1 << 2), step);
  store<i32>(line + (S_K2 << 2), restAt + length + 1);
  store<i32>(line + (S_K3 << 2), colon);
  store<i32>(line + (S_K4 << 2), colon + 2);
  return KIND_QUERY;
}

/** classifier.ts authorizedFast. */
function authorized(line: usize, a: i32, end: i32): i32 {
  if (!startsWith(a + 23, end, USER_IS, USER_IS_LENGTH)) return 0;
  const userEnd = nonSpaceEnd(a + 28, end);
  let database = -1;
  let application = -1;
  if (userEnd != end) {
    if (!startsWith(userEnd, end, SPACE_DATABASE_IS, SPACE_DATABASE_IS_LENGTH)) return 0;
    const databaseEnd = nonSpaceEnd(userEnd + 10, end);
    if (databaseEnd != end) {
      if (!startsWith(databaseEnd, end, SPACE_APPLICATION_IS, SPACE_APPLICATION_IS_LENGTH)) return 0;
      const from = databaseEnd + 18;
      if (indexOfText(SPACE_PAREN, SPACE_PAREN_LENGTH, from, end) >= 0 || indexOfText(SPACE_SSL, SPACE_SSL_LENGTH, from, end) >= 0 || indexOfText(SPACE_GSS, SPACE_GSS_LENGTH, from, end) >= 0 || hasTerminator(from, end)) return 0;
      application = internMessage(from, end, 2);
      if (application < 0) return -1;
    }
    database = internMessage(userEnd + 10, databaseEnd, 1);
    if (database < 0) return -1;
  }
  const user = internMessage(a + 28, userEnd, 0);
  if (user < 0) return -1;
  store<i32>(line + (S_K1 << 2), user);
  store<i32>(line + (S_K2 << 2), database);
  store<i32>(line + (S_K3 << 2), application);
  return KIND_AUTHORIZED;
}

/** classifier.ts disconnectionFast, with sessionTimeFast for the session time. */
function disconnection(line: usize, a: i32, end: i32): i32 {
  const timeAt = a + 29;
  const timeEnd = nonSpaceEnd(timeAt, end);
  if (timeEnd <= timeAt || !startsWith(timeEnd, end, SPACE_USER_IS, SPACE_USER_IS_LENGTH)) return 0;
  const userAt = timeEnd + 6;
  const databaseAt = indexOfText(SPACE_DATABASE_IS, SPACE_DATABASE_IS_LENGTH, userAt, end);
  if (databaseAt < 0) return 0;
  const hostAt = indexOfText(SPACE_HOST_IS, SPACE_HOST_IS_LENGTH, databaseAt + 10, end);
  if (hostAt < 0 || hasTerminator(userAt, hostAt)) return 0;
  const hostEnd = nonSpaceEnd(hostAt + 6, end);
  const sessionMs = sessionTime(timeAt, timeEnd);
  if (isNaN(sessionMs)) return 0; // the regular expression decides then
  const user = internMessage(userAt, databaseAt, 0);
  const database = internMessage(databaseAt + 10, hostAt, 1);
  const host = internMessage(hostAt + 6, hostEnd, 3);
  if (user < 0 || database < 0 || host < 0) return -1;
  store<i32>(line + (S_K1 << 2), user);
  store<i32>(line + (S_K2 << 2), database);
  store<i32>(line + (S_K3 << 2), host);
  store<f64>(NUMBERS_AT + lineIndex(line) * 8, sessionMs);
  return KIND_DISCONNECTION;
}

/** classifier.ts sessionTimeFast: "H:MM:SS[.fff]" (at most 16 characters) -> ms, else NaN. */
function sessionTime(a: i32, b: i32): f64 {
  if (b - a > 16) return NaN;
  let colon = -1;
  for (let i = a; i < b; i++) {
    if (byteAt(i) == 58) {
      colon = i;
      break;
    }
  }
  // The colon, then MM, a colon and SS: all within the text.
  if (colon < a + 1 || colon + 5 >= b || byteAt(colon + 3) != 58) return NaN;
  if (!isDigit(byteAt(colon + 1)) || !isDigit(byteAt(colon + 2)) || !isDigit(byteAt(colon + 4)) || !isDigit(byteAt(colon + 5))) return NaN;
  let hours: f64 = 0;
  for (let i = a; i < colon; i++) {
    if (!isDigit(byteAt(i))) return NaN;
    hours = hours * 10 + <f64>(byteAt(i) - 48);
  }
  const secondsAt = colon + 4;
  // Number(text.slice(secondsAt)): "SS" or "SS.f..." (digits after the dot, at least one).
  let digits: f64 = <f64>((byteAt(secondsAt) - 48) * 10 + byteAt(secondsAt + 1) - 48);
  let scale: f64 = 1;
  if (b > secondsAt + 2) {
    if (byteAt(secondsAt + 2) != 46 || b == secondsAt + 3) return NaN;
    for (let i = secondsAt + 3; i < b; i++) {
      if (!isDigit(byteAt(i))) return NaN;
      digits = digits * 10 + <f64>(byteAt(i) - 48);
      scale *= 10;
    }
  }
  const minutes = <f64>((byteAt(colon + 1) - 48) * 10 + byteAt(colon + 2) - 48);
  return (hours * 3600 + minutes * 60 + digits / scale) * 1000;
}

let textUsed: i32 = 0;

/**
 * Copies `n` bytes of a line into the text area, 16 at a time: a line is short, and V8 compiles
 * memory.copy to a call. Writes up to 15 bytes past the copy (the text area has room for them;
 * what follows the text is written after it) and reads up to 15 past the line (inside the input
 * area's slack).
 */
@inline function copyShort(to: usize, from: usize, n: i32): void {
  if (n > 256) {
    memory.copy(to, from, <usize>n);
    return;
  }
  for (let i = 0; i < n; i += 16) v128.store(to + <usize>i, v128.load(from + <usize>i));
}

/** Forgets the captures of the last line (only those of the kept and the reset ops are read). */
@inline function resetCaptures(): void {
  for (let k = 0; k < tupleCount; k++) setI32At(CAP_START, i32At(TUPLE_OPS, k), -1);
  for (let k = 0; k < otherCount; k++) setI32At(CAP_START, i32At(OTHER_OPS, k), -1);
}

/**
 * Takes continuation line a..b (after its tab) into the record whose slots are at `record`: on
 * the first, the record's message is copied to the text area; each line is added after a '\n'.
 */
function joinContinuation(record: usize, a: i32, b: i32): void {
  const span = load<i32>(record + (S_SPAN << 2));
  if (span == 0) {
    const from = load<i32>(record + (S_MESSAGE << 2));
    const to = load<i32>(record + (S_END << 2));
    store<i32>(record + (S_TEXT_START << 2), textUsed);
    copyShort(TEXT_AT + <usize>textUsed, INPUT_AT + <usize>from, to - from);
    textUsed += to - from;
    // Only a statement's SQL grows with more lines; any other message must be classified whole
    // (what the reader does when a continuation line joins a scanned record).
    if (load<i32>(record + (S_KIND << 2)) != KIND_QUERY) store<i32>(record + (S_KIND << 2), 0);
  }
  store<u8>(TEXT_AT + <usize>textUsed, 10);
  copyShort(TEXT_AT + <usize>(textUsed + 1), INPUT_AT + <usize>a, b - a);
  textUsed += 1 + b - a;
  store<u8>(TEXT_AT + <usize>textUsed, 0); // what the statement key hash may read past the text
  store<i32>(record + (S_SPAN << 2), span + 1);
  store<i32>(record + (S_TEXT_END << 2), textUsed);
}

/** A hash of `n` bytes for texts of hundreds of bytes: four lanes mixed 16 bytes at a time, then the rest. */
function mixLong(from: usize, n: i32): u32 {
  let lanes = i32x4(0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f);
  const factor = i32x4.splat(0x9e3779b1);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    lanes = i32x4.mul(v128.xor(lanes, v128.load(from + <usize>i)), factor);
    lanes = v128.xor(lanes, i32x4.shr_u(lanes, 15));
  }
  let h = <u32>(i32x4.extract_lane(lanes, 0) ^ i32x4.extract_lane(lanes, 1) * 31 ^ i32x4.extract_lane(lanes, 2) * 961 ^ i32x4.extract_lane(lanes, 3) * 29791);
  return mixBytes(h, from + <usize>i, n - i);
}

/** equalBytes for texts of hundreds of bytes: 16 bytes at a time. */
function equalLong(x: usize, y: usize, n: i32): bool {
  let i = 0;
  for (; i + 16 <= n; i += 16) if (v128.any_true(v128.xor(v128.load(x + <usize>i), v128.load(y + <usize>i)))) return false;
  return equalBytes(x + <usize>i, y + <usize>i, n - i);
}

let knownCount: i32 = 0;
let knownArenaUsed: i32 = 0;

/**
 * The key hash of a statement text, from the texts seen lately when it is one of them (prepared
 * statements with $n parameters, ORM and script statements repeat verbatim): a hash of the raw
 * bytes and a comparison instead of the tokenizer. Up to KNOWN_MAX texts of at most
 * KNOWN_MAX_TEXT bytes; all are forgotten when the table or its arena is full.
 */
function knownKeyHash(text: usize, length: i32): f64 {
  if (length > KNOWN_MAX_TEXT) return statementKeyHash(text, length);
  let raw = mixLong(text, length) ^ <u32>length;
  raw ^= raw >> 13;
  const mask = <u32>KNOWN_SLOTS - 1;
  let slot = raw & mask;
  while (true) {
    const id = load<i32>(KNOWN_TABLE_AT + (<usize>slot << 2));
    if (id == 0) break;
    const entry = KNOWN_ENTRIES_AT + <usize>(id - 1) * 24;
    if (load<i32>(entry + 4) == length && load<u32>(entry + 8) == raw && equalLong(KNOWN_ARENA_AT + <usize>load<i32>(entry), text, length)) return load<f64>(entry + 16);
    slot = (slot + 1) & mask;
  }
  const keyHash = statementKeyHash(text, length);
  if (knownCount >= KNOWN_MAX || knownArenaUsed + length > KNOWN_ARENA_BYTES) {
    memory.fill(KNOWN_TABLE_AT, 0, <usize>KNOWN_SLOTS << 2);
    knownCount = 0;
    knownArenaUsed = 0;
    slot = raw & mask;
  }
  const entry = KNOWN_ENTRIES_AT + <usize>knownCount * 24;
  store<i32>(entry, knownArenaUsed);
  store<i32>(entry + 4, length);
  store<u32>(entry + 8, raw);
  store<f64>(entry + 16, keyHash);
  memory.copy(KNOWN_ARENA_AT + <usize>knownArenaUsed, text, <usize>length);
  knownArenaUsed += length;
  knownCount++;
  store<i32>(KNOWN_TABLE_AT + (<usize>slot << 2), knownCount);
  return keyHash;
}

/**
 * The statement key hash of a statement record's SQL, once its lines in this scan are taken in.
 * Should a later line still continue it, the reader drops the hash with the text it extends.
 */
function hashStatement(record: usize): void {
  if (load<i32>(record + (S_KIND << 2)) != KIND_QUERY) return;
  const sqlAt = load<i32>(record + (S_K4 << 2));
  let hash: f64;
  if (load<i32>(record + (S_SPAN << 2)) == 0) {
    hash = knownKeyHash(INPUT_AT + <usize>sqlAt, load<i32>(record + (S_END << 2)) - sqlAt);
  } else {
    const from = load<i32>(record + (S_TEXT_START << 2)) + sqlAt - load<i32>(record + (S_MESSAGE << 2));
    hash = knownKeyHash(TEXT_AT + <usize>from, load<i32>(record + (S_TEXT_END << 2)) - from);
  }
  store<f64>(HASHES_AT + lineIndex(record) * 8, hash);
}

/**
 * Scans the lines of input bytes `from`..`length` (lines end at '\n' or at `length`), writing
 * SLOTS i32 per line, at most `maxLines` lines. Returns the number of lines written; the next
 * call continues at the raw end of the last line + 1. Continuation lines right after a record
 * are taken into it (S_SPAN); they keep their slots, with their status.
 */
export function scan(from: i32, length: i32, maxLines: i32): i32 {
  let lines = 0;
  let start = from;
  let open: usize = 0; // the slots of the record taking continuation lines in, if any
  textUsed = 0;
  // The statement key hash may read one byte past a statement on the last line.
  store<u8>(INPUT_AT + <usize>length, 0);
  while (start <= length && lines < maxLines) {
    const rawEnd = lineEnd(start, length);
    const line = OUTPUT_AT + (<usize>lines) * (<usize>SLOTS << 2);
    let end = rawEnd;
    if (end > start && byteAt(end - 1) == 13) end--;
    store<i32>(line + (S_START << 2), start);
    store<i32>(line + (S_END << 2), end);
    store<i32>(line + (S_RAW_END << 2), rawEnd);
    let status = STATUS_JS;
    if (!lineHigh && opCount > 0) {
      // The first path captures every op it matches (all of them when it matches the line).
      let r = matchFirstPath(start, end) ? 1 : 0;
      if (r == 0 && !firstPathFinal) {
        // Some choice must be undone: the backtracking matcher, from scratch.
        resetCaptures();
        steps = 0;
        groupFrom = -1;
        r = matchFrom(0, start, end);
      }
      if (r > 0) {
        if (storeFields(line)) {
          const kind = classifyMessage(line, messageStart, end);
          if (kind >= 0) {
            status = STATUS_RECORD;
            store<i32>(line + (S_MESSAGE << 2), messageStart);
            store<i32>(line + (S_SEVERITY << 2), severityCode);
            store<i32>(line + (S_KIND << 2), kind);
            store<i32>(line + (S_SPAN << 2), 0);
          }
        }
      } else if (r == 0 && end > start && byteAt(start) == 9) {
        status = STATUS_CONTINUATION;
      }
    }
    store<i32>(line + (S_STATUS << 2), status);
    if (status == STATUS_CONTINUATION && open != 0) {
      joinContinuation(open, start + 1, end);
    } else {
      if (open != 0) hashStatement(open);
      open = status == STATUS_RECORD ? line : 0;
    }
    lines++;
    start = rawEnd + 1;
  }
  if (open != 0) {
    // Out of slots inside a record that goes on: the next scan starts at the record instead (its
    // lines joined here, not by the reader), unless it took this whole scan.
    const first = <i32>lineIndex(open);
    if (lines >= maxLines && start <= length && byteAt(start) == 9 && first > 0) return first;
    hashStatement(open);
  }
  return lines;
}

/** The statement key hash of `length` bytes loaded at `at` in the input (for the tests). */
export function keyHashOfInput(at: i32, length: i32): f64 {
  store<u8>(INPUT_AT + <usize>(at + length), 0);
  return statementKeyHash(INPUT_AT + <usize>at, length);
}
