/**
 * `pgdba discord register-commands`: registers the `/dba` application command from
 * manifests/discord-commands.json (PUT /applications/{id}/commands, or the guild route with
 * --guild, which takes effect at once instead of within the hour). The REST base follows
 * DISCORD_API_URL or --api-url, so it can be pointed at a local server.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { REST, Routes } from 'discord.js';
import { commandConfig } from '../local/command-config.js';

export const discordCommandsManifest = fileURLToPath(new URL('../../../manifests/discord-commands.json', import.meta.url));

export interface RegisterDiscordCommandsOptions {
  token: string;
  applicationId: string;
  guildId?: string | undefined;
  apiUrl?: string | undefined;
  manifestPath?: string;
}

/** Registers the commands; returns the names Discord now knows. */
export async function registerCommandsWithDiscord(options: RegisterDiscordCommandsOptions): Promise<string[]> {
  const commands = JSON.parse(await readFile(options.manifestPath ?? discordCommandsManifest, 'utf8')) as unknown[];
  const rest = new REST({ version: '10', ...(options.apiUrl ? { api: options.apiUrl } : {}) }).setToken(options.token);
  const route = options.guildId ? Routes.applicationGuildCommands(options.applicationId, options.guildId) : Routes.applicationCommands(options.applicationId);
  const registered = (await rest.put(route, { body: commands })) as { name: string }[];
  return registered.map((command) => command.name);
}

export function registerDiscordCommands(program: Command): Command {
  const discord = program.command('discord').description('Discord set-up.');
  discord
    .command('register-commands')
    .description('Register the /dba slash command (ask, logs, explain, health) for the Discord application.')
    .option('--guild <id>', 'register in one server only (takes effect at once; global commands can take up to an hour)')
    .option('--api-url <url>', 'Discord REST base URL (default: DISCORD_API_URL or https://discord.com/api)')
    .option('--manifest <file>', 'command definitions to register', discordCommandsManifest)
    .action(async (flags: { guild?: string; apiUrl?: string; manifest: string }) => {
      const config = commandConfig();
      if (!config) return;
      if (!config.DISCORD_BOT_TOKEN || !config.DISCORD_APPLICATION_ID) {
        process.stderr.write('Set DISCORD_BOT_TOKEN and DISCORD_APPLICATION_ID (Discord developer portal → your application) to register commands.\n');
        process.exitCode = 2;
        return;
      }
      try {
        const names = await registerCommandsWithDiscord({
          token: config.DISCORD_BOT_TOKEN,
          applicationId: config.DISCORD_APPLICATION_ID,
          guildId: flags.guild,
          apiUrl: flags.apiUrl ?? config.DISCORD_API_URL,
          manifestPath: flags.manifest,
        });
        process.stdout.write(`Registered ${names.map((name) => `/${name}`).join(', ')}${flags.guild ? ` in server ${flags.guild}` : ' globally'}.\n`);
      } catch (error) {
        process.stderr.write(`Discord refused the commands: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
  return discord;
}
