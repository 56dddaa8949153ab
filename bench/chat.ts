/**
 * Slack chat benchmark (`npm run bench:chat`): a real Bolt App behind pgdba's chat server on
 * 127.0.0.1 with a local fake Slack Web API.
 *  1. 50 signed app_mention events sent at once with deterministic (router) questions:
 *     p50/p95 event-to-reply latency (POST sent -> chat.postMessage received), lost replies.
 *  2. A ~100 MB PostgreSQL log shared as a file: download + analysis + answer time, number of
 *     progress edits, peak RSS of the process.
 * Target: DATABASE_URL when set, else the embedded demo. The server warms up as `pgdba serve`
 * does before the burst. Each burst also records the CPU time it cost (whole process and main
 * thread) and the load average, since latency on a shared machine depends on what else runs.
 * Writes bench/results/chat.json.
 *
 *   npx tsx bench/chat.ts [--events 50] [--log-mb 100] [--questions tables,health,help] [--adapters web,discord,teams]
 * (--adapters: only those adapters' bursts, no Slack burst or upload; prints figures and CPU time.)
 */
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenChatServer } from '../src/adapters/server/http-server.js';
import { SlackAdapter } from '../src/adapters/slack/slack-adapter.js';
import { createAssistantApp } from '../src/bot/agent/create-assistant.js';
import { loadConfig } from '../src/config.js';
import { discordLatency, teamsLatency, webLatency } from './_adapter-latency.js';
import { startBurstMeter } from './_burst-cost.js';
import { corpus } from '../tests/engine/logs/corpus.js';
import { botToken, botUserId, eventEnvelope, signedHeaders, startFakeSlack } from '../tests/adapters/slack/fake-slack.js';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const eventCount = argument('events', 50);
const logMb = argument('log-mb', 100);
const signingSecret = 'bench-signing-secret';
const questionsIndex = process.argv.indexOf('--questions');
const questions = questionsIndex > 0 ? process.argv[questionsIndex + 1]!.split(',') : ['tables', 'health', 'indexes', 'help', 'show me the biggest tables'];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

const slack = await startFakeSlack();
const config = loadConfig({
  ...process.env,
  PORT: '3000',
  SLACK_BOT_TOKEN: botToken,
  SLACK_SIGNING_SECRET: signingSecret,
  SLACK_API_URL: slack.apiUrl,
  SLACK_APP_TOKEN: '',
  OPENAI_API_KEY: '',
  OPENAI_BASE_URL: '',
  PGDBA_UPLOAD_MAX_BYTES: String((logMb + 50) * 1024 * 1024),
});
const app = await createAssistantApp(config, { log: () => undefined });
const server = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [new SlackAdapter({ assistant: app.assistant, config })], warmUp: () => app.warmUp() });
const startedAt = performance.now();
await server.start();
const readySeconds = Number(((performance.now() - startedAt) / 1000).toFixed(1));
console.log(`ready (adapters started, target opened and warmed) in ${readySeconds} s`);
const eventsUrl = `http://127.0.0.1:${server.port}/slack/events`;
const post = (body: string) => fetch(eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(signingSecret, body) }, body });

// One question through Slack before measuring (the server itself warmed up in start()).
await post(JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UBENCH', text: `<@${botUserId}> tables`, ts: '1.000001', channel: 'CWARM', event_ts: '1.000001' })));
await waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.args.channel === 'CWARM'), 120_000);

const only = process.argv.includes('--adapters') ? process.argv[process.argv.indexOf('--adapters') + 1]!.split(',') : undefined;
if (only) {
  const bursts = { web: webLatency, discord: discordLatency, teams: teamsLatency } as const;
  for (const name of only as (keyof typeof bursts)[]) {
    const [start, summary] = [process.cpuUsage(), await bursts[name](app.assistant, questions, eventCount)];
    const cpu = process.cpuUsage(start);
    console.log(`${name}: ${summary.answered}/${summary.sent} answered, p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms, max ${summary.max_ms} ms, CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
  }
  process.exit(0);
}

// 1. Concurrent events.
const slackCpu = startBurstMeter();
const sentAt = new Map<string, number>();
await Promise.all(
  Array.from({ length: eventCount }, (_, i) => {
    const ts = `${1700001000 + i}.000100`;
    const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UBENCH', text: `<@${botUserId}> ${questions[i % questions.length]}`, ts, channel: 'CBENCH', event_ts: ts }));
    sentAt.set(ts, performance.now());
    return post(body);
  }),
);
const firstReply = () => {
  const replies = new Map<string, number>();
  for (const call of slack.callsTo('chat.postMessage')) {
    const ts = String(call.args.thread_ts);
    if (sentAt.has(ts) && !replies.has(ts)) replies.set(ts, call.at);
  }
  return replies;
};
await waitFor(() => firstReply().size === eventCount, 60_000);
const replies = firstReply();
const cpu = slackCpu.stop();
const latencies = [...replies].map(([ts, at]) => at - sentAt.get(ts)!);
const questionOf = (ts: string) => questions[(Number(ts.split('.')[0]) - 1700001000) % questions.length]!;
const p95ByQuestion = Object.fromEntries(
  questions.map((question) => {
    const own = [...replies].filter(([ts]) => questionOf(ts) === question).map(([ts, at]) => at - sentAt.get(ts)!);
    return [question, own.length > 0 ? Math.round(percentile(own, 95)) : null];
  }),
);
const events = {
  sent: eventCount,
  answered: replies.size,
  lost: eventCount - replies.size,
  p50_ms: Math.round(percentile(latencies, 50)),
  p95_ms: Math.round(percentile(latencies, 95)),
  max_ms: Math.round(Math.max(...latencies)),
  questions,
  p95_by_question_ms: p95ByQuestion,
  cpu,
};
const describeCpu = (c: typeof cpu) => `CPU ${c.process_ms} ms (main thread ${c.main_thread_ms ?? 'n/a'} ms), event loop stalled ${c.event_loop_delay_max_ms} ms at most, load ${c.load_average_1m}`;
console.log(`slack: ${events.answered}/${events.sent} answered, p50 ${events.p50_ms} ms, p95 ${events.p95_ms} ms, max ${events.max_ms} ms; ${describeCpu(cpu)}`);
console.log(`slack p95 by question: ${Object.entries(p95ByQuestion).map(([q, p]) => `${q} ${p} ms`).join(', ')}`);

// 1b. The same burst through every other adapter, sharing the same assistant and target.
const otherAdapters = {
  web: await webLatency(app.assistant, questions, eventCount),
  discord: await discordLatency(app.assistant, questions, eventCount),
  teams: await teamsLatency(app.assistant, questions, eventCount),
};
for (const [name, summary] of Object.entries(otherAdapters)) {
  console.log(`${name}: ${summary.answered}/${summary.sent} answered, p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms, max ${summary.max_ms} ms; ${describeCpu(summary.cpu)}`);
}

// 2. A large log upload.
const folder = join(tmpdir(), `pgdba-bench-chat-${process.pid}`);
mkdirSync(folder, { recursive: true });
const logPath = join(folder, 'postgresql-big.log');
const source = readFileSync(join(corpus, 'pgbadger', 'light.postgres.log'));
const out = createWriteStream(logPath);
for (let written = 0; written < logMb * 1024 * 1024; written += source.length) {
  if (!out.write(source)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}
await new Promise<void>((resolve) => out.end(() => resolve()));
const logBytes = statSync(logPath).size;
slack.files.set('FBIG', { id: 'FBIG', name: 'postgresql-big.log', content: Buffer.alloc(0), path: logPath, channel: 'CLOG', ts: '1700009999.000100' });
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const uploadStart = performance.now();
await post(JSON.stringify(eventEnvelope({ type: 'file_shared', file_id: 'FBIG', user_id: 'UBENCH', channel_id: 'CLOG', event_ts: '1700009999.000200' })));
const done = () => slack.callsTo('chat.update').some((call) => call.args.channel === 'CLOG' && JSON.stringify(call.args.blocks ?? []).includes('Log analysis'));
const finished = await waitFor(done, 15 * 60_000);
clearInterval(sampler);
const uploadSeconds = (performance.now() - uploadStart) / 1000;
const progressEdits = slack.callsTo('chat.update').filter((call) => call.args.channel === 'CLOG' && /downloading|reading logs|Analysing/.test(String(call.args.text))).length;
const upload = {
  bytes: logBytes,
  answered: finished,
  seconds: Number(uploadSeconds.toFixed(1)),
  mb_per_second: Number((logBytes / 1024 / 1024 / uploadSeconds).toFixed(1)),
  progress_edits: progressEdits,
  rss_before_mb: Math.round(rssBefore / 1024 / 1024),
  peak_rss_mb: Math.round(peakRss / 1024 / 1024),
};
console.log(`upload: ${(logBytes / 1024 / 1024).toFixed(0)} MB ${finished ? 'answered' : 'NOT answered'} in ${upload.seconds} s (${upload.mb_per_second} MB/s), ${progressEdits} progress edits, RSS ${upload.rss_before_mb} -> peak ${upload.peak_rss_mb} MB`);

rmSync(folder, { recursive: true, force: true });
await server.stop();
await app.close();
await slack.close();
const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, load_average_at_end: loadavg().map((l) => Number(l.toFixed(2))) },
  target: config.DATABASE_URL ? 'DATABASE_URL' : 'embedded demo',
  ready_seconds: readySeconds,
  events,
  adapters: { slack: events, ...otherAdapters },
  upload,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'chat.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote bench/results/chat.json');
process.exit(events.lost === 0 && Object.values(otherAdapters).every((summary) => summary.lost === 0) && finished ? 0 : 1);
