import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildTeamsPackage, registerTeamsCommands, TeamsPackageError } from '../../../src/adapters/teams/package-command.js';

const appId = '4b1d2c3e-0000-4000-8000-00000000abcd';

describe('pgdba teams package', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('zips manifest.json with the app id filled in and the two icons at their sizes', async () => {
    const files = unzipSync(await buildTeamsPackage({ appId, version: '1.2.3' }));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8')) as { id: string; version: string; bots: { botId: string; supportsFiles: boolean }[] };
    expect(manifest).toMatchObject({ id: appId, version: '1.2.3', bots: [{ botId: appId, supportsFiles: true }] });
    expect(JSON.stringify(manifest)).not.toContain('{{');
    expect(await sharp(Buffer.from(files['color.png']!)).metadata()).toMatchObject({ width: 192, height: 192, format: 'png' });
    expect(await sharp(Buffer.from(files['outline.png']!)).metadata()).toMatchObject({ width: 32, height: 32, format: 'png' });
  });

  it('refuses an app id that is not a GUID', async () => {
    await expect(buildTeamsPackage({ appId: 'my-bot' })).rejects.toBeInstanceOf(TeamsPackageError);
  });

  it('writes the zip given by --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgdba-teams-'));
    try {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const program = new Command().exitOverride();
      registerTeamsCommands(program);
      await program.parseAsync(['node', 'pgdba', 'teams', 'package', '--app-id', appId, '--out', join(dir, 'app.zip')]);
      expect(Object.keys(unzipSync(await readFile(join(dir, 'app.zip'))))).toContain('manifest.json');
      expect(process.exitCode).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
