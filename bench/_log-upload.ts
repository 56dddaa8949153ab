/**
 * A large PostgreSQL log shared as a Slack file with a running `pgdba serve`: pgdba downloads
 * it from the fake Slack (with its bot token), analyses it and replaces its progress message
 * with the answer. Measures the time to the answer, the progress edits, and the peak resident
 * memory of the pgdba process during the upload (VmHWM, reset just before, so the demo's
 * start-up peak does not count).
 */
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventEnvelope, signedHeaders } from '../tests/adapters/slack/fake-slack.js';
import { corpus } from '../tests/engine/logs/corpus.js';
import type { Platforms } from './_platforms.js';
import type { ServeProcess } from './_serve-process.js';

export interface UploadResult {
  bytes: number;
  answered: boolean;
  seconds: number;
  mb_per_second: number;
  progress_edits: number;
  rss_before_mb: number;
  /** Peak RSS of pgdba during the upload (VmHWM reset before it; else sampled every 50 ms). */
  peak_rss_mb: number;
  peak_rss_method: 'VmHWM' | 'sampled';
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Writes a log of about `sizeMb` MB by repeating a real pgBadger sample log. */
async function writeLog(path: string, sizeMb: number): Promise<number> {
  const sample = readFileSync(join(corpus, 'pgbadger', 'light.postgres.log'));
  const out = createWriteStream(path);
  for (let written = 0; written < sizeMb * 1024 * 1024; written += sample.length) {
    if (!out.write(sample)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return statSync(path).size;
}

export async function uploadLog(serve: ServeProcess, platforms: Platforms, sizeMb: number): Promise<UploadResult> {
  const { slack, slackSigningSecret } = platforms;
  const folder = join(tmpdir(), `pgdba-bench-chat-${process.pid}`);
  mkdirSync(folder, { recursive: true });
  try {
    const logPath = join(folder, 'postgresql-big.log');
    const bytes = await writeLog(logPath, sizeMb);
    slack.files.set('FBIG', { id: 'FBIG', name: 'postgresql-big.log', content: Buffer.alloc(0), path: logPath, channel: 'CLOG', ts: '1700009999.000100' });
    const rssBefore = serve.memory().rss;
    const hwmReset = serve.resetPeakRss();
    let sampledPeak = rssBefore;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, serve.memory().rss);
    }, 50);
    const start = performance.now();
    const body = JSON.stringify(eventEnvelope({ type: 'file_shared', file_id: 'FBIG', user_id: 'UBENCH', channel_id: 'CLOG', event_ts: '1700009999.000200' }));
    await fetch(`${serve.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(slackSigningSecret, body) }, body });
    const updatesInLogChannel = () => slack.callsTo('chat.update').filter((call) => call.args.channel === 'CLOG');
    const answered = () => updatesInLogChannel().some((call) => JSON.stringify(call.args.blocks ?? []).includes('Log analysis'));
    const deadline = start + 15 * 60_000;
    while (!answered() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const peak = hwmReset ? serve.memory().peak : sampledPeak;
    return {
      bytes,
      answered: answered(),
      seconds: Number(seconds.toFixed(1)),
      mb_per_second: Number((bytes / 1024 / 1024 / seconds).toFixed(1)),
      progress_edits: updatesInLogChannel().filter((call) => /downloading|reading logs|Analysing/.test(String(call.args.text))).length,
      rss_before_mb: mb(rssBefore),
      peak_rss_mb: mb(peak),
      peak_rss_method: hwmReset ? 'VmHWM' : 'sampled',
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
