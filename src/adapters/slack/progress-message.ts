/**
 * One Slack message edited in place while long work runs (download, log parsing), so a 100 MB
 * upload shows its progress without flooding the thread. Edits are throttled and serialised:
 * Slack's chat.update is rate-limited and the last text must win.
 */
import type { Progress } from '../../tools/reply.js';
import { formatBytes, formatCount } from '../../tools/format.js';
import { EditThrottle } from '../edit-throttle.js';
import { escapeMrkdwn, slackLimits, type KnownBlock } from './block-kit.js';
import type { SlackReplier, SlackThread } from './slack-replier.js';

export class ProgressMessage {
  private ts: string | undefined;
  private lastUpdate = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly replier: SlackReplier,
    private readonly thread: SlackThread,
    private readonly what: string,
    private readonly intervalMs = 1000,
  ) {}

  /** Posts the first progress line; later updates edit it. */
  async start(text: string): Promise<void> {
    this.ts = await this.replier.postText(this.thread, text, this.what);
    this.lastUpdate = Date.now();
  }

  get messageTs(): string | undefined {
    return this.ts;
  }

  /** Edits the message unless the previous edit was less than `intervalMs` ago. */
  report(text: string): void {
    const now = Date.now();
    if (!this.ts || now - this.lastUpdate < this.intervalMs) return;
    this.lastUpdate = now;
    const ts = this.ts;
    this.chain = this.chain.then(() => this.replier.update(this.thread.channel, ts, { text, blocks: [] }, this.what));
  }

  /** Waits for pending edits (so a final replace is not overwritten by a late progress edit). */
  async settle(): Promise<void> {
    await this.chain;
  }
}

export function describeProgress(label: string, progress: Progress): string {
  if (progress.unit === 'bytes' && progress.total) {
    const percent = Math.min(100, Math.floor((progress.done / progress.total) * 100));
    return `${label}: ${progress.stage}, ${percent} % (${formatBytes(progress.done)} of ${formatBytes(progress.total)})…`;
  }
  return `${label}: ${progress.stage}, ${progress.done}${progress.total ? ` of ${progress.total}` : ''}${progress.unit ? ` ${progress.unit}` : ''}…`;
}

/** A step of a change being executed: "CREATE INDEX: building index: scanning table — 45 % (1,234 of 2,700 blocks)". */
export function describeStep(progress: Progress): string {
  if (!progress.total) return progress.stage;
  const percent = Math.min(100, Math.floor((progress.done / progress.total) * 100));
  return `${progress.stage} — ${percent} % (${formatCount(progress.done)} of ${formatCount(progress.total)}${progress.unit ? ` ${progress.unit}` : ''})`;
}

/**
 * The clicked message (an approval card) while its action runs: its blocks without the buttons,
 * so nobody clicks again mid-run, and a progress line under them, edited through chat.update at
 * most once per interval (chat.update is Tier 3, about 50 a minute).
 */
export class ClickProgress {
  private readonly edits: EditThrottle<Progress>;

  constructor(replier: SlackReplier, channel: string, ts: string, blocks: readonly KnownBlock[], who: string, intervalMs: number) {
    const shown = blocks.filter((block) => block.type !== 'actions').slice(0, slackLimits.blocksPerMessage - 1);
    this.edits = new EditThrottle(async (progress) => {
      const line = `⏳ ${who}: ${escapeMrkdwn(describeStep(progress))}…`;
      await replier.update(channel, ts, { text: line, blocks: [...shown, { type: 'context', elements: [{ type: 'mrkdwn', text: line.slice(0, slackLimits.textChars) }] }] }, 'click progress');
    }, intervalMs);
  }

  readonly report = (progress: Progress): void => this.edits.push(progress);

  /** No progress edit lands after this resolves (the result replaces the message next). */
  close(): Promise<void> {
    return this.edits.close();
  }
}
