/**
 * Child process of sql-parser-tiering.test.ts (run with --trace-wasm-compilation-times): loads
 * the log engine's SQL parser, parses many distinct statements, then compiles a small module and
 * runs it hot until the parent closes stdin (it has seen the module optimised) or a bound of
 * work is reached. The parent reads from V8's trace (on stdout) which module was compiled by
 * which tier.
 */
import { loadSqlParser, StatementGrouper } from '../../../../src/engine/logs/statement-grouper.js';

let stop = false;
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => (stop = true));

await loadSqlParser();
const grouper = new StatementGrouper();
for (let i = 0; i < 3000; i += 1) grouper.resolve(`SELECT a${i}, b FROM t${i % 50} JOIN u USING (id) WHERE x = ${i} AND y IN (1, 2, 3) ORDER BY 1 LIMIT 10`);
process.stdout.write(`parsed ${grouper.parserCalls}\n`);
// (func (param i32) (result i32) (local i32) loop: acc += n * n; n -= 1; br_if n) acc)
const bytes = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 30, 1, 28, 1, 1, 127, 3, 64, 32, 1, 32, 0, 32, 0, 108,
  106, 33, 1, 32, 0, 65, 1, 107, 34, 0, 13, 0, 11, 32, 1, 11,
]);
// The project's TypeScript lib has no WebAssembly declarations; Node has the global.
const wasm = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array): Promise<{ instance: { exports: { f: (n: number) => number } } }> } }).WebAssembly;
const { instance } = await wasm.instantiate(bytes);
const hot = instance.exports.f;
let sum = 0;
// Yields between batches so that the optimised code can be installed and stdin read.
for (let batch = 0; batch < 10_000 && !stop; batch += 1) {
  for (let i = 0; i < 500; i += 1) sum = (sum + hot(1000)) | 0;
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(`done ${sum}\n`);
process.exit(0);
