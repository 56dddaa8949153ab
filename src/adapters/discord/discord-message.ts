/**
 * Renders the neutral Reply as a Discord message body: embeds, button rows and image files,
 * within Discord's limits (10 embeds, 6000 characters over all embeds, 4096 per description,
 * 25 fields, 5 rows of 5 buttons, 100-character custom ids). Whatever does not fit is cut
 * with a note saying so rather than refused by the API.
 */
import type { APIActionRowComponent, APIButtonComponent, APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import type { Reply, ReplyAction, TableBlock } from '../../tools/reply.js';
import { encodeActionId } from './discord-action-ids.js';

export const discordLimits = {
  embedsPerMessage: 10,
  charsPerMessage: 6000,
  descriptionChars: 4096,
  fieldsPerEmbed: 25,
  fieldNameChars: 256,
  fieldValueChars: 1024,
  titleChars: 256,
  footerChars: 2048,
  rowsPerMessage: 5,
  buttonsPerRow: 5,
  buttonLabelChars: 80,
  tableCellChars: 40,
} as const;

/** Embed colour of pgdba answers (PostgreSQL blue). */
const pgdbaColour = 0x336791;

export interface DiscordFile {
  name: string;
  data: Buffer;
  contentType: string;
}

export interface DiscordMessage {
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  /** Images uploaded with the message; embeds refer to them as attachment://name. */
  files: DiscordFile[];
}

export function renderDiscordMessage(reply: Reply): DiscordMessage {
  const builder = new EmbedsBuilder();
  const files: DiscordFile[] = [];
  const actions: ReplyAction[] = [];
  for (const block of reply.blocks) {
    switch (block.type) {
      case 'text':
        builder.addText(toDiscordMarkdown(block.text));
        break;
      case 'fields':
        builder.addFields(block.fields);
        break;
      case 'table':
        builder.addText(renderTable(block));
        break;
      case 'code':
        builder.addText(`${block.title ? `**${block.title}**\n` : ''}${codeFence(block.code, block.language, discordLimits.descriptionChars - 100)}`);
        break;
      case 'image': {
        const name = uniqueFileName(block.fileName, files);
        files.push({ name, data: block.png, contentType: 'image/png' });
        builder.addImage(block.title, `attachment://${name}`);
        break;
      }
      case 'actions':
        actions.push(...block.actions);
        break;
      case 'context':
        builder.addFooter(block.text);
        break;
    }
  }
  const { rows, dropped } = renderButtons(actions);
  if (dropped > 0) builder.addFooter(`${dropped} more action(s) did not fit in Discord's 25 buttons.`);
  const embeds = builder.build();
  // Only attach files whose embeds survived the cut.
  const kept = new Set(embeds.map((embed) => embed.image?.url).filter(Boolean));
  return { embeds, components: rows, files: files.filter((file) => kept.has(`attachment://${file.name}`)) };
}

/** The reply's markdown subset uses *bold*; Discord's markdown wants **bold**. */
export function toDiscordMarkdown(text: string): string {
  return text.replace(/(^|[\s(])\*(?!\s)([^*\n]+?)\*(?=[\s).,:;!?]|$)/gm, '$1**$2**').replace(/^- /gm, '• ');
}

function renderTable(table: TableBlock): string {
  const cells = table.rows.map((row) => row.map((cell) => cut(cell.replace(/\s+/g, ' '), discordLimits.tableCellChars)));
  const headers = table.columns.map((column) => cut(column, discordLimits.tableCellChars));
  const widths = headers.map((header, index) => Math.max(header.length, ...cells.map((row) => (row[index] ?? '').length)));
  const numeric = new Set(table.numericColumns ?? []);
  const line = (row: string[]) =>
    widths.map((width, index) => (numeric.has(index) ? (row[index] ?? '').padStart(width) : (row[index] ?? '').padEnd(width))).join('  ').trimEnd();
  const title = table.title ? `**${table.title}**\n` : '';
  const budget = discordLimits.descriptionChars - title.length - 200;
  const lines = [line(headers), widths.map((width) => '-'.repeat(width)).join('  ')];
  let used = lines.join('\n').length;
  let shown = 0;
  for (const row of cells) {
    const rendered = line(row);
    if (used + rendered.length + 1 > budget) break;
    lines.push(rendered);
    used += rendered.length + 1;
    shown += 1;
  }
  const notes = [table.note, shown < cells.length ? `${cells.length - shown} more row(s) not shown (Discord message limit).` : undefined].filter(Boolean);
  return `${title}\`\`\`\n${lines.join('\n')}\n\`\`\`${notes.length > 0 ? `\n*${notes.join(' ')}*` : ''}`;
}

function codeFence(code: string, language: string, max: number): string {
  const fenceSafe = code.replace(/```/g, '`\u200b``');
  const body = fenceSafe.length > max ? `${fenceSafe.slice(0, max - 30)}\n-- … cut (too long for Discord)` : fenceSafe;
  return `\`\`\`${language === 'text' ? '' : language}\n${body}\n\`\`\``;
}

function renderButtons(actions: ReplyAction[]): { rows: APIActionRowComponent<APIButtonComponent>[]; dropped: number } {
  const max = discordLimits.rowsPerMessage * discordLimits.buttonsPerRow;
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  actions.slice(0, max).forEach((action, index) => {
    if (index % discordLimits.buttonsPerRow === 0) rows.push({ type: 1, components: [] });
    rows[rows.length - 1]!.components.push({
      type: 2,
      // 1 primary, 2 secondary, 4 danger.
      style: action.style === 'primary' ? 1 : action.style === 'danger' ? 4 : 2,
      label: cut(action.label, discordLimits.buttonLabelChars),
      custom_id: encodeActionId(action.id, action.payload),
    });
  });
  return { rows, dropped: Math.max(0, actions.length - max) };
}

function uniqueFileName(name: string, files: DiscordFile[]): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_') || 'image.png';
  if (!files.some((file) => file.name === safe)) return safe;
  return `${files.length + 1}-${safe}`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Fills embeds in order, opening a new one when a description or the field list is full, and
 * stops at 10 embeds or 6000 characters overall with a footer saying what was left out.
 */
class EmbedsBuilder {
  private readonly embeds: APIEmbed[] = [];
  private current: APIEmbed | undefined;
  private leftOut = 0;

  addText(text: string): void {
    let rest = text;
    while (rest.length > 0) {
      const embed = this.open();
      const existing = embed.description ? `${embed.description}\n\n` : '';
      const room = discordLimits.descriptionChars - existing.length;
      // A piece that fits a fresh embed is not split (code fences stay whole); longer text is.
      const fitsFresh = rest.length <= discordLimits.descriptionChars;
      if (existing && ((fitsFresh && rest.length > room) || room < 200)) {
        this.current = undefined;
        if (!this.canOpen()) return this.leave();
        continue;
      }
      const piece = rest.length <= room ? rest : splitAt(rest, room);
      embed.description = `${existing}${piece}`;
      rest = rest.slice(piece.length).replace(/^\n+/, '');
    }
  }

  addFields(fields: { label: string; value: string }[]): void {
    for (const field of fields) {
      let embed = this.open();
      if ((embed.fields?.length ?? 0) >= discordLimits.fieldsPerEmbed || embed.image) {
        this.current = undefined;
        if (!this.canOpen()) return this.leave();
        embed = this.open();
      }
      const rendered: APIEmbedField = {
        name: cut(field.label, discordLimits.fieldNameChars) || '\u200b',
        value: cut(toDiscordMarkdown(field.value), discordLimits.fieldValueChars) || '\u200b',
        inline: field.value.length <= 40,
      };
      (embed.fields ??= []).push(rendered);
    }
  }

  addImage(title: string, url: string): void {
    let embed = this.open();
    if (embed.image) {
      this.current = undefined;
      if (!this.canOpen()) return this.leave();
      embed = this.open();
    }
    embed.image = { url };
    if (!embed.title) embed.title = cut(title, discordLimits.titleChars);
    // Later text goes below the image, in a fresh embed.
    this.current = undefined;
  }

  addFooter(text: string): void {
    const embed = this.current ?? this.embeds[this.embeds.length - 1] ?? this.open();
    const existing = embed.footer?.text ? `${embed.footer.text}\n` : '';
    embed.footer = { text: cut(`${existing}${text}`, discordLimits.footerChars) };
  }

  build(): APIEmbed[] {
    const result: APIEmbed[] = [];
    let total = 0;
    for (const embed of this.embeds) {
      const size = embedChars(embed);
      if (total + size > discordLimits.charsPerMessage - 120) {
        this.leftOut += 1;
        continue;
      }
      total += size;
      result.push(embed);
    }
    if (this.leftOut > 0) {
      const last = result[result.length - 1] ?? { color: pgdbaColour };
      if (result.length === 0) result.push(last);
      const note = `Part of this answer (${this.leftOut} section(s)) did not fit in one Discord message; ask pgdba in the CLI for the full report.`;
      last.footer = { text: cut(last.footer?.text ? `${last.footer.text}\n${note}` : note, discordLimits.footerChars) };
    }
    return result;
  }

  private open(): APIEmbed {
    if (this.current) return this.current;
    this.current = { color: pgdbaColour };
    this.embeds.push(this.current);
    return this.current;
  }

  private canOpen(): boolean {
    return this.embeds.length < discordLimits.embedsPerMessage;
  }

  /** Out of embeds: count what is left out; build() adds the note. */
  private leave(): void {
    this.leftOut += 1;
    this.current = this.embeds[this.embeds.length - 1];
  }
}

function embedChars(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

/** Splits at the last line break before `max` so code fences and lines stay whole where possible. */
function splitAt(text: string, max: number): string {
  const breakAt = text.lastIndexOf('\n', max);
  return breakAt > max / 2 ? text.slice(0, breakAt) : text.slice(0, max);
}
