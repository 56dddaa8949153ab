/**
 * Assembles one pgdba instance from its configuration: the target opener and the bot over the
 * tool registry. Every entry point (CLI, chat adapters) starts here.
 */
import type { Config } from '../config.js';
import { targetOpener, type TargetOpener } from '../engine/db/open-target.js';
import { tools } from '../tools/registry.js';
import { Bot } from './bot.js';
import { logger } from './logger.js';

export interface App {
  bot: Bot;
  config: Config;
  close(): Promise<void>;
}

/** The configured target (or `databaseUrl` instead of DATABASE_URL), opened lazily. */
export function configuredTargetOpener(config: Config, log?: (line: string) => void, databaseUrl?: string): TargetOpener {
  const url = databaseUrl ?? config.DATABASE_URL;
  return targetOpener(
    {
      ...(url ? { databaseUrl: url } : {}),
      ...(config.PGDBA_DEMO_DIR ? { demoDir: config.PGDBA_DEMO_DIR } : {}),
      statementTimeoutMs: config.PGDBA_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: config.PGDBA_LOCK_TIMEOUT_MS,
      connectTimeoutMs: config.PGDBA_CONNECT_TIMEOUT_MS,
      poolSize: config.PGDBA_POOL_SIZE,
    },
    log,
  );
}

export function createApp(config: Config, options: { log?: (line: string) => void } = {}): App {
  const opener = configuredTargetOpener(config, options.log);
  const bot = new Bot({
    tools,
    openTarget: () => opener.open(),
    logError: (message, error) => logger.error(message, error),
  });
  return { bot, config, close: () => opener.close() };
}
