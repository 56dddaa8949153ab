/**
 * The deferred message of one interaction, edited through the interaction webhook
 * (PATCH /webhooks/{application}/{token}/messages/@original, no bot token needed). Progress
 * edits are throttled and every edit is queued, so the final answer always lands last.
 */
import { Routes, type REST } from 'discord.js';
import { logger } from '../../bot/logger.js';
import type { Reply } from '../../tools/reply.js';
import { discordMessageBody } from './discord-message-body.js';

const progressEveryMs = 1500;

export class InteractionMessage {
  private queue: Promise<void> = Promise.resolve();
  private lastProgressAt = 0;
  private finished = false;

  constructor(
    private readonly rest: REST,
    private readonly applicationId: string,
    private readonly token: string,
  ) {}

  progress(text: string): void {
    const now = Date.now();
    if (this.finished || now - this.lastProgressAt < progressEveryMs) return;
    this.lastProgressAt = now;
    this.enqueue({ body: { content: text }, files: [] }, 'progress');
  }

  /** Replaces the message with the reply (embeds, buttons and images). */
  async finish(reply: Reply): Promise<void> {
    this.finished = true;
    this.enqueue(discordMessageBody(reply), 'answer');
    await this.queue;
  }

  private enqueue(message: ReturnType<typeof discordMessageBody>, what: string): void {
    const route = Routes.webhookMessage(this.applicationId, this.token, '@original');
    this.queue = this.queue.then(async () => {
      try {
        await this.rest.patch(route, { auth: false, body: message.body, files: message.files });
      } catch (error) {
        logger.error(`discord: could not edit the interaction message (${what})`, error);
      }
    });
  }
}
