/**
 * The gateway transport: a discord.js client that answers when the bot is mentioned (reading the
 * message text needs the privileged Message Content intent), analyses log files attached to such
 * a message, and also answers /dba commands and button clicks when Discord delivers interactions
 * over the gateway (no interactions endpoint URL configured in the developer portal).
 */
import { Client, Events, GatewayIntentBits, Partials, type ButtonInteraction, type ChatInputCommandInteraction, type Message } from 'discord.js';
import { logger } from '../../bot/logger.js';
import type { Progress } from '../../tools/reply.js';
import { EditThrottle } from '../edit-throttle.js';
import { answerDbaCommand } from './dba-command.js';
import { decodeActionId } from './discord-action-ids.js';
import { progressText, type DiscordConversation, type DiscordIdentity } from './discord-conversation.js';
import { discordMessageBody } from './discord-message-body.js';
import { interactionTokenMs } from './interaction-message.js';

export interface GatewayClientOptions {
  token: string;
  /** REST base (DISCORD_API_URL); the gateway URL itself comes from GET /gateway/bot. */
  apiUrl?: string | undefined;
  conversation: DiscordConversation;
  /** Milliseconds between progress edits of one message (default 1500; tests shorten it). */
  progressIntervalMs?: number;
  /** How long an interaction token is used before edits go through the bot token (default 14.5 min). */
  tokenLifetimeMs?: number;
}

export class DiscordGatewayClient {
  readonly client: Client;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: GatewayClientOptions) {
    this.client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
      // DM channels are not cached before their first message arrives.
      partials: [Partials.Channel],
      ...(options.apiUrl ? { rest: { api: options.apiUrl } } : {}),
    });
    this.client.on(Events.MessageCreate, (message) => this.track(this.answerMention(message)));
    this.client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isButton()) this.track(this.answerClick(interaction));
      else if (interaction.isChatInputCommand() && interaction.commandName === 'dba') this.track(this.answerCommand(interaction));
    });
    this.client.on(Events.Error, (error) => logger.error('discord: gateway error', error));
  }

  /** Logs in and resolves once the gateway session is ready. */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.options.token);
    await ready;
  }

  async stop(): Promise<void> {
    await this.idle();
    await this.client.destroy();
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => logger.error('discord: a gateway event could not be answered', error)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async answerMention(message: Message): Promise<void> {
    const me = this.client.user;
    if (!me || message.author.bot) return;
    const direct = message.guildId === null;
    if (!direct && !message.mentions.users.has(me.id)) return;
    const question = message.content.replace(new RegExp(`<@!?${me.id}>`, 'g'), '').trim();
    const conversation = this.options.conversation;
    const logs = [...message.attachments.values()].map((file) => ({ name: file.name, url: file.url, size: file.size }));
    const user: DiscordIdentity = {
      platform: 'discord',
      userId: message.author.id,
      roleIds: message.member ? [...message.member.roles.cache.keys()].filter((id) => id !== message.guildId) : [],
      ...(message.guildId ? { guildId: message.guildId } : {}),
      userName: message.author.username,
    };
    const request = { channelId: message.channelId, user };
    const answer = logs.length > 0 ? await conversation.analyzeLogs(logs, request) : await conversation.ask(question || 'help', request);
    const { body, files } = discordMessageBody(answer.reply);
    await message.reply({
      ...(body.content ? { content: String(body.content) } : {}),
      embeds: body.embeds as never,
      components: body.components as never,
      files: files.map((file) => ({ attachment: file.data as Buffer, name: file.name })),
      allowedMentions: { parse: [], repliedUser: false },
    });
  }

  private async answerCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    await interaction.deferReply();
    const edits = this.progressEdits((content) => interaction.editReply({ content }));
    const progress = (update: Progress) => edits.push(progressText(update));
    const options: Record<string, unknown> = {};
    for (const option of interaction.options.data[0]?.options ?? []) options[option.name] = option.value;
    const file = interaction.options.getAttachment('file', false);
    const reply = await answerDbaCommand(
      this.options.conversation,
      {
        subcommand: interaction.options.getSubcommand(false) ?? undefined,
        options,
        attachment: file ? { name: file.name, url: file.url, size: file.size } : undefined,
        channelId: interaction.channelId,
        user: gatewayIdentity(interaction),
      },
      progress,
    );
    await edits.close();
    await interaction.editReply(editOptions(reply));
  }

  /** Paced progress edits of one message; close() before the final edit so it lands last. */
  private progressEdits(edit: (content: string) => Promise<unknown>): EditThrottle<string> {
    return new EditThrottle(async (content) => {
      await edit(content).catch((error: unknown) => logger.error('discord: could not edit the message with progress', error));
    }, this.options.progressIntervalMs ?? 1500);
  }

  private async answerClick(interaction: ButtonInteraction): Promise<void> {
    const action = decodeActionId(interaction.customId);
    if (!action) {
      await interaction.reply({ content: 'This button is no longer known to pgdba. Ask again to get fresh buttons.', ephemeral: true });
      return;
    }
    await interaction.deferUpdate();
    const user = gatewayIdentity(interaction);
    // The interaction token lasts 15 minutes; a long index build's later edits use the bot token.
    const expiresAt = Date.now() + (this.options.tokenLifetimeMs ?? interactionTokenMs);
    const editClicked = (options: ReturnType<typeof editOptions> | { content: string; components: []; allowedMentions: { parse: [] } }) =>
      Date.now() < expiresAt ? interaction.editReply(options) : interaction.message.edit(options);
    // As over HTTP: progress on the clicked message, its buttons removed meanwhile; then the result.
    const edits = this.progressEdits((content) => editClicked({ content, components: [], allowedMentions: { parse: [] } }));
    const progress = (update: Progress) => edits.push(progressText(update, user.userName ?? 'working'));
    const reply = await this.options.conversation.click({ actionId: action.id, payload: action.payload, user, progress });
    await edits.close();
    await editClicked(editOptions(reply));
  }
}

function gatewayIdentity(interaction: ButtonInteraction | ChatInputCommandInteraction): DiscordIdentity {
  const member = interaction.member;
  // As in HTTP interactions, @everyone (whose id is the guild id) is not listed.
  const roleIds = (!member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()]).filter((id) => id !== interaction.guildId);
  return {
    platform: 'discord',
    userId: interaction.user.id,
    roleIds,
    ...(interaction.guildId ? { guildId: interaction.guildId } : {}),
    userName: interaction.user.username,
  };
}

function editOptions(reply: Parameters<typeof discordMessageBody>[0]) {
  const { body, files } = discordMessageBody(reply);
  return {
    content: String(body.content ?? ''),
    embeds: body.embeds as never,
    components: body.components as never,
    files: files.map((file) => ({ attachment: file.data as Buffer, name: file.name })),
    attachments: [],
  };
}
