/**
 * Two pgdba replicas: two assistants created separately (each with its own Redis connection)
 * sharing one Redis store and the real test PostgreSQL. What one replica records, the other
 * sees; an approval clicked on both at once executes exactly once; a request outlives the
 * replica that created it; conversation history follows the thread to any replica; requests
 * created at once on both are all listed.
 */
import { AIMessage, fakeModel, type BaseMessage } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantApp, type AssistantApp, type AssistantAppOptions } from '../../../src/bot/agent/create-assistant.js';
import type { BotAnswer } from '../../../src/bot/bot.js';
import { loadConfig, type Config } from '../../../src/config.js';
import type { Asker } from '../../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import { redisTestUrl } from '../../helpers/redis.js';

const alice: Asker = { platform: 'slack', id: 'UALICE', name: 'alice' };
const bob: Asker = { platform: 'slack', id: 'UBOB', name: 'bob' };
const carol: Asker = { platform: 'slack', id: 'UCAROL', name: 'carol' };

let scratch: ScratchDatabase;
let config: Config;
const opened: AssistantApp[] = [];

async function replica(options: AssistantAppOptions = {}): Promise<AssistantApp> {
  const app = await createAssistantApp(config, { log: () => undefined, ...options });
  opened.push(app);
  return app;
}

async function requestChange(app: AssistantApp, sql: string): Promise<string> {
  const answer = await app.assistant.ask({ question: `apply: ${sql}`, user: alice });
  expect(answer.tool).toBe('request_change');
  return (answer.data as { requestId: string }).requestId;
}

function clickApprove(app: AssistantApp, requestId: string, user: Asker): Promise<BotAnswer> {
  return app.assistant.handleAction({ id: 'approval', payload: `pgdba-approval:approve:${requestId}` }, { user });
}

function outcome(answer: BotAnswer): { outcome: string; message: string } {
  return answer.data as { outcome: string; message: string };
}

async function auditKinds(app: AssistantApp, requestId: string): Promise<string[]> {
  return (await app.approvals.audit.query({ requestId })).map((record) => record.kind);
}

async function indexState(name: string): Promise<{ valid: boolean }[]> {
  return (await scratch.admin.query<{ valid: boolean }>('select indisvalid as valid from pg_index where indexrelid = to_regclass($1)', [name])).rows;
}

beforeAll(async () => {
  scratch = await createScratchDatabase('pgdba_replicas');
  await scratch.admin.query(`
    create table orders (id bigint primary key, customer_id int not null, note text);
    insert into orders select g, g % 500, md5(g::text) from generate_series(1, 20000) g;
    analyze orders;`);
  config = loadConfig({ DATABASE_URL: scratch.url, PGDBA_STORE_URL: await redisTestUrl(), PGDBA_APPROVERS: 'slack:UBOB,slack:UCAROL' });
});

afterAll(async () => {
  for (const app of opened) await app.close();
  await scratch?.drop();
});

describe('two replicas sharing a Redis store', () => {
  it('shows a request created on replica A to replica B, with its audit trail', async () => {
    const a = await replica();
    const b = await replica();
    const requestId = await requestChange(a, 'create index concurrently orders_seen_idx on orders (note)');
    expect((await b.approvals.get(requestId))?.status).toBe('pending');
    expect((await b.approvals.list()).map((request) => request.id)).toContain(requestId);
    expect(await auditKinds(b, requestId)).toEqual(['requested']);
  });

  it('executes once when the same approval is clicked on both replicas at once, many times, and tells the other clicks', async () => {
    const a = await replica();
    const b = await replica();
    const requestId = await requestChange(a, 'create index concurrently orders_customer_idx on orders (customer_id)');
    const clicks = await Promise.all(Array.from({ length: 12 }, (_, i) => clickApprove(i % 2 === 0 ? a : b, requestId, i % 3 === 0 ? carol : bob)));

    const outcomes = clicks.map(outcome);
    expect(outcomes.filter((o) => o.outcome === 'executed')).toHaveLength(1);
    const others = outcomes.filter((o) => o.outcome !== 'executed');
    expect(others).toHaveLength(11);
    for (const other of others) {
      expect(other.outcome).toBe('unchanged');
      expect(other.message).toMatch(/Already executed|Being executed|Another pgdba replica is executing this request|Not executed here: (another pgdba process is executing this request right now|already executing|already executed)/);
    }
    // Clicks on the replica that did not execute stop at the shared claim, before the executor.
    const winner = outcomes.findIndex((o) => o.outcome === 'executed') % 2;
    const otherReplica = outcomes.filter((_, i) => i % 2 !== winner);
    expect(otherReplica.filter((o) => o.message.startsWith('Not executed here'))).toEqual([]);
    expect(await indexState('orders_customer_idx')).toEqual([{ valid: true }]);
    const kinds = await auditKinds(b, requestId);
    expect(kinds.filter((kind) => kind === 'execution-started')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'execution-finished')).toHaveLength(1);
    expect((await a.approvals.get(requestId))?.status).toBe('executed');

    const late = outcome(await clickApprove(b, requestId, carol));
    expect(late).toEqual({ outcome: 'unchanged', message: expect.stringMatching(/^Already executed at /) as unknown as string, requestId });
  });

  it('keeps a request approvable after the replica that created it is closed and a new one started', async () => {
    const before = await replica();
    const requestId = await requestChange(before, 'create index concurrently orders_restart_idx on orders (customer_id, id)');
    await before.close();
    opened.splice(opened.indexOf(before), 1);

    const after = await replica();
    const approved = outcome(await clickApprove(after, requestId, bob));
    expect(approved.outcome).toBe('executed');
    expect(await indexState('orders_restart_idx')).toEqual([{ valid: true }]);
  });

  it('gives replica B the conversation history that replica A wrote', async () => {
    const modelA = fakeModel().respond(new AIMessage('Noted: orders.'));
    const modelB = fakeModel().respond(new AIMessage('It has a primary key and the indexes you approved.'));
    const a = await replica({ model: modelA });
    const b = await replica({ model: modelB });
    await a.assistant.ask({ question: 'I care about the orders table', conversationId: 'slack:C1:1700000000.000100' });
    const answer = await b.assistant.ask({ question: 'and its indexes?', conversationId: 'slack:C1:1700000000.000100' });
    expect(answer.source).toBe('agent');
    const seenByB = modelB.calls[0]!.messages.map((message: BaseMessage) => String(message.content)).join('\n');
    expect(seenByB).toContain('I care about the orders table');
    expect(seenByB).toContain('Noted: orders.');
  });

  it('lists every request when many are created at once on both replicas', async () => {
    const a = await replica();
    const b = await replica();
    const created = await Promise.all(Array.from({ length: 24 }, (_, i) => requestChange(i % 2 === 0 ? a : b, `create index concurrently orders_many_${i}_idx on orders (note, customer_id)`)));
    expect(new Set(created).size).toBe(24);
    for (const app of [a, b]) {
      const listed = new Set((await app.approvals.list()).map((request) => request.id));
      expect(created.filter((id) => !listed.has(id))).toEqual([]);
    }
    const requested = (await a.approvals.audit.query({ kind: 'requested' })).map((record) => record.requestId);
    expect(created.filter((id) => !requested.includes(id))).toEqual([]);
  });
});
