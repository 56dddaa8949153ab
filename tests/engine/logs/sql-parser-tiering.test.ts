/**
 * The SQL parser is compiled by V8's baseline compiler only (no TurboFan: -1.5 CPU s, -70 MB RSS
 * per analysis), and WebAssembly compiled afterwards in the same process (PGlite in `pgdba chat`)
 * is still optimised: V8 flags are process-wide, so the log engine must put them back.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** V8's trace: "Compiled function 0x55d0c8a1b2c0#20 using TurboFan, took ... bodysize 28 ...". */
const compiled = /^Compiled function (0x[0-9a-f]+)#\d+ using (\w+),.* bodysize (\d+)/;
/** Body size of the probe's small hot function. */
const HOT_BODY = '28';

interface Compilation {
  module: string;
  tier: string;
  body: string;
}

/** Runs the probe; stops it once its small module has been optimised. */
function runProbe(): Promise<{ compilations: Compilation[]; stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-wasm-compilation-times', '--import', 'tsx', 'tests/engine/logs/probes/wasm-tiering.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const compilations: Compilation[] = [];
    let stdout = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const m = compiled.exec(line);
        if (!m) continue;
        compilations.push({ module: m[1]!, tier: m[2]!, body: m[3]! });
        if (m[2] === 'TurboFan' && m[3] === HOT_BODY) child.stdin.end();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ compilations, stdout, code }));
  });
}

describe('WebAssembly tiering around the log engine SQL parser', () => {
  it('never optimises the parser, and still optimises a module compiled after it', async () => {
    const { compilations, stdout, code } = await runProbe();
    expect(code).toBe(0);
    expect(stdout).toMatch(/parsed 3000/);
    // The parser: the module with by far the most functions compiled.
    const perModule = new Map<string, Compilation[]>();
    for (const c of compilations) perModule.set(c.module, [...(perModule.get(c.module) ?? []), c]);
    const [, parser] = [...perModule.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    expect(parser.length).toBeGreaterThan(50);
    expect(parser.filter((c) => c.tier !== 'Liftoff')).toEqual([]);
    // The small module compiled afterwards starts on Liftoff and is optimised when hot.
    const hot = compilations.filter((c) => c.body === HOT_BODY).map((c) => c.tier);
    expect(hot).toContain('TurboFan');
  });
});
