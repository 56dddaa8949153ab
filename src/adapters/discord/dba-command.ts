/**
 * Answers the `/dba` application command (ask, logs, explain, health) the same way whichever
 * transport delivered it (HTTP interactions or the gateway).
 */
import { textReply, type Progress, type Reply } from '../../tools/reply.js';
import type { DiscordConversation, DiscordIdentity, LogAttachment } from './discord-conversation.js';

export interface DbaCommand {
  subcommand: string | undefined;
  /** Option values by name (the `file` option is resolved into `attachment`). */
  options: Record<string, unknown>;
  attachment?: LogAttachment | undefined;
  channelId?: string | undefined;
  user?: DiscordIdentity | undefined;
}

export async function answerDbaCommand(conversation: DiscordConversation, command: DbaCommand, progress?: (progress: Progress) => void): Promise<Reply> {
  const request = { channelId: command.channelId, user: command.user, progress };
  switch (command.subcommand) {
    case 'ask':
      return (await conversation.ask(String(command.options.question ?? 'help'), request)).reply;
    case 'explain': {
      const sql = String(command.options.sql ?? '').trim();
      if (!sql) return textReply('Give the query to explain: `/dba explain sql: select …`.');
      return (await conversation.explain(sql, request)).reply;
    }
    case 'health':
      return (await conversation.health(request)).reply;
    case 'logs':
      if (!command.attachment) return textReply('Attach a PostgreSQL log file to `/dba logs file:` (plain, .gz, csvlog or jsonlog).');
      return (await conversation.analyzeLogs([command.attachment], request)).reply;
    default:
      return textReply(`Unknown subcommand "${command.subcommand ?? ''}". Use /dba ask, /dba logs, /dba explain or /dba health.`);
  }
}
