/**
 * The LLM agent end to end: a signed Slack mention reaches the real ChatOpenAI client, which
 * talks to a local OpenAI-compatible stub returning scripted tool_calls; the tool runs on a
 * real database, its result goes back with the matching tool_call_id, and the model's final
 * answer reaches Slack. Endpoint failures and timeouts fall back to the router, saying so.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { listenChatServer, type ChatServer } from '../../../src/adapters/server/http-server.js';
import { SlackAdapter } from '../../../src/adapters/slack/slack-adapter.js';
import { agentMayCall } from '../../../src/bot/agent/agent-policy.js';
import { loadConfig } from '../../../src/config.js';
import { tools } from '../../../src/tools/registry.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { blocksText, botToken, botUserId, eventEnvelope, signedHeaders, startFakeSlack, type FakeSlack } from './fake-slack.js';

interface ChatRequest {
  model: string;
  messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[];
  tools?: { type: string; function: { name: string; parameters: unknown } }[];
}

const signingSecret = 'agent-signing-secret-0123';
const apiKey = 'sk-test-agent-key-0123456789';
let database: ScratchDatabase;
let slack: FakeSlack;
let stub: Server;
let app: AssistantApp;
let server: ChatServer;
const requests: { raw: string; body: ChatRequest }[] = [];

function completion(message: Record<string, unknown>, finish: string) {
  return { id: `chatcmpl-${requests.length}`, object: 'chat.completion', created: 1, model: 'gpt-test', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
}

/** Scripted by the question: a tool round trip, a failing endpoint, a hanging one. */
function startOpenAiStub(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as ChatRequest;
      requests.push({ raw, body });
      const question = body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const send = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (question.includes('hang')) return; // never answers: the agent's timeout must fire
      if (question.includes('broken')) return send(500, { error: { message: 'model overloaded', type: 'server_error' } });
      const toolMessage = body.messages.find((m) => m.role === 'tool');
      if (!toolMessage) {
        return send(200, completion({ content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'largest_tables', arguments: '{"limit":2}' } }] }, 'tool_calls'));
      }
      const answer = toolMessage.tool_call_id === 'call_abc123' && String(toolMessage.content).includes('"table":"orders"') ? 'Start with public.orders: it is the largest table.' : 'The tool result did not come back.';
      return send(200, completion({ content: answer }, 'stop'));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  database = await createScratchDatabase('pgdba_llm');
  await database.admin.query(`
    create table orders (id bigint primary key, note text);
    insert into orders select g, repeat('n', 300) from generate_series(1, 4000) g;
    create table tiny (id int);
    analyze;`);
  slack = await startFakeSlack();
  stub = await startOpenAiStub();
  const config = loadConfig({
    DATABASE_URL: database.url,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    OPENAI_API_KEY: apiKey,
    OPENAI_BASE_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/v1`,
    PGDBA_MODEL: 'gpt-test',
    // Long enough for the tool round trip on a loaded CI machine; the hang test waits this out once.
    PGDBA_AGENT_TIMEOUT_MS: '10000',
  });
  app = await createAssistantApp(config);
  server = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [new SlackAdapter({ assistant: app.assistant, config })] });
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  await app?.close();
  stub?.closeAllConnections();
  await new Promise<void>((resolve) => (stub ? stub.close(() => resolve()) : resolve()));
  await slack?.close();
  await database?.drop();
});

async function mention(text: string, ts: string): Promise<void> {
  const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UALICE', text: `<@${botUserId}> ${text}`, ts, channel: 'CAI', event_ts: ts }));
  const response = await fetch(`http://127.0.0.1:${server.port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(signingSecret, body) }, body });
  expect(response.status).toBe(200);
}

/** The answer in a thread: posted directly (router) or as the edit of the "Looking into it…" note (agent). */
function answerIn(ts: string): string | undefined {
  const posted = slack.callsTo('chat.postMessage').find((call) => call.args.thread_ts === ts);
  if (!posted) return undefined;
  if (posted.args.text !== '_Looking into it…_') return blocksText(posted.args.blocks);
  const edit = slack.callsTo('chat.update').find((call) => call.args.ts === posted.ts && Array.isArray(call.args.blocks) && call.args.blocks.length > 0);
  return edit ? blocksText(edit.args.blocks) : undefined;
}

async function replyIn(ts: string): Promise<string> {
  await expect.poll(() => answerIn(ts), { timeout: 30_000 }).toBeDefined();
  return answerIn(ts)!;
}

describe('Slack mention answered by the LLM agent through ChatOpenAI', () => {
  it('runs the tool the model asks for, returns the result under the same tool_call_id and posts the final answer', async () => {
    await mention('which table should I worry about first?', '1700000200.000100');
    const text = await replyIn('1700000200.000100');
    expect(slack.callsTo('chat.postMessage').find((call) => call.args.thread_ts === '1700000200.000100')!.args.text).toBe('_Looking into it…_');
    expect(text).toContain('Start with public.orders: it is the largest table.');
    expect(text).toContain('How I know: `largest_tables` (chosen by the model gpt-test; read-only).');
    const [first, second] = requests.filter((r) => r.body.messages.some((m) => m.content?.includes('worry about first')));
    expect(first!.body.model).toBe('gpt-test');
    const offered = first!.body.tools!.map((t) => t.function.name);
    expect(offered).toContain('largest_tables');
    expect(offered).toContain('explain_query');
    // Tools that read server files or change pgdba's state are never offered to the model.
    expect(offered).not.toContain('analyze_log');
    expect(offered).not.toContain('dismiss_recommendation');
    // Every other registry tool is offered with its zod schema as JSON Schema.
    // The app adds the approval tools built from its workflow: the agent may propose a change and read the audit, never approve.
    expect(offered.sort()).toEqual([...tools.filter(agentMayCall).map((tool) => tool.name), 'audit', 'request_change'].sort());
    expect(first!.body.tools!.find((t) => t.function.name === 'largest_tables')!.function.parameters).toMatchObject({ type: 'object', properties: { limit: { type: 'integer' } } });
    const assistantTurn = second!.body.messages.find((m) => m.role === 'assistant')!;
    expect(assistantTurn.tool_calls).toEqual([{ id: 'call_abc123', type: 'function', function: { name: 'largest_tables', arguments: '{"limit":2}' } }]);
    expect(second!.body.messages.find((m) => m.role === 'tool')!.tool_call_id).toBe('call_abc123');
    // Neither the connection string nor the Slack token ever reach the endpoint.
    for (const request of requests) {
      expect(request.raw).not.toContain(database.url);
      expect(request.raw).not.toContain(botToken);
    }
  });

  it('says the endpoint failed and lists what the router can answer instead', async () => {
    await mention('broken endpoint: should we partition the big table?', '1700000201.000100');
    const text = await replyIn('1700000201.000100');
    expect(text).toContain('The language model endpoint failed (HTTP 500). The command router alone cannot map this question; here is what it can answer:');
    expect(text).toContain('The largest tables by total size');
  });

  it('answers router phrases without the model, and says so when the model times out', async () => {
    await mention('hang on, biggest tables please', '1700000202.000100');
    const text = await replyIn('1700000202.000100');
    expect(text).toContain('public.orders');
    // "biggest tables" is a router phrase: it never reaches the model.
    expect(requests.some((r) => r.raw.includes('hang on'))).toBe(false);
    await mention('hang around and tell me a story', '1700000203.000100');
    const timedOut = await replyIn('1700000203.000100');
    expect(timedOut).toContain('The language model did not answer within 10 s. The command router alone cannot map this question; here is what it can answer:');
  });
});
