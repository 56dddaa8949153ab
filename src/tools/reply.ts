/**
 * The platform-neutral reply: an ordered list of blocks that every adapter renders in its own
 * format (Block Kit, Discord embeds, Adaptive Cards, HTML, terminal text). Tools and the bot
 * build replies; only adapters know platforms.
 */

export interface TextBlock {
  type: 'text';
  /** A small markdown subset: *bold*, _italic_, `code`, bullet lines starting with "- ". */
  text: string;
}

export interface FieldsBlock {
  type: 'fields';
  fields: { label: string; value: string }[];
}

export interface TableBlock {
  type: 'table';
  title?: string;
  columns: string[];
  rows: string[][];
  /** Columns aligned right (numbers); the rest align left. */
  numericColumns?: number[];
  /** Shown under the table when rows were left out. */
  note?: string;
}

export interface CodeBlock {
  type: 'code';
  language: 'sql' | 'text' | 'json';
  code: string;
  title?: string;
}

export interface ImageBlock {
  type: 'image';
  png: Buffer;
  title: string;
  alt: string;
  /** File name used when the image is uploaded or written to disk, e.g. "largest-tables.png". */
  fileName: string;
}

export interface ReplyAction {
  /** Stable identifier of what the button does, e.g. "explain", "approve". */
  id: string;
  label: string;
  style?: 'primary' | 'danger';
  /** Opaque data handed back to the bot when the button is clicked. */
  payload: string;
}

export interface ActionsBlock {
  type: 'actions';
  actions: ReplyAction[];
}

export interface ContextBlock {
  type: 'context';
  text: string;
}

export type ReplyBlock = TextBlock | FieldsBlock | TableBlock | CodeBlock | ImageBlock | ActionsBlock | ContextBlock;

export interface Reply {
  blocks: ReplyBlock[];
}

/** Progress of long work (parsing a big log, building an index), shown by editing one message. */
export interface Progress {
  stage: string;
  done: number;
  total?: number;
  unit?: string;
}

/** Small builder so tools read as a description of the answer rather than object plumbing. */
export class ReplyBuilder {
  private readonly blocks: ReplyBlock[] = [];

  text(text: string): this {
    this.blocks.push({ type: 'text', text });
    return this;
  }

  fields(fields: { label: string; value: string }[]): this {
    this.blocks.push({ type: 'fields', fields });
    return this;
  }

  table(table: Omit<TableBlock, 'type'>): this {
    this.blocks.push({ type: 'table', ...table });
    return this;
  }

  code(code: string, language: CodeBlock['language'] = 'sql', title?: string): this {
    this.blocks.push({ type: 'code', language, code, ...(title ? { title } : {}) });
    return this;
  }

  image(image: Omit<ImageBlock, 'type'>): this {
    this.blocks.push({ type: 'image', ...image });
    return this;
  }

  actions(actions: ReplyAction[]): this {
    if (actions.length > 0) this.blocks.push({ type: 'actions', actions });
    return this;
  }

  context(text: string): this {
    this.blocks.push({ type: 'context', text });
    return this;
  }

  build(): Reply {
    return { blocks: [...this.blocks] };
  }
}

export function textReply(text: string): Reply {
  return { blocks: [{ type: 'text', text }] };
}
