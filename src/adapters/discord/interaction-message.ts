/**
 * The message of one interaction, edited through the interaction webhook
 * (PATCH /webhooks/{application}/{token}/messages/@original, no bot token needed): the deferred
 * reply of a command, or, for a button click deferred as an update, the message the button is
 * on. Progress edits are paced (one per 1.5 s, the latest wins) and queued before the final
 * answer, so the answer always lands last. The token lasts 15 minutes; a clicked message is
 * edited with the bot token after that, when there is one.
 */
import { Routes, type REST } from 'discord.js';
import { logger } from '../../bot/logger.js';
import type { Reply } from '../../tools/reply.js';
import { EditThrottle } from '../edit-throttle.js';
import { discordMessageBody } from './discord-message-body.js';

const progressEveryMs = 1500;
/** Interaction tokens are valid for 15 minutes; switch a little before that. */
export const interactionTokenMs = 14.5 * 60_000;

type Body = ReturnType<typeof discordMessageBody>;

export interface InteractionMessageOptions {
  progressIntervalMs?: number;
  /** How long the interaction token may be used (default 14.5 min; tests shorten it). */
  tokenLifetimeMs?: number;
  /**
   * The message a button was on, edited with the bot token once the interaction token has
   * expired (an index build can outlast it); without it, late edits are tried and logged.
   */
  fallback?: { rest: REST; channelId: string; messageId: string } | undefined;
}

export class InteractionMessage {
  private queue: Promise<void> = Promise.resolve();
  private readonly edits: EditThrottle<Body>;
  private readonly expiresAt: number;

  constructor(
    private readonly rest: REST,
    private readonly applicationId: string,
    private readonly token: string,
    private readonly options: InteractionMessageOptions = {},
  ) {
    this.edits = new EditThrottle((body) => this.edit(body, 'progress'), options.progressIntervalMs ?? progressEveryMs);
    this.expiresAt = Date.now() + (options.tokenLifetimeMs ?? interactionTokenMs);
  }

  /**
   * Shows a progress line. With `clearButtons` (a clicked card whose action is running) the
   * buttons are removed meanwhile, so nobody clicks again; the embeds stay as they were.
   */
  progress(text: string, options: { clearButtons?: boolean } = {}): void {
    this.edits.push({ body: { content: text, allowed_mentions: { parse: [] }, ...(options.clearButtons ? { components: [] } : {}) }, files: [] });
  }

  /** Replaces the message with the reply (embeds, buttons and images). */
  async finish(reply: Reply): Promise<void> {
    await this.edits.close();
    await this.edit(discordMessageBody(reply), 'answer');
  }

  private edit(message: Body, what: string): Promise<void> {
    this.queue = this.queue.then(async () => {
      const fallback = Date.now() >= this.expiresAt ? this.options.fallback : undefined;
      try {
        if (fallback) {
          await fallback.rest.patch(Routes.channelMessage(fallback.channelId, fallback.messageId), { body: message.body, files: message.files });
        } else {
          await this.rest.patch(Routes.webhookMessage(this.applicationId, this.token, '@original'), { auth: false, body: message.body, files: message.files });
        }
      } catch (error) {
        logger.error(`discord: could not edit the ${fallback ? 'message with the bot token' : 'interaction message'} (${what})`, error);
      }
    });
    return this.queue;
  }
}
