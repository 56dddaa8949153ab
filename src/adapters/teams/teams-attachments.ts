/**
 * Log files sent to the bot in Teams. Files shared in chats arrive as "file.download.info"
 * attachments whose downloadUrl is pre-authorised; other attachments (emulator, inline files)
 * have a contentUrl that needs the bot's token. The token is only ever sent to the conversation's
 * own service host, never to an arbitrary URL found in a message.
 */
import type { Attachment } from 'botbuilder';

export const teamsFileDownloadType = 'application/vnd.microsoft.teams.file.download.info';

export interface TeamsFile {
  name: string;
  url: string;
  /** True when the URL is on the Bot Framework service host and wants the bot token. */
  needsBotToken: boolean;
}

/** The attachments that are files (not the HTML copy of the message, not cards). */
export function filesIn(attachments: Attachment[] | undefined, serviceUrl: string | undefined): TeamsFile[] {
  const files: TeamsFile[] = [];
  for (const attachment of attachments ?? []) {
    if (attachment.contentType === teamsFileDownloadType) {
      const downloadUrl = (attachment.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
      if (typeof downloadUrl === 'string') files.push({ name: attachment.name ?? 'log', url: downloadUrl, needsBotToken: false });
      continue;
    }
    if (!attachment.contentUrl || attachment.contentType.startsWith('text/html') || attachment.contentType.startsWith('application/vnd.microsoft.card')) continue;
    files.push({ name: attachment.name ?? 'log', url: attachment.contentUrl, needsBotToken: sameOrigin(attachment.contentUrl, serviceUrl) });
  }
  return files;
}

export async function downloadTeamsFile(file: TeamsFile, maxBytes: number, botToken: string | undefined): Promise<Buffer> {
  const token = file.needsBotToken ? botToken : undefined;
  const response = await fetch(file.url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (!response.ok) throw new Error(`the file host answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new Error(`it is ${declared} bytes, more than the ${maxBytes} allowed (PGDBA_UPLOAD_MAX_BYTES)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > maxBytes) throw new Error(`it is larger than the ${maxBytes} bytes allowed (PGDBA_UPLOAD_MAX_BYTES)`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

function sameOrigin(url: string, serviceUrl: string | undefined): boolean {
  if (!serviceUrl || !URL.canParse(url) || !URL.canParse(serviceUrl)) return false;
  return new URL(url).origin === new URL(serviceUrl).origin;
}
