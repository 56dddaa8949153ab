import { describe, expect, it } from 'vitest';
import { decodeActionId, encodeActionId } from '../../../src/adapters/discord/discord-action-ids.js';
import { discordLimits, renderDiscordMessage, toDiscordMarkdown } from '../../../src/adapters/discord/discord-message.js';
import { ReplyBuilder } from '../../../src/tools/reply.js';

function totalChars(embeds: ReturnType<typeof renderDiscordMessage>['embeds']): number {
  return embeds.reduce(
    (sum, embed) => sum + (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.fields ?? []).reduce((s, f) => s + f.name.length + f.value.length, 0),
    0,
  );
}

describe('Reply → Discord message within Discord limits', () => {
  it('puts 30 buttons into 5 rows of 5 and says that 5 were left out', () => {
    const actions = Array.from({ length: 30 }, (_, i) => ({ id: 'dismiss_recommendation', label: `Dismiss ${i}`, payload: `rec-0000000${i % 10}` }));
    const message = renderDiscordMessage(new ReplyBuilder().text('Recommendations').actions(actions).build());
    expect(message.components).toHaveLength(5);
    expect(message.components.every((row) => row.components.length === 5)).toBe(true);
    expect(message.embeds.at(-1)?.footer?.text).toContain('5 more action(s)');
  });

  it('splits 30 fields over embeds of at most 25 fields', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ label: `setting ${i}`, value: String(i) }));
    const message = renderDiscordMessage(new ReplyBuilder().fields(fields).build());
    expect(message.embeds.map((embed) => embed.fields?.length)).toEqual([25, 5]);
  });

  it('keeps a huge answer within 10 embeds, 4096-character descriptions and 6000 characters overall, with a note', () => {
    const builder = new ReplyBuilder();
    for (let i = 0; i < 20; i += 1) builder.text(`Paragraph ${i}: ${'lorem ipsum '.repeat(300)}`);
    const message = renderDiscordMessage(builder.build());
    expect(message.embeds.length).toBeLessThanOrEqual(discordLimits.embedsPerMessage);
    expect(message.embeds.every((embed) => (embed.description?.length ?? 0) <= discordLimits.descriptionChars)).toBe(true);
    expect(totalChars(message.embeds)).toBeLessThanOrEqual(discordLimits.charsPerMessage);
    expect(message.embeds.at(-1)?.footer?.text).toMatch(/did not fit/);
  });

  it('renders a table as an aligned code block and an image as an attachment referenced by its embed', () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const message = renderDiscordMessage(
      new ReplyBuilder()
        .table({ title: 'Largest tables', columns: ['Table', 'Size'], rows: [['orders', '12 MB'], ['customers', '8 kB']], numericColumns: [1] })
        .image({ png, title: 'Sizes', alt: 'bar chart', fileName: 'largest tables.png' })
        .build(),
    );
    expect(message.embeds[0]?.description).toBe('**Largest tables**\n```\nTable       Size\n---------  -----\norders     12 MB\ncustomers   8 kB\n```');
    expect(message.files).toEqual([{ name: 'largest_tables.png', data: png, contentType: 'image/png' }]);
    expect(message.embeds.some((embed) => embed.image?.url === 'attachment://largest_tables.png')).toBe(true);
  });

  it('converts the reply markdown to Discord markdown', () => {
    expect(toDiscordMarkdown('*Log analysis* of `x`\n- one')).toBe('**Log analysis** of `x`\n• one');
  });

  it('packs short actions into the custom id and long ones behind a key, both decodable', () => {
    expect(encodeActionId('approve', 'req-1')).toBe('pgdba:approve:req-1');
    expect(decodeActionId('pgdba:approve:req-1')).toEqual({ id: 'approve', payload: 'req-1' });
    const long = JSON.stringify({ sql: 'select '.repeat(40) });
    const customId = encodeActionId('explain_query', long);
    expect(customId.length).toBeLessThanOrEqual(100);
    expect(decodeActionId(customId)).toEqual({ id: 'explain_query', payload: long });
    expect(decodeActionId('someone-else:button')).toBeUndefined();
  });
});
