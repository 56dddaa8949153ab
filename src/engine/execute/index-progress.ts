/**
 * Reads pg_stat_progress_create_index for the executor's backend while an index is built, from
 * a second short-lived session (the executor's own session is busy running the build).
 */
import pg from 'pg';
import { parseTargetUrl } from '../db/connection-url.js';

export interface IndexBuildProgress {
  phase: string;
  done: number;
  total: number;
  unit: string;
}

export class IndexProgressMonitor {
  private timer: NodeJS.Timeout | undefined;
  private client: pg.Client | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly databaseUrl: string,
    private readonly pid: number,
    private readonly intervalMs: number,
    private readonly report: (progress: IndexBuildProgress) => unknown,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight = this.inFlight.then(() => this.poll()).catch(() => undefined);
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    await this.client?.end().catch(() => undefined);
  }

  private async poll(): Promise<void> {
    if (!this.client) {
      this.client = new pg.Client({ ...parseTargetUrl(this.databaseUrl).clientConfig, application_name: 'pgdba-progress' });
      this.client.on('error', () => undefined);
      await this.client.connect();
      await this.client.query('SET default_transaction_read_only = on; SET statement_timeout = 5000');
    }
    const result = await this.client.query<{ phase: string; blocks_done: string; blocks_total: string; tuples_done: string; tuples_total: string; lockers_done: string; lockers_total: string }>(
      'select phase, blocks_done, blocks_total, tuples_done, tuples_total, lockers_done, lockers_total from pg_stat_progress_create_index where pid = $1',
      [this.pid],
    );
    const row = result.rows[0];
    if (!row) return;
    if (Number(row.lockers_total) > 0) await this.report({ phase: row.phase, done: Number(row.lockers_done), total: Number(row.lockers_total), unit: 'lockers' });
    else if (Number(row.blocks_total) > 0) await this.report({ phase: row.phase, done: Number(row.blocks_done), total: Number(row.blocks_total), unit: 'blocks' });
    else await this.report({ phase: row.phase, done: Number(row.tuples_done), total: Number(row.tuples_total), unit: 'tuples' });
  }
}
