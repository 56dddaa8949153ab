/**
 * The card a button was clicked on, edited in place while the work it started runs (an approved
 * CREATE INDEX CONCURRENTLY: build phases, lock-timeout retries), so everyone in the
 * conversation sees what is happening. Edits are throttled — Teams rate-limits updateActivity —
 * and serialised so they arrive in order; the newest progress is sent when the interval ends,
 * and `settle` waits for the last edit before the final result replaces the card.
 */
import { logger } from '../../bot/logger.js';
import { formatBytes } from '../../tools/format.js';
import type { Progress } from '../../tools/reply.js';
import { textCard, type AdaptiveCard } from './adaptive-card.js';

export class ProgressCard {
  private latest: AdaptiveCard;
  private pending: AdaptiveCard | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Work that finishes within one interval shows no progress at all, only its result. */
  private lastSent = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** True once an edit went out: the final result must then replace the card for everyone. */
  edited = false;

  constructor(
    /** Replaces the clicked card (updateActivity). */
    private readonly edit: (card: AdaptiveCard) => Promise<void>,
    /** Who started the work, shown on the card. */
    private readonly startedBy: string,
    private readonly intervalMs = 1000,
  ) {
    this.latest = progressCard(startedBy, 'starting');
  }

  /** The newest progress as a card (the answer to a click that is still running). */
  get card(): AdaptiveCard {
    return this.latest;
  }

  report(progress: Progress): void {
    if (this.closed) return;
    this.latest = progressCard(this.startedBy, describeProgress(progress));
    const wait = this.lastSent + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.send(this.latest);
      return;
    }
    this.pending = this.latest;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.pending) this.send(this.pending);
    }, wait);
  }

  /** Stops further edits and waits for those already sent. */
  async settle(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  private send(card: AdaptiveCard): void {
    this.pending = undefined;
    this.lastSent = Date.now();
    this.edited = true;
    this.chain = this.chain.then(() => this.edit(card)).catch((error: unknown) => logger.error('teams: a progress update could not be sent', error));
  }
}

export function describeProgress(progress: Progress): string {
  if (progress.unit === 'bytes' && progress.total) {
    const percent = Math.min(100, Math.floor((progress.done / progress.total) * 100));
    return `${progress.stage}, ${percent} % (${formatBytes(progress.done)} of ${formatBytes(progress.total)})`;
  }
  return progress.total ? `${progress.stage}, ${progress.done} of ${progress.total}${progress.unit ? ` ${progress.unit}` : ''}` : progress.stage;
}

function progressCard(startedBy: string, stage: string): AdaptiveCard {
  return textCard([
    { text: `*Working on it* (started by ${startedBy})` },
    { text: `${stage}…` },
    { text: 'This card shows the result when the work is done.', subtle: true },
  ]);
}
