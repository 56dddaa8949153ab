#!/usr/bin/env node
// Builds the log engine's WebAssembly line scanner (src/engine/logs/scanner/assembly) with the
// AssemblyScript compiler, next to its loader in src/ (for tsx and the tests) and in dist/ (for
// the built CLI). Skips the build when the output is newer than the source.
//   node scripts/build-scanner.mjs [--force]
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'src/engine/logs/scanner/assembly');
const source = join(sources, 'line-scanner.ts');
const outputs = [join(root, 'src/engine/logs/scanner/line-scanner.wasm'), join(root, 'dist/engine/logs/scanner/line-scanner.wasm')];

export async function buildScanner({ force = false } = {}) {
  const built = outputs[0];
  if (!force && existsSync(built) && statSync(built).mtimeMs >= newestSource()) {
    copyTo(built);
    return built;
  }
  const asc = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main([source, '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--initialMemory', '1', '-o', built], {});
  if (error) throw new Error(`building the line scanner failed: ${error.message}\n${stderr.toString()}`);
  copyTo(built);
  return built;
}

/** When a source of the module (line-scanner.ts and the files it imports) last changed. */
function newestSource() {
  return Math.max(...readdirSync(sources).filter((name) => name.endsWith('.ts')).map((name) => statSync(join(sources, name)).mtimeMs));
}

function copyTo(built) {
  for (const output of outputs.slice(1)) {
    mkdirSync(dirname(output), { recursive: true });
    copyFileSync(built, output);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildScanner({ force: process.argv.includes('--force') });
}
