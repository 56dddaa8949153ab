/**
 * The `pgdba` command line. Exit codes: 0 ok, 1 the job could not be done (or findings), 2 bad
 * usage or input, with a message saying what to fix.
 */
import { Command, CommanderError, Option } from 'commander';
import { formatAnswer, type AskFormat } from './adapters/local/ask-command.js';
import { runTerminalChat } from './adapters/local/terminal-chat.js';
import { configuredTargetOpener } from './bot/app.js';
import { createAssistantApp } from './bot/agent/create-assistant.js';
import { registerServeCommand } from './adapters/server/serve-command.js';
import { registerDiscordCommands } from './adapters/discord/register-commands.js';
import { registerTeamsCommands } from './adapters/teams/package-command.js';
import { defaultStoreUrl, localUser } from './adapters/local/local-identity.js';
import { logger } from './bot/logger.js';
import { StoreConfigurationError } from './bot/stores/store-errors.js';
import { renderEnvExample, type Config } from './config.js';
import { commandConfig } from './adapters/local/command-config.js';
import { registerInsightsCommand } from './engine/db/inspections/cli.js';
import type { TargetOpener } from './engine/db/open-target.js';
import type { TargetDatabase } from './engine/db/target-database.js';
import { registerAdviseCommand } from './engine/advisor/cli.js';
import { registerLogsCommand } from './engine/logs/cli.js';
import { registerExplainCommand } from './engine/plan/cli.js';

const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

function configOrExit(): Config {
  const config = commandConfig();
  if (!config) process.exit(exitCodes.usage);
  return config;
}

// Targets opened by engine commands; closed once the command is done (the embedded demo keeps the process alive otherwise).
const openedTargets: TargetOpener[] = [];

/** Opens `url` (a --database-url option) or else the configured target, read-only. */
async function openTarget(url?: string): Promise<TargetDatabase> {
  const config = configOrExit();
  const opener = configuredTargetOpener(config, (line) => logger.info(line), url);
  openedTargets.push(opener);
  return opener.open();
}

const program = new Command()
  .name('pgdba')
  .description('PostgreSQL DBA assistant: health, tables, EXPLAIN, log analysis, in chat or on the command line.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('ask')
  .description('Answer one question and print the reply (e.g. pgdba ask "show me the biggest tables").')
  .argument('<question...>', 'the question, as you would type it in chat')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (words: string[], options: { format: AskFormat }) => {
    const config = configOrExit();
    const app = await createAssistantApp(config, { log: (line) => logger.info(line), defaultStoreUrl: defaultStoreUrl() });
    try {
      const answer = await app.assistant.ask({ question: words.join(' '), allowLocalFiles: true, user: localUser() });
      process.stdout.write(`${await formatAnswer(answer, options.format, config.PGDBA_OUTPUT_DIR)}\n`);
      if (answer.error) {
        process.exitCode = answer.error.kind === 'unknown-question' || answer.error.kind === 'bad-input' ? exitCodes.usage : exitCodes.failed;
      }
    } finally {
      await app.close();
    }
  });

program
  .command('chat')
  .description('Open a chat in this terminal (images are written to PGDBA_OUTPUT_DIR).')
  .action(async () => {
    const config = configOrExit();
    const app = await createAssistantApp(config, { log: (line) => logger.info(line), defaultStoreUrl: defaultStoreUrl() });
    const banner = config.DATABASE_URL
      ? 'pgdba: connected lazily to DATABASE_URL on the first question.'
      : 'pgdba: using the embedded demo database (set DATABASE_URL to analyse your own).';
    try {
      await runTerminalChat(app.assistant, { imageDir: config.PGDBA_OUTPUT_DIR, banner, user: localUser() });
    } finally {
      await app.close();
    }
  });

program
  .command('env-example')
  .description('Print every configuration variable with its description and an example (the content of .env.example).')
  .action(() => {
    process.stdout.write(renderEnvExample());
  });

registerServeCommand(program);
registerDiscordCommands(program);
registerTeamsCommands(program);
registerLogsCommand(program);
registerInsightsCommand(program, openTarget);
registerExplainCommand(program, openTarget);
registerAdviseCommand(program, openTarget);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  } else if (error instanceof StoreConfigurationError) {
    // PGDBA_STORE_URL unusable (bad URL, Redis down or refusing): the message says what to do.
    process.stderr.write(`pgdba: ${error.message}\n`);
    process.exitCode = exitCodes.usage;
  } else {
    logger.error('pgdba failed', error);
    process.exitCode = exitCodes.failed;
  }
} finally {
  await Promise.all(openedTargets.map((opener) => opener.close()));
}
