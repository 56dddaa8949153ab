/**
 * Event-to-reply latency of the web chat, Discord (signed HTTP interactions) and Teams
 * (CloudAdapter, emulator mode) under N concurrent events, each against its test fake on
 * loopback. Used by bench/chat.ts; the reply time is when the platform's fake receives the
 * answer (web: when the NDJSON answer is complete).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { createDiscordAdapter } from '../src/adapters/discord/discord-adapter.js';
import { createTeamsAdapter } from '../src/adapters/teams/teams-adapter.js';
import { createWebChatAdapter } from '../src/adapters/web/web-chat-adapter.js';
import type { Assistant } from '../src/bot/agent/assistant.js';
import { loadConfig, type Config } from '../src/config.js';
import { startBurstMeter, type BurstCost } from './_burst-cost.js';
import { FakeDiscord } from '../tests/adapters/discord/fake-discord.js';
import { FakeConnector } from '../tests/adapters/teams/fake-connector.js';
import { serveAdapter } from '../tests/helpers/adapter-server.js';

export interface LatencySummary {
  sent: number;
  answered: number;
  lost: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  /** CPU time the burst cost (whole process and main thread) and the load average then. */
  cpu: BurstCost;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function summarise(sent: number, latencies: number[], cpu: BurstCost): LatencySummary {
  return {
    sent,
    answered: latencies.length,
    lost: sent - latencies.length,
    p50_ms: Math.round(percentile(latencies, 50)),
    p95_ms: Math.round(percentile(latencies, 95)),
    max_ms: Math.round(Math.max(...latencies)),
    cpu,
  };
}

/** Polls until `seen()` is true or the deadline passes; returns the time it became true. */
async function whenSeen(seen: () => boolean, timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (seen()) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return undefined;
}

export async function webLatency(assistant: Assistant, questions: string[], count: number): Promise<LatencySummary> {
  const { baseUrl: base, close } = await serveAdapter(createWebChatAdapter({ assistant, uploadMaxBytes: 1_000_000 }));
  const meter = startBurstMeter();
  const latencies = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const start = performance.now();
      const response = await fetch(`${base}/web/ask`, { method: 'POST', body: JSON.stringify({ question: questions[i % questions.length], conversation: `bench-${i}` }) });
      const text = await response.text();
      return text.includes('"blocks"') ? performance.now() - start : undefined;
    }),
  );
  const cpu = meter.stop();
  await close();
  return summarise(count, latencies.filter((value): value is number => value !== undefined), cpu);
}

export async function discordLatency(assistant: Assistant, questions: string[], count: number): Promise<LatencySummary> {
  const fake = await FakeDiscord.start();
  const applicationId = '900000000000000077';
  const keys = generateKeyPairSync('ed25519');
  const publicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  const config: Config = loadConfig({ DISCORD_PUBLIC_KEY: publicKey, DISCORD_API_URL: fake.apiUrl, DISCORD_APPLICATION_ID: applicationId, DISCORD_GATEWAY: 'off' });
  const adapter = createDiscordAdapter({ assistant, config });
  const { baseUrl: base, close } = await serveAdapter(adapter);
  const answered = (token: string) => () => fake.requests.some((request) => request.method === 'PATCH' && request.path === `/api/v10/webhooks/${applicationId}/${token}/messages/@original`);
  const meter = startBurstMeter();
  const latencies = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const token = `bench-${i}`;
      const body = JSON.stringify({
        id: String(930000000000000000n + BigInt(i)), application_id: applicationId, type: 2, token, version: 1,
        channel_id: '920000000000000077', guild_id: '940000000000000077', member: { user: { id: '950000000000000077', username: 'bench' }, roles: [] },
        data: { id: '970000000000000077', name: 'dba', type: 1, options: [{ name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: questions[i % questions.length] }] }] },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = sign(null, Buffer.from(timestamp + body), keys.privateKey).toString('hex');
      const start = performance.now();
      await fetch(`${base}/discord/interactions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body });
      const at = await whenSeen(answered(token), 60_000);
      return at === undefined ? undefined : at - start;
    }),
  );
  const cpu = meter.stop();
  await adapter.stop();
  await close();
  await fake.close();
  return summarise(count, latencies.filter((value): value is number => value !== undefined), cpu);
}

export async function teamsLatency(assistant: Assistant, questions: string[], count: number): Promise<LatencySummary> {
  const connector = await FakeConnector.start();
  const adapter = createTeamsAdapter({ assistant, config: loadConfig({}) });
  const { baseUrl: base, close } = await serveAdapter(adapter);
  // The answer's arrival time at the connector, as the Slack fake records it (no polling, no timer lag).
  const answered = (conversation: string) =>
    connector.waitFor((call) => call.path.startsWith(`/v3/conversations/${conversation}/activities`) && call.activity.type === 'message');
  const meter = startBurstMeter();
  const latencies = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const conversation = `a:bench-${i}`;
      const start = performance.now();
      await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message', id: `bench-${i}`, timestamp: new Date().toISOString(), channelId: 'msteams', serviceUrl: connector.url,
          from: { id: `29:bench-${i}`, name: 'Bench', aadObjectId: '6f1c0a6e-aaaa-bbbb-cccc-0000000000b1' }, recipient: { id: '28:pgdba-bot', name: 'pgdba' },
          conversation: { id: conversation, conversationType: 'personal', tenantId: 'tenant-1' }, text: questions[i % questions.length],
        }),
      });
      const answer = await Promise.race([answered(conversation), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000).unref())]);
      return answer === undefined ? undefined : answer.at - start;
    }),
  );
  const cpu = meter.stop();
  await close();
  await connector.close();
  return summarise(count, latencies.filter((value): value is number => value !== undefined), cpu);
}
