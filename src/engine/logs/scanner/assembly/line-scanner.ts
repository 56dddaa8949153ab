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
// Memory: the program, the input piece, the output slots (SLOTS i32 per line and one f64), the
// intern hash table, its entries and its arena (see the layout below).

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

export const SLOTS: i32 = 20;
// Message kinds the scanner recognises (slot S_KIND), with exactly the fields classifier.ts's
// hand-written fast paths would read; 0: classify in JavaScript.
const KIND_RECEIVED: i32 = 1; // S_K1: host
const KIND_AUTHORIZED: i32 = 2; // S_K1: user, S_K2: database (-1: none in the message), S_K3: application (-1: none)
const KIND_DISCONNECTION: i32 = 3; // S_K1: user, S_K2: database, S_K3: host; session ms in the f64 slot
const KIND_OTHER_CONNECTION: i32 = 4; // "connection ..." of no interest (authenticated, ...)
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
const HASH_SLOTS: i32 = 1 << 17; // a power of two
const TABLE_AT: usize = NUMBERS_AT + <usize>(MAX_LINES * 8);
export const MAX_IDS: i32 = 1 << 16;
export const ENTRIES_AT: usize = TABLE_AT + <usize>(HASH_SLOTS * 4); // per id: arena offset, length, hash (i32 each)
export const ARENA_AT: usize = ENTRIES_AT + <usize>(MAX_IDS * 12);
export const ARENA_BYTES: i32 = 4 << 20;
export const MEMORY_BYTES: usize = ARENA_AT + <usize>ARENA_BYTES;

let opCount: i32 = 0;
let idCount: i32 = 1; // id 0: no value
let arenaUsed: i32 = 0;

// Per line: capture start/end of each op (-1: none), the severity and where the message starts.
const capStart = new StaticArray<i32>(MAX_OPS);
const capEnd = new StaticArray<i32>(MAX_OPS);
let steps: i32 = 0;
let severityCode: i32 = 0;
let messageStart: i32 = 0;

/** Takes the program of `ops` ops written at PROGRAM_AT, and forgets every interned value. */
export function configure(ops: i32): void {
  opCount = ops;
  resetIntern();
}

/** Forgets every interned value (the JavaScript side forgets its strings at the same time). */
export function resetIntern(): void {
  memory.fill(TABLE_AT, 0, <usize>HASH_SLOTS << 2);
  idCount = 1;
  arenaUsed = 0;
  for (let i = 0; i < LAST_SLOTS; i++) unchecked(lastId[i] = 0);
}

// The id of the last value interned per field (most lines repeat their neighbours' values):
// compared first, before hashing.
const LAST_SLOTS: i32 = 16;
const lastId = new StaticArray<i32>(LAST_SLOTS);
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

@inline function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}

@inline function isLetter(c: i32): bool {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

@inline function isHex(c: i32): bool {
  return isDigit(c) || (c >= 97 && c <= 102);
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
  const last = unchecked(lastId[cache]);
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
      unchecked(lastId[cache] = id);
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
  unchecked(lastId[cache] = id);
  return id;
}

/** The zone alternatives after a timestamp, in the order the regular expression tries them. */
function matchZone(pc: i32, pos: i32, end: i32): i32 {
  // Alternative 1: ` ?[A-Za-z][A-Za-z0-9]*` (the space first taken, then not).
  for (let space = 1; space >= 0; space--) {
    let at = pos;
    if (space == 1) {
      if (at < end && byteAt(at) == 32) at++;
      else continue;
    }
    if (at < end && isLetter(byteAt(at))) {
      let last = at + 1;
      while (last < end && (isLetter(byteAt(last)) || isDigit(byteAt(last)))) last++;
      for (let stop = last; stop > at; stop--) {
        const r = matchFrom(pc + 1, stop, end);
        if (r != 0) return r > 0 ? stop + 1 : r;
      }
    }
  }
  // Alternatives 2 and 3: `[+-]\d\d(?::?\d\d)?` and the same after a space.
  for (let space = 0; space <= 1; space++) {
    let at = pos;
    if (space == 1) {
      if (at < end && byteAt(at) == 32) at++;
      else continue;
    }
    if (at + 2 < end && (byteAt(at) == 43 || byteAt(at) == 45) && isDigit(byteAt(at + 1)) && isDigit(byteAt(at + 2))) {
      const hours = at + 3;
      // (?::?\d\d)? greedy: with the colon, without it, then without the minutes.
      if (hours + 2 < end && byteAt(hours) == 58 && isDigit(byteAt(hours + 1)) && isDigit(byteAt(hours + 2))) {
        const r = matchFrom(pc + 1, hours + 3, end);
        if (r != 0) return r > 0 ? hours + 4 : r;
      }
      if (hours + 1 < end && isDigit(byteAt(hours)) && isDigit(byteAt(hours + 1))) {
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

/** Tries the program from op `pc` at `pos`: 1 matched, 0 no match, -1 undecided (budget). */
function matchFrom(pc: i32, pos: i32, end: i32): i32 {
  if (++steps > STEP_BUDGET) return -1;
  // Literals need no backtracking.
  while (op(pc) == OP_LIT) {
    if (pos >= end || byteAt(pos) != argA(pc)) return 0;
    pos++;
    pc++;
  }
  const code = op(pc);
  if (code == OP_SEVERITY) return matchSeverity(pos, end);
  if (code == OP_TIME) {
    // \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, then \.\d{3} for %m.
    if (pos + 19 > end) return 0;
    for (let i = 0; i < 19; i++) {
      // Digits everywhere but at the separators (4, 7: '-', 10: ' ', 13, 16: ':').
      if (i == 4 || i == 7 || i == 10 || i == 13 || i == 16) continue;
      if (!isDigit(byteAt(pos + i))) return 0;
    }
    if (byteAt(pos + 4) != 45 || byteAt(pos + 7) != 45 || byteAt(pos + 10) != 32 || byteAt(pos + 13) != 58 || byteAt(pos + 16) != 58) return 0;
    let after = pos + 19;
    if (argA(pc) == 1) {
      if (after + 4 > end || byteAt(after) != 46 || !isDigit(byteAt(after + 1)) || !isDigit(byteAt(after + 2)) || !isDigit(byteAt(after + 3))) return 0;
      after += 4;
    }
    const zoneEnd = matchZone(pc, after, end);
    if (zoneEnd <= 0) return zoneEnd;
    unchecked(capStart[pc] = pos);
    unchecked(capEnd[pc] = zoneEnd - 1);
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
      let last = from;
      while (last < end && isDigit(byteAt(last))) last++;
      const least = code == OP_PID ? 1 : argA(pc);
      for (let stop = last; stop >= from + least; stop--) {
        const r = matchFrom(pc + 1, stop, end);
        if (r < 0) return r;
        if (r > 0) {
          unchecked(capStart[pc] = from);
          unchecked(capEnd[pc] = stop);
          return 1;
        }
      }
    }
    return 0;
  }
  if (code == OP_SQLSTATE) {
    if (pos + 5 > end) return 0;
    for (let i = 0; i < 5; i++) {
      const c = byteAt(pos + i);
      if (!isDigit(c) && !(c >= 65 && c <= 90)) return 0;
    }
    const r = matchFrom(pc + 1, pos + 5, end);
    if (r > 0) {
      unchecked(capStart[pc] = pos);
      unchecked(capEnd[pc] = pos + 5);
    }
    return r;
  }
  if (code == OP_SESSION) {
    // ([0-9a-f]+\.[0-9a-f]+): the dot ends the first run, the second is greedy.
    let dot = pos;
    while (dot < end && isHex(byteAt(dot))) dot++;
    if (dot == pos || dot >= end || byteAt(dot) != 46) return 0;
    let last = dot + 1;
    while (last < end && isHex(byteAt(last))) last++;
    for (let stop = last; stop > dot + 1; stop--) {
      const r = matchFrom(pc + 1, stop, end);
      if (r < 0) return r;
      if (r > 0) {
        unchecked(capStart[pc] = pos);
        unchecked(capEnd[pc] = stop);
        return 1;
      }
    }
    return 0;
  }
  if (code == OP_LAZY) {
    // (.*?): shortest first; `.` does not match line terminators.
    if (op(pc + 1) == OP_LIT) {
      // Only where the next literal's byte is can the rest match: go from one to the next.
      const literal = argA(pc + 1);
      for (let stop = pos; stop < end; stop++) {
        const c = byteAt(stop);
        if (c == literal) {
          const r = matchFrom(pc + 1, stop, end);
          if (r < 0) return r;
          if (r > 0) {
            unchecked(capStart[pc] = pos);
            unchecked(capEnd[pc] = stop);
            return 1;
          }
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
      const r = matchFrom(pc + 1, stop, end);
      if (r < 0) return r;
      if (r > 0) {
        unchecked(capStart[pc] = pos);
        unchecked(capEnd[pc] = stop);
        return 1;
      }
    }
    return 0;
  }
  if (code == OP_OPTIONAL) {
    // (?:...)? greedy: with the group first, then without it (argA: the op after the group).
    const r = matchFrom(pc + 1, pos, end);
    if (r != 0) return r;
    return matchFrom(argA(pc), pos, end);
  }
  return -1;
}

/** The severity names in the order of the regular expression's alternatives. */
function severityAt(pos: i32, end: i32, name: string): bool {
  const n = name.length;
  if (pos + n > end) return false;
  for (let i = 0; i < n; i++) if (byteAt(pos + i) != name.charCodeAt(i)) return false;
  return true;
}

const severityNames: string[] = ['LOG', 'ERROR', 'WARNING', 'FATAL', 'PANIC', 'DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION', 'INFO', 'NOTICE', 'DEBUG'];

/** `(LOG|ERROR|...|DEBUG[1-5]?):  ?` ; codes: index in severityNames, DEBUG1..5 = 14..18. */
function matchSeverity(pos: i32, end: i32): i32 {
  for (let s = 0; s < severityNames.length; s++) {
    const name = unchecked(severityNames[s]);
    if (!severityAt(pos, end, name)) continue;
    let at = pos + name.length;
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

/** Interns the captured fields of a matched line into its slots; false when the table is full. */
function storeFields(line: usize): bool {
  for (let f = 0; f < 7; f++) store<i32>(line + ((S_FIELDS + f) << 2), 0);
  store<i32>(line + (S_TIME_KEY << 2), 0);
  store<i32>(line + (S_PID << 2), 0);
  for (let pc = 0; pc < opCount; pc++) {
    const start = unchecked(capStart[pc]);
    if (start < 0) continue;
    let stop = unchecked(capEnd[pc]);
    const code = op(pc);
    if (stop == start) continue; // an empty value is not kept
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
    } else if (code == OP_SQLSTATE || code == OP_SESSION || (code == OP_LAZY && argA(pc) >= 0)) {
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
    }
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

@inline function startsWith(at: i32, end: i32, text: string): bool {
  const n = text.length;
  if (at + n > end) return false;
  for (let i = 0; i < n; i++) if (byteAt(at + i) != <i32>text.charCodeAt(i)) return false;
  return true;
}

@inline function isSpace(c: i32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

/** End of the run of non-space bytes from `at` (classifier.ts nonSpaceEnd, ASCII lines only). */
function nonSpaceEnd(at: i32, end: i32): i32 {
  let i = at;
  while (i < end && !isSpace(byteAt(i))) i++;
  return i;
}

function indexOfText(text: string, from: i32, end: i32): i32 {
  const n = text.length;
  const first = <i32>text.charCodeAt(0);
  for (let i = from; i + n <= end; i++) if (byteAt(i) == first && startsWith(i, end, text)) return i;
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
  if (first == 99 /* c */ && startsWith(a, end, 'connection ')) {
    const next = a + 11;
    if (startsWith(next, end, 'received: ')) {
      // receivedHostFast: host=(\S+) from offset 21.
      const at = indexOfText('host=', a + 21, end);
      if (at < 0) return 0;
      const hostEnd = nonSpaceEnd(at + 5, end);
      if (hostEnd == at + 5) return 0;
      const host = internMessage(at + 5, hostEnd, 0);
      if (host < 0) return -1;
      store<i32>(line + (S_K1 << 2), host);
      return KIND_RECEIVED;
    }
    if (startsWith(next, end, 'authorized: ')) return authorized(line, a, end);
    return KIND_OTHER_CONNECTION;
  }
  if (first == 100 /* d */ && startsWith(a, end, 'disconnection: session time: ')) return disconnection(line, a, end);
  return 0;
}

/** classifier.ts authorizedFast. */
function authorized(line: usize, a: i32, end: i32): i32 {
  if (!startsWith(a + 23, end, 'user=')) return 0;
  const userEnd = nonSpaceEnd(a + 28, end);
  let database = -1;
  let application = -1;
  if (userEnd != end) {
    if (!startsWith(userEnd, end, ' database=')) return 0;
    const databaseEnd = nonSpaceEnd(userEnd + 10, end);
    if (databaseEnd != end) {
      if (!startsWith(databaseEnd, end, ' application_name=')) return 0;
      const from = databaseEnd + 18;
      if (indexOfText(' (', from, end) >= 0 || indexOfText(' SSL', from, end) >= 0 || indexOfText(' GSS', from, end) >= 0 || hasTerminator(from, end)) return 0;
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
  if (timeEnd <= timeAt || !startsWith(timeEnd, end, ' user=')) return 0;
  const userAt = timeEnd + 6;
  const databaseAt = indexOfText(' database=', userAt, end);
  if (databaseAt < 0) return 0;
  const hostAt = indexOfText(' host=', databaseAt + 10, end);
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
  store<f64>(NUMBERS_AT + ((line - OUTPUT_AT) / (<usize>SLOTS << 2)) * 8, sessionMs);
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

/**
 * Scans the lines of input bytes `from`..`length` (lines end at '\n' or at `length`), writing
 * SLOTS i32 per line, at most `maxLines` lines. Returns the number of lines written; the next
 * call continues at the raw end of the last line + 1.
 */
export function scan(from: i32, length: i32, maxLines: i32): i32 {
  let lines = 0;
  let start = from;
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
      for (let pc = 0; pc < opCount; pc++) {
        unchecked(capStart[pc] = -1);
      }
      steps = 0;
      const r = matchFrom(0, start, end);
      if (r > 0) {
        if (storeFields(line)) {
          const kind = classifyMessage(line, messageStart, end);
          if (kind >= 0) {
            status = STATUS_RECORD;
            store<i32>(line + (S_MESSAGE << 2), messageStart);
            store<i32>(line + (S_SEVERITY << 2), severityCode);
            store<i32>(line + (S_KIND << 2), kind);
          }
        }
      } else if (r == 0 && end > start && byteAt(start) == 9) {
        status = STATUS_CONTINUATION;
      }
    }
    store<i32>(line + (S_STATUS << 2), status);
    lines++;
    start = rawEnd + 1;
  }
  return lines;
}
