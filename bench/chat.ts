/**
 * Chat benchmark (`npm run bench:chat`, issues 6 and 8). The system under test is the real
 * `pgdba serve` in its own process (`node bin/pgdba.js serve --web --teams-emulator`, built
 * dist/, NODE_ENV=production), configured through environment variables as a deployment is, with
 * all four adapters on its one HTTP server. The bench process plays the platforms: the tests'
 * fake Slack Web API, Discord REST and Bot Framework connector, and the load generator, so their
 * work no longer runs on pgdba's event loop (in production it is Slack's, not pgdba's).
 *  1. For each adapter (Slack, web chat, Discord, Teams), N concurrent events (default 50) with
 *     deterministic (router) questions: p50/p95/max event-to-reply latency, p95 by question, lost
 *     replies (for Slack, whose charts follow the text as uploads, also the time to the whole
 *     reply), and the CPU time the burst cost pgdba (whole process, main thread, other threads,
 *     from /proc/<pid>, so Linux only) and the bench, with the load average. Target: p95 <= 500
 *     ms, zero lost.
 *  2. A ~100 MB PostgreSQL log shared as a Slack file: download + analysis + answer time, number
 *     of progress edits, pgdba's peak RSS during the upload.
 * Target database: DATABASE_URL when set, else the embedded demo. pgdba warms up before /healthz
 * says ready; each question is asked once through each adapter before measuring. Writes
 * bench/results/chat.json; exits 1 if any reply (or Slack chart) is lost or the upload is not
 * answered.
 *
 *   npx tsx bench/chat.ts [--events 50] [--log-mb 100] [--questions tables,health,help]
 *                         [--adapters slack,web,discord,teams] [--cpu-prof DIR]
 * (--adapters: only those bursts; the upload runs when Slack is among them and --log-mb > 0.
 *  --cpu-prof: pgdba writes a V8 CPU profile of its whole run into DIR when it stops.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adapterLatency, adapterNames, imagesPerQuestion, type AdapterName, type LatencySummary } from './_adapter-latency.js';
import { describeCost } from './_burst-cost.js';
import { uploadLog, type UploadResult } from './_log-upload.js';
import { startPlatforms } from './_platforms.js';
import { startServe } from './_serve-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const option = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const eventCount = Number(option('events') ?? 50);
const logMb = Number(option('log-mb') ?? 100);
const questions = option('questions')?.split(',') ?? ['tables', 'health', 'indexes', 'help', 'show me the biggest tables'];
const adapters = (option('adapters')?.split(',') ?? [...adapterNames]) as AdapterName[];
const unknown = adapters.filter((name) => !adapterNames.includes(name));
if (unknown.length > 0) {
  console.error(`--adapters: unknown ${unknown.join(', ')} (choose among ${adapterNames.join(', ')})`);
  process.exit(2);
}
const cpuProfileDir = option('cpu-prof') ? resolve(option('cpu-prof')!) : undefined;

const platforms = await startPlatforms();
const serveArgs = ['--web', '--teams-emulator'];
const serve = await startServe({
  env: { ...platforms.serveEnvironment(), PGDBA_STORE_URL: 'memory:', PGDBA_UPLOAD_MAX_BYTES: String((logMb + 50) * 1024 * 1024) },
  args: serveArgs,
  cpuProfileDir,
});
console.log(`pgdba serve (pid ${serve.pid}) ready (adapters started, target opened and warmed) in ${serve.readySeconds} s`);
const target = { pid: serve.pid, baseUrl: serve.baseUrl, platforms };

// Each question once through the web chat (which also says how many images each reply carries,
// for Slack's uploads), then once through each adapter, before measuring: the server itself
// warmed up before /healthz, this warms each adapter's paths and each question's chart.
const images = await imagesPerQuestion(target, questions);
for (const adapter of adapters) {
  for (const question of new Set(questions)) await adapterLatency(adapter, target, [question], 1, images);
}

const results: Partial<Record<AdapterName, LatencySummary>> = {};
for (const adapter of adapters) {
  const summary = await adapterLatency(adapter, target, questions, eventCount, images);
  results[adapter] = summary;
  console.log(`${adapter}: ${summary.answered}/${summary.sent} answered, p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms, max ${summary.max_ms} ms; ${describeCost(summary.cpu)}`);
  console.log(`  p95 by question: ${Object.entries(summary.p95_by_question_ms).map(([question, p95]) => `${question} ${p95} ms`).join(', ')}`);
  const withImages = summary.with_images;
  if (withImages) console.log(`  whole replies with their images: p95 ${withImages.p95_ms} ms, max ${withImages.max_ms} ms${withImages.incomplete > 0 ? `, ${withImages.incomplete} missing an image` : ''}`);
}

let upload: UploadResult | undefined;
if (adapters.includes('slack') && logMb > 0) {
  upload = await uploadLog(serve, platforms, logMb);
  console.log(
    `upload: ${(upload.bytes / 1024 / 1024).toFixed(0)} MB ${upload.answered ? 'answered' : 'NOT answered'} in ${upload.seconds} s (${upload.mb_per_second} MB/s), ` +
      `${upload.progress_edits} progress edits, pgdba RSS ${upload.rss_before_mb} MB -> peak ${upload.peak_rss_mb} MB (${upload.peak_rss_method})`,
  );
}

const errorLines = serve.errorLines();
if (errorLines.length > 0) console.log(`pgdba logged ${errorLines.length} error(s), first ones:\n  ${errorLines.slice(0, 5).join('\n  ')}`);
const exitCode = await serve.stop();
await platforms.close();

const summary = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, load_average_at_end: loadavg().map((load) => Number(load.toFixed(2))) },
  target: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded demo',
  pgdba: { command: `node bin/pgdba.js serve ${serveArgs.join(' ')}`, ready_seconds: serve.readySeconds, errors_logged: errorLines.length, exit_code: exitCode },
  questions,
  events: results.slack,
  adapters: results,
  upload,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'chat.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log('wrote bench/results/chat.json');
const lost = Object.values(results).some((result) => result.lost > 0 || (result.with_images?.incomplete ?? 0) > 0);
process.exit(!lost && (upload === undefined || upload.answered) ? 0 : 1);
