/**
 * The seeded demo data directory, saved once as a compressed image in the cache folder.
 *
 * Seeding 470,000 rows takes several seconds, loading the image about two. The image is
 * checkpointed with WAL recycling off before it is saved, so it holds one WAL segment instead of
 * the nine the seeding wrote: 22 MB instead of 40 MB on disk, 108 MB instead of 242 MB in memory,
 * and less than half the CPU time to load.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { demoDataSql, demoSchemaSql, demoSchemaVersion } from './demo-schema.js';

export function demoImagePath(demoDir: string): string {
  return join(demoDir, `demo-v${demoSchemaVersion}.tar.gz`);
}

/** Loads the saved image into a new in-memory PGlite, building and saving it on the first start. */
export async function loadDemoImage(demoDir: string, log: (line: string) => void): Promise<PGlite> {
  const imagePath = demoImagePath(demoDir);
  const image = await readFile(imagePath).catch(() => undefined);
  if (image) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([image]) });
    } catch (error) {
      log(`The saved demo image ${imagePath} could not be loaded (${(error as Error).message}); building it again.`);
    }
  }

  // Before seeding, so an unusable folder fails at once rather than after the seeding.
  await mkdir(demoDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot create the demo folder ${demoDir} (${error.code ?? error.message}); set PGDBA_DEMO_DIR to a writable folder`);
  });
  log('Creating the demo database (first start only, about 20 seconds)...');
  // Start-up options only (postgresql.conf stays PGlite's own): old WAL segments are removed, not
  // kept for reuse, so the checkpoint below leaves a single segment in the image.
  const db = await PGlite.create({ startParams: [...PGlite.defaultStartParams, '-c', 'wal_recycle=off'] });
  await db.exec(demoSchemaSql);
  await db.exec(demoDataSql);
  await db.exec('checkpoint');
  const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
  // Write then rename, so a concurrent first start never reads half an image.
  const partial = `${imagePath}.${process.pid}-${threadId}.partial`;
  await writeFile(partial, dump);
  await rename(partial, imagePath);
  await removeOlderImages(demoDir, imagePath);
  return db;
}

/** Images of earlier demo versions are never loaded again: free their space. */
async function removeOlderImages(demoDir: string, current: string): Promise<void> {
  const names = await readdir(demoDir).catch(() => [] as string[]);
  const older = names.filter((name) => /^demo-v\d+\.tar\.gz$/.test(name) && join(demoDir, name) !== current);
  await Promise.all(older.map((name) => rm(join(demoDir, name), { force: true })));
}
