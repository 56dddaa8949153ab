/**
 * Slack for `pgdba serve`: a Bolt App whose receiver is chosen by configuration — HTTP events
 * on the shared server at /slack/events (signing-secret verified) or Socket Mode when an app
 * token is set. Listeners translate Slack payloads into assistant questions, tool runs and
 * log uploads; replies go back through SlackReplier as Block Kit in the thread.
 */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger } from '@slack/bolt';
import type { Assistant } from '../../bot/agent/assistant.js';
import { parseApprovers } from '../../bot/approvals/approver-policy.js';
import { logger, redactSecrets } from '../../bot/logger.js';
import type { Config } from '../../config.js';
import type { Adapter, AdapterRoute } from '../adapter.js';
import { LogUploadHandler } from './log-upload.js';
import { registerSlackListeners } from './slack-listeners.js';
import { SlackReplier } from './slack-replier.js';
import { slackApproverGroups, SlackUserGroups } from './user-groups.js';

/** @slack/web-api's "five retries in five minutes" policy (exponential back-off). */
const retryConfig = { retries: 5, factor: 3.86, randomize: true };

export const slackEventsPath = '/slack/events';

export interface SlackAdapterOptions {
  assistant: Assistant;
  config: Pick<Config, 'SLACK_BOT_TOKEN' | 'SLACK_SIGNING_SECRET' | 'SLACK_APP_TOKEN' | 'SLACK_API_URL' | 'PGDBA_UPLOAD_MAX_BYTES'> & Partial<Pick<Config, 'PGDBA_APPROVERS'>>;
  /** Milliseconds between progress edits of long work and of clicked messages (tests shorten it). */
  progressIntervalMs?: number;
  /** How long a Slack user group's member list is reused for approvals (default 60 s). */
  userGroupCacheMs?: number;
}

/** Whether Slack is configured enough to start, and if not, what is missing. */
export function slackConfigurationProblem(config: SlackAdapterOptions['config']): string | undefined {
  if (!config.SLACK_BOT_TOKEN) return undefined;
  if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET) {
    return 'SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP events) nor SLACK_APP_TOKEN (Socket Mode) is: set one of them.';
  }
  return undefined;
}

export class SlackAdapter implements Adapter {
  readonly name = 'slack';
  readonly transport: 'http' | 'socket-mode';
  readonly routes: readonly AdapterRoute[];
  readonly app: App;
  private readonly socketMode: boolean;

  constructor(options: SlackAdapterOptions) {
    const { config } = options;
    const botToken = config.SLACK_BOT_TOKEN;
    if (!botToken) throw new Error('The Slack adapter needs SLACK_BOT_TOKEN.');
    const problem = slackConfigurationProblem(config);
    if (problem) throw new Error(problem);
    const slackApiUrl = config.SLACK_API_URL ? withTrailingSlash(config.SLACK_API_URL) : undefined;
    const clientOptions = {
      ...(slackApiUrl ? { slackApiUrl } : {}),
      // 429s wait for Retry-After and transient failures back off, before a reply is given up and logged.
      retryConfig,
      rejectRateLimitedCalls: false,
    };
    const boltLogger = redactingLogger();
    this.socketMode = Boolean(config.SLACK_APP_TOKEN);
    this.transport = this.socketMode ? 'socket-mode' : 'http';
    let httpReceiver: HTTPReceiver | undefined;
    if (config.SLACK_APP_TOKEN) {
      const receiver = new SocketModeReceiver({
        appToken: config.SLACK_APP_TOKEN,
        logger: boltLogger,
        ...(slackApiUrl ? { installerOptions: { clientOptions: { slackApiUrl } } } : {}),
      });
      this.app = new App({ token: botToken, receiver, clientOptions, logger: boltLogger });
      this.routes = [];
    } else {
      httpReceiver = new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET!,
        endpoints: slackEventsPath,
        // Ack first, work after: Slack wants an answer within 3 s, analyses may take longer.
        processBeforeResponse: false,
        logger: boltLogger,
      });
      this.app = new App({ token: botToken, receiver: httpReceiver, clientOptions, logger: boltLogger });
      const receiver = httpReceiver;
      this.routes = [{ method: 'POST', path: slackEventsPath, handle: (request, response) => receiver.requestListener(request, response) }];
    }
    const replier = new SlackReplier(this.app.client);
    const uploads = new LogUploadHandler({
      assistant: options.assistant,
      replier,
      botToken,
      maxBytes: config.PGDBA_UPLOAD_MAX_BYTES,
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
    });
    const userGroups = new SlackUserGroups(this.app.client, slackApproverGroups(parseApprovers(config.PGDBA_APPROVERS)), options.userGroupCacheMs);
    registerSlackListeners(this.app, {
      assistant: options.assistant,
      replier,
      uploads,
      userGroups,
      ...(options.progressIntervalMs !== undefined ? { clickProgressIntervalMs: options.progressIntervalMs } : {}),
    });
    this.app.error(async (error) => {
      logger.error('slack: a listener failed', error);
    });
  }

  async start(): Promise<void> {
    // HTTP events need no connection: the shared server routes them to the receiver.
    if (this.socketMode) await this.app.start();
  }

  async stop(): Promise<void> {
    if (this.socketMode) await this.app.stop();
  }
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Bolt's own diagnostics, through pgdba's logger so tokens never reach the log. */
function redactingLogger(): Logger {
  let level = LogLevel.WARN;
  const write = (prefix: string) => (...messages: unknown[]) => logger.info(`slack ${prefix}: ${redactSecrets(messages.map(String).join(' '))}`);
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: write('warning'),
    error: write('error'),
    setLevel: (value) => {
      level = value;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
