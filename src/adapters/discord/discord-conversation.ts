/**
 * What a Discord user can ask, in bot words: a question, a log file, a query to explain, a health
 * report, or a button click. Both transports (HTTP interactions and the gateway) go through this
 * one place, so they answer identically; it knows nothing of how the answer travels back.
 */
import type { Assistant } from '../../bot/agent/assistant.js';
import type { AskOptions, BotAnswer } from '../../bot/bot.js';
import type { Asker } from '../../tools/tool.js';
import { formatCount } from '../../tools/format.js';
import { ReplyBuilder, type Progress, type Reply } from '../../tools/reply.js';

/** Who clicked or asked, as PGDBA_APPROVERS names them: "discord:<user id>", "discord:role:<role id>". */
export interface DiscordIdentity {
  platform: 'discord';
  userId: string;
  /** Role ids of the member in the guild (empty in DMs). */
  roleIds: string[];
  guildId?: string;
  userName?: string;
}

export interface DiscordActionClick {
  actionId: string;
  payload: string;
  user: DiscordIdentity;
  /** Edits the clicked message while the action runs (an approved change's progress and retries). */
  progress?: ((progress: Progress) => void) | undefined;
}

/** Answers a button click with the reply that replaces the message the button was on (approvals plug in here). */
export type DiscordActionHandler = (click: DiscordActionClick) => Promise<Reply>;

/** Where a request comes from: the channel (conversation), the person, and a progress sink. */
export interface DiscordRequest {
  channelId?: string | undefined;
  user?: DiscordIdentity | undefined;
  progress?: ((progress: Progress) => void) | undefined;
}

/** The identity as tools and approvals know it ("discord", user id, role ids). */
export function discordAsker(identity: DiscordIdentity): Asker {
  return { platform: 'discord', id: identity.userId, roles: identity.roleIds, ...(identity.userName ? { name: identity.userName } : {}) };
}

function askOptions(request: DiscordRequest): AskOptions {
  return { ...(request.user ? { user: discordAsker(request.user) } : {}), ...(request.progress ? { progress: request.progress } : {}) };
}

export interface LogAttachment {
  name: string;
  url: string;
  size?: number;
}

export interface DiscordConversationOptions {
  assistant: Assistant;
  /** Largest log file accepted (PGDBA_UPLOAD_MAX_BYTES). */
  uploadMaxBytes: number;
  /** Routes button clicks (approvals); by default Assistant.handleAction runs the tool named by the action id. */
  onAction?: DiscordActionHandler;
  /** Downloads an attachment; the default uses fetch (Discord CDN URLs need no token). */
  download?: (attachment: LogAttachment) => Promise<Buffer>;
}

export class DiscordConversation {
  constructor(private readonly options: DiscordConversationOptions) {}

  /** A question in a channel; the channel is the conversation whose history the agent sees. */
  ask(question: string, request: DiscordRequest = {}): Promise<BotAnswer> {
    return this.options.assistant.ask({ question, ...(request.channelId ? { conversationId: `discord:${request.channelId}` } : {}), ...askOptions(request) });
  }

  explain(sql: string, request: DiscordRequest = {}): Promise<BotAnswer> {
    return this.options.assistant.runTool('explain_query', { sql }, askOptions(request));
  }

  health(request: DiscordRequest = {}): Promise<BotAnswer> {
    return this.options.assistant.runTool('health_report', {}, askOptions(request));
  }

  /** Downloads the log files and hands them to the analyze_log tool as base64 uploads. */
  async analyzeLogs(attachments: LogAttachment[], request: DiscordRequest = {}): Promise<BotAnswer> {
    const uploads: { name: string; contentBase64: string }[] = [];
    for (const attachment of attachments) {
      if (attachment.size !== undefined && attachment.size > this.options.uploadMaxBytes) {
        return refusal(`${attachment.name} is ${attachment.size} bytes, more than the ${this.options.uploadMaxBytes} bytes allowed (PGDBA_UPLOAD_MAX_BYTES). Compress it (.gz) or analyse it with \`pgdba logs analyze\`.`);
      }
      let content: Buffer;
      try {
        content = await (this.options.download ?? ((file) => downloadAttachment(file, this.options.uploadMaxBytes)))(attachment);
      } catch (error) {
        return refusal(`I could not download ${attachment.name}: ${error instanceof Error ? error.message : String(error)}. Attach it again.`);
      }
      uploads.push({ name: attachment.name, contentBase64: content.toString('base64') });
    }
    return this.options.assistant.runTool('analyze_log', { uploads }, askOptions(request));
  }

  async click(click: DiscordActionClick): Promise<Reply> {
    if (this.options.onAction) return this.options.onAction(click);
    return (await this.options.assistant.handleAction({ id: click.actionId, payload: click.payload }, { user: discordAsker(click.user), ...(click.progress ? { progress: click.progress } : {}) })).reply;
  }
}

async function downloadAttachment(attachment: LogAttachment, maxBytes: number): Promise<Buffer> {
  const response = await fetch(attachment.url);
  if (!response.ok) throw new Error(`the file host answered HTTP ${response.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > maxBytes) throw new Error(`it is larger than ${maxBytes} bytes (PGDBA_UPLOAD_MAX_BYTES)`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

function refusal(message: string): BotAnswer {
  return { ok: false, reply: new ReplyBuilder().text(message).build(), error: { kind: 'bad-input', message } };
}

/** "⏳ CREATE INDEX: building index: scanning table — 45 % (1,234 of 2,700 blocks)…" */
export function progressText(progress: Progress, who?: string): string {
  const amount = progress.total
    ? ` — ${Math.min(100, Math.round((progress.done / progress.total) * 100))} % (${formatCount(progress.done)} of ${formatCount(progress.total)}${progress.unit ? ` ${progress.unit}` : ''})`
    : '';
  return `⏳ ${who ? `${who}: ` : ''}${progress.stage}${amount}…`;
}
