/**
 * Log engine benchmark (`npm run bench:logs`): builds >= 200 MB stderr logs from real corpus lines
 * (timestamps shifted, constants varied), runs pgdba and pgBadger on the same file in the same
 * run, prints MB/s for both, the ratios and pgdba's peak RSS at 50 MB and 200 MB (flat =
 * streaming), and writes bench/results/logs.json. MB/s and ratios are per second of the whole
 * process for both tools (GNU time: pgdba's Node start-up included). pgdba runs as JavaScript bundled by esbuild
 * (what a build ships), in a child process measured by GNU time, twice: in one pass on one
 * thread (--jobs 1: the "one core" figure) and with worker threads (--jobs N, default: one per
 * core up to 4, whatever the load). pgBadger runs as one process.
 *
 *   npx tsx bench/logs.ts [--mb 200] [--jobs N] [--repeat R] [--pgbadger-repeat K] [--skip-pgbadger]
 * pgdba's figures are the fastest of R runs, pgBadger's the fastest of K; with taskset on the
 * machine, pgBadger and one more pgdba one pass run pinned to one core (`taskset -c 0`).
 *   npx tsx bench/logs.ts --run-pgdba FILE PREFIX JOBS   (internal: one measured pgdba run)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The engine's entry point itself: the package index also loads the CLI's commander (~8 ms).
import { analyzeLogs } from '../src/engine/logs/analyze-logs.js';

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

/** `taskset -c 0` when the machine has it: the process and all its threads on one core. */
const oneCore = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0'] : undefined;

/**
 * The measured processes' environment, less NODE_EXTRA_CA_CERTS: Node 20 parses its bundled root
 * certificates and every certificate of that file when the process starts, before any code runs
 * (~85 ms of each run on the benchmark machine, whose sandbox sets it to the system bundle of 144
 * certificates). A log analysis opens no TLS connection.
 */
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_EXTRA_CA_CERTS'));

function timed(command: string, args: string[], pinned = false): { stdout: string; stderr: string; usage: Usage } {
  const pin = pinned && oneCore !== undefined ? oneCore : [];
  const child = spawnSync('/usr/bin/time', ['-f', 'GNUTIME %e %U %S %M', ...pin, command, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: childEnv });
  const line = /GNUTIME (\S+) (\S+) (\S+) (\d+)/.exec(child.stderr);
  if (child.status !== 0 || !line) throw new Error(`${command} failed (${child.status}): ${child.stderr.slice(-2000)}`);
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    usage: { wallSeconds: Number(line[1]), cpuSeconds: Number(line[2]) + Number(line[3]), maxRssMb: Number(line[4]) / 1024 },
  };
}

interface PgdbaRun {
  /** The analysis alone, timed inside the process (no Node start-up, no module loading). */
  seconds: number;
  mb: number;
  mbPerS: number;
  peakRssMb: number;
  calls: number;
  distinctQueries: number;
  unparsed: number;
  lines: number;
  /** Worker threads the engine used (0: one pass on the main thread). */
  workers: number;
}

async function runPgdba(file: string, logPrefix: string, jobs: number, scanner: 'wasm' | 'js'): Promise<void> {
  // With --jobs > 1 the 50 MB file is also read by workers (below the engine's default threshold
  // of 128 MiB it would be read in one pass), to show that their memory stays flat.
  const started = performance.now();
  const result = await analyzeLogs([file], { prefix: logPrefix, jobs, scanner, ...(jobs > 1 ? { parallelMinBytes: 0 } : {}) });
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
    workers: result.summary.workers,
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
  // The engine loads its line scanner from line-scanner.wasm next to the code (as in dist/).
  const { buildScanner } = (await import(join(here, '..', 'scripts', 'build-scanner.mjs'))) as { buildScanner: () => Promise<string> };
  copyFileSync(await buildScanner(), join(dataDir, 'line-scanner.wasm'));
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

/**
 * A measured run: `mbPerS` is per wall-clock second of the whole process (GNU time), as
 * pgBadger's, and what every ratio uses; `analysisMbPerS` is the analysis alone (in-process).
 */
type Measured = PgdbaRun & Usage & { mbPerCpuS: number; analysisMbPerS: number; loadBefore: number[] };

/** One pgdba run in a child process (`repeat` > 1: the run with the least wall-clock time). */
function measurePgdba(file: string, jobs: number, repeat: number, scanner: 'wasm' | 'js' = 'wasm', pinned = false): Measured {
  let best: Measured | undefined;
  for (let i = 0; i < repeat; i += 1) {
    const loadBefore = loadavg();
    const { stdout, usage } = timed(process.execPath, [runner, '--run-pgdba', file, prefix, String(jobs), scanner], pinned);
    const run = JSON.parse(stdout.trim().split('\n').at(-1)!) as PgdbaRun;
    const measured = { ...run, ...usage, mbPerS: run.mb / usage.wallSeconds, analysisMbPerS: run.mbPerS, mbPerCpuS: run.mb / usage.cpuSeconds, loadBefore };
    if (best === undefined || measured.wallSeconds < best.wallSeconds) best = measured;
  }
  return best!;
}

/** pgBadger's single process, pinned to one core like pgdba's pinned run; `repeat` > 1: its fastest run. */
function measurePgbadger(file: string, repeat: number): Usage & { mbPerS: number; mbPerCpuS: number; queries: number | null; loadBefore: number[]; runs: number[] } {
  const output = join(dataDir, 'pgbadger-out.json');
  const loadBefore = loadavg();
  const runs: Usage[] = [];
  for (let i = 0; i < repeat; i += 1) runs.push(timed('/usr/bin/pgbadger', ['-x', 'json', '-o', output, '--prefix', prefix, '-q', file], true).usage);
  const usage = runs.reduce((best, run) => (run.wallSeconds < best.wallSeconds ? run : best));
  let queries: number | null;
  try {
    const report = JSON.parse(readFileSync(output, 'utf8')) as { overall_stat?: { queries_number?: number } };
    queries = report.overall_stat?.queries_number ?? null;
  } catch {
    queries = null;
  }
  const mb = statSync(file).size / 1e6;
  return { ...usage, mbPerS: mb / usage.wallSeconds, mbPerCpuS: mb / usage.cpuSeconds, queries, loadBefore, runs: runs.map((run) => run.wallSeconds) };
}

const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--run-pgdba') return runPgdba(args[1]!, args[2]!, Number(args[3] ?? 1), args[4] === 'js' ? 'js' : 'wasm');
  const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
  const targetMb = option('--mb', 200);
  const jobs = option('--jobs', Math.min(4, availableParallelism()));
  const repeat = Math.max(1, option('--repeat', 1));
  const pgbadgerRepeat = Math.max(1, option('--pgbadger-repeat', 1));
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  const small = join(dataDir, 'stderr-50mb.log');
  const large = join(dataDir, `stderr-${targetMb}mb.log`);
  console.log(`building ${small} and ${large} from ${source} ...`);
  await buildLog(small, 50);
  await buildLog(large, targetMb);
  runner = await bundleRunner();

  const show = (m: Measured) =>
    `${m.mbPerS.toFixed(1)} MB/s wall (${m.wallSeconds.toFixed(2)} s; analysis alone ${m.analysisMbPerS.toFixed(1)} MB/s), ${m.mbPerCpuS.toFixed(1)} MB per CPU second (${m.cpuSeconds.toFixed(2)} CPU s), peak RSS ${m.maxRssMb.toFixed(0)} MB, ${m.workers} worker threads, load before ${load(m.loadBefore)}`;
  const runs: Record<string, Measured> = {};
  for (const [name, file, j] of [
    ['onePassSmall', small, 1],
    ['onePassLarge', large, 1],
    ['workersSmall', small, jobs],
    ['workersLarge', large, jobs],
  ] as const) {
    console.log(`pgdba --jobs ${j} on ${name.endsWith('Small') ? 50 : targetMb} MB ...`);
    runs[name] = measurePgdba(file, j, repeat);
    console.log(`  ${show(runs[name]!)}`);
  }
  // One core, literally: the one pass pinned with its V8 and libuv threads to one core.
  if (oneCore !== undefined) {
    console.log(`pgdba --jobs 1 pinned to one core (taskset -c 0) on ${targetMb} MB ...`);
    runs.onePassLargePinned = measurePgdba(large, 1, repeat, 'wasm', true);
    console.log(`  ${show(runs.onePassLargePinned)}`);
  }
  // The same one pass with the regular-expression reader only (no WebAssembly line scanner).
  console.log(`pgdba --jobs 1 --scanner js on ${targetMb} MB ...`);
  runs.onePassLargeText = measurePgdba(large, 1, repeat, 'js');
  console.log(`  ${show(runs.onePassLargeText)}`);
  let pgbadger: ReturnType<typeof measurePgbadger> | null = null;
  if (!args.includes('--skip-pgbadger')) {
    console.log(`pgBadger on ${targetMb} MB (single process${oneCore ? ', pinned to one core' : ''}, fastest of ${pgbadgerRepeat}) ...`);
    pgbadger = measurePgbadger(large, pgbadgerRepeat);
    console.log(`  ${pgbadger.mbPerS.toFixed(2)} MB/s wall, ${pgbadger.mbPerCpuS.toFixed(2)} MB per CPU second, runs ${pgbadger.runs.map((s) => s.toFixed(1)).join(' / ')} s, load before ${load(pgbadger.loadBefore)}`);
  }
  const onePass = runs.onePassLarge!;
  const workers = runs.workersLarge!;
  // One core: pgdba in one pass vs pgBadger's single process, per CPU second (fair on a shared
  // machine). With worker threads: wall clock (what the user waits for) and per CPU second.
  const ratios = pgbadger
    ? {
        onePassPerCpuSecond: onePass.mbPerCpuS / pgbadger.mbPerCpuS,
        ...(runs.onePassLargePinned ? { onePassPinnedWall: runs.onePassLargePinned.mbPerS / pgbadger.mbPerS } : {}),
        onePassWall: onePass.mbPerS / pgbadger.mbPerS,
        workersWall: workers.mbPerS / pgbadger.mbPerS,
        workersPerCpuSecond: workers.mbPerCpuS / pgbadger.mbPerCpuS,
      }
    : null;
  // The 150 MB between the two one-pass runs, without start-up and JIT warm-up.
  const marginalMbPerCpuS = (onePass.mb - runs.onePassSmall!.mb) / (onePass.cpuSeconds - runs.onePassSmall!.cpuSeconds);
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() },
    file: { path: large, mb: onePass.mb, lines: onePass.lines, prefix, source },
    jobs,
    repeat,
    pgdba: runs,
    pgbadger,
    ratios,
    marginalMbPerCpuS,
    marginalRatio: pgbadger ? marginalMbPerCpuS / pgbadger.mbPerCpuS : null,
    rssGrowthMb: { onePass: onePass.maxRssMb - runs.onePassSmall!.maxRssMb, workers: workers.maxRssMb - runs.workersSmall!.maxRssMb },
    targets: { ratio: 40, peakRssMb: 200 },
  };
  writeFileSync(join(resultsDir, 'logs.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('');
  console.log(`pgdba one pass       ${show(onePass)}`);
  console.log(`pgdba --jobs ${jobs}        ${show(workers)}`);
  console.log(`pgdba one pass, text ${show(runs.onePassLargeText)}`);
  if (runs.onePassLargePinned) console.log(`pgdba one core       ${show(runs.onePassLargePinned)}`);
  console.log(`                     ${onePass.calls} calls, ${onePass.distinctQueries} statements, ${onePass.unparsed} unparsed lines`);
  if (pgbadger) console.log(`pgBadger             ${pgbadger.mbPerS.toFixed(2)} MB/s wall (${pgbadger.wallSeconds.toFixed(1)} s), ${pgbadger.mbPerCpuS.toFixed(2)} MB per CPU second, ${pgbadger.queries ?? '?'} queries`);
  if (ratios) {
    console.log(`ratio one pass       ${ratios.onePassPerCpuSecond.toFixed(1)}x per CPU second, ${ratios.onePassWall.toFixed(1)}x wall clock (target 40x)`);
    if (ratios.onePassPinnedWall !== undefined) console.log(`ratio one core       ${ratios.onePassPinnedWall.toFixed(1)}x wall clock, both pinned to one core (target 40x)`);
    console.log(`ratio --jobs ${jobs}        ${ratios.workersWall.toFixed(1)}x wall clock, ${ratios.workersPerCpuSecond.toFixed(1)}x per CPU second`);
  }
  console.log(`marginal             ${marginalMbPerCpuS.toFixed(1)} MB per CPU second from 50 MB to ${targetMb} MB in one pass (no start-up, warm JIT)${results.marginalRatio !== null ? `, ${results.marginalRatio.toFixed(1)}x pgBadger` : ''}`);
  console.log(`peak RSS             one pass ${runs.onePassSmall!.maxRssMb.toFixed(0)} MB at 50 MB, ${onePass.maxRssMb.toFixed(0)} MB at ${targetMb} MB; --jobs ${jobs} ${runs.workersSmall!.maxRssMb.toFixed(0)} MB / ${workers.maxRssMb.toFixed(0)} MB (target <= 200 MB, flat)`);
  console.log(`load average at the end: ${load(loadavg())} on ${cpus().length} cores`);
}

await main();
