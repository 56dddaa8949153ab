/**
 * Opens the configured target: DATABASE_URL when given, otherwise the embedded demo.
 * Opening is lazy and shared, so commands that need no database (log analysis) never start one;
 * `pgdba serve` opens it (and warms the demo) before it reports ready.
 */
import { startEmbeddedDemo, type EmbeddedDemo } from './embedded/demo-database.js';
import { warmUpDemo } from './embedded/warm-up.js';
import { TargetDatabase, type AnalysisSessionSettings } from './target-database.js';

export interface TargetSettings extends AnalysisSessionSettings {
  databaseUrl?: string;
  demoDir?: string;
}

export interface TargetOpener {
  /** Opens on first call; later calls share the same pool. */
  open(): Promise<TargetDatabase>;
  /**
   * Opens the target ahead of the first question; the embedded demo also reads its catalog once
   * so the first answers find its caches warm. A real server is only connected to.
   */
  warmUp(): Promise<void>;
  /** The connection URL (with credentials) for the guarded executor's own writable session. */
  url(): Promise<string>;
  close(): Promise<void>;
}

export function targetOpener(
  settings: TargetSettings,
  log: (line: string) => void = () => undefined,
  startDemo: typeof startEmbeddedDemo = startEmbeddedDemo,
): TargetOpener {
  let opening: Promise<TargetDatabase> | undefined;
  let demo: EmbeddedDemo | undefined;
  let closed = false;

  async function openTarget(): Promise<TargetDatabase> {
    if (settings.databaseUrl) return TargetDatabase.connect(settings.databaseUrl, settings);
    const started = await startDemo({ ...(settings.demoDir ? { demoDir: settings.demoDir } : {}), log });
    demo = started;
    // PGlite runs one statement at a time; a single connection avoids needless queueing.
    return TargetDatabase.connect(started.url, { ...settings, poolSize: 1 }, { label: 'embedded demo database (PGlite)', embedded: true }).catch(
      async (error: unknown) => {
        await started.stop();
        throw error;
      },
    );
  }

  return {
    open() {
      if (demo && !demo.running && !closed) {
        // The demo's thread ended under us (a crash): start a fresh one rather than failing every question.
        log('The embedded demo database had stopped; starting it again.');
        const stale = opening;
        opening = undefined;
        demo = undefined;
        void stale?.then((target) => target.close(), () => undefined);
      }
      opening ??= openTarget().catch((error: unknown) => {
        opening = undefined; // A later question may succeed once the server is back.
        throw error;
      });
      return opening;
    },
    async warmUp() {
      const target = await this.open();
      if (target.description.embedded) await warmUpDemo(target);
    },
    async url() {
      if (settings.databaseUrl) return settings.databaseUrl;
      await this.open();
      if (!demo) throw new Error('The embedded demo database is not running.');
      return demo.url;
    },
    async close() {
      closed = true;
      const target = await opening?.catch(() => undefined);
      await target?.close();
      await demo?.stop();
    },
  };
}
