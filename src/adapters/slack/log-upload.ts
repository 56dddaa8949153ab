/**
 * A PostgreSQL log shared in Slack: downloaded with the bot token (streamed to a temporary
 * file, refused above the size limit), analysed by the `analyze_log` tool, answered in the
 * thread, with one progress message edited while it runs and replaced by the answer at the end.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Assistant } from '../../bot/agent/assistant.js';
import { logger } from '../../bot/logger.js';
import { formatBytes } from '../../tools/format.js';
import { textReply, type Reply } from '../../tools/reply.js';
import { describeProgress, ProgressMessage } from './progress-message.js';
import { slackConversationId, type SlackReplier, type SlackThread } from './slack-replier.js';

/** The fields of a Slack file object pgdba reads. */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
}

const logFileName = /\.(log|csv|json|gz)(\.\d+)?$|\.log\.\d+$/i;

/** Whether a shared file looks like a PostgreSQL log pgdba can read (.log, .csv, .json, .gz). */
export function isLogFile(file: SlackFile): boolean {
  return logFileName.test(file.name ?? '');
}

export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`larger than ${formatBytes(limit)}`);
    this.name = 'UploadTooLargeError';
  }
}

export interface LogUploadOptions {
  assistant: Assistant;
  replier: SlackReplier;
  botToken: string;
  maxBytes: number;
  progressIntervalMs?: number;
}

export class LogUploadHandler {
  /** File ids already taken care of: the same upload arrives as file_shared and as a message. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: LogUploadOptions) {}

  /** True the first time a file id is claimed (within an hour); later claims are duplicates. */
  claim(fileId: string): boolean {
    const now = Date.now();
    for (const [id, at] of this.seen) if (now - at > 3_600_000) this.seen.delete(id);
    if (this.seen.has(fileId)) return false;
    this.seen.set(fileId, now);
    return true;
  }

  async handle(file: SlackFile, thread: SlackThread): Promise<void> {
    const name = safeName(file.name ?? file.title ?? file.id);
    const what = `log upload ${name}`;
    const { replier, maxBytes } = this.options;
    if (file.size !== undefined && file.size > maxBytes) {
      await replier.post(thread, textReply(tooLargeText(name, file.size, maxBytes)), what);
      return;
    }
    const url = file.url_private_download ?? file.url_private;
    if (!url) {
      await replier.post(thread, textReply(`I cannot download *${name}*: Slack gave no download link (the app needs the files:read scope).`), what);
      return;
    }
    const progress = new ProgressMessage(replier, thread, what, this.options.progressIntervalMs);
    await progress.start(`Downloading *${name}*${file.size ? ` (${formatBytes(file.size)})` : ''}…`);
    const folder = await mkdtemp(join(tmpdir(), 'pgdba-upload-'));
    try {
      const path = join(folder, name);
      const bytes = await this.download(url, path, (done) => progress.report(describeProgress(name, { stage: 'downloading', done, total: file.size ?? 0, unit: 'bytes' })));
      progress.report(`Analysing *${name}* (${formatBytes(bytes)})…`);
      const answer = await this.options.assistant.runTool('analyze_log', { paths: [path] }, {
        // The adapter saved this file itself: the one case where a chat request may name a local path.
        allowLocalFiles: true,
        progress: (p) => progress.report(describeProgress(name, p)),
      }, { conversationId: slackConversationId(thread), question: `Analyse the uploaded log ${name}` });
      await this.finish(progress, thread, answer.reply, what);
    } catch (error) {
      const text = error instanceof UploadTooLargeError ? tooLargeText(name, undefined, maxBytes) : `I could not read *${name}*: ${(error as Error).message}`;
      if (!(error instanceof UploadTooLargeError)) logger.error(`slack: ${what} failed`, error);
      await this.finish(progress, thread, textReply(text), what);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  private async finish(progress: ProgressMessage, thread: SlackThread, reply: Reply, what: string): Promise<void> {
    await progress.settle();
    if (progress.messageTs) await this.options.replier.replace(thread, progress.messageTs, reply, what);
    else await this.options.replier.post(thread, reply, what);
  }

  /** Streams the file to `path`, stopping as soon as it passes the size limit. */
  private async download(url: string, path: string, onBytes: (done: number) => void): Promise<number> {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${this.options.botToken}` } });
    if (!response.ok || !response.body) throw new Error(`Slack answered HTTP ${response.status} to the download`);
    if ((response.headers.get('content-type') ?? '').includes('text/html')) {
      await response.body.cancel();
      throw new Error('Slack returned a web page instead of the file (the app needs the files:read scope)');
    }
    const limit = this.options.maxBytes;
    let done = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        done += chunk.length;
        if (done > limit) callback(new UploadTooLargeError(limit));
        else {
          onBytes(done);
          callback(null, chunk);
        }
      },
    });
    await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), counter, createWriteStream(path));
    return done;
  }
}

function tooLargeText(name: string, size: number | undefined, limit: number): string {
  return (
    `*${name}*${size ? ` is ${formatBytes(size)};` : ' is too large:'} I analyse uploads up to ${formatBytes(limit)} (PGDBA_UPLOAD_MAX_BYTES). ` +
    'Upload it compressed (.gz), a shorter time window, or run `pgdba logs analyze FILE` where the log lives.'
  );
}

/** A file name safe to create in our temporary folder (no path parts from the uploader). */
function safeName(name: string): string {
  const base = basename(name).replace(/[^\w.-]+/g, '_').slice(-120);
  return base === '' || base.startsWith('.') ? `upload${base}` : base;
}
