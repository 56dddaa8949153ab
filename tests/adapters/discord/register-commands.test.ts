import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { discordCommandsManifest, registerDiscordCommands } from '../../../src/adapters/discord/register-commands.js';
import { FakeDiscord } from './fake-discord.js';

describe('pgdba discord register-commands', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    process.exitCode = undefined;
  });

  function program(): Command {
    const root = new Command().exitOverride();
    registerDiscordCommands(root);
    return root;
  }

  it('PUTs the manifest to the guild commands route with the bot token', async () => {
    vi.stubEnv('DISCORD_BOT_TOKEN', 'fake-bot-token');
    vi.stubEnv('DISCORD_APPLICATION_ID', '900000000000000002');
    vi.stubEnv('DISCORD_API_URL', fake.apiUrl);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    await program().parseAsync(['node', 'pgdba', 'discord', 'register-commands', '--guild', '940000000000000001']);
    vi.restoreAllMocks();
    const put = fake.requests.find((request) => request.method === 'PUT');
    expect(put?.path).toBe('/api/v10/applications/900000000000000002/guilds/940000000000000001/commands');
    expect(put?.headers.authorization).toBe('Bot fake-bot-token');
    expect(put?.json).toEqual(JSON.parse(await readFile(discordCommandsManifest, 'utf8')));
    expect(written.join('')).toBe('Registered /dba in server 940000000000000001.\n');
    expect(process.exitCode).toBeUndefined();
  });

  it('exits 2 and says what to set when the token or application id is missing', async () => {
    vi.stubEnv('DISCORD_BOT_TOKEN', '');
    vi.stubEnv('DISCORD_APPLICATION_ID', '');
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => errors.push(String(chunk)) > 0);
    await program().parseAsync(['node', 'pgdba', 'discord', 'register-commands']);
    vi.restoreAllMocks();
    expect(process.exitCode).toBe(2);
    expect(errors.join('')).toContain('DISCORD_BOT_TOKEN and DISCORD_APPLICATION_ID');
  });
});
