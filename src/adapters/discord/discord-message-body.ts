/**
 * A rendered reply as the JSON body and files of a Discord create/edit message request. The
 * `attachments` list replaces the message's previous files, so an edited message keeps only
 * the new answer's images.
 */
import type { RawFile } from 'discord.js';
import type { Reply } from '../../tools/reply.js';
import { renderDiscordMessage } from './discord-message.js';

export interface DiscordMessageBody {
  body: Record<string, unknown>;
  files: RawFile[];
}

export function discordMessageBody(reply: Reply): DiscordMessageBody {
  const message = renderDiscordMessage(reply);
  return {
    body: {
      // Discord refuses a message with neither content nor embeds.
      content: message.embeds.length === 0 && message.files.length === 0 ? 'Done.' : '',
      embeds: message.embeds,
      components: message.components,
      attachments: message.files.map((file, index) => ({ id: index, filename: file.name })),
      allowed_mentions: { parse: [] },
    },
    files: message.files.map((file, index) => ({ key: `files[${index}]`, name: file.name, data: file.data, contentType: file.contentType })),
  };
}
