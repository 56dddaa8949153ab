import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { tools } from '../../src/tools/registry.js';
import type { ToolContext } from '../../src/tools/tool.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('bot over a real database', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  let bot: Bot;
  const loggedErrors: string[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query(`
      create table big_orders as select g as id, g % 100 as customer_id from generate_series(1, 50000) g;
      create table small_notes as select g as id, 'note ' || g as body from generate_series(1, 10) g;
      analyze big_orders; analyze small_notes;`);
    target = await TargetDatabase.connect(scratch.url);
    bot = new Bot({ tools, openTarget: async () => target, logError: (message) => loggedErrors.push(message) });
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('answers "health" with version, size, connections and cache hit ratio', async () => {
    const answer = await bot.ask('health');
    expect(answer).toMatchObject({ ok: true, tool: 'server_overview' });
    const fields = answer.reply.blocks.find((block) => block.type === 'fields');
    expect(fields?.type === 'fields' && fields.fields.map((field) => field.label)).toEqual(
      expect.arrayContaining(['Database size', 'Connections', 'Cache hit ratio']),
    );
    const data = answer.data as { versionNum: number; database: string; connections: { total: number } };
    expect(data.versionNum).toBe(await target.serverVersionNum());
    expect(data.database).toBe(scratch.name);
    expect(data.connections.total).toBeGreaterThanOrEqual(1);
  });

  it('answers "show me the biggest tables" with sizes, row estimates and a chart', async () => {
    const answer = await bot.ask('show me the biggest tables');
    expect(answer.tool).toBe('largest_tables');
    const table = answer.reply.blocks.find((block) => block.type === 'table');
    expect(table?.type === 'table' && table.rows.map((row) => row[0])).toEqual(['public.big_orders', 'public.small_notes']);
    expect(table?.type === 'table' && table.rows[0]?.[5]).toBe('50,000');
    const image = answer.reply.blocks.find((block) => block.type === 'image');
    expect(image?.type === 'image' && (await sharp(image.png).metadata()).format).toBe('png');
  });

  it('lists every tool with an example in help', async () => {
    const answer = await bot.ask('help');
    const table = answer.reply.blocks.find((block) => block.type === 'table');
    expect(table?.type === 'table' && table.rows.length).toBe(tools.length);
    for (const tool of tools) expect(JSON.stringify(table)).toContain(tool.description);
  });

  it('answers an unknown question with what can be asked', async () => {
    const answer = await bot.ask('make me a sandwich');
    expect(answer.ok).toBe(false);
    expect(answer.error?.kind).toBe('unknown-question');
    expect(answer.reply.blocks[0]).toEqual({ type: 'text', text: 'I did not understand "make me a sandwich". Here is what I can answer:' });
    expect(answer.reply.blocks.some((block) => block.type === 'table')).toBe(true);
  });

  it('explains bad tool input instead of throwing', async () => {
    const answer = await bot.runTool('largest_tables', { limit: 5000 });
    expect(answer.error?.kind).toBe('bad-input');
    expect(answer.error?.message).toContain('limit');
  });

  it('turns a lost database into a reply, not a crash', async () => {
    const unreachable = new Bot({
      tools,
      openTarget: () => TargetDatabase.connect('postgres://nobody@127.0.0.1:1/x', { statementTimeoutMs: 1000, lockTimeoutMs: 1000, connectTimeoutMs: 1000, poolSize: 1 }),
    });
    const answer = await unreachable.ask('health');
    expect(answer.error?.kind).toBe('connection');
    expect(answer.error?.message).toContain('Connection refused on 127.0.0.1:1');
    expect(loggedErrors).toEqual([]);
  });
});

describe('files on the pgdba host', () => {
  const bot = new Bot({ tools, openTarget: () => Promise.reject(new Error('no database needed')) });

  it('are refused to a chat user, who is told to upload instead', async () => {
    const answer = await bot.ask('analyze log /etc/passwd');
    expect(answer).toMatchObject({ ok: false, tool: 'analyze_log', error: { kind: 'bad-input' } });
    expect(answer.error?.message).toContain('Upload the log file to the chat instead');
  });

  it('are read for the command line', async () => {
    const answer = await bot.ask('analyze log /nonexistent/postgresql.log', { allowLocalFiles: true });
    expect(answer.error?.message ?? '').not.toContain('Upload the log file');
  });
});

/** server_overview that counts its runs and holds each until `release()`. */
function gatedOverview() {
  let runs = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slowOverview = {
    ...tools.find((tool) => tool.name === 'server_overview')!,
    async run() {
      runs += 1;
      await gate;
      return { data: { runs }, reply: { blocks: [] } };
    },
  };
  return { slowOverview, release: () => release(), runs: () => runs };
}

describe('identical questions arriving together', () => {
  it('share one run of a shareable tool, and later questions run it again', async () => {
    const { slowOverview, release, runs } = gatedOverview();
    const bot = new Bot({ tools: [slowOverview], openTarget: () => Promise.reject(new Error('not needed')) });
    const burst = Promise.all([bot.ask('health'), bot.ask('health'), bot.ask('status')]);
    release();
    const answers = await burst;
    expect(runs()).toBe(1);
    expect(answers.map((answer) => answer.data)).toEqual([{ runs: 1 }, { runs: 1 }, { runs: 1 }]);
    await bot.ask('health');
    expect(runs()).toBe(2);
  });

  it('share one run when the callers follow progress: each sees the updates from when it joined, the latest one first', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reportSecondStage: () => void = () => undefined;
    const slowOverview = {
      ...tools.find((tool) => tool.name === 'server_overview')!,
      async run(_input: unknown, context: ToolContext) {
        runs += 1;
        context.progress?.({ stage: 'reading settings', done: 0 });
        reportSecondStage = () => context.progress?.({ stage: 'reading activity', done: 1 });
        await gate;
        return { data: { runs }, reply: { blocks: [] } };
      },
    };
    const bot = new Bot({ tools: [slowOverview], openTarget: () => Promise.reject(new Error('not needed')) });
    const seenByFirst: string[] = [];
    const seenByLate: string[] = [];
    const first = bot.ask('health', { progress: (progress) => seenByFirst.push(progress.stage) });
    const late = bot.ask('health', { progress: (progress) => seenByLate.push(progress.stage) });
    reportSecondStage();
    release();
    const answers = await Promise.all([first, late]);
    expect(runs).toBe(1);
    expect(answers.map((answer) => answer.data)).toEqual([{ runs: 1 }, { runs: 1 }]);
    expect(seenByFirst).toEqual(['reading settings', 'reading activity']);
    expect(seenByLate).toEqual(['reading settings', 'reading activity']);
  });

  it('do not share a run with a caller that can cancel it', async () => {
    const { slowOverview, release, runs } = gatedOverview();
    const bot = new Bot({ tools: [slowOverview], openTarget: () => Promise.reject(new Error('not needed')) });
    const burst = Promise.all([bot.ask('health'), bot.ask('health', { signal: new AbortController().signal })]);
    release();
    await burst;
    expect(runs()).toBe(2);
  });
});
