/**
 * The Microsoft Teams adapter of `pgdba serve`: a botbuilder CloudAdapter behind POST
 * /api/messages. With MICROSOFT_APP_ID configured every request must carry a valid Bot
 * Framework token (401 otherwise); with no Microsoft app configured it runs in emulator mode
 * (no authentication), which is only safe on loopback: `requiresLoopback` tells the server to
 * bind to 127.0.0.1, and the route itself refuses non-loopback peers in that mode.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationServiceClientCredentialFactory, type TurnContext } from 'botbuilder';
import type { Assistant } from '../../bot/agent/assistant.js';
import { parseApprovers } from '../../bot/approvals/index.js';
import { logger } from '../../bot/logger.js';
import type { Config } from '../../config.js';
import type { Reply } from '../../tools/reply.js';
import type { Adapter, AdapterRoute } from '../adapter.js';
import { readBoundedBody } from '../request-body.js';
import { renderAdaptiveCards, type TeamsRendering } from './adaptive-card.js';
import { ApprovalCards, type ApprovalLookup } from './approval-cards.js';
import { BackgroundWork } from './background-work.js';
import { CardClicks, type TeamsActionHandler } from './card-clicks.js';
import { ReusedClientsAuthentication } from './reused-clients.js';
import { TeamsBot } from './teams-bot.js';
import { ApproverGroups, groupDirectoryFor, type GroupDirectory } from './teams-groups.js';
import { TeamsTurnHandler } from './teams-turn.js';

export const teamsMessagesPath = '/api/messages';
/** Activities are small JSON documents; anything bigger is refused before parsing. */
const maxBodyBytes = 1024 * 1024;

export interface TeamsAdapterOptions {
  assistant: Assistant;
  config: Config;
  /** Routes card button clicks (e.g. approvals); by default Assistant.handleAction runs the tool named by the action id. */
  onAction?: TeamsActionHandler;
  /** Change requests (ApprovalWorkflow): approval cards then carry a refresh that shows their current state. */
  approvals?: ApprovalLookup;
  /** Where `teams:group:<id>` approvers are looked up (default: Microsoft Graph with the bot's credentials). */
  groupDirectory?: GroupDirectory;
  /** Least time between two progress edits of a card (default 1 s; Teams rate-limits edits). */
  progressIntervalMs?: number;
  /** How long an Action.Execute click may take before its invoke is answered with a progress card (default 3 s). */
  invokeDeadlineMs?: number;
  /** An answer not ready after this long gets a typing indicator first (default 500 ms; 0 = always). */
  typingDelayMs?: number;
}

/** True when no Microsoft app is configured: no authentication, so loopback only. */
export function teamsEmulatorMode(config: Config): boolean {
  return !config.MICROSOFT_APP_ID && !config.MICROSOFT_APP_PASSWORD && !config.MICROSOFT_APP_TENANT_ID && !config.MICROSOFT_APP_TYPE;
}

export class TeamsAdapter implements Adapter {
  readonly name = 'teams';
  readonly transport = 'http';
  readonly routes: readonly AdapterRoute[];
  /** Emulator mode: `pgdba serve` must bind to 127.0.0.1 only. */
  readonly requiresLoopback: boolean;
  readonly cloudAdapter: CloudAdapter;
  private readonly bot: TeamsBot;
  private readonly work = new BackgroundWork();

  constructor(options: TeamsAdapterOptions) {
    const { config } = options;
    this.requiresLoopback = teamsEmulatorMode(config);
    if (!this.requiresLoopback && !config.MICROSOFT_APP_ID) {
      throw new Error('MICROSOFT_APP_ID is required when MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID or MICROSOFT_APP_TYPE is set (or unset them all for emulator mode).');
    }
    const credentials = {
      ...(config.MICROSOFT_APP_ID ? { MicrosoftAppId: config.MICROSOFT_APP_ID } : {}),
      ...(config.MICROSOFT_APP_PASSWORD ? { MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD } : {}),
      ...(config.MICROSOFT_APP_TENANT_ID ? { MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID } : {}),
      ...(config.MICROSOFT_APP_TYPE ? { MicrosoftAppType: config.MICROSOFT_APP_TYPE } : {}),
    };
    // UserAssignedMSI makes the factory use the managed identity instead of a password.
    const credentialsFactory = new ConfigurationServiceClientCredentialFactory(credentials);
    const authentication = new ReusedClientsAuthentication(credentials, credentialsFactory);
    this.cloudAdapter = new CloudAdapter(authentication);
    this.cloudAdapter.onTurnError = async (context: TurnContext, error: Error) => {
      logger.error('teams: a turn failed', error);
      await context.sendActivity('Something went wrong while answering. The error was logged; please try again.').catch(() => undefined);
    };
    const botAppId = config.MICROSOFT_APP_ID ?? '';
    const continueConversation = (reference: Parameters<CloudAdapter['continueConversationAsync']>[1], logic: (context: TurnContext) => Promise<void>) =>
      this.cloudAdapter.continueConversationAsync(botAppId, reference, logic);
    const approvalCards = new ApprovalCards(options.approvals);
    const render = (reply: Reply): Promise<TeamsRendering> => {
      const refresh = approvalCards.refreshFor(reply);
      return renderAdaptiveCards(reply, refresh ? { refresh } : {});
    };
    const messages = new TeamsTurnHandler({
      assistant: options.assistant,
      uploadMaxBytes: config.PGDBA_UPLOAD_MAX_BYTES,
      continueConversation,
      render,
      work: this.work,
      typingDelayMs: options.typingDelayMs ?? 500,
    });
    const clicks = new CardClicks({
      assistant: options.assistant,
      onAction: options.onAction,
      continueConversation,
      render,
      work: this.work,
      approverGroups: new ApproverGroups(parseApprovers(config.PGDBA_APPROVERS), options.groupDirectory ?? groupDirectoryFor(config)),
      approvalCards,
      progressIntervalMs: options.progressIntervalMs ?? 1000,
      invokeDeadlineMs: options.invokeDeadlineMs ?? 3000,
    });
    this.bot = new TeamsBot(messages, clicks);
    this.routes = [{ method: 'POST', path: teamsMessagesPath, handle: this.handle }];
  }

  /** Route handler for POST /api/messages. */
  readonly handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (this.requiresLoopback && !isLoopback(request.socket.remoteAddress)) {
      return sendPlain(response, 403, 'pgdba runs Teams in emulator mode (no MICROSOFT_APP_ID): only loopback clients are accepted.');
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBoundedBody(request, maxBodyBytes)).toString('utf8'));
    } catch {
      return sendPlain(response, 400, 'The body must be a Bot Framework activity (JSON, at most 1 MB).');
    }
    await this.cloudAdapter.process({ body: body as Record<string, unknown>, headers: request.headers, method: request.method ?? 'POST' }, expressLikeResponse(response), (context) => this.bot.run(context));
  };

  async start(): Promise<void> {
    // Nothing to connect: Teams calls us.
  }

  async stop(): Promise<void> {
    await this.idle();
  }

  /** Resolves when every answer, click and progress edit under way has been sent. */
  idle(): Promise<void> {
    return this.work.idle();
  }
}

export function createTeamsAdapter(options: TeamsAdapterOptions): TeamsAdapter {
  return new TeamsAdapter(options);
}

/** The small express-like response CloudAdapter.process writes to. */
function expressLikeResponse(response: ServerResponse) {
  return {
    socket: response.socket,
    status(code: number) {
      response.statusCode = code;
    },
    header(name: string, value: unknown) {
      response.setHeader(name, String(value));
    },
    send(body: unknown) {
      if (body === undefined || body === null) return;
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        if (!response.hasHeader('content-type')) response.setHeader('content-type', 'text/plain; charset=utf-8');
        response.write(body);
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.write(JSON.stringify(body));
    },
    end() {
      response.end();
    },
  };
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address);
}

function sendPlain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}
