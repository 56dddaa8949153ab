/**
 * Posts a neutral Reply into a Slack thread: Block Kit messages (split within limits) and PNG
 * images uploaded with files.uploadV2 into the same thread. Every failure is logged with its
 * context (channel, thread, what was being sent) instead of vanishing; the Web API client
 * itself retries 429s (honouring Retry-After) and transient errors first.
 */
import type { webApi } from '@slack/bolt';
import { logger } from '../../bot/logger.js';
import type { Reply } from '../../tools/reply.js';
import { renderBlockKit, type KnownBlock, type SlackMessage } from './block-kit.js';

type WebClient = webApi.WebClient;

export interface SlackThread {
  channel: string;
  /** Parent message of the thread; undefined posts at the top of the channel. */
  threadTs?: string | undefined;
}

/** The conversation a thread's messages belong to (history key for the agent). */
export function slackConversationId(thread: SlackThread): string {
  return `slack:${thread.channel}:${thread.threadTs ?? 'main'}`;
}

export class SlackReplier {
  constructor(private readonly client: WebClient) {}

  /** Posts the reply in the thread; returns the ts of the first message posted. */
  async post(thread: SlackThread, reply: Reply, what: string): Promise<string | undefined> {
    const rendered = renderBlockKit(reply);
    let firstTs: string | undefined;
    for (const message of rendered.messages) {
      const ts = await this.postMessage(thread, message, what);
      firstTs ??= ts;
    }
    await this.uploadImages(thread, rendered.images, what);
    return firstTs;
  }

  /**
   * Replaces message `ts` with the reply's first message (progress → answer, button → result);
   * the rest of the reply follows in the thread.
   */
  async replace(thread: SlackThread, ts: string, reply: Reply, what: string, keepBlocks: KnownBlock[] = []): Promise<void> {
    const rendered = renderBlockKit(reply);
    const [first, ...rest] = rendered.messages;
    const blocks = [...keepBlocks, ...(first?.blocks ?? [])].slice(0, 50);
    await this.update(thread.channel, ts, { text: first?.text ?? 'pgdba', blocks }, what);
    for (const message of rest) await this.postMessage(thread, message, what);
    await this.uploadImages(thread, rendered.images, what);
  }

  async postText(thread: SlackThread, text: string, what: string): Promise<string | undefined> {
    return this.postMessage(thread, { text, blocks: [] }, what);
  }

  async update(channel: string, ts: string, message: SlackMessage, what: string): Promise<void> {
    try {
      await this.client.chat.update({ channel, ts, text: message.text, ...(message.blocks.length > 0 ? { blocks: message.blocks } : { blocks: [] }) });
    } catch (error) {
      logger.error(`slack: could not update message ${ts} in ${channel} (${what})`, error);
    }
  }

  private async postMessage(thread: SlackThread, message: SlackMessage, what: string): Promise<string | undefined> {
    try {
      const result = await this.client.chat.postMessage({
        channel: thread.channel,
        text: message.text,
        ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}),
        ...(thread.threadTs ? { thread_ts: thread.threadTs } : {}),
        unfurl_links: false,
      });
      return result.ts;
    } catch (error) {
      logger.error(`slack: could not post the reply to ${thread.channel}${thread.threadTs ? ` thread ${thread.threadTs}` : ''} (${what})`, error);
      return undefined;
    }
  }

  async uploadImages(thread: SlackThread, images: { png: Buffer; title: string; alt: string; fileName: string }[], what: string): Promise<void> {
    for (const image of images) {
      try {
        const file = { file: image.png, filename: image.fileName, title: image.title, alt_text: image.alt };
        await this.client.files.uploadV2(
          thread.threadTs ? { ...file, channel_id: thread.channel, thread_ts: thread.threadTs } : { ...file, channel_id: thread.channel },
        );
      } catch (error) {
        logger.error(`slack: could not upload ${image.fileName} to ${thread.channel} (${what})`, error);
      }
    }
  }
}
