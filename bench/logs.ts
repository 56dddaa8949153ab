/**
 * Log engine benchmark (`npm run bench:logs`): builds >= 200 MB stderr logs from real corpus lines
 * (timestamps shifted, constants varied), runs pgdba and pgBadger on the same file in the same
 * run, prints MB/s for both, the ratio and pgdba's peak RSS at 50 MB and 200 MB (flat = streaming),
 * and writes bench/results/logs.json. pgdba runs as JavaScript bundled by esbuild (what a build
 * ships), in a child process measured by GNU time.
 *
 *   npx tsx bench/logs.ts [--mb 200] [--skip-pgbadger]
 *   npx tsx bench/logs.ts --run-pgdba FILE PREFIX   (internal: one measured pgdba run)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeLogs } from '../src/engine/logs/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '..', '..', 'shared', 'corpus', 'logs');
const source = [join(corpus, 'quellog', 'stderr.log'), join('/work/shared/corpus/logs', 'quellog', 'stderr.log')].find((p) => existsSync(p))!;
const prefix = '%m [%p] %e: db=%d,user=%u,app=%a,client=%h ';
const dataDir = join(here, 'data');
const resultsDir = join(here, 'results');

/** Wall and CPU seconds and peak RSS of a child process, from GNU time. */
interface Usage {
  wallSeconds: number;
  cpuSeconds: number;
  maxRssMb: number;
}

function timed(command: string, args: string[]): { stdout: string; stderr: string; usage: Usage } {
  const child = spawnSync('/usr/bin/time', ['-f', 'GNUTIME %e %U %S %M', command, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = /GNUTIME (\S+) (\S+) (\S+) (\d+)/.exec(child.stderr);
  if (child.status !== 0 || !line) throw new Error(`${command} failed (${child.status}): ${child.stderr.slice(-2000)}`);
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    usage: { wallSeconds: Number(line[1]), cpuSeconds: Number(line[2]) + Number(line[3]), maxRssMb: Number(line[4]) / 1024 },
  };
}

interface PgdbaRun {
  seconds: number;
  mb: number;
  mbPerS: number;
  peakRssMb: number;
  calls: number;
  distinctQueries: number;
  unparsed: number;
  lines: number;
}

async function runPgdba(file: string, logPrefix: string, jobs: number): Promise<void> {
  const started = performance.now();
  const result = await analyzeLogs([file], { prefix: logPrefix, jobs });
  const seconds = (performance.now() - started) / 1000;
  const mb = statSync(file).size / 1e6;
  const run: PgdbaRun = {
    seconds,
    mb,
    mbPerS: mb / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    calls: result.summary.query_calls,
    distinctQueries: result.summary.distinct_queries,
    unparsed: result.summary.unparsed.count,
    lines: result.summary.lines,
  };
  const memory = process.memoryUsage();
  process.stderr.write(`heapTotal ${(memory.heapTotal / 1e6).toFixed(0)} MB, heapUsed ${(memory.heapUsed / 1e6).toFixed(0)} MB, external ${(memory.external / 1e6).toFixed(0)} MB, rss ${(memory.rss / 1e6).toFixed(0)} MB\n`);
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

/** Shifts `YYYY-MM-DD HH:MM:SS.mmm` by `offsetMs`. */
function shiftTimestamp(line: string, offsetMs: number): string {
  const stamp = line.slice(0, 23);
  const ms = Date.parse(`${stamp.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) return line;
  return new Date(ms + offsetMs).toISOString().replace('T', ' ').slice(0, 23) + line.slice(23);
}

/** Varies the constants of logged statements so normalisation does real work. */
function varyConstants(line: string, copy: number): string {
  const at = line.indexOf('statement: ');
  if (at < 0) return line;
  return line.slice(0, at) + line.slice(at).replace(/\b\d+\b/g, (n) => String((Number(n) * 7919 + copy * 104729) % 1_000_003));
}

async function buildLog(file: string, targetMb: number): Promise<void> {
  if (existsSync(file) && statSync(file).size >= targetMb * 1e6) return;
  const lines = readFileSync(source, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const first = Date.parse(`${lines[0]!.slice(0, 23).replace(' ', 'T')}Z`);
  const last = Date.parse(`${lines.at(-1)!.slice(0, 23).replace(' ', 'T')}Z`);
  const span = last - first + 60_000;
  const out = createWriteStream(file);
  let written = 0;
  for (let copy = 0; written < targetMb * 1e6; copy += 1) {
    const chunk: string[] = [];
    for (const line of lines) {
      // Continuation lines (tab) carry no timestamp.
      const shifted = line.charCodeAt(0) === 9 ? line : shiftTimestamp(line, copy * span);
      chunk.push(varyConstants(shifted, copy));
    }
    const text = `${chunk.join('\n')}\n`;
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/**
 * The measured run executes this script bundled to plain JavaScript (esbuild, as `npm run build`
 * would ship it), not through the tsx loader: tsx's loader thread and transpile cache cost
 * ~0.4 CPU seconds and ~40 MB of RSS that a deployed pgdba does not pay.
 */
async function bundleRunner(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dataDir, 'pgdba-logs-runner.mjs');
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' } as const;
  // The engine starts its worker threads from range-worker.js next to the code (as in dist/).
  await build({ ...common, entryPoints: [join(here, '..', 'src', 'engine', 'logs', 'range-worker.ts')], outfile: join(dataDir, 'range-worker.js') });
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

let runner = '';

function measurePgdba(file: string): PgdbaRun & Usage & { mbPerCpuS: number } {
  const { stdout, usage } = timed(process.execPath, [runner, '--run-pgdba', file, prefix]);
  const run = JSON.parse(stdout.trim().split('\n').at(-1)!) as PgdbaRun;
  return { ...run, ...usage, mbPerCpuS: run.mb / usage.cpuSeconds };
}

function measurePgbadger(file: string): Usage & { mbPerS: number; mbPerCpuS: number; queries: number | null } {
  const output = join(dataDir, 'pgbadger-out.json');
  const { usage } = timed('/usr/bin/pgbadger', ['-x', 'json', '-o', output, '--prefix', prefix, '-q', file]);
  let queries: number | null;
  try {
    const report = JSON.parse(readFileSync(output, 'utf8')) as { overall_stat?: { queries_number?: number } };
    queries = report.overall_stat?.queries_number ?? null;
  } catch {
    queries = null;
  }
  const mb = statSync(file).size / 1e6;
  return { ...usage, mbPerS: mb / usage.wallSeconds, mbPerCpuS: mb / usage.cpuSeconds, queries };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--run-pgdba') return runPgdba(args[1]!, args[2]!, Number(args[3] ?? 1));
  const mbArg = args.indexOf('--mb');
  const targetMb = mbArg >= 0 ? Number(args[mbArg + 1]) : 200;
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  const small = join(dataDir, 'stderr-50mb.log');
  const large = join(dataDir, `stderr-${targetMb}mb.log`);
  console.log(`building ${small} and ${large} from ${source} ...`);
  await buildLog(small, 50);
  await buildLog(large, targetMb);
  runner = await bundleRunner();

  console.log('pgdba on 50 MB ...');
  const pgdbaSmall = measurePgdba(small);
  console.log(`  ${pgdbaSmall.mbPerS.toFixed(1)} MB/s wall, ${pgdbaSmall.mbPerCpuS.toFixed(1)} MB per CPU second, peak RSS ${pgdbaSmall.maxRssMb.toFixed(0)} MB`);
  console.log(`pgdba on ${targetMb} MB ...`);
  const pgdbaLarge = measurePgdba(large);
  console.log(`  ${pgdbaLarge.mbPerS.toFixed(1)} MB/s wall, ${pgdbaLarge.mbPerCpuS.toFixed(1)} MB per CPU second, peak RSS ${pgdbaLarge.maxRssMb.toFixed(0)} MB`);
  let pgbadger: ReturnType<typeof measurePgbadger> | null = null;
  if (!args.includes('--skip-pgbadger')) {
    console.log(`pgBadger on ${targetMb} MB (single process) ...`);
    pgbadger = measurePgbadger(large);
    console.log(`  ${pgbadger.mbPerS.toFixed(2)} MB/s wall, ${pgbadger.mbPerCpuS.toFixed(2)} MB per CPU second`);
  }
  // Both tools run one process here; on a machine shared with other work the CPU-time ratio is
  // the fair "one core" comparison, the wall-clock ratio is printed too.
  const ratio = pgbadger ? pgdbaLarge.mbPerCpuS / pgbadger.mbPerCpuS : null;
  const wallRatio = pgbadger ? pgdbaLarge.mbPerS / pgbadger.mbPerS : null;
  // The 150 MB between the two runs, without start-up and JIT warm-up (~0.4 and ~0.8 CPU s).
  const marginalMbPerCpuS = (pgdbaLarge.mb - pgdbaSmall.mb) / (pgdbaLarge.cpuSeconds - pgdbaSmall.cpuSeconds);
  const marginalRatio = pgbadger ? marginalMbPerCpuS / pgbadger.mbPerCpuS : null;
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
    file: { path: large, mb: pgdbaLarge.mb, lines: pgdbaLarge.lines, prefix, source },
    pgdba: { large: pgdbaLarge, small: pgdbaSmall, rssGrowthMb: pgdbaLarge.maxRssMb - pgdbaSmall.maxRssMb },
    pgbadger,
    ratio,
    wallRatio,
    marginalMbPerCpuS,
    marginalRatio,
    targets: { ratio: 40, peakRssMb: 200 },
  };
  writeFileSync(join(resultsDir, 'logs.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('');
  console.log(`pgdba    ${pgdbaLarge.mbPerCpuS.toFixed(1)} MB per CPU second, ${pgdbaLarge.mbPerS.toFixed(1)} MB/s wall (${pgdbaLarge.seconds.toFixed(1)} s for ${pgdbaLarge.mb.toFixed(0)} MB, ${pgdbaLarge.calls} calls, ${pgdbaLarge.distinctQueries} statements, ${pgdbaLarge.unparsed} unparsed)`);
  if (pgbadger) console.log(`pgBadger ${pgbadger.mbPerCpuS.toFixed(2)} MB per CPU second, ${pgbadger.mbPerS.toFixed(2)} MB/s wall (${pgbadger.wallSeconds.toFixed(1)} s, ${pgbadger.queries ?? '?'} queries)`);
  if (ratio !== null) console.log(`ratio    ${ratio.toFixed(1)}x per CPU second, ${wallRatio!.toFixed(1)}x wall clock  (target 40x)`);
  console.log(`marginal ${marginalMbPerCpuS.toFixed(1)} MB per CPU second from 50 MB to ${targetMb} MB (no start-up, warm JIT)${marginalRatio !== null ? `, ${marginalRatio.toFixed(1)}x pgBadger` : ''}`);
  console.log(`peak RSS ${pgdbaSmall.maxRssMb.toFixed(0)} MB at 50 MB, ${pgdbaLarge.maxRssMb.toFixed(0)} MB at ${targetMb} MB (target <= 200 MB, flat)`);
  console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
}

await main();
