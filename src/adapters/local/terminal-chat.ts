/**
 * `pgdba chat`: a terminal conversation with the bot. Ctrl-C cancels the question being answered
 * (the statement is cancelled on the server); Ctrl-C at the prompt, Ctrl-D or "exit" leaves.
 */
import { createInterface } from 'node:readline/promises';
import type { Assistant } from '../../bot/agent/assistant.js';
import type { Asker } from '../../tools/tool.js';
import { renderReplyAsText } from './text-reply.js';

export interface TerminalChatOptions {
  imageDir: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Line printed before the first prompt, e.g. which database this is. */
  banner?: string;
  /** Who is typing (the local OS user); change requests are attributed to them. */
  user?: Asker;
}

export async function runTerminalChat(assistant: Assistant, options: TerminalChatOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const terminal = Boolean((output as { isTTY?: boolean }).isTTY);
  const lines = createInterface({ input, output, terminal, prompt: 'pgdba> ' });
  const write = (text: string) => output.write(`${text}\n`);

  let current: AbortController | undefined;
  lines.on('SIGINT', () => {
    if (current) {
      current.abort();
      write('\n(cancelling...)');
    } else {
      lines.close();
    }
  });

  if (options.banner) write(options.banner);
  write('Ask a question about your database, or type "help". "exit" leaves.\n');
  lines.prompt();
  for await (const line of lines) {
    const question = line.trim();
    if (question === 'exit' || question === 'quit') break;
    if (question !== '') {
      current = new AbortController();
      const answer = await assistant.ask({
        question,
        conversationId: 'terminal',
        signal: current.signal,
        allowLocalFiles: true,
        ...(options.user ? { user: options.user } : {}),
      });
      current = undefined;
      write(`${await renderReplyAsText(answer.reply, { imageDir: options.imageDir })}\n`);
    }
    lines.prompt();
  }
  lines.close();
}
