/**
 * Renders a Reply for a terminal: aligned tables, indented code, and images written to a
 * folder with their path printed (a terminal cannot show a PNG).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Reply, ReplyBlock, TableBlock } from '../../tools/reply.js';

export interface TextRenderOptions {
  /** Folder for images; created on demand. */
  imageDir: string;
}

export async function renderReplyAsText(reply: Reply, options: TextRenderOptions): Promise<string> {
  const parts: string[] = [];
  for (const block of reply.blocks) parts.push(await renderBlock(block, options));
  return parts.filter((part) => part !== '').join('\n\n');
}

async function renderBlock(block: ReplyBlock, options: TextRenderOptions): Promise<string> {
  switch (block.type) {
    case 'text':
      return block.text.replace(/\*([^*\n]+)\*/g, '$1').replace(/_([^_\n]+)_/g, '$1');
    case 'context':
      return `(${block.text})`;
    case 'fields': {
      const width = Math.max(...block.fields.map((field) => field.label.length));
      return block.fields.map((field) => `${field.label.padEnd(width)}  ${field.value}`).join('\n');
    }
    case 'table':
      return renderTable(block);
    case 'code':
      return `${block.title ? `${block.title}:\n` : ''}${block.code.split('\n').map((line) => `    ${line}`).join('\n')}`;
    case 'image': {
      await mkdir(options.imageDir, { recursive: true });
      const path = resolve(join(options.imageDir, block.fileName));
      await writeFile(path, block.png);
      return `[chart] ${block.title}: ${path}`;
    }
    case 'actions':
      return block.actions.map((action) => `[${action.label}]`).join(' ');
  }
}

export function renderTable(table: TableBlock): string {
  const numeric = new Set(table.numericColumns ?? []);
  const widths = table.columns.map((column, i) => Math.max(column.length, ...table.rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [table.title ?? '', line(table.columns), rule, ...table.rows.map(line), table.note ? `(${table.note})` : '']
    .filter((part) => part !== '')
    .join('\n');
}

/** The reply as JSON, with images replaced by the file they were written to. */
export async function replyAsJson(reply: Reply, options: TextRenderOptions): Promise<unknown[]> {
  const blocks: unknown[] = [];
  for (const block of reply.blocks) {
    if (block.type !== 'image') {
      blocks.push(block);
      continue;
    }
    await mkdir(options.imageDir, { recursive: true });
    const path = resolve(join(options.imageDir, block.fileName));
    await writeFile(path, block.png);
    blocks.push({ type: 'image', title: block.title, alt: block.alt, file: path, bytes: block.png.length });
  }
  return blocks;
}
