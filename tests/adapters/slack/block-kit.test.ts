/** Reply -> Block Kit within Slack's limits: 50 blocks per message, 3000 characters per text. */
import { describe, expect, it } from 'vitest';
import { renderBlockKit, slackLimits } from '../../../src/adapters/slack/block-kit.js';
import { ReplyBuilder } from '../../../src/tools/reply.js';

function texts(blocks: unknown[]): string[] {
  return blocks.map((block) => JSON.stringify(block));
}

describe('renderBlockKit', () => {
  it('renders text, fields, a table, code, context and buttons as Block Kit', () => {
    const reply = new ReplyBuilder()
      .text('*Bloat* in <orders> & co\n- first\n- second')
      .fields([{ label: 'Size', value: '1.2 GB' }])
      .table({ title: 'Tables', columns: ['Table', 'Rows'], numericColumns: [1], rows: [['public.orders', '5,000'], ['public.customers', '100']], note: '2 more left out.' })
      .code('select 1;', 'sql', 'Fix')
      .actions([{ id: 'explain_query', label: 'Show plan', payload: '{"sql":"select 1"}', style: 'primary' }])
      .context('How I know: `largest_tables`')
      .build();
    const { messages, images } = renderBlockKit(reply);
    expect(images).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toBe('*Bloat* in <orders> & co\n- first\n- second');
    expect(messages[0]!.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*Bloat* in &lt;orders&gt; &amp; co\n• first\n• second' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Size*\n1.2 GB' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '*Tables*' } },
      { type: 'section', text: { type: 'mrkdwn', text: '```Table              Rows\n----------------  -----\npublic.orders     5,000\npublic.customers    100```' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '2 more left out.' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '*Fix*' } },
      { type: 'section', text: { type: 'mrkdwn', text: '```select 1;```' } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Show plan' }, action_id: 'pgdba:explain_query:0', value: '{"sql":"select 1"}', style: 'primary' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'How I know: `largest_tables`' }] },
    ]);
  });

  it('splits a text longer than 3000 characters over several sections, at line breaks', () => {
    const line = `${'x'.repeat(99)}\n`;
    const { messages } = renderBlockKit(new ReplyBuilder().text(line.repeat(70)).build());
    const sections = messages[0]!.blocks as { text: { text: string } }[];
    expect(sections.length).toBe(3);
    for (const section of sections) expect(section.text.text.length).toBeLessThanOrEqual(slackLimits.textChars);
    expect(sections.map((s) => s.text.text).join('\n')).toBe(line.repeat(70));
  });

  it('splits more than 50 blocks into several messages and cuts beyond four messages with a note', () => {
    const many = new ReplyBuilder();
    for (let i = 0; i < 120; i += 1) many.text(`finding ${i}`);
    const three = renderBlockKit(many.build()).messages;
    expect(three.map((m) => m.blocks.length)).toEqual([50, 50, 20]);
    expect(three[1]!.text).toContain('(continued)');

    const huge = new ReplyBuilder();
    for (let i = 0; i < 300; i += 1) huge.text(`finding ${i}`);
    const cut = renderBlockKit(huge.build()).messages;
    expect(cut).toHaveLength(4);
    expect(cut.every((m) => m.blocks.length <= 50)).toBe(true);
    expect(texts(cut[3]!.blocks).at(-1)).toContain('Reply truncated: 101 more blocks were left out (Slack limits).');
  });

  it('keeps a long table under the text limit per block and cuts overlong cells', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`table_${i}`, 'y'.repeat(100)]);
    const { messages } = renderBlockKit(new ReplyBuilder().table({ columns: ['Table', 'Comment'], rows }).build());
    const blocks = messages.flatMap((m) => m.blocks) as { text: { text: string } }[];
    expect(blocks.length).toBeGreaterThan(1);
    for (const block of blocks) expect(block.text.text.length).toBeLessThanOrEqual(slackLimits.textChars);
    expect(blocks[0]!.text.text).toContain(`${'y'.repeat(59)}…`);
  });

  it('returns images apart, for upload, and keeps user mentions live while escaping other markup', () => {
    const png = Buffer.from('png');
    const { messages, images } = renderBlockKit(
      new ReplyBuilder().text('<@U123ABC> asked; <!channel> is not pinged').image({ png, title: 'Chart', alt: 'a chart', fileName: 'c.png' }).build(),
    );
    expect(images).toEqual([{ type: 'image', png, title: 'Chart', alt: 'a chart', fileName: 'c.png' }]);
    expect(messages[0]!.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '<@U123ABC> asked; &lt;!channel&gt; is not pinged' } }]);
  });

  it('leaves out a button whose payload is too large for Slack, saying so', () => {
    const { messages } = renderBlockKit(new ReplyBuilder().actions([{ id: 'x', label: 'Too big', payload: 'p'.repeat(2001) }]).build());
    expect(texts(messages[0]!.blocks)).toEqual([JSON.stringify({ type: 'context', elements: [{ type: 'mrkdwn', text: '_Buttons left out (their data is too large for Slack): Too big._' }] })]);
  });
});
