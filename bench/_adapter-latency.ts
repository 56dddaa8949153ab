/**
 * Event-to-reply latency of each adapter of a running `pgdba serve` under N concurrent events,
 * sent from the bench process as each platform would send them:
 *  - Slack: signed `app_mention` events to /slack/events; the reply is the first
 *    chat.postMessage in the event's thread received by the fake Web API; its charts follow as
 *    file uploads (files.completeUploadExternal into the thread), timed separately;
 *  - web chat: POST /web/ask; the reply is the complete NDJSON answer;
 *  - Discord: Ed25519-signed `/dba ask` interactions to /discord/interactions; the reply is the
 *    edit of the deferred response (PATCH .../messages/@original, images attached) received by
 *    the fake REST API;
 *  - Teams: Bot Framework message activities to /api/messages (emulator mode); the reply is the
 *    first message activity received by the fake connector.
 * Reply times are taken by the fakes when a request has fully arrived, on the same clock as the
 * send times. Each burst also records what it cost the pgdba process (see _burst-cost.ts).
 */
import { sign } from 'node:crypto';
import { botUserId, eventEnvelope, signedHeaders } from '../tests/adapters/slack/fake-slack.js';
import { startBurstMeter, type BurstCost } from './_burst-cost.js';
import type { Platforms } from './_platforms.js';

export const adapterNames = ['slack', 'web', 'discord', 'teams'] as const;
export type AdapterName = (typeof adapterNames)[number];

/** The running `pgdba serve` and the platforms it talks to. */
export interface BurstTarget {
  pid: number;
  baseUrl: string;
  platforms: Platforms;
}

export interface LatencySummary {
  sent: number;
  answered: number;
  lost: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  /** p95 of each question's own events (null when none of them was answered). */
  p95_by_question_ms: Record<string, number | null>;
  /**
   * Where a reply's images come after its text (Slack): p95 of event -> whole reply (text and
   * every image) and how many replies missed an image.
   */
  with_images?: { p95_ms: number; max_ms: number; incomplete: number };
  /** CPU time the burst cost pgdba (and the bench), and the load average then. */
  cpu: BurstCost;
}

/** How one adapter receives a question and how its answer is recognised. */
interface BurstDriver {
  /** Sends event `index` carrying `question`; resolves once pgdba acknowledged it (web: answered). */
  send(index: number, question: string): Promise<void>;
  /** When the reply to event `index` reached the platform (performance.now()), if it has. */
  replyAt(index: number): number | undefined;
  /** When the whole reply, images included, had arrived, where images come after the text. */
  completeAt?(index: number, question: string): number | undefined;
}

const replyTimeoutMs = 60_000;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function runBurst(target: BurstTarget, questions: readonly string[], count: number, driver: BurstDriver): Promise<LatencySummary> {
  const indexes = Array.from({ length: count }, (_, index) => index);
  const questionOf = (index: number) => questions[index % questions.length]!;
  const sentAt: number[] = [];
  const meter = startBurstMeter(target.pid);
  await Promise.all(
    indexes.map((index) => {
      sentAt[index] = performance.now();
      return driver.send(index, questionOf(index)).catch(() => undefined);
    }),
  );
  await waitUntil(() => indexes.every((index) => driver.replyAt(index) !== undefined), replyTimeoutMs);
  // The burst is over (and its CPU time counted) once the images that follow the replies are in too.
  const completeAt = driver.completeAt?.bind(driver);
  if (completeAt) await waitUntil(() => indexes.every((index) => completeAt(index, questionOf(index)) !== undefined), replyTimeoutMs);
  const cpu = meter.stop();
  const latencyOf = (index: number) => {
    const at = driver.replyAt(index);
    return at === undefined ? undefined : at - sentAt[index]!;
  };
  const answered = indexes.map(latencyOf).filter((latency): latency is number => latency !== undefined);
  const p95Of = (question: string) => {
    const own = indexes.filter((index) => questionOf(index) === question).map(latencyOf).filter((latency): latency is number => latency !== undefined);
    return own.length > 0 ? Math.round(percentile(own, 95)) : null;
  };
  const complete = completeAt
    ? indexes.map((index) => completeAt(index, questionOf(index))).map((at, index) => (at === undefined ? undefined : at - sentAt[index]!))
    : [];
  const completed = complete.filter((latency): latency is number => latency !== undefined);
  return {
    ...(completeAt ? { with_images: { p95_ms: Math.round(percentile(completed, 95)), max_ms: Math.round(Math.max(...completed)), incomplete: count - completed.length } } : {}),
    sent: count,
    answered: answered.length,
    lost: count - answered.length,
    p50_ms: Math.round(percentile(answered, 50)),
    p95_ms: Math.round(percentile(answered, 95)),
    max_ms: Math.round(Math.max(...answered)),
    p95_by_question_ms: Object.fromEntries([...new Set(questions)].map((question) => [question, p95Of(question)])),
    cpu,
  };
}

/** Each burst gets its own ids (threads, tokens, conversations), so replies never match an earlier burst. */
let burstNumber = 0;

function slackDriver({ baseUrl, platforms }: BurstTarget, imagesPerQuestion: ReadonlyMap<string, number>): BurstDriver {
  const { slack, slackSigningSecret } = platforms;
  const firstTs = 1_700_000_000 + 1000 * ++burstNumber;
  const threadTs = (index: number) => `${firstTs + index}.000100`;
  const inThread = (index: number, method: string) => slack.calls.filter((call) => call.method === method && String(call.args.thread_ts) === threadTs(index));
  const replyAt = (index: number) => inThread(index, 'chat.postMessage')[0]?.at;
  return {
    async send(index, question) {
      const ts = threadTs(index);
      const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UBENCH', text: `<@${botUserId}> ${question}`, ts, channel: 'CBENCH', event_ts: ts }));
      await fetch(`${baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(slackSigningSecret, body) }, body });
    },
    replyAt,
    completeAt(index, question) {
      const text = replyAt(index);
      const images = inThread(index, 'files.completeUploadExternal');
      if (text === undefined || images.length < (imagesPerQuestion.get(question) ?? 0)) return undefined;
      return Math.max(text, ...images.map((call) => call.at));
    },
  };
}

function webDriver({ baseUrl }: BurstTarget): BurstDriver {
  const answeredAt = new Map<number, number>();
  const burst = ++burstNumber;
  return {
    async send(index, question) {
      const response = await fetch(`${baseUrl}/web/ask`, { method: 'POST', body: JSON.stringify({ question, conversation: `bench-${burst}-${index}` }) });
      const text = await response.text();
      if (text.includes('"blocks"')) answeredAt.set(index, performance.now());
    },
    replyAt: (index) => answeredAt.get(index),
  };
}

function discordDriver({ baseUrl, platforms }: BurstTarget): BurstDriver {
  const { discord, discordApplicationId: applicationId, discordPrivateKey } = platforms;
  const burst = ++burstNumber;
  const token = (index: number) => `bench-${burst}-${index}`;
  return {
    async send(index, question) {
      const body = JSON.stringify({
        id: String(930000000000000000n + BigInt(burst * 1000 + index)), application_id: applicationId, type: 2, token: token(index), version: 1,
        channel_id: '920000000000000077', guild_id: '940000000000000077', member: { user: { id: '950000000000000077', username: 'bench' }, roles: [] },
        data: { id: '970000000000000077', name: 'dba', type: 1, options: [{ name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: question }] }] },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = sign(null, Buffer.from(timestamp + body), discordPrivateKey).toString('hex');
      await fetch(`${baseUrl}/discord/interactions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body });
    },
    replyAt: (index) => {
      const answer = `/api/v10/webhooks/${applicationId}/${token(index)}/messages/@original`;
      return discord.requests.find((request) => request.method === 'PATCH' && request.path === answer)?.at;
    },
  };
}

function teamsDriver({ baseUrl, platforms }: BurstTarget): BurstDriver {
  const connector = platforms.teamsConnector;
  const burst = ++burstNumber;
  const conversation = (index: number) => `a:bench-${burst}-${index}`;
  return {
    async send(index, question) {
      await fetch(`${baseUrl}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message', id: `bench-${burst}-${index}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: connector.url,
          from: { id: `29:bench-${index}`, name: 'Bench', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000b1' }, recipient: { id: '28:pgdba-bot', name: 'pgdba' },
          conversation: { id: conversation(index), conversationType: 'personal', tenantId: 'tenant-1' }, text: question,
        }),
      });
    },
    replyAt: (index) => {
      const activities = `/v3/conversations/${conversation(index)}/activities`;
      return connector.calls.find((call) => call.path.startsWith(activities) && call.activity.type === 'message')?.at;
    },
  };
}

/**
 * How many images each question's reply carries, read from the web chat's answer (one assistant
 * answers every adapter): Slack's burst waits for that many uploads into each thread.
 */
export async function imagesPerQuestion(target: BurstTarget, questions: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const question of new Set(questions)) {
    const response = await fetch(`${target.baseUrl}/web/ask`, { method: 'POST', body: JSON.stringify({ question, conversation: `bench-images-${counts.size}` }) });
    const lines = (await response.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { blocks?: { type: string }[] });
    counts.set(question, lines.find((line) => line.blocks)?.blocks?.filter((block) => block.type === 'image').length ?? 0);
  }
  return counts;
}

/** Sends `count` questions at once through one adapter and measures event-to-reply latency. */
export function adapterLatency(adapter: AdapterName, target: BurstTarget, questions: readonly string[], count: number, images: ReadonlyMap<string, number> = new Map()): Promise<LatencySummary> {
  const drivers: Record<AdapterName, () => BurstDriver> = {
    slack: () => slackDriver(target, images),
    web: () => webDriver(target),
    discord: () => discordDriver(target),
    teams: () => teamsDriver(target),
  };
  return runBurst(target, questions, count, drivers[adapter]());
}
