/**
 * `pgdba serve`: starts every configured chat adapter on one HTTP server listening on PORT,
 * with GET /healthz answering 200 once they are all running.
 */
import type { Command } from 'commander';
import { createAssistantApp } from '../../bot/agent/create-assistant.js';
import { logger } from '../../bot/logger.js';
import { StoreConfigurationError } from '../../bot/stores/keyv-store.js';
import { commandConfig } from '../local/command-config.js';
import { ApproverConfigurationError } from '../../bot/approvals/index.js';
import { startMaintenanceWindowRuns } from '../../bot/approvals/maintenance-window.js';
import { defaultStoreUrl } from '../local/local-identity.js';
import { configuredAdapters } from './configured-adapters.js';
import { listenChatServer } from './http-server.js';

/** How long a stopped server waits for client libraries' pending work before it exits anyway. */
const EXIT_GRACE_MS = 3_000;

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Start the configured chat adapters (Slack, Discord, Teams, web chat) on one HTTP server on PORT, with GET /healthz.')
    .option('--host <host>', 'address to listen on (default 0.0.0.0; 127.0.0.1 when only loopback-safe adapters run)')
    .option('--web', 'serve the local web chat on / (loopback only unless PGDBA_WEB_TOKEN is set)')
    .option('--teams-emulator', 'serve Teams without authentication for the Bot Framework Emulator (loopback only)')
    .action(async (options: { host?: string; web?: boolean; teamsEmulator?: boolean }) => {
      const config = commandConfig();
      if (!config) return;
      let app;
      try {
        app = await createAssistantApp(config, { log: (line) => logger.info(line), defaultStoreUrl: defaultStoreUrl() });
      } catch (error) {
        if (!(error instanceof StoreConfigurationError) && !(error instanceof ApproverConfigurationError)) throw error;
        process.stderr.write(`pgdba serve: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      let adapters;
      let host: string;
      try {
        const configured = configuredAdapters(config, app.assistant, { web: options.web ?? false, teamsEmulator: options.teamsEmulator ?? false, approvals: app.approvals });
        adapters = configured.adapters;
        host = options.host ?? (configured.loopbackOnly ? '127.0.0.1' : '0.0.0.0');
        if (configured.loopbackOnly && !isLoopbackHost(host)) {
          throw new Error(`the web chat without PGDBA_WEB_TOKEN and the Teams emulator accept unauthenticated requests, so they only listen on loopback; drop --host ${host}, or set PGDBA_WEB_TOKEN / MICROSOFT_APP_ID.`);
        }
      } catch (error) {
        process.stderr.write(`pgdba serve: ${(error as Error).message}\n`);
        await app.close();
        process.exitCode = 2;
        return;
      }
      if (adapters.length === 0) logger.info('pgdba serve: no chat adapter is configured (set SLACK_BOT_TOKEN, DISCORD_*, MICROSOFT_APP_ID, or use --web); serving /healthz only.');
      // Signal handlers before the server starts: a stop asked for during the warm-up, or by whoever
      // reads the log line that says the server is up, is a graceful stop once it has started.
      const stopRequested = new Promise<void>((resolve) => {
        const shutdown = () => resolve();
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
      const server = await listenChatServer({ port: config.PORT, host, adapters, warmUp: () => app.warmUp() });
      await server.start();
      const stopMaintenanceRuns = startMaintenanceWindowRuns(app.approvals, {
        report: (results) => results.forEach((result) => logger.info(`pgdba serve: maintenance window: ${result.message}`)),
        onError: (error) => logger.error('pgdba serve: running scheduled changes failed', error),
      });
      logger.info(`pgdba serve: listening on ${host}:${server.port} (${adapters.map((a) => `${a.name} via ${a.transport}`).join(', ') || 'no adapters'}); ${app.assistant.agentEnabled ? 'LLM agent enabled' : 'command router only (no LLM configured)'}.`);
      await stopRequested;
      logger.info('pgdba serve: stopping.');
      stopMaintenanceRuns();
      await server.stop();
      await app.close();
      // A stopped server exits when nothing is left to do. A library may still hold a timer (the
      // Slack Web API client retrying an unreachable API keeps retrying for minutes): an
      // orchestrator's SIGTERM must not wait for it.
      setTimeout(() => {
        logger.info(`pgdba serve: stopped; exiting with work still pending in a client library (retries of a chat API).`);
        process.exit(process.exitCode ?? 0);
      }, EXIT_GRACE_MS).unref();
    });
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
