/**
 * Renders the neutral Reply as Slack Block Kit within Slack's limits: at most 50 blocks per
 * message and 3000 characters per text. Long text and tables are split over several blocks,
 * blocks over several messages, and whatever still does not fit is cut with a note saying so.
 * Images are returned apart: Slack shows them by file upload into the thread.
 */
import type { types } from '@slack/bolt';
import type { ImageBlock, Reply, ReplyBlock, TableBlock } from '../../tools/reply.js';

export type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;
type Button = types.Button;
type SlackActionsBlock = types.ActionsBlock;

export const slackLimits = {
  blocksPerMessage: 50,
  textChars: 3000,
  fieldsPerSection: 10,
  fieldChars: 2000,
  buttonsPerActions: 25,
  buttonLabelChars: 75,
  buttonValueChars: 2000,
  /** More messages than this for one reply is noise: the rest is cut with a note. */
  messagesPerReply: 4,
  tableCellChars: 60,
} as const;

export interface SlackMessage {
  /** Notification / fallback text. */
  text: string;
  blocks: KnownBlock[];
}

export interface SlackRendering {
  messages: SlackMessage[];
  images: ImageBlock[];
}

/** Action ids carry the neutral action id after this prefix, so one listener handles them all. */
export const actionIdPrefix = 'pgdba:';

export function renderBlockKit(reply: Reply): SlackRendering {
  const images: ImageBlock[] = [];
  const blocks: KnownBlock[] = [];
  let actionCount = 0;
  for (const block of reply.blocks) {
    if (block.type === 'image') {
      images.push(block);
      continue;
    }
    if (block.type === 'actions') {
      const rendered = renderActions(block.actions, actionCount);
      actionCount += block.actions.length;
      blocks.push(...rendered);
      continue;
    }
    blocks.push(...renderBlock(block));
  }
  return { messages: splitIntoMessages(blocks, fallbackText(reply)), images };
}

/** Plain text of a reply for notifications and screen readers. */
export function fallbackText(reply: Reply): string {
  const first = reply.blocks.find((block) => block.type === 'text');
  const text = first?.type === 'text' ? first.text : 'pgdba answer';
  return cut(text, 300).text;
}

/** Escapes the three characters Slack's mrkdwn reserves for links and mentions. */
export function escapeMrkdwn(text: string): string {
  // User mentions (<@U123>) stay live; everything else that looks like markup, such as <!channel>, is shown as text.
  return text
    .replace(/&/g, '&amp;')
    .replace(/<(?!@[UW][A-Z0-9]+>)/g, '&lt;')
    .replace(/(?<!<@[UW][A-Z0-9]+)>/g, '&gt;');
}

function renderBlock(block: Exclude<ReplyBlock, { type: 'image' | 'actions' }>): KnownBlock[] {
  switch (block.type) {
    case 'text':
      return chunkText(escapeMrkdwn(block.text).replace(/^- /gm, '• '), slackLimits.textChars).map(section);
    case 'context':
      return [{ type: 'context', elements: [{ type: 'mrkdwn', text: cut(escapeMrkdwn(block.text), slackLimits.textChars).text }] }];
    case 'fields':
      return renderFields(block.fields);
    case 'table':
      return renderTable(block);
    case 'code': {
      const title = block.title ? [section(`*${escapeMrkdwn(cut(block.title, 200).text)}*`)] : [];
      return [...title, ...preformatted(escapeMrkdwn(block.code))];
    }
  }
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function renderFields(fields: { label: string; value: string }[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < fields.length; i += slackLimits.fieldsPerSection) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + slackLimits.fieldsPerSection).map((field) => ({
        type: 'mrkdwn' as const,
        text: cut(`*${escapeMrkdwn(field.label)}*\n${escapeMrkdwn(field.value)}`, slackLimits.fieldChars).text,
      })),
    });
  }
  return blocks;
}

/** Tables become aligned monospace text: it survives every Slack client, mobile included. */
function renderTable(table: TableBlock): KnownBlock[] {
  const numeric = new Set(table.numericColumns ?? []);
  const cell = (value: string | undefined) => cut(value ?? '', slackLimits.tableCellChars).text;
  const rows = [table.columns.map(cell), ...table.rows.map((row) => table.columns.map((_, i) => cell(row[i])))];
  const widths = table.columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((value, i) => (numeric.has(i) ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join('  ').trimEnd();
  const text = [line(rows[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
  const blocks: KnownBlock[] = [];
  if (table.title) blocks.push(section(`*${escapeMrkdwn(table.title)}*`));
  blocks.push(...preformatted(escapeMrkdwn(text)));
  if (table.note) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(escapeMrkdwn(table.note), slackLimits.textChars).text }] });
  return blocks;
}

function preformatted(text: string): KnownBlock[] {
  // Six characters of fences per block.
  return chunkText(text, slackLimits.textChars - 8).map((chunk) => section('```' + chunk + '```'));
}

function renderActions(actions: { id: string; label: string; style?: 'primary' | 'danger'; payload: string }[], offset: number): KnownBlock[] {
  const buttons: Button[] = [];
  const dropped: string[] = [];
  actions.forEach((action, i) => {
    if (action.payload.length > slackLimits.buttonValueChars) {
      dropped.push(action.label);
      return;
    }
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: cut(action.label, slackLimits.buttonLabelChars).text },
      // The index keeps action ids unique within a message, as Slack requires.
      action_id: `${actionIdPrefix}${action.id}:${offset + i}`,
      value: action.payload,
      ...(action.style ? { style: action.style } : {}),
    });
  });
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < buttons.length; i += slackLimits.buttonsPerActions) {
    blocks.push({ type: 'actions', elements: buttons.slice(i, i + slackLimits.buttonsPerActions) } satisfies SlackActionsBlock);
  }
  if (dropped.length > 0) blocks.push(note(`Buttons left out (their data is too large for Slack): ${dropped.join(', ')}.`));
  return blocks;
}

function note(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `_${text}_` }] };
}

function splitIntoMessages(blocks: KnownBlock[], text: string): SlackMessage[] {
  const perMessage = slackLimits.blocksPerMessage;
  const capacity = perMessage * slackLimits.messagesPerReply - 1;
  const kept = blocks.length > capacity + 1 ? [...blocks.slice(0, capacity), note(`Reply truncated: ${blocks.length - capacity} more blocks were left out (Slack limits). Use \`pgdba\` on the command line for the full output.`)] : blocks;
  const messages: SlackMessage[] = [];
  for (let i = 0; i < kept.length; i += perMessage) messages.push({ text: i === 0 ? text : `${text} (continued)`, blocks: kept.slice(i, i + perMessage) });
  if (messages.length === 0) messages.push({ text, blocks: [section(escapeMrkdwn(text))] });
  return messages;
}

/** Splits text at line breaks where possible, never past `limit` characters per chunk. */
export function chunkText(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let at = rest.lastIndexOf('\n', limit);
    if (at < limit / 2) at = limit;
    chunks.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}

function cut(text: string, limit: number): { text: string; cut: boolean } {
  return text.length <= limit ? { text, cut: false } : { text: `${text.slice(0, limit - 1)}…`, cut: true };
}
