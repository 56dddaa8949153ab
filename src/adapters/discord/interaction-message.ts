/**
 * The message of one interaction, edited through the interaction webhook
 * (PATCH /webhooks/{application}/{token}/messages/@original, no bot token needed): the deferred
 * reply of a command, or, for a button click deferred as an update, the message the button is
 * on. Progress edits are paced (one per 1.5 s, the latest wins) and queued before the final
 * answer, so the answer always lands last.
 */
import { Routes, type REST } from 'discord.js';
import { logger } from '../../bot/logger.js';
import type { Reply } from '../../tools/reply.js';
import { EditThrottle } from '../edit-throttle.js';
import { discordMessageBody } from './discord-message-body.js';

const progressEveryMs = 1500;

type Body = ReturnType<typeof discordMessageBody>;

export class InteractionMessage {
  private queue: Promise<void> = Promise.resolve();
  private readonly edits: EditThrottle<Body>;

  constructor(
    private readonly rest: REST,
    private readonly applicationId: string,
    private readonly token: string,
    progressIntervalMs = progressEveryMs,
  ) {
    this.edits = new EditThrottle((body) => this.edit(body, 'progress'), progressIntervalMs);
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
    const route = Routes.webhookMessage(this.applicationId, this.token, '@original');
    this.queue = this.queue.then(async () => {
      try {
        await this.rest.patch(route, { auth: false, body: message.body, files: message.files });
      } catch (error) {
        logger.error(`discord: could not edit the interaction message (${what})`, error);
      }
    });
    return this.queue;
  }
}
