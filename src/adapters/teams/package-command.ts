/**
 * `pgdba teams package`: writes the app package a Teams admin uploads (a zip with manifest.json
 * and the two icons at its root), with the bot's Microsoft app id filled into the manifest.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { zipSync } from 'fflate';
import { ConfigError, loadConfig } from '../../config.js';

export const teamsManifestDir = fileURLToPath(new URL('../../../manifests/teams/', import.meta.url));

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TeamsPackageError extends Error {}

export interface TeamsPackageOptions {
  appId: string;
  /** Manifest version (x.y.z); bump it to update an uploaded app. */
  version?: string;
  manifestDir?: string;
}

/** The zip bytes of the Teams app package. */
export async function buildTeamsPackage(options: TeamsPackageOptions): Promise<Buffer> {
  if (!guid.test(options.appId)) {
    throw new TeamsPackageError(`"${options.appId}" is not a Microsoft app id: use the Application (client) id of the Azure bot, e.g. 00000000-0000-0000-0000-000000000000.`);
  }
  const version = options.version ?? '1.0.0';
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new TeamsPackageError(`--app-version "${version}" must look like 1.0.0.`);
  const dir = options.manifestDir ?? teamsManifestDir;
  const template = await readFile(`${dir}/manifest.json`, 'utf8');
  const manifest = template.replaceAll('{{MICROSOFT_APP_ID}}', options.appId.toLowerCase()).replaceAll('{{VERSION}}', version);
  JSON.parse(manifest); // a broken template fails here, not in the Teams admin centre
  const zip = zipSync({
    'manifest.json': Buffer.from(manifest, 'utf8'),
    'color.png': await readFile(`${dir}/color.png`),
    'outline.png': await readFile(`${dir}/outline.png`),
  });
  return Buffer.from(zip);
}

export function registerTeamsCommands(program: Command): Command {
  const teams = program.command('teams').description('Microsoft Teams set-up.');
  teams
    .command('package')
    .description('Write the Teams app package (manifest.json + icons, zipped) for an admin to upload.')
    .option('--out <file>', 'where to write the zip', 'pgdba-teams.zip')
    .option('--app-id <id>', 'Microsoft app id of the bot (default: MICROSOFT_APP_ID)')
    .option('--app-version <x.y.z>', 'manifest version; raise it for each update', '1.0.0')
    .action(async (flags: { out: string; appId?: string; appVersion: string }) => {
      try {
        const appId = flags.appId ?? loadConfig().MICROSOFT_APP_ID;
        if (!appId) throw new TeamsPackageError('Set MICROSOFT_APP_ID or pass --app-id: the package names the bot by its Microsoft app id.');
        const zip = await buildTeamsPackage({ appId, version: flags.appVersion });
        await writeFile(flags.out, zip);
        process.stdout.write(`Wrote ${flags.out} (${zip.length} bytes). Upload it in Teams (Apps → Manage your apps → Upload an app) or the Teams admin centre.\n`);
      } catch (error) {
        if (error instanceof TeamsPackageError || error instanceof ConfigError) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
    });
  return teams;
}
