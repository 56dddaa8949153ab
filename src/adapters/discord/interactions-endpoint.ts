/**
 * The HTTP interactions endpoint (`POST /discord/interactions`): verifies the signature, answers
 * PING, and defers every command and button click at once (Discord allows 3 seconds), then does
 * the work and edits the deferred message through the interaction webhook. Commands get their
 * answer in the deferred message; button clicks replace the message the button was on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { REST } from 'discord.js';
import type { APIInteraction, APIApplicationCommandInteractionDataOption, APIAttachment } from 'discord-api-types/v10';
import { logger } from '../../bot/logger.js';
import { textReply, type Progress } from '../../tools/reply.js';
import { decodeActionId } from './discord-action-ids.js';
import { answerDbaCommand } from './dba-command.js';
import { progressText, type DiscordConversation, type DiscordIdentity, type LogAttachment } from './discord-conversation.js';
import { InteractionMessage, type InteractionMessageOptions } from './interaction-message.js';
import { discordPublicKey, isValidInteractionSignature } from './interaction-signature.js';
import { readBoundedBody } from '../request-body.js';

/** Interaction and response type numbers from the Discord API. */
const interactionType = { ping: 1, command: 2, component: 3, autocomplete: 4 } as const;
const responseType = { pong: 1, message: 4, deferredMessage: 5, deferredUpdate: 6, autocompleteResult: 8 } as const;
/** Slash command bodies are small; anything bigger is not from Discord. */
const maxBodyBytes = 1024 * 1024;

export interface InteractionsEndpointOptions {
  publicKey: string;
  rest: REST;
  conversation: DiscordConversation;
  /** Milliseconds between progress edits of one message (default 1500; tests shorten it). */
  progressIntervalMs?: number;
  /** REST with the bot token (DISCORD_BOT_TOKEN), for edits after the interaction token expired. */
  botRest?: REST | undefined;
  /** How long an interaction token is used (default 14.5 min; tests shorten it). */
  tokenLifetimeMs?: number;
}

export class DiscordInteractionsEndpoint {
  private readonly key: KeyObject;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: InteractionsEndpointOptions) {
    this.key = discordPublicKey(options.publicKey);
  }

  /** Route handler for POST /discord/interactions. */
  readonly handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let body: Buffer;
    try {
      body = await readBoundedBody(request, maxBodyBytes);
    } catch {
      return send(response, 413, { error: 'request body too large' });
    }
    const signature = header(request, 'x-signature-ed25519');
    const timestamp = header(request, 'x-signature-timestamp');
    if (!isValidInteractionSignature(this.key, signature, timestamp, body)) {
      return send(response, 401, { error: 'invalid request signature' });
    }
    let interaction: APIInteraction;
    try {
      interaction = JSON.parse(body.toString('utf8')) as APIInteraction;
    } catch {
      return send(response, 400, { error: 'body is not JSON' });
    }
    switch (interaction.type) {
      case interactionType.ping:
        return send(response, 200, { type: responseType.pong });
      case interactionType.command:
        send(response, 200, { type: responseType.deferredMessage });
        return this.track(this.answerCommand(interaction));
      case interactionType.component: {
        const action = decodeActionId(interaction.data.custom_id);
        if (!action) {
          return send(response, 200, {
            type: responseType.message,
            data: { content: 'This button is no longer known to pgdba (it restarted since). Ask again to get fresh buttons.', flags: 64 },
          });
        }
        send(response, 200, { type: responseType.deferredUpdate });
        return this.track(this.answerClick(interaction, action));
      }
      case interactionType.autocomplete:
        return send(response, 200, { type: responseType.autocompleteResult, data: { choices: [] } });
      default:
        return send(response, 400, { error: 'unsupported interaction type' });
    }
  };

  /** Resolves when every deferred answer has been delivered (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => logger.error('discord: an interaction could not be answered', error)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async answerCommand(interaction: Extract<APIInteraction, { type: 2 }>): Promise<void> {
    const message = this.message(interaction);
    const progress = (update: Progress) => message.progress(progressText(update));
    const data = interaction.data;
    if (data.name !== 'dba' || !('options' in data)) {
      return message.finish(textReply('pgdba only knows the /dba command. Try `/dba ask question: help`.'));
    }
    const subcommand = data.options?.[0];
    const options = subcommandOptions(subcommand);
    const resolved = 'resolved' in data ? (data.resolved as { attachments?: Record<string, APIAttachment> } | undefined) : undefined;
    const attachment = resolved?.attachments?.[String(options.file ?? '')];
    const reply = await answerDbaCommand(
      this.options.conversation,
      { subcommand: subcommand?.name, options, attachment: attachment ? toLogAttachment(attachment) : undefined, channelId: interaction.channel?.id ?? interaction.channel_id, user: identityOf(interaction) },
      progress,
    );
    await message.finish(reply);
  }

  private async answerClick(interaction: Extract<APIInteraction, { type: 3 }>, action: { id: string; payload: string }): Promise<void> {
    const clicked = interaction.message as { id?: string; channel_id?: string } | undefined;
    const channelId = clicked?.channel_id ?? interaction.channel?.id ?? interaction.channel_id;
    const message = this.message(interaction, this.options.botRest && clicked?.id && channelId ? { rest: this.options.botRest, channelId, messageId: clicked.id } : undefined);
    const user = identityOf(interaction);
    // The clicked message shows the action's progress (an approved change building its index,
    // lock-timeout retries) with its buttons removed, then the result replaces it.
    const progress = (update: Progress) => message.progress(progressText(update, user.userName ?? 'working'), { clearButtons: true });
    const reply = await this.options.conversation.click({ actionId: action.id, payload: action.payload, user, progress });
    await message.finish(reply);
  }

  private message(interaction: { application_id: string; token: string }, fallback?: InteractionMessageOptions['fallback']): InteractionMessage {
    return new InteractionMessage(this.options.rest, interaction.application_id, interaction.token, {
      ...(this.options.progressIntervalMs !== undefined ? { progressIntervalMs: this.options.progressIntervalMs } : {}),
      ...(this.options.tokenLifetimeMs !== undefined ? { tokenLifetimeMs: this.options.tokenLifetimeMs } : {}),
      fallback,
    });
  }
}

/** Who sent an interaction: the member in a guild (with role ids), the user in a DM. */
function identityOf(interaction: APIInteraction): DiscordIdentity {
  const user = interaction.member?.user ?? interaction.user;
  return {
    platform: 'discord',
    userId: user?.id ?? 'unknown',
    roleIds: interaction.member?.roles ?? [],
    ...(interaction.guild_id ? { guildId: interaction.guild_id } : {}),
    ...(user?.username ? { userName: user.username } : {}),
  };
}

function subcommandOptions(subcommand: APIApplicationCommandInteractionDataOption | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (subcommand && 'options' in subcommand) {
    for (const option of subcommand.options ?? []) if ('value' in option) values[option.name] = option.value;
  }
  return values;
}

export function toLogAttachment(attachment: { filename: string; url: string; size?: number }): LogAttachment {
  return { name: attachment.filename, url: attachment.url, ...(attachment.size !== undefined ? { size: attachment.size } : {}) };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
