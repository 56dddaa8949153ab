/**
 * The assistant with LangChain's fakeModel() on a real database: which questions reach the
 * model, how tool results go back to it, what the person sees, the history of a thread, the
 * router fallback when the model fails, and what is masked before anything reaches the model.
 */
import { AIMessage, fakeModel, ToolMessage, type BaseMessage } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import type { Config } from '../../../src/config.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

let database: ScratchDatabase;
let config: Config;
const opened: AssistantApp[] = [];

beforeAll(async () => {
  database = await createScratchDatabase('pgdba_agent');
  await database.admin.query(`
    create table orders (id bigint primary key, customer_email text not null, total numeric);
    insert into orders select g, 'user' || g || '@example.com', g from generate_series(1, 3000) g;
    create index orders_email on orders (customer_email);
    analyze;`);
  config = loadConfig({ DATABASE_URL: database.url });
});

afterAll(async () => {
  for (const app of opened) await app.close();
  await database?.drop();
});

async function assistantWith(model: ReturnType<typeof fakeModel>): Promise<AssistantApp> {
  const app = await createAssistantApp(config, { model });
  opened.push(app);
  return app;
}

function allText(messages: BaseMessage[]): string {
  return messages.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))).join('\n');
}

function replyText(answer: { reply: { blocks: unknown[] } }): string {
  return JSON.stringify(answer.reply.blocks);
}

describe('Assistant button clicks', () => {
  it('footers a tool button with the tool it ran, and an approval click with nothing', async () => {
    const { assistant } = await assistantWith(fakeModel());
    const tool = await assistant.handleAction({ id: 'largest_tables', payload: '{"limit":1}' });
    expect(tool.reply.blocks.at(-1)).toEqual({ type: 'context', text: 'How I know: `largest_tables` (command router; read-only).' });
    const approval = await assistant.handleAction({ id: 'approval-approve', payload: 'pgdba-approval:approve:req-unknown' }, { user: { platform: 'local', id: 'alice', name: 'alice' } });
    expect(approval.toolsUsed).toEqual([]);
    expect(replyText(approval)).not.toContain('How I know');
  });
});

describe('Assistant with fakeModel()', () => {
  it('answers router commands without calling the model', async () => {
    const model = fakeModel();
    const { assistant } = await assistantWith(model);
    const answer = await assistant.ask({ question: 'show me the biggest tables' });
    expect(answer.source).toBe('router');
    expect(answer.toolsUsed).toEqual(['largest_tables']);
    expect(model.callCount).toBe(0);
  });

  it('runs the tool the model calls, returns its data with the matching tool_call_id and shows the answer with a how-I-know footer', async () => {
    const model = fakeModel()
      .respondWithTools([{ name: 'largest_tables', args: { limit: 1 }, id: 'call_1' }])
      .respond(new AIMessage('public.orders is the largest table.'));
    const { assistant } = await assistantWith(model);
    const answer = await assistant.ask({ question: 'where does our disk space go?' });
    expect(answer.source).toBe('agent');
    expect(answer.toolsUsed).toEqual(['largest_tables']);
    expect(model.callCount).toBe(2);
    const toolMessage = model.calls[1]!.messages.find((message) => ToolMessage.isInstance(message)) as ToolMessage;
    expect(toolMessage.tool_call_id).toBe('call_1');
    expect(String(toolMessage.content)).toContain('"table":"orders"');
    expect(answer.reply.blocks[0]).toEqual({ type: 'text', text: 'public.orders is the largest table.' });
    expect(answer.reply.blocks.some((block) => block.type === 'table')).toBe(true);
    expect(answer.reply.blocks.some((block) => block.type === 'image')).toBe(true);
    expect(answer.reply.blocks.at(-1)).toEqual({ type: 'context', text: 'How I know: `largest_tables` (chosen by the model; read-only).' });
    // The system prompt carries the compact schema summary.
    expect(allText(model.calls[0]!.messages)).toMatch(/public\.orders: [\d.]+ (kB|MB), ~3,000 rows; indexes: orders_email, orders_pkey/);
  });

  it('gives the model the history of the same conversation, and none of another one', async () => {
    const model = fakeModel().respond(new AIMessage('Noted: orders.')).respond(new AIMessage('It has two indexes.')).respond(new AIMessage('Which table?'));
    const { assistant } = await assistantWith(model);
    await assistant.ask({ question: 'I care about the orders table', conversationId: 'thread-1' });
    await assistant.ask({ question: 'and its indexes?', conversationId: 'thread-1' });
    await assistant.ask({ question: 'and its indexes?', conversationId: 'thread-2' });
    const second = allText(model.calls[1]!.messages);
    expect(second).toContain('I care about the orders table');
    expect(second).toContain('Noted: orders.');
    expect(allText(model.calls[2]!.messages)).not.toContain('I care about the orders table');
  });

  it('falls back to the router, saying so, when the model fails', async () => {
    const model = fakeModel().alwaysThrow(Object.assign(new Error('upstream exploded'), { status: 502 }));
    const { assistant } = await assistantWith(model);
    const answer = await assistant.ask({ question: 'what should I tune next quarter?' });
    expect(answer.source).toBe('router-fallback');
    expect(answer.reply.blocks[0]).toEqual({
      type: 'text',
      text: 'The language model endpoint failed (HTTP 502). The command router alone cannot map this question; here is what it can answer:',
    });
    expect(replyText(answer)).toContain('The largest tables by total size');
  });

  it('keeps the results of tools that ran when the model fails afterwards', async () => {
    const model = fakeModel()
      .respondWithTools([{ name: 'largest_tables', args: { limit: 1 }, id: 'call_9' }])
      .respond(new Error('connection reset'));
    const { assistant } = await assistantWith(model);
    const answer = await assistant.ask({ question: 'where does our disk space go?' });
    expect(answer.source).toBe('router-fallback');
    expect(answer.reply.blocks[0]).toEqual({ type: 'text', text: 'The language model endpoint failed. Here is what the tools it ran found:' });
    expect(replyText(answer)).toContain('public.orders');
  });

  it('sends SQL literals to the model as placeholders and runs the tool on the real statement', async () => {
    const model = fakeModel()
      .respond((messages) => {
        const question = allText(messages.slice(-1));
        const sql = question.slice(question.indexOf('select'));
        return new AIMessage({ content: '', tool_calls: [{ name: 'explain_query', args: { sql }, id: 'call_sql', type: 'tool_call' }] });
      })
      .respond(new AIMessage('The filter on <v1> uses orders_email.'));
    const { assistant } = await assistantWith(model);
    const answer = await assistant.ask({ question: "is this plan fine for me: select * from orders where customer_email = 'user7@example.com' and total > 5" });
    const sent = model.calls.map((call) => allText(call.messages)).join('\n');
    expect(sent).not.toContain('user7@example.com');
    expect(sent).toContain("customer_email = <v1> and total > <v2>");
    expect(answer.toolsUsed).toEqual(['explain_query']);
    expect(answer.ok).toBe(true);
    expect(JSON.stringify(answer.data)).toContain('orders_email');
    // The person sees their own literal again.
    expect(answer.reply.blocks[0]).toEqual({ type: 'text', text: "The filter on 'user7@example.com' uses orders_email." });
  });
});
