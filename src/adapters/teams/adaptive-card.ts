/**
 * Renders the neutral Reply as one Adaptive Card (schema 1.5, what Teams renders): TextBlocks,
 * FactSets, a Table for tables, a CodeBlock (monospace TextBlock fallback) for SQL, images as
 * PNG data URLs and Action.Execute buttons (Universal Actions, with an Action.Submit fallback
 * for older clients) whose data carries the neutral action back. Teams refuses messages over
 * ~28 KB of card JSON plus images, so tables are cut to a row budget, images shrunk, and
 * anything past the budget is replaced by a note.
 */
import sharp from 'sharp';
import type { ImageBlock, Reply, ReplyAction, TableBlock } from '../../tools/reply.js';

export const teamsLimits = {
  /** Approximate bytes of card JSON Teams accepts in one message (its limit is ~28 KB with some overhead). */
  cardBytes: 26_000,
  tableRows: 25,
  tableCellChars: 60,
  codeChars: 3000,
  actionsPerSet: 5,
  imageWidth: 560,
} as const;

export const adaptiveCardContentType = 'application/vnd.microsoft.card.adaptive';

/** The key under which Action.Execute / Action.Submit data carries the neutral action. */
export const submitDataKey = 'pgdba';

/** Verb of the card's `refresh` action: pgdba answers it with the card's current state, never by running anything. */
export const refreshVerb = 'pgdba.refresh';
const refreshDataKey = 'pgdbaRefresh';

/** What a card's `refresh` action carries: the change request whose current state the card shows. */
export interface CardRefresh {
  requestId: string;
}

export interface SubmittedAction {
  id: string;
  payload: string;
}

export type CardElement = Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: CardElement[];
  msteams: { width: 'Full' };
  /** Universal Actions refresh: Teams asks for the current card when someone views it. */
  refresh?: { action: CardElement };
}

export interface TeamsRendering {
  /** The answer card (the one buttons update). */
  card: AdaptiveCard;
  /** Charts too big to travel inside the answer card, one card each, sent after it. */
  imageCards: AdaptiveCard[];
}

export interface RenderOptions {
  /** Adds the card's `refresh` (Universal Actions) so viewers get its current state. */
  refresh?: CardRefresh;
}

export async function renderAdaptiveCards(reply: Reply, options: RenderOptions = {}): Promise<TeamsRendering> {
  const body: CardElement[] = [];
  let used = 400;
  let leftOut = 0;
  const add = (element: CardElement): boolean => {
    const size = JSON.stringify(element).length;
    if (used + size > teamsLimits.cardBytes) {
      leftOut += 1;
      return false;
    }
    used += size;
    body.push(element);
    return true;
  };
  // Images go last in the budget: text and tables matter more than a picture of them.
  const images: ImageBlock[] = [];
  const placeholders = new Map<ImageBlock, number>();
  for (const block of reply.blocks) {
    switch (block.type) {
      case 'text':
        add({ type: 'TextBlock', text: toCardMarkdown(block.text), wrap: true });
        break;
      case 'fields':
        add({ type: 'FactSet', facts: block.fields.map((field) => ({ title: field.label, value: toCardMarkdown(field.value) })) });
        break;
      case 'table':
        if (block.title) add({ type: 'TextBlock', text: block.title, weight: 'Bolder', wrap: true });
        add(renderTable(block));
        if (block.note) add({ type: 'TextBlock', text: block.note, isSubtle: true, size: 'Small', wrap: true });
        break;
      case 'code':
        if (block.title) add({ type: 'TextBlock', text: block.title, weight: 'Bolder', wrap: true });
        add(renderCode(block.code, block.language));
        break;
      case 'image':
        images.push(block);
        placeholders.set(block, body.length);
        body.push({ type: 'Container', items: [] });
        break;
      case 'actions':
        for (let start = 0; start < block.actions.length; start += teamsLimits.actionsPerSet) {
          add({ type: 'ActionSet', actions: block.actions.slice(start, start + teamsLimits.actionsPerSet).map(renderAction) });
        }
        break;
      case 'context':
        add({ type: 'TextBlock', text: toCardMarkdown(block.text), isSubtle: true, size: 'Small', wrap: true });
        break;
    }
  }
  const imageCards: AdaptiveCard[] = [];
  for (const image of images) {
    const index = placeholders.get(image)!;
    const url = await pngDataUrl(image.png, teamsLimits.imageWidth);
    const element = { type: 'Image', url, altText: image.alt, size: 'Stretch' };
    if (used + url.length + 100 <= teamsLimits.cardBytes) {
      used += url.length + 100;
      body[index] = element;
      continue;
    }
    // Too big for the answer card: the chart follows in its own message, smaller if need be.
    body.splice(index, 1, { type: 'TextBlock', text: `(${image.title}: see the chart below.)`, isSubtle: true, size: 'Small', wrap: true });
    const smaller = url.length + 600 <= teamsLimits.cardBytes ? url : await pngDataUrl(image.png, teamsLimits.imageWidth / 2);
    if (smaller.length + 600 <= teamsLimits.cardBytes) {
      imageCards.push(card([{ type: 'TextBlock', text: image.title, weight: 'Bolder', wrap: true }, { type: 'Image', url: smaller, altText: image.alt, size: 'Stretch' }]));
    } else {
      body[index] = { type: 'TextBlock', text: `(${image.title}: the chart is too large for Teams; ask with \`pgdba ask\` to get it as a file.)`, isSubtle: true, wrap: true };
    }
  }
  if (leftOut > 0) body.push({ type: 'TextBlock', text: `${leftOut} part(s) of this answer did not fit in a Teams card; ask with \`pgdba ask\` for the full report.`, isSubtle: true, size: 'Small', wrap: true });
  const answer = card(body);
  if (options.refresh) answer.refresh = { action: { type: 'Action.Execute', title: 'Refresh', verb: refreshVerb, data: { [refreshDataKey]: options.refresh.requestId } } };
  return { card: answer, imageCards };
}

/** A card with one line of text, for notices and progress. */
export function textCard(lines: { text: string; subtle?: boolean }[]): AdaptiveCard {
  return card(lines.map((line) => ({ type: 'TextBlock', text: toCardMarkdown(line.text), wrap: true, ...(line.subtle ? { isSubtle: true, size: 'Small' } : {}) })));
}

function card(body: CardElement[]): AdaptiveCard {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, msteams: { width: 'Full' } };
}


/** The neutral action behind submitted card data (Action.Submit value or Action.Execute data), if it came from a pgdba button. */
export function submittedAction(value: unknown): SubmittedAction | undefined {
  const data = (value as Record<string, unknown> | undefined)?.[submitDataKey] as { id?: unknown; payload?: unknown } | undefined;
  if (typeof data?.id !== 'string' || typeof data.payload !== 'string') return undefined;
  return { id: data.id, payload: data.payload };
}

/** The change request a refresh action asks about. */
export function refreshedRequest(data: unknown): CardRefresh | undefined {
  const requestId = (data as Record<string, unknown> | undefined)?.[refreshDataKey];
  return typeof requestId === 'string' && requestId !== '' ? { requestId } : undefined;
}

/** Adaptive Card markdown wants **bold**; the reply's subset writes *bold*. */
export function toCardMarkdown(text: string): string {
  return text.replace(/(^|[\s(])\*(?!\s)([^*\n]+?)\*(?=[\s).,:;!?]|$)/gm, '$1**$2**');
}

function renderTable(table: TableBlock): CardElement {
  const numeric = new Set(table.numericColumns ?? []);
  const cell = (text: string, index: number, header = false): CardElement => ({
    type: 'TableCell',
    items: [
      {
        type: 'TextBlock',
        text: cut(text, teamsLimits.tableCellChars),
        wrap: true,
        ...(header ? { weight: 'Bolder' } : {}),
        ...(numeric.has(index) ? { horizontalAlignment: 'Right' } : {}),
      },
    ],
  });
  const rows = table.rows.slice(0, teamsLimits.tableRows);
  return {
    type: 'Table',
    gridStyle: 'accent',
    firstRowAsHeader: true,
    columns: table.columns.map(() => ({ width: 1 })),
    rows: [
      { type: 'TableRow', cells: table.columns.map((column, index) => cell(column, index, true)) },
      ...rows.map((row) => ({ type: 'TableRow', cells: table.columns.map((_, index) => cell(row[index] ?? '', index)) })),
      ...(table.rows.length > rows.length
        ? [{ type: 'TableRow', cells: table.columns.map((_, index) => cell(index === 0 ? `… ${table.rows.length - rows.length} more rows` : '', index)) }]
        : []),
    ],
  };
}

function renderCode(code: string, language: string): CardElement {
  const text = code.length > teamsLimits.codeChars ? `${code.slice(0, teamsLimits.codeChars)}\n-- … cut (too long for a Teams card)` : code;
  return {
    // Teams' own element; other hosts fall back to a monospace TextBlock.
    type: 'CodeBlock',
    codeSnippet: text,
    language: language === 'sql' ? 'SQL' : language === 'json' ? 'JSON' : 'PlainText',
    fallback: { type: 'TextBlock', text, fontType: 'Monospace', wrap: true },
  };
}

/**
 * Action.Execute (Universal Actions): Teams sends an adaptiveCard/action invoke and shows the
 * card pgdba answers with. Clients without Universal Actions fall back to Action.Submit, whose
 * click arrives as a message carrying the same data.
 */
function renderAction(action: ReplyAction): CardElement {
  const style = action.style === 'primary' ? { style: 'positive' } : action.style === 'danger' ? { style: 'destructive' } : {};
  const data = { [submitDataKey]: { id: action.id, payload: action.payload } };
  return { type: 'Action.Execute', title: action.label, verb: action.id, data, ...style, fallback: { type: 'Action.Submit', title: action.label, data, ...style } };
}

/**
 * Shrunk charts by source PNG and width. Identical questions asked together share one tool run
 * and so one PNG buffer: the chart is then encoded once, not once per asker. A WeakMap, so an
 * entry lives only as long as the reply that holds the PNG.
 */
const shrunk = new WeakMap<Buffer, Map<number, Promise<string>>>();

/** Shrinks a chart to card width with a palette so it fits a message as a data URL. */
function pngDataUrl(png: Buffer, width: number): Promise<string> {
  let byWidth = shrunk.get(png);
  if (!byWidth) shrunk.set(png, (byWidth = new Map()));
  let url = byWidth.get(width);
  if (!url) byWidth.set(width, (url = encodePng(png, width)));
  return url;
}

async function encodePng(png: Buffer, width: number): Promise<string> {
  let small = png;
  try {
    // effort 1 and zlib level 6: half the CPU of the defaults for charts, within 1 % of the size.
    small = await sharp(png).resize({ width, withoutEnlargement: true }).png({ palette: true, compressionLevel: 6, effort: 1 }).toBuffer();
  } catch {
    // Not a PNG sharp can read: send it as it is.
  }
  return `data:image/png;base64,${(small.length < png.length ? small : png).toString('base64')}`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
