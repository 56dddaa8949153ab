/**
 * Runs approved changes whose maintenance window has come. `pgdba serve` starts it; a tick that is
 * still running when the next is due is skipped, so a long index build is never started twice
 * by the same process (across replicas the workflow's execution lock decides).
 */
import type { ApprovalActionResult } from './approval-workflow.js';

export interface ScheduledRunner {
  runDueScheduled(): Promise<ApprovalActionResult[]>;
}

export function startMaintenanceWindowRuns(
  workflow: ScheduledRunner,
  options: { everyMs?: number; report?: (results: ApprovalActionResult[]) => void; onError?: (error: unknown) => void } = {},
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const results = await workflow.runDueScheduled();
      if (results.length > 0) options.report?.(results);
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.everyMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
