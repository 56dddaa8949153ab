/**
 * The local web chat: a page at `/` and three JSON endpoints over the same bot and Reply model
 * as every other adapter. Answers stream as NDJSON (progress lines, then the reply).
 *
 * It is meant for one machine: bound to loopback it needs no login; bound elsewhere it requires
 * a token (PGDBA_WEB_TOKEN), sent as `Authorization: Bearer …` (the page takes it from `?token=`).
 */
import { timingSafeEqual } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Assistant } from '../../bot/agent/assistant.js';
import type { BotAnswer } from '../../bot/bot.js';
import { logger } from '../../bot/logger.js';
import type { Adapter, AdapterRoute } from '../adapter.js';
import { readJsonBody, RequestError, saveUpload, sendError, startNdjson } from './http-io.js';
import { webChatPage } from './page.js';
import { toWebBlocks } from './web-reply.js';

export interface WebChatOptions {
  assistant: Assistant;
  /** Required when the server listens beyond loopback. */
  token?: string | undefined;
  uploadMaxBytes: number;
}

export function createWebChatAdapter(options: WebChatOptions): Adapter {
  const { assistant } = options;

  const authorised = (request: IncomingMessage): boolean => {
    if (!options.token) return true;
    const given = Buffer.from((request.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
    const expected = Buffer.from(options.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  // Every endpoint answers in the same way: check the token, stream progress, then the reply.
  const endpoint =
    (work: (request: IncomingMessage, progress: (line: unknown) => void) => Promise<BotAnswer>) =>
    async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      if (!authorised(request)) return sendError(response, 401, 'This pgdba web chat needs its access token: open the page with ?token=… (PGDBA_WEB_TOKEN).');
      try {
        let write: ((line: unknown) => void) | undefined;
        const progress = (line: unknown) => {
          write ??= startNdjson(response);
          write(line);
        };
        const answer = await work(request, progress);
        write ??= startNdjson(response);
        write({ ok: answer.ok, tool: answer.tool ?? null, blocks: toWebBlocks(answer.reply) });
        response.end();
      } catch (error) {
        if (error instanceof RequestError) return sendError(response, error.status, error.message);
        logger.error('web chat request failed', error);
        sendError(response, 500, 'pgdba could not answer this request; the error was logged.');
      }
    };

  const routes: AdapterRoute[] = [
    {
      method: 'GET',
      path: '/',
      handle: (_request, response) => {
        response.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
          'x-content-type-options': 'nosniff',
        });
        response.end(webChatPage);
      },
    },
    {
      method: 'POST',
      path: '/web/ask',
      handle: endpoint(async (request, progress) => {
        const body = await readJsonBody(request);
        if (typeof body.question !== 'string' || body.question.trim() === '') throw new RequestError(400, 'Send {"question": "…"}.');
        // One page, one conversation: the page sends its id so the agent sees the history.
        const page = pageId(body);
        return assistant.ask({ question: body.question, ...(page ? { conversationId: `web:${page}`, user: webUser(page) } : {}), progress: (p) => progress({ progress: p }) });
      }),
    },
    {
      method: 'POST',
      path: '/web/action',
      handle: endpoint(async (request, progress) => {
        const body = await readJsonBody(request);
        if (typeof body.id !== 'string' || typeof body.payload !== 'string') throw new RequestError(400, 'Send {"id": "…", "payload": "…"}.');
        const page = pageId(body);
        return assistant.handleAction({ id: body.id, payload: body.payload }, { ...(page ? { user: webUser(page) } : {}), progress: (p) => progress({ progress: p }) });
      }),
    },
    {
      method: 'POST',
      path: '/web/upload',
      handle: endpoint(async (request, progress) => {
        const fileName = decodeURIComponent(String(request.headers['x-file-name'] ?? 'upload.log'));
        const path = await saveUpload(request, fileName, options.uploadMaxBytes);
        try {
          progress({ progress: { stage: `Analysing ${fileName}`, done: 0 } });
          return await assistant.runTool('analyze_log', { paths: [path] }, { allowLocalFiles: true, progress: (p) => progress({ progress: p }) });
        } finally {
          await rm(dirname(path), { recursive: true, force: true });
        }
      }),
    },
  ];

  return {
    name: 'web',
    transport: 'http',
    routes,
    async start() {},
    async stop() {},
  };
}

function pageId(body: Record<string, unknown>): string | undefined {
  return typeof body.conversation === 'string' && /^[\w-]{1,64}$/.test(body.conversation) ? body.conversation : undefined;
}

/**
 * The web chat has no login: each open page is one identity ("web:<page id>"), so four-eyes
 * means a second page (a colleague's browser, with the token). List approvers as web:<id>.
 */
function webUser(page: string): { platform: string; id: string; name: string } {
  return { platform: 'web', id: page, name: `web page ${page.slice(0, 8)}` };
}
