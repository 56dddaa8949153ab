/**
 * The approval workflow end to end through the web chat's HTTP API, as two people on two pages:
 * advice → Apply → approval card → refusals → approval by an allowed person → the index exists
 * and is valid → a second click executes nothing → the audit trail has it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebChatAdapter } from '../../../src/adapters/web/web-chat-adapter.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import type { ReplyAction } from '../../../src/tools/reply.js';
import { serveAdapter } from '../../helpers/adapter-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

interface Answer {
  ok: boolean;
  tool: string | null;
  blocks: { type: string; text?: string; actions?: ReplyAction[]; fields?: { label: string; value: string }[] }[];
}

describe('approvals in the web chat', () => {
  let scratch: ScratchDatabase;
  let app: AssistantApp;
  let server: Awaited<ReturnType<typeof serveAdapter>>;

  async function post(path: string, body: Record<string, unknown>): Promise<Answer> {
    const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as Answer & { progress?: unknown });
    return lines.filter((line) => line.blocks).at(-1)!;
  }
  const buttons = (answer: Answer) => answer.blocks.flatMap((block) => block.actions ?? []);
  const text = (answer: Answer) => JSON.stringify(answer.blocks);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query(`create extension if not exists hypopg;
      create table parcels as select g as id, 'depot-' || (g % 400) as depot from generate_series(1, 60000) g;
      analyze parcels;`);
    const config = loadConfig({ DATABASE_URL: scratch.url, PGDBA_APPROVERS: 'web:page-dba', PGDBA_STORE_URL: 'memory:' });
    app = await createAssistantApp(config);
    server = await serveAdapter(createWebChatAdapter({ assistant: app.assistant, uploadMaxBytes: 1_000_000 }));
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    await scratch?.drop();
  });

  it('applies a recommended index only after an allowed second person approves, once', async () => {
    const advice = await post('/web/ask', { question: "advise indexes for select * from parcels where depot = 'depot-7'", conversation: 'page-dev' });
    const apply = buttons(advice).find((button) => button.id === 'request_change');
    expect(apply?.label).toMatch(/^Apply rec-/);

    const card = await post('/web/action', { id: apply!.id, payload: apply!.payload, conversation: 'page-dev' });
    expect(card.tool).toBe('request_change');
    expect(text(card)).toContain('waiting for approval');
    expect(text(card)).toContain('SHARE UPDATE EXCLUSIVE');
    const approve = buttons(card).find((button) => button.label === 'Approve');
    expect(approve?.payload).toMatch(/^pgdba-approval:approve:chg-/);

    const selfApproval = await post('/web/action', { id: approve!.id, payload: approve!.payload, conversation: 'page-dev' });
    expect(selfApproval.ok).toBe(false);
    const stranger = await post('/web/action', { id: approve!.id, payload: approve!.payload, conversation: 'page-visitor' });
    expect(stranger.ok).toBe(false);
    const indexesBefore = await scratch.admin.query("select count(*)::int as n from pg_indexes where tablename = 'parcels'");
    expect(indexesBefore.rows[0].n).toBe(0);

    const approved = await post('/web/action', { id: approve!.id, payload: approve!.payload, conversation: 'page-dba' });
    expect(approved.ok).toBe(true);
    const { rows } = await scratch.admin.query(
      "select i.indisvalid as valid, pg_get_indexdef(i.indexrelid) as def from pg_index i where i.indrelid = 'parcels'::regclass",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].valid).toBe(true);
    expect(rows[0].def).toContain('(depot)');

    await post('/web/action', { id: approve!.id, payload: approve!.payload, conversation: 'page-dba' });
    const indexesAfter = await scratch.admin.query("select count(*)::int as n from pg_indexes where tablename = 'parcels'");
    expect(indexesAfter.rows[0].n).toBe(1);

    const requestId = approve!.payload.split(':').at(-1)!;
    const audit = await app.bot.runTool('audit', { requestId, format: 'json' });
    const kinds = (audit.data as { records: { kind: string }[] }).records.map((record) => record.kind);
    expect(kinds).toEqual(expect.arrayContaining(['requested', 'approved', 'execution-started', 'execution-finished']));
    expect(kinds.filter((kind) => kind === 'execution-started')).toHaveLength(1);
  });
});
