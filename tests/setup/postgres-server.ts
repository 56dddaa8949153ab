/**
 * Vitest global setup: provides a real PostgreSQL server to the integration tests.
 *
 * - TEST_DATABASE_URL set: that server is used as is.
 * - Otherwise a throw-away cluster is created with the PostgreSQL binaries on this machine
 *   (initdb into a temp dir, as the `postgres` user when running as root), on a free port, with
 *   pg_stat_statements (and hypopg when installed), and removed afterwards.
 *
 * Tests read the URL with `inject('databaseUrl')` (see tests/helpers/database.ts). When no server
 * can be had the URL is empty and `serverUnavailableReason` says why; tests then fail with that
 * reason (never a silent skip).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, chownSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    serverUnavailableReason: string;
    /** Data directory of the throw-away cluster ('' when TEST_DATABASE_URL is used). */
    clusterDataDir: string;
    /** Folder where the throw-away cluster writes its server log ('' when not ours). */
    clusterLogDir: string;
    hypopgAvailable: boolean;
  }
}

function findPostgresBinDir(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // pg_config is optional; fall back to Debian's layout.
  }
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

function hypopgInstalled(binDir: string): boolean {
  try {
    const shareDir = execFileSync(join(binDir, 'pg_config'), ['--sharedir'], { encoding: 'utf8' }).trim();
    return existsSync(join(shareDir, 'extension', 'hypopg.control'));
  } catch {
    const version = binDir.match(/postgresql\/(\d+)/)?.[1];
    return version !== undefined && existsSync(`/usr/share/postgresql/${version}/extension/hypopg.control`);
  }
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('Running as root but there is no `postgres` user to run initdb as.');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provided = {
    databaseUrl: '',
    serverUnavailableReason: '',
    clusterDataDir: '',
    clusterLogDir: '',
    hypopgAvailable: false,
  };
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    provided.databaseUrl = given;
    provided.hypopgAvailable = process.env.TEST_HYPOPG !== 'off';
    for (const [key, value] of Object.entries(provided)) project.provide(key as keyof typeof provided, value as never);
    return async () => undefined;
  }

  const binDir = findPostgresBinDir();
  if (!binDir) {
    provided.serverUnavailableReason =
      'No PostgreSQL server for integration tests: set TEST_DATABASE_URL, or install the server binaries (apt-get install postgresql-15 postgresql-15-hypopg).';
    if (process.env.CI === 'true') throw new Error(provided.serverUnavailableReason);
    for (const [key, value] of Object.entries(provided)) project.provide(key as keyof typeof provided, value as never);
    return async () => undefined;
  }

  const owner = postgresUser();
  const root = mkdtempSync(join(tmpdir(), 'pgdba-test-pg-'));
  const dataDir = join(root, 'data');
  const logDir = join(root, 'log');
  chmodSync(root, 0o777);
  if (owner) chownSync(root, owner.uid, owner.gid);
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const run = (binary: string, args: string[]) => {
    const result = spawnSync(join(binDir, binary), args, { encoding: 'utf8', cwd: root, ...asOwner });
    if (result.status !== 0) throw new Error(`${binary} failed: ${result.stderr || result.stdout || result.error?.message}`);
  };

  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const hypopg = hypopgInstalled(binDir);
  const port = await freePort();
  writeFileSync(
    join(dataDir, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${root}'`,
      "shared_preload_libraries = 'pg_stat_statements'",
      'pg_stat_statements.track = all',
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 100',
      'logging_collector = on',
      `log_directory = '${logDir}'`,
      "log_filename = 'postgresql.log'",
      "log_line_prefix = '%m [%p] %q%u@%d '",
      '',
    ].join('\n'),
  );
  if (owner) chownSync(join(dataDir, 'postgresql.auto.conf'), owner.uid, owner.gid);
  run('pg_ctl', ['-D', dataDir, '-l', join(root, 'startup.log'), '-w', '-t', '60', 'start']);

  provided.databaseUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  provided.clusterDataDir = dataDir;
  provided.clusterLogDir = logDir;
  provided.hypopgAvailable = hypopg;
  for (const [key, value] of Object.entries(provided)) project.provide(key as keyof typeof provided, value as never);

  return async () => {
    spawnSync(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { cwd: root, ...asOwner });
    rmSync(root, { recursive: true, force: true });
  };
}
