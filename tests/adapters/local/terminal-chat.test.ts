import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTerminalChat } from '../../../src/adapters/local/terminal-chat.js';
import { Assistant } from '../../../src/bot/agent/assistant.js';
import { Bot } from '../../../src/bot/bot.js';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { tools } from '../../../src/tools/registry.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

describe('terminal chat', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await scratch.admin.query('create table events as select g as id from generate_series(1, 100) g; analyze events;');
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('answers each line and writes charts to the image folder', async () => {
    const imageDir = mkdtempSync(join(tmpdir(), 'pgdba-chat-'));
    const input = new PassThrough();
    const output = new PassThrough();
    let transcript = '';
    output.on('data', (chunk: Buffer) => (transcript += chunk.toString()));
    const bot = new Bot({ tools, openTarget: async () => target });
    const assistant = new Assistant({ bot, tools, privacy: { allowSamples: false, secrets: [] }, timeoutMs: 5_000 });
    const finished = runTerminalChat(assistant, { imageDir, input, output });
    input.end('health\ntables\nexit\n');
    await finished;

    expect(transcript).toContain('Cache hit ratio');
    expect(transcript).toContain('public.events');
    const chartPath = join(imageDir, 'largest-tables.png');
    expect(transcript).toContain(`[chart] Largest tables: ${chartPath}`);
    expect(existsSync(chartPath)).toBe(true);
  });
});
