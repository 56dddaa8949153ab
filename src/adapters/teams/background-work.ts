/**
 * Work that outlives the HTTP request that started it (answers sent after the acknowledgement,
 * approvals executing after the click was answered): errors are logged, and `idle` lets shutdown
 * and tests wait for all of it.
 */
import { logger } from '../../bot/logger.js';

export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  track(work: Promise<unknown>, what: string): void {
    const tracked: Promise<void> = work
      .then(() => undefined)
      .catch((error: unknown) => logger.error(`teams: ${what} failed`, error))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Resolves when every piece of work under way (and any it started) has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** True when `work` settles (either way) within `ms`; false as soon as the time is up. */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settled, settled);
  });
}
