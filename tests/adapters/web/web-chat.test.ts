import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebChatAdapter } from '../../../src/adapters/web/web-chat-adapter.js';
import { Assistant } from '../../../src/bot/agent/assistant.js';
import { Bot } from '../../../src/bot/bot.js';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { tools } from '../../../src/tools/registry.js';
import { serveAdapter } from '../../helpers/adapter-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

const chromiumPath = '/usr/bin/chromium';

/** The assistant without an LLM: the deterministic router answers, as on a machine with no model configured. */
function routerOnly(bot: Bot): Assistant {
  return new Assistant({ bot, tools, privacy: { allowSamples: false, secrets: [] }, timeoutMs: 5_000 });
}
const corpusLog = fileURLToPath(new URL('../../../../shared/corpus/logs/elastic-beats-filebeat/postgresql-9.6-debian-with-slowlog.log', import.meta.url));

describe('local web chat in a real browser', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  let server: Awaited<ReturnType<typeof serveAdapter>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium is needed at ${chromiumPath}: apt-get install chromium (.ci/run does).`);
    scratch = await createScratchDatabase();
    await scratch.admin.query(`create extension if not exists hypopg;
      create table shipments as select g as id, 'carrier-' || (g % 500) as carrier from generate_series(1, 50000) g;
      analyze shipments;`);
    target = await TargetDatabase.connect(scratch.url);
    const bot = new Bot({ tools, openTarget: async () => target, recommendations: new Keyv() });
    server = await serveAdapter(createWebChatAdapter({ assistant: routerOnly(bot), uploadMaxBytes: 10_000_000 }));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.goto(server.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await target?.close();
    await scratch?.drop();
  });

  it('asks "tables" and shows the table and the chart image', async () => {
    await page.fill('#question', 'tables');
    await page.press('#question', 'Enter');
    const answer = page.locator('.msg.bot').last();
    await expect.poll(() => answer.locator('td').first().textContent()).toBe('public.shipments');
    const image = answer.locator('img');
    await expect.poll(() => image.evaluate((img) => {
      const loaded = img as unknown as { complete: boolean; naturalWidth: number };
      return loaded.complete ? loaded.naturalWidth : 0;
    })).toBeGreaterThan(300);
  });

  it('highlights SQL in code blocks, and a button click updates its own message', async () => {
    await page.fill('#question', "advise indexes for select * from shipments where carrier = 'carrier-7'");
    await page.press('#question', 'Enter');
    const answer = page.locator('.msg.bot').last();
    await expect.poll(() => answer.locator('pre .kw').allTextContents(), { timeout: 30_000 }).toContain('CREATE');
    const dismiss = answer.locator('button[data-action="dismiss_recommendation"]').first();
    const messages = await page.locator('.msg').count();

    await dismiss.click();
    await expect.poll(() => answer.textContent()).toMatch(/dismissed/i);
    expect(await answer.locator('button[data-action="dismiss_recommendation"]').count()).toBe(0);
    expect(await page.locator('.msg').count()).toBe(messages);
  });

  it('uploads a log file and shows its summary', async () => {
    await page.setInputFiles('#upload', corpusLog);
    const answer = page.locator('.msg.bot').last();
    await expect.poll(() => answer.textContent(), { timeout: 30_000 }).toMatch(/statements?/i);
    expect(await answer.locator('.progress').count()).toBe(0);
    expect(await answer.locator('table').count()).toBeGreaterThan(0);
  });

  it('shows PostgreSQL errors as an answer, not a broken page', async () => {
    await page.fill('#question', 'explain select * from no_such_table');
    await page.press('#question', 'Enter');
    const answer = page.locator('.msg.bot').last();
    await expect.poll(() => answer.textContent()).toContain('does not exist');
    expect(await answer.getAttribute('class')).toContain('error');
  });
});

describe('web chat access token', () => {
  it('refuses requests without the token when one is set', async () => {
    const bot = new Bot({ tools, openTarget: () => Promise.reject(new Error('not needed')) });
    const server = await serveAdapter(createWebChatAdapter({ assistant: routerOnly(bot), token: 's3cret-token', uploadMaxBytes: 1000 }));
    try {
      const refused = await fetch(`${server.baseUrl}/web/ask`, { method: 'POST', body: JSON.stringify({ question: 'help' }) });
      expect(refused.status).toBe(401);
      const accepted = await fetch(`${server.baseUrl}/web/ask`, {
        method: 'POST',
        headers: { authorization: 'Bearer s3cret-token' },
        body: JSON.stringify({ question: 'help' }),
      });
      expect(accepted.status).toBe(200);
      expect((await accepted.text()).trim().split('\n').map((line) => JSON.parse(line) as { ok?: boolean }).at(-1)?.ok).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('refuses an upload above the size limit with a clear message', async () => {
    const bot = new Bot({ tools, openTarget: () => Promise.reject(new Error('not needed')) });
    const server = await serveAdapter(createWebChatAdapter({ assistant: routerOnly(bot), uploadMaxBytes: 1000 }));
    try {
      const response = await fetch(`${server.baseUrl}/web/upload`, { method: 'POST', headers: { 'x-file-name': 'big.log' }, body: 'x'.repeat(5000) });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: string }).error).toContain('big.log is larger than the upload limit');
    } finally {
      await server.close();
    }
  });
});
