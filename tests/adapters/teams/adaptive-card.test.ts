import { PassThrough } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { refreshedRequest, refreshVerb, renderAdaptiveCards, submittedAction, teamsLimits } from '../../../src/adapters/teams/adaptive-card.js';
import { createTeamsAdapter } from '../../../src/adapters/teams/teams-adapter.js';
import { questionText } from '../../../src/adapters/teams/teams-turn.js';
import type { Assistant } from '../../../src/bot/agent/assistant.js';
import { loadConfig } from '../../../src/config.js';
import { ReplyBuilder } from '../../../src/tools/reply.js';

describe('Reply → Adaptive Card', () => {
  it('renders text, facts, a table, SQL and Action.Execute buttons (Action.Submit fallback) whose data carries the action back', async () => {
    const { card, imageCards } = await renderAdaptiveCards(
      new ReplyBuilder()
        .text('*Largest tables*')
        .fields([{ label: 'Database size', value: '12 MB' }])
        .table({ columns: ['Table', 'Size'], rows: [['orders', '12 MB']], numericColumns: [1] })
        .code('select 1', 'sql')
        .actions([{ id: 'approve', label: 'Approve', style: 'primary', payload: 'req-9' }])
        .context('pgdba')
        .build(),
    );
    expect(imageCards).toEqual([]);
    expect(card.version).toBe('1.5');
    expect(card.body.map((element) => element.type)).toEqual(['TextBlock', 'FactSet', 'Table', 'CodeBlock', 'ActionSet', 'TextBlock']);
    expect(card.body[0]).toMatchObject({ text: '**Largest tables**' });
    expect(card.body[1]).toEqual({ type: 'FactSet', facts: [{ title: 'Database size', value: '12 MB' }] });
    expect(card.body[3]).toMatchObject({ codeSnippet: 'select 1', language: 'SQL', fallback: { type: 'TextBlock', fontType: 'Monospace' } });
    const action = (card.body[4] as { actions: { type: string; style: string; data: unknown; fallback: { type: string; data: unknown } }[] }).actions[0]!;
    expect(action).toMatchObject({ type: 'Action.Execute', verb: 'approve', title: 'Approve', style: 'positive', fallback: { type: 'Action.Submit', title: 'Approve', style: 'positive' } });
    expect(submittedAction(action.data)).toEqual({ id: 'approve', payload: 'req-9' });
    expect(submittedAction(action.fallback.data)).toEqual({ id: 'approve', payload: 'req-9' });
    expect(card.refresh).toBeUndefined();
  });

  it('adds a refresh action only when asked, naming the change request it shows', async () => {
    const { card } = await renderAdaptiveCards(new ReplyBuilder().text('pending').build(), { refresh: { requestId: 'chg-0a1b2c3d' } });
    expect(card.refresh?.action).toMatchObject({ type: 'Action.Execute', verb: refreshVerb });
    expect(refreshedRequest(card.refresh?.action.data)).toEqual({ requestId: 'chg-0a1b2c3d' });
    expect(refreshedRequest({ pgdba: { id: 'approve', payload: 'x' } })).toBeUndefined();
  });

  it('cuts long tables to the row budget with a note row, and keeps the card under the size limit', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`table_${i}`, `${i} MB`]);
    const { card } = await renderAdaptiveCards(new ReplyBuilder().table({ columns: ['Table', 'Size'], rows }).build());
    const table = card.body.find((element) => element.type === 'Table') as { rows: { cells: { items: { text: string }[] }[] }[] };
    expect(table.rows).toHaveLength(1 + teamsLimits.tableRows + 1);
    expect(table.rows.at(-1)!.cells[0]!.items[0]!.text).toBe(`… ${200 - teamsLimits.tableRows} more rows`);
    expect(JSON.stringify(card).length).toBeLessThanOrEqual(teamsLimits.cardBytes);
  });

  it('sends a chart too big for the answer card as its own card', async () => {
    // The text leaves less room than this small PNG needs.
    const chart = await sharp(Buffer.from(Array.from({ length: 90 * 90 * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: 90, height: 90, channels: 3 } }).png().toBuffer();
    const { card, imageCards } = await renderAdaptiveCards(
      new ReplyBuilder().text('x'.repeat(25_200)).image({ png: chart, title: 'Chart', alt: 'chart', fileName: 'chart.png' }).build(),
    );
    expect(JSON.stringify(card)).toContain('see the chart below');
    expect(imageCards).toHaveLength(1);
    expect(JSON.stringify(imageCards[0])).toMatch(/"url":"data:image\/png;base64,/);
  });

  it('strips the @mention and markup from a channel message', () => {
    expect(
      questionText({
        text: '<at>pgdba</at> largest&nbsp;tables',
        recipient: { id: '28:bot', name: 'pgdba' },
        entities: [{ type: 'mention', text: '<at>pgdba</at>', mentioned: { id: '28:bot', name: 'pgdba' } } as never],
      }),
    ).toBe('largest tables');
  });
});

describe('Teams emulator mode', () => {
  it('refuses requests from a non-loopback peer with 403', async () => {
    const adapter = createTeamsAdapter({ assistant: {} as Assistant, config: loadConfig({}) });
    const request = Object.assign(new PassThrough(), { socket: { remoteAddress: '10.1.2.3' }, headers: {}, method: 'POST' }) as unknown as IncomingMessage;
    let status = 0;
    let body = '';
    const response = {
      writeHead(code: number) {
        status = code;
        return this;
      },
      end(text: string) {
        body = text;
      },
    } as unknown as ServerResponse;
    await adapter.handle(request, response);
    expect(status).toBe(403);
    expect(body).toContain('emulator mode');
  });
});
