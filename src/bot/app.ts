/**
 * What one running pgdba is made of, and the configured target opener every entry point shares.
 * The whole assembly (stores, approvals, agent) is in agent/create-assistant.ts.
 */
import type { Config } from '../config.js';
import { targetOpener, type TargetOpener } from '../engine/db/open-target.js';
import type { Bot } from './bot.js';

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
