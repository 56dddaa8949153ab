/**
 * The Discord adapter of `pgdba serve`: the HTTP interactions endpoint when DISCORD_PUBLIC_KEY is
 * set, and the gateway client when DISCORD_BOT_TOKEN is set and DISCORD_GATEWAY is not "off".
 * Both answer through one DiscordConversation, so they behave the same.
 */
import { REST, type RESTOptions } from 'discord.js';
import type { Assistant } from '../../bot/agent/assistant.js';
import type { Config } from '../../config.js';
import type { Adapter, AdapterRoute } from '../adapter.js';
import { DiscordConversation, type DiscordActionHandler, type LogAttachment } from './discord-conversation.js';
import { DiscordGatewayClient } from './gateway-client.js';
import { DiscordInteractionsEndpoint } from './interactions-endpoint.js';

export const discordInteractionsPath = '/discord/interactions';

export interface DiscordAdapterOptions {
  assistant: Assistant;
  config: Config;
  /** Routes button clicks (e.g. approvals); by default Assistant.handleAction runs the tool named by the action id. */
  onAction?: DiscordActionHandler;
  /** Replaces the attachment download (tests); the default fetches the attachment URL. */
  download?: (attachment: LogAttachment) => Promise<Buffer>;
  /** Milliseconds between progress edits of one message (default 1500; tests shorten it). */
  progressIntervalMs?: number;
  /** How long an interaction token is used before edits of a clicked message use the bot token (default 14.5 min). */
  tokenLifetimeMs?: number;
}

export class DiscordAdapter implements Adapter {
  readonly name = 'discord';
  readonly transport: string;
  readonly routes: readonly AdapterRoute[];
  readonly interactions: DiscordInteractionsEndpoint | undefined;
  readonly gateway: DiscordGatewayClient | undefined;

  constructor(options: DiscordAdapterOptions) {
    const { config } = options;
    const conversation = new DiscordConversation({
      assistant: options.assistant,
      uploadMaxBytes: config.PGDBA_UPLOAD_MAX_BYTES,
      ...(options.onAction ? { onAction: options.onAction } : {}),
      ...(options.download ? { download: options.download } : {}),
    });
    // Interaction webhooks need no bot token and are exempt from Discord's global 50 requests/s
    // limit, which @discordjs/rest would otherwise apply client-side and queue answers behind.
    // Node's own fetch, not @discordjs/rest's default undici `request`: that resolves to the
    // hoisted undici 7, which does not recognise Node's global FormData and intermittently failed
    // image uploads ("action is not a function") under concurrent load.
    const interactionRest = new REST({
      version: '10',
      globalRequestsPerSecond: 10_000,
      makeRequest: fetch as unknown as RESTOptions['makeRequest'],
      ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}),
    });
    const timing = {
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      ...(options.tokenLifetimeMs !== undefined ? { tokenLifetimeMs: options.tokenLifetimeMs } : {}),
    };
    // With a bot token, a clicked message can still be edited once its interaction token expired.
    const botRest = config.DISCORD_BOT_TOKEN
      ? new REST({ version: '10', makeRequest: fetch as unknown as RESTOptions['makeRequest'], ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}) }).setToken(config.DISCORD_BOT_TOKEN)
      : undefined;
    this.interactions = config.DISCORD_PUBLIC_KEY
      ? new DiscordInteractionsEndpoint({ publicKey: config.DISCORD_PUBLIC_KEY, rest: interactionRest, conversation, botRest, ...timing })
      : undefined;
    this.gateway =
      config.DISCORD_BOT_TOKEN && config.DISCORD_GATEWAY !== 'off'
        ? new DiscordGatewayClient({ token: config.DISCORD_BOT_TOKEN, apiUrl: config.DISCORD_API_URL, conversation, ...timing })
        : undefined;
    if (!this.interactions && !this.gateway) {
      throw new Error(
        'Discord is not configured: set DISCORD_PUBLIC_KEY (HTTP interactions at /discord/interactions) and/or DISCORD_BOT_TOKEN (gateway; DISCORD_GATEWAY=off disables it).',
      );
    }
    this.routes = this.interactions ? [{ method: 'POST', path: discordInteractionsPath, handle: this.interactions.handle }] : [];
    this.transport = [this.interactions ? 'http-interactions' : '', this.gateway ? 'gateway' : ''].filter(Boolean).join('+');
  }

  async start(): Promise<void> {
    await this.gateway?.start();
  }

  async stop(): Promise<void> {
    await this.interactions?.idle();
    await this.gateway?.stop();
  }
}

/** True when the configuration asks for Discord (so `pgdba serve` mounts this adapter). */
export function discordConfigured(config: Config): boolean {
  return Boolean(config.DISCORD_PUBLIC_KEY || (config.DISCORD_BOT_TOKEN && config.DISCORD_GATEWAY !== 'off'));
}

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  return new DiscordAdapter(options);
}
