/**
 * `pgdba serve`: starts every configured chat adapter on one HTTP server listening on PORT,
 * with GET /healthz answering 200 once they are all running.
 */
import type { Command } from 'commander';
import { createAssistantApp } from '../../bot/agent/create-assistant.js';
import { logger } from '../../bot/logger.js';
import { StoreConfigurationError } from '../../bot/stores/keyv-store.js';
import { ConfigError, loadConfig } from '../../config.js';
import { configuredAdapters } from './configured-adapters.js';
import { listenChatServer } from './http-server.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Start the configured chat adapters (Slack, …) on one HTTP server on PORT, with GET /healthz.')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .action(async (options: { host: string }) => {
      let config;
      try {
        config = loadConfig();
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      let app;
      try {
        app = await createAssistantApp(config, { log: (line) => logger.info(line) });
      } catch (error) {
        if (!(error instanceof StoreConfigurationError)) throw error;
        process.stderr.write(`pgdba serve: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      let adapters;
      try {
        adapters = configuredAdapters(config, app.assistant);
      } catch (error) {
        process.stderr.write(`pgdba serve: ${(error as Error).message}\n`);
        await app.close();
        process.exitCode = 2;
        return;
      }
      if (adapters.length === 0) logger.info('pgdba serve: no chat adapter is configured (set SLACK_BOT_TOKEN, …); serving /healthz only.');
      const server = await listenChatServer({ port: config.PORT, host: options.host, adapters });
      await server.start();
      logger.info(`pgdba serve: listening on ${options.host}:${server.port}; ${app.assistant.agentEnabled ? 'LLM agent enabled' : 'command router only (no LLM configured)'}.`);
      await new Promise<void>((resolve) => {
        const shutdown = () => resolve();
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
      logger.info('pgdba serve: stopping.');
      await server.stop();
      await app.close();
    });
}
