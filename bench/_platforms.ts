/**
 * The chat platforms as seen by `pgdba serve`, run inside the bench process: the tests' fake
 * Slack Web API, fake Discord REST and fake Bot Framework connector on loopback, with the
 * secrets that sign the events sent to pgdba. `serveEnvironment()` is the configuration a
 * deployment would set to reach them.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { FakeDiscord } from '../tests/adapters/discord/fake-discord.js';
import { botToken, startFakeSlack, type FakeSlack } from '../tests/adapters/slack/fake-slack.js';
import { FakeConnector } from '../tests/adapters/teams/fake-connector.js';

export interface Platforms {
  slack: FakeSlack;
  slackSigningSecret: string;
  discord: FakeDiscord;
  discordApplicationId: string;
  /** Signs Discord interactions (Ed25519); its public half is DISCORD_PUBLIC_KEY. */
  discordPrivateKey: KeyObject;
  /** The serviceUrl of Teams activities: Bot Framework replies go there. */
  teamsConnector: FakeConnector;
  serveEnvironment(): Record<string, string>;
  close(): Promise<void>;
}

export async function startPlatforms(): Promise<Platforms> {
  const [slack, discord, teamsConnector] = await Promise.all([startFakeSlack(), FakeDiscord.start(), FakeConnector.start()]);
  const keys = generateKeyPairSync('ed25519');
  // The raw 32-byte key, hex, as Discord's developer portal shows it (the DER prefix is 12 bytes).
  const discordPublicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  const slackSigningSecret = 'bench-signing-secret';
  const discordApplicationId = '900000000000000077';
  return {
    slack,
    slackSigningSecret,
    discord,
    discordApplicationId,
    discordPrivateKey: keys.privateKey,
    teamsConnector,
    serveEnvironment: () => ({
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: slackSigningSecret,
      SLACK_API_URL: slack.apiUrl,
      DISCORD_PUBLIC_KEY: discordPublicKey,
      DISCORD_APPLICATION_ID: discordApplicationId,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GATEWAY: 'off',
      // Teams needs nothing: without MICROSOFT_APP_ID, `--teams-emulator` serves it without
      // authentication, and replies go to each activity's serviceUrl (the fake connector).
    }),
    async close() {
      await Promise.all([slack.close(), discord.close(), teamsConnector.close()]);
    },
  };
}
