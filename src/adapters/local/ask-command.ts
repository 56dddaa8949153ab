/**
 * `pgdba ask "question"`: one question through the bot, the answer on stdout as text or JSON.
 */
import type { BotAnswer } from '../../bot/bot.js';
import { renderReplyAsText, replyAsJson } from './text-reply.js';

export type AskFormat = 'text' | 'json';

export async function formatAnswer(answer: BotAnswer, format: AskFormat, imageDir: string): Promise<string> {
  if (format === 'text') return renderReplyAsText(answer.reply, { imageDir });
  const json = {
    ok: answer.ok,
    tool: answer.tool ?? null,
    data: answer.data ?? null,
    ...(answer.error ? { error: answer.error } : {}),
    reply: await replyAsJson(answer.reply, { imageDir }),
  };
  return JSON.stringify(json, null, 2);
}
