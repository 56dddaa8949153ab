/**
 * The WebAssembly line scanner (assembly/line-scanner.ts, built by scripts/build-scanner.mjs)
 * seen from JavaScript: one instance per reader, its memory laid out once, the piece of bytes
 * copied in, the slots of each scanned line read out, and the interned values decoded once each.
 */
import { readFileSync } from 'node:fs';

/** i32 slots per scanned line, and what each holds (as in assembly/line-scanner.ts). */
export const SLOTS = 24;
export const S_START = 0;
export const S_END = 1;
export const S_RAW_END = 2;
export const S_STATUS = 3;
export const S_MESSAGE = 4;
export const S_SEVERITY = 5;
export const S_TIME_KEY = 6;
export const S_TIME_MS = 7;
export const S_PID = 8;
export const S_FIELDS = 9;
export const S_KIND = 16;
export const S_K1 = 17;
export const S_K2 = 18;
export const S_K3 = 19;
export const S_K4 = 20;
/** Continuation lines the record took in (the reader skips them), and its joined message in the text area. */
export const S_SPAN = 21;
export const S_TEXT_START = 22;
export const S_TEXT_END = 23;

/** Message kinds of S_KIND (0: not recognised; classify the text). */
export const KIND_RECEIVED = 1;
export const KIND_AUTHORIZED = 2;
export const KIND_DISCONNECTION = 3;
export const KIND_OTHER_CONNECTION = 4;
export const KIND_DURATION = 5;
export const KIND_QUERY = 6;

export const STATUS_JS = 0;
export const STATUS_CONTINUATION = 1;
export const STATUS_RECORD = 2;

const PAGE = 64 * 1024;
/** Interned values are forgotten between pieces past these (a new value per session, e.g. %c). */
const RESET_SHARE = 0.5;

/** The part of the WebAssembly API used here (the project's lib settings do not declare it). */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
const wasm = (globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule; Instance: new (module: WasmModule, imports: object) => { exports: unknown } };
}).WebAssembly;

/** The module's layout constants (exported immutable globals) and functions. */
interface ScannerExports {
  memory: WasmMemory;
  PROGRAM_AT: { value: number };
  INPUT_AT: { value: number };
  INPUT_CAPACITY: { value: number };
  MAX_LINES: { value: number };
  OUTPUT_AT: { value: number };
  NUMBERS_AT: { value: number };
  HASHES_AT: { value: number };
  TEXT_AT: { value: number };
  MAX_IDS: { value: number };
  ENTRIES_AT: { value: number };
  ARENA_AT: { value: number };
  ARENA_BYTES: { value: number };
  MEMORY_BYTES: { value: number };
  SLOTS: { value: number };
  configure(ops: number): void;
  resetIntern(): void;
  internedCount(): number;
  internedBytesUsed(): number;
  scan(from: number, length: number, maxLines: number): number;
  keyHashOfInput(at: number, length: number): number;
}

/** Buffer#latin1Slice (not in Node's type declarations): toString('latin1') without its argument checks, per line. */
export const latin1 = (bytes: Buffer, start: number, end: number): string => (bytes as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);

let compiled: WasmModule | null | undefined;

/** The compiled module, or null when it has not been built (the JavaScript reader is used then). */
function scannerModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(readFileSync(new URL('./line-scanner.wasm', import.meta.url)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether the WebAssembly scanner is built and loadable here. */
export function lineScannerAvailable(): boolean {
  return scannerModule() !== null;
}

export class WasmLineScanner {
  private readonly exports: ScannerExports;
  private readonly bytes: Uint8Array;
  private readonly memoryBuffer: Buffer;
  private readonly textAt: number;
  /** Slots of the lines of the last scan (SLOTS per line). */
  readonly slots: Int32Array;
  /** One number per line of the last scan (the session time of a disconnection). */
  readonly numbers: Float64Array;
  /** Per line of the last scan, the statement key hash of a statement record's SQL (other lines: unset). */
  readonly hashes: Float64Array;
  /** Interned values by id (index 0: no value). */
  values: string[] = [''];

  /** Pieces copied in must fit in this many bytes (else the JavaScript reader reads them: a 16 MB line, say). */
  private inputCapacity: number;
  private readonly inputAt: number;
  private readonly memory: WasmMemory;

  private constructor(module: WasmModule, program: Int32Array) {
    const abort = () => {
      throw new Error('the log line scanner stopped on an internal check');
    };
    const exports = new wasm.Instance(module, { env: { abort } }).exports as ScannerExports;
    this.exports = exports;
    // The slot layout is written twice (here and in the AssemblyScript source): a stale build must not be misread.
    if (exports.SLOTS.value !== SLOTS) throw new Error(`line-scanner.wasm has ${exports.SLOTS.value} slots per line, this code reads ${SLOTS}: rebuild it (npm run build:scanner).`);
    const memory = exports.memory;
    const needed = exports.MEMORY_BYTES.value;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    this.bytes = new Uint8Array(memory.buffer);
    this.memoryBuffer = Buffer.from(memory.buffer);
    new Int32Array(memory.buffer, exports.PROGRAM_AT.value, program.length).set(program);
    this.slots = new Int32Array(memory.buffer, exports.OUTPUT_AT.value, exports.MAX_LINES.value * SLOTS);
    this.numbers = new Float64Array(memory.buffer, exports.NUMBERS_AT.value, exports.MAX_LINES.value);
    this.hashes = new Float64Array(memory.buffer, exports.HASHES_AT.value, exports.MAX_LINES.value);
    this.textAt = exports.TEXT_AT.value;
    this.inputAt = exports.INPUT_AT.value;
    this.memory = memory;
    this.inputCapacity = exports.INPUT_CAPACITY.value;
    exports.configure(program.length / 3);
  }

  /** A scanner for this prefix program, or undefined when the module is not built. */
  static create(program: Int32Array): WasmLineScanner | undefined {
    const module = scannerModule();
    return module === null ? undefined : new WasmLineScanner(module, program);
  }

  /**
   * The last `bytes` of the input area, for a file's chunks to be read to (see ChunkTarget):
   * pieces of them are scanned where they are. Other pieces are copied below them, so from now
   * on those fit in the rest of the area only.
   */
  chunkArea(bytes: number): Buffer {
    this.inputCapacity = this.exports.INPUT_CAPACITY.value - bytes;
    return Buffer.from(this.memory.buffer, this.inputAt + this.inputCapacity, bytes);
  }

  /** Whether a piece can be scanned: it is in the chunk area, or fits in the input area below it. */
  fits(source: Uint8Array, start: number, end: number): boolean {
    return this.inChunkArea(source) || end - start <= this.inputCapacity;
  }

  private inChunkArea(source: Uint8Array): boolean {
    return source.buffer === this.memory.buffer;
  }

  /**
   * Makes a piece of bytes ready to scan: a piece of the chunk area where it is, any other copied
   * to the start of the input area (`origin` tells where it starts). Returns true when the
   * interned values were forgotten first (the caller drops whatever it derived from them).
   */
  load(source: Uint8Array, start: number, end: number): boolean {
    let reset = false;
    const exports = this.exports;
    if (exports.internedCount() > exports.MAX_IDS.value * RESET_SHARE || exports.internedBytesUsed() > exports.ARENA_BYTES.value * RESET_SHARE) {
      this.exports.resetIntern();
      this.values = [''];
      reset = true;
    }
    if (this.inChunkArea(source)) this.origin = source.byteOffset - this.inputAt + start;
    else {
      this.bytes.set(source.subarray(start, end), this.inputAt);
      this.origin = 0;
    }
    return reset;
  }

  /** Input offset of the first byte of the last piece loaded (scanner offsets minus this: offsets in the piece). */
  origin = 0;

  /** Scans lines from input offset `from` up to `end`; returns how many lines the slots hold. */
  scan(from: number, end: number): number {
    const lines = this.exports.scan(from, end, this.exports.MAX_LINES.value);
    this.decodeNewValues();
    return lines;
  }

  /** A joined message of the last scan (S_TEXT_START..S_TEXT_END of its record). */
  text(start: number, end: number): string {
    return latin1(this.memoryBuffer, this.textAt + start, this.textAt + end);
  }

  /** The scanner's statement key hash of ASCII `sql` (what it gives statement records; for the tests). */
  keyHash(sql: Buffer): number {
    if (sql.length > this.inputCapacity) throw new Error('text longer than the scanner input');
    this.bytes.set(sql, this.exports.INPUT_AT.value);
    return this.exports.keyHashOfInput(0, sql.length);
  }

  private decodeNewValues(): void {
    const count = this.exports.internedCount();
    if (this.values.length >= count) return;
    const entries = new Int32Array(this.bytes.buffer, this.exports.ENTRIES_AT.value, count * 3);
    const arena = this.exports.ARENA_AT.value;
    for (let id = this.values.length; id < count; id += 1) {
      const offset = arena + entries[id * 3]!;
      this.values.push(latin1(this.memoryBuffer, offset, offset + entries[id * 3 + 1]!));
    }
  }
}
