/**
 * The embedded demo target: an in-process PostgreSQL (PGlite, PostgreSQL in WASM) served on a
 * loopback port through pglite-socket, so pgdba talks to it with the same `pg` code path as to a
 * real server.
 *
 * Seeding 470,000 rows takes a few seconds, so the seeded data directory is saved once as a
 * compressed image in the cache folder and every later start loads that image into memory
 * (~2 s). Each process has its own in-memory copy: two pgdba processes never share files.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { demoDataSql, demoSchemaSql, demoSchemaVersion, demoWorkloadSql } from './demo-schema.js';

export interface EmbeddedDemo {
  /** postgres:// URL of the demo on 127.0.0.1 (no password: it only listens on loopback). */
  url: string;
  stop(): Promise<void>;
}

export function defaultDemoDir(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'pgdba');
}

async function loadOrBuildImage(demoDir: string, log: (line: string) => void): Promise<PGlite> {
  const imagePath = join(demoDir, `demo-v${demoSchemaVersion}.tar.gz`);
  const image = await readFile(imagePath).catch(() => undefined);
  if (image) return PGlite.create({ loadDataDir: new Blob([image]) });

  log('Creating the demo database (first start only, about 10 seconds)...');
  const db = await PGlite.create();
  await db.exec(demoSchemaSql);
  await db.exec(demoDataSql);
  const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
  await mkdir(demoDir, { recursive: true });
  // Write then rename, so a concurrent first start never reads half an image.
  const partial = `${imagePath}.${process.pid}.partial`;
  await writeFile(partial, dump);
  await rename(partial, imagePath);
  return db;
}

export async function startEmbeddedDemo(options: { demoDir?: string; log?: (line: string) => void } = {}): Promise<EmbeddedDemo> {
  const db = await loadOrBuildImage(options.demoDir ?? defaultDemoDir(), options.log ?? (() => undefined));
  for (const statement of demoWorkloadSql) await db.query(statement);
  await db.query('select pg_stat_force_next_flush()');

  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
